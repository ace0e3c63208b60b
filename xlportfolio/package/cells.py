"""A value as a cell's XML: the type attribute and content Excel reads back as that same value."""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from xlportfolio.core.plan import Formula, Link
from xlportfolio.core.values import CellError, Uncalculated
from xlportfolio.package.xml import cell_text

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"
TIME_FORMAT = "h:mm:ss"
_EPOCH_1900, _EPOCH_1904 = dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)


def serial(value: dt.date | dt.datetime | dt.time, date1904: bool = False) -> float:
    """Excel's day number for a date (the 1900 system counts its phantom 29 February 1900)."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    days = (value - (_EPOCH_1904 if date1904 else _EPOCH_1900)).total_seconds() / 86400
    if not date1904 and days < 61:
        days -= 1  # before 1 March 1900 Excel is a day behind its own bug
    return days


def number(value: float | int) -> str:
    """The shortest text that reads back as exactly this number."""
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def encode(value: Any, date1904: bool = False) -> tuple[str | None, str, str | None]:
    """(t attribute or None, inner XML, number format a date needs or None) for a cell's value.

    Text is always written as an inline string, so text that starts with '=' stays text and the
    shared strings part is never rewritten.
    """
    kind = type(value)
    if kind is str:  # the common case first
        return "inlineStr", _inline(value), None
    if kind is int:
        return None, f"<v>{value}</v>", None
    if isinstance(value, Link):
        value = value.text
    if isinstance(value, Formula):
        return _formula(value, date1904)
    if isinstance(value, Uncalculated):
        return None, f"<f>{cell_text(value.formula.lstrip('='))}</f>", None
    if isinstance(value, CellError):
        return "e", f"<v>{cell_text(value.code)}</v>", None
    if isinstance(value, bool):
        return "b", "<v>1</v>" if value else "<v>0</v>", None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "inlineStr", _inline(str(value)), None
        return None, f"<v>{number(value)}</v>", None
    if isinstance(value, dt.datetime):
        fmt = DATE_FORMAT if value.time() == dt.time() else DATETIME_FORMAT
        return None, f"<v>{number(serial(value, date1904))}</v>", fmt
    if isinstance(value, dt.date):
        return None, f"<v>{number(serial(value, date1904))}</v>", DATE_FORMAT
    if isinstance(value, dt.time):
        return None, f"<v>{number(serial(value))}</v>", TIME_FORMAT
    if hasattr(value, "item"):  # numpy scalars
        return encode(value.item(), date1904)
    return "inlineStr", _inline(str(value)), None


def _inline(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{cell_text(text)}</t></is>"


def _formula(value: Formula, date1904: bool) -> tuple[str | None, str, str | None]:
    """A live formula with the engine's own result as its saved value, so any reader sees the
    number before a spreadsheet recalculates (fullCalcOnLoad makes it recalculate anyway)."""
    f = f"<f>{cell_text(value.text.lstrip('='))}</f>"
    result = value.value
    if isinstance(result, bool):
        return "b", f + ("<v>1</v>" if result else "<v>0</v>"), None
    if isinstance(result, (int, float)) and math.isfinite(result):
        return None, f + f"<v>{number(result)}</v>", None
    if isinstance(result, str):
        return "str", f + f"<v>{cell_text(result)}</v>", None
    if isinstance(result, (dt.date, dt.datetime)):
        return None, f + f"<v>{number(serial(result, date1904))}</v>", None
    return None, f, None


def same(old: Any, new: Any) -> bool:
    """Whether writing `new` over `old` leaves the cell as it is (numbers by value, dates by day)."""
    if isinstance(new, (Formula, Link, CellError, Uncalculated)) or isinstance(old, (CellError, Uncalculated)):
        return False
    if new is None or old is None:
        return new is None and old is None
    if isinstance(new, bool) or isinstance(old, bool):
        return type(new) is type(old) and new == old
    if isinstance(new, (int, float)) and isinstance(old, (int, float)):
        return float(new) == float(old)
    if isinstance(new, str) and isinstance(old, str):
        return new == old
    if isinstance(new, (dt.date, dt.datetime)) and isinstance(old, (dt.date, dt.datetime)):
        as_dt = [v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day) for v in (old, new)]
        return as_dt[0] == as_dt[1]
    return False
