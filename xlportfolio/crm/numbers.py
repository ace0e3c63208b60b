"""Amounts typed as text in CRM exports ('1.234,50', '$1,234', '(500)'), read without guessing.

A lone separator followed by exactly three digits ('1,234', '1.234') can be a thousands or a
decimal separator. Such a value is read only when the other values of its column say which
mark is the decimal one; otherwise the caller keeps the text and reports it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

AMBIGUOUS = "ambiguous"
UNPARSED = "unparsed"

_CURRENCY = r"(?:[€$£¥]|US\$|EUR|USD|GBP|CHF|JPY)"
_PREFIX = re.compile(rf"^{_CURRENCY}\s*", re.IGNORECASE)
_SUFFIX = re.compile(rf"\s*{_CURRENCY}$", re.IGNORECASE)
_GROUP_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "'": " ", "\u2019": " "})
_BODY = re.compile(r"^\d(?:[\d., ]*\d)?$")
_EDGE = " \u00a0\u202f"  # only spaces are trimmed: a leading tab or CR marks text, never a number


def parse_number(text: str, decimal: str | None = None) -> tuple[int | float | None, str | None]:
    """(value, None), or (None, AMBIGUOUS | UNPARSED); `decimal` is the column's decimal mark if known."""
    split = _sign_and_body(text)
    if split is None:
        return None, UNPARSED
    negative, body = split
    read = _read_body(body, decimal)
    if isinstance(read, str):
        return None, read
    return (-read if negative else read), None


def decimal_mark(text: str) -> str | None:
    """The decimal mark a value proves by itself ('1.234,5' -> ','), or None when it proves none."""
    split = _sign_and_body(text)
    if split is None:
        return None
    body = split[1]
    marks = [c for c in body if c in ".,"]
    if not marks:
        mark = None
    elif len(set(marks)) == 2 or " " in body:
        mark = marks[-1]
    elif len(marks) > 1:
        mark = "," if marks[0] == "." else "."
    else:
        mark = marks[0] if _decimal_only(*body.split(marks[0])) else None
    return mark if mark and not isinstance(_read_body(body, mark), str) else None


def column_decimal(texts: Iterable[str]) -> str | None:
    """The decimal mark every value of a column that shows one agrees on, else None."""
    marks = {m for t in texts if (m := decimal_mark(t))}
    return marks.pop() if len(marks) == 1 else None


def _sign_and_body(text: str) -> tuple[bool, str] | None:
    """Split off sign, brackets and currency: '-€ 1.234' -> (True, '1.234'); None if not numeric."""
    t = _no_currency(text.strip(_EDGE))
    negative = t.startswith("(") and t.endswith(")")  # '(500)' and '€ (500)'
    if negative:
        t = _no_currency(t[1:-1].strip(_EDGE))  # '(€ 500)'
    if t[:1] in ("-", "+"):
        if negative:
            return None  # '(-500)': which sign was meant?
        negative, t = t[0] == "-", _no_currency(t[1:].lstrip(_EDGE))  # '-€ 500'
    body = t.translate(_GROUP_SPACES)
    return (negative, body) if _BODY.match(body) else None


def _no_currency(text: str) -> str:
    return _SUFFIX.sub("", _PREFIX.sub("", text, count=1), count=1)


def _read_body(body: str, decimal: str | None) -> int | float | str:
    marks = [c for c in body if c in ".,"]
    if not marks:
        return _whole(body, " ")
    if " " in body or len(set(marks)) == 2:
        mark = marks[-1]
        if marks.count(mark) > 1:
            return UNPARSED
        group = " " if " " in body and len(set(marks)) == 1 else ("," if mark == "." else ".")
        return _with_fraction(body, mark, group)
    mark = marks[0]
    if len(marks) > 1:  # '1.234.567': the repeated mark groups thousands
        return _whole(body, mark)
    whole, frac = body.split(mark)
    if _decimal_only(whole, frac) or decimal == mark:
        return _with_fraction(body, mark, None)
    if decimal is not None:  # the column decimal is the other mark, so this one groups thousands
        return _whole(body, mark)
    return AMBIGUOUS


def _decimal_only(whole: str, frac: str) -> bool:
    """A single mark is surely decimal unless it could group thousands ('1,234' could)."""
    return len(frac) != 3 or not re.fullmatch(r"[1-9]\d{0,2}", whole)


def _whole(body: str, group: str) -> int | str:
    if group not in body:
        return int(body)
    return int(body.replace(group, "")) if _grouped(body, group) else UNPARSED


def _with_fraction(body: str, mark: str, group: str | None) -> float | str:
    whole, frac = body.rsplit(mark, 1)
    if group and group in whole:
        if not _grouped(whole, group):
            return UNPARSED
        whole = whole.replace(group, "")
    if not whole.isdigit() or not frac.isdigit():
        return UNPARSED
    return float(f"{whole}.{frac}")


def _grouped(whole: str, group: str) -> bool:
    return bool(re.fullmatch(rf"[1-9]\d{{0,2}}(?:{re.escape(group)}\d{{3}})*", whole))
