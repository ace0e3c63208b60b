"""Amounts as people type them: 2,000,000 / 2.000.000 / 2 000 000 / 2m / €2.5m / 2k.

The workbook's decimal separator settles the one ambiguous case, a single separator followed
by three digits ("2.000" is two thousand where the decimal separator is a comma, two where it
is a point). Everything else is read by its shape: a separator that occurs more than once, or
before another one, groups thousands; a separator not followed by exactly three digits cannot
group them, so it is the decimal one.
"""
from __future__ import annotations

import re

SCALES = {"": 1.0, "k": 1e3, "m": 1e6, "mn": 1e6, "mio": 1e6, "b": 1e9, "bn": 1e9}
CURRENCY = re.compile(r"^(?:[€$£¥]|eur|usd|gbp|chf|jpy)|(?:[€$£¥]|eur|usd|gbp|chf|jpy)$", re.IGNORECASE)
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")  # spaces (also no-break and thin) and 1'000 group digits
SHAPE = re.compile(r"^(\d[\d.,]*)([a-z]*)$", re.IGNORECASE)
ACCEPTED = "2000000, 2,000,000, 2.000.000, 2 000 000, 2m, 2.5m, 2k or €2m"


def parse_amount(text: str | float | int, decimal_separator: str = ".") -> float:
    """The number `text` stands for; a ValueError says what is accepted when it stands for none."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    raw = str(text)
    body = SPACES.sub("", raw).strip()
    negative = body.startswith(("-", "−"))
    body = body.lstrip("-−+")
    body = SPACES.sub("", CURRENCY.sub("", body))  # "€ 2m", "2m EUR", "-€2m"
    if body.startswith(("-", "−")):
        negative, body = True, body[1:]
    shape = SHAPE.match(body)
    scale = SCALES.get(shape.group(2).casefold()) if shape else None
    number = _number(shape.group(1), decimal_separator) if shape and scale is not None else None
    if number is None:
        raise ValueError(f"'{raw.strip()}' is not an amount; write it like {ACCEPTED} "
                         f"(decimal separator '{decimal_separator}').")
    return -number * scale if negative else number * scale


def _number(digits: str, decimal: str) -> float | None:
    """Digits with group and decimal separators as a number, None when they cannot be read."""
    seps = [(i, ch) for i, ch in enumerate(digits) if ch in ".,"]
    if not seps:
        return float(digits)
    kinds = {ch for _, ch in seps}
    last_at, last = seps[-1]
    if len(kinds) == 2:  # both: the last one is the decimal separator, the other groups
        point = last if sum(ch == last for _, ch in seps) == 1 else None
    elif len(seps) > 1:  # one kind, several times: they group thousands
        point = None
    elif len(digits) - last_at - 1 != 3:  # a single one not before three digits cannot group
        point = last
    else:  # "2.000": the workbook's settings decide
        point = last if last == decimal else None
    if point is None and len(kinds) == 2:
        return None  # "1,000,000.000.0": no way to read it
    whole, _, fraction = digits.rpartition(point) if point else (digits, "", "")
    if not fraction.isdigit() and point:
        return None
    groups = re.split(r"[.,]", whole)
    if len({ch for ch in whole if ch in ".,"}) > 1 or not _grouped(groups):
        return None
    return float("".join(groups) + ("." + fraction if point else ""))


def _grouped(groups: list[str]) -> bool:
    """1 to 3 digits, then groups of exactly three (or one group of any length)."""
    if len(groups) == 1:
        return groups[0].isdigit()
    return 1 <= len(groups[0]) <= 3 and groups[0].isdigit() and all(len(g) == 3 and g.isdigit() for g in groups[1:])


def parse_budget(text: str | float | int, decimal_separator: str = ".") -> float:
    """An amount that can be a budget: above zero, or a ValueError saying why not."""
    amount = parse_amount(text, decimal_separator)
    if not amount > 0 or amount != amount or amount == float("inf"):
        shown = str(text).strip()
        what = "zero" if amount == 0 else "negative" if amount < 0 else "not a finite number"
        raise ValueError(f"a budget of {shown} is {what}; give the money available, above 0 "
                         f"(e.g. 2,000,000 or 2m), or leave the budget out for no budget limit.")
    return amount
