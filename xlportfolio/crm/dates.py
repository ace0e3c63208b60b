"""Dates typed as text in CRM exports, read day-first or month-first only on evidence.

'03/04/2026' is 3 April in Berlin and March 4 in Boston; reading it the wrong way moves a due
date by a month without anyone noticing. A slash or dash date is therefore read by itself only
when one part is over 12; otherwise the order comes from the other dates of the column, or a
preset's default, and failing both the text is kept and reported.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
AMBIGUOUS = "ambiguous"
UNPARSED = "unparsed"

_TIME = r"(?:[ T,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(rf"^(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}$")
_DOTTED = re.compile(rf"^(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_TIME}$")  # dd.mm.yyyy: always day first
_SLASHED = re.compile(rf"^(\d{{1,2}})([/-])(\d{{1,2}})\2(\d{{4}}){_TIME}$")


def parse_date(text: str, order: str | None = None) -> tuple[dt.date | None, str | None]:
    """(date, None), or (None, AMBIGUOUS | UNPARSED); `order` is the column's DAY_FIRST/MONTH_FIRST."""
    text = text.strip(" ")
    if m := _YEAR_FIRST.match(text):
        return _checked(int(m[1]), int(m[3]), int(m[4]))
    if m := _DOTTED.match(text):
        return _checked(int(m[3]), int(m[2]), int(m[1]))
    if m := _SLASHED.match(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        order = _order_of(first, second) or order or (DAY_FIRST if first == second else None)
        if order is None:
            return None, AMBIGUOUS
        return _checked(year, first, second) if order == MONTH_FIRST else _checked(year, second, first)
    return None, UNPARSED


def date_order(text: str) -> str | None:
    """The order a slash date proves by itself ('25/03/2026' -> DAY_FIRST), or None."""
    m = _SLASHED.match(text.strip(" "))
    return _order_of(int(m[1]), int(m[3])) if m else None


def column_order(texts: Iterable[str]) -> str | None:
    """The order every date that shows one agrees on, else None."""
    orders = {o for t in texts if (o := date_order(t))}
    return orders.pop() if len(orders) == 1 else None


def _order_of(first: int, second: int) -> str | None:
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return None


def _checked(year: int, month: int, day: int) -> tuple[dt.date | None, str | None]:
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, UNPARSED
