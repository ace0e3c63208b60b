"""Reading cell values as a person meant them, without ever guessing silently.

Cell values arrive as the adapters read them (str, int, float, bool, date, datetime, None,
or CellError). These helpers say what a value is, so checks can report text in a number
cell or a date typed as text instead of coercing it.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"}
)


@dataclass(frozen=True)
class CellError:
    """An Excel error value (#REF!, #DIV/0!, ...) in a cell; never read as a number."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Uncalculated:
    """A formula whose result was never calculated (the file was not saved by a spreadsheet)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


# Cell types whose equal values are the same to any reading (read_once); str and naive datetimes too.
_REMEMBERED = frozenset({int, float, bool, type(None), dt.date, CellError, Uncalculated})


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def yes(value: Any) -> bool:
    """A Yes/No cell as the configuration tables read it: Yes, Y, True, 1 or x is yes."""
    return str(value or "").strip().casefold() in {"yes", "y", "true", "1", "x"}


def read_once(values: Iterable[Any], read: Callable[[Any], T]) -> Iterator[T]:
    """`read(value)` for every cell in turn, worked out once per distinct value.

    A column of 50,000 rows holds few distinct values (categories, amounts, dates), so a check
    that judges each cell reads each value once. Only the plain types cells hold are remembered:
    among them, values of one type that compare equal read the same (1, 1.0 and True are three
    values). A float zero is read each time, as -0.0 equals 0.0 but prints differently; so is
    anything else (a datetime with a time zone, say). Readings come one cell at a time, so a
    check that fails on an odd value has reported the cells before it.
    """
    seen: dict[Any, T] = {}
    for value in values:
        kind = value.__class__
        if kind is str:
            key = value  # text equals only text: it is its own key, which saves a tuple per cell
        elif kind in _REMEMBERED or (kind is dt.datetime and value.tzinfo is None):
            key = (kind, value)
        else:
            yield read(value)
            continue
        reading = seen.get(key, seen)
        if reading is seen:
            reading = read(value)
            if kind is not float or value:
                seen[key] = reading
        yield reading


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_date(value: Any) -> bool:
    return isinstance(value, (dt.date, dt.datetime))


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}([,. ]\d{3})*|\d+)([.,]\d+)?$")


def number_in_text(text: str) -> bool:
    """True for text that is plainly a number typed as text ('12500', '12,500.00')."""
    return bool(_NUMBER_TEXT.match(text.strip()))


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$")


def date_in_text(text: str) -> dt.date | None:
    """The date a text plainly spells, or None.

    ISO dates are read as such. Day-first and month-first forms are read only when they
    cannot be mistaken for each other (13.03.2026 but not 03.04.2026): a wrong guess would
    move a due date by months.
    """
    text = text.strip()
    if m := _ISO.match(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if first > 12 >= second:
            return _safe_date(year, second, first)
        if second > 12 >= first:
            return _safe_date(year, first, second)
        if first == second:
            return _safe_date(year, first, second)
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def split_ids(value: Any) -> list[str]:
    """'P-001, P-002; P-003' -> ['P-001', 'P-002', 'P-003']."""
    if is_blank(value):
        return []
    return [part.strip() for part in re.split(r"[,;\n]", str(value)) if part.strip()]


def as_id(value: Any) -> str | None:
    """IDs are text; a number typed as an ID (1001 or 1001.0) reads as '1001'."""
    if is_blank(value) or isinstance(value, CellError):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_MIDNIGHT = dt.time()


def show(value: Any) -> str:
    """A value as a person would recognise it in a message."""
    if isinstance(value, dt.date):  # a datetime is a date too
        if isinstance(value, dt.datetime) and value.time() == _MIDNIGHT:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
