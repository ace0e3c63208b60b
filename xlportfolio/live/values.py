"""Cell values between the plan and xlwings: read as the file reader reads them, written as text
stays text, and fills as the colours and runs the engines take.

The live surface (`xlportfolio.live.surface`) reads and writes through these; they hold no
workbook state.
"""
from __future__ import annotations

import re
from typing import Any

from xlportfolio.core.plan import Formula, Link
from xlportfolio.core.values import ERROR_CODES, CellError, Uncalculated, is_blank

_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
# Text Excel reads as a date without a leading digit: "Jan 26", "March 2026", "Sep-5".
_MONTH_DATE = re.compile(rf"^({_MONTHS})[a-z]*\.?([\s,/.-]+\d{{1,4}}){{0,2}}$", re.IGNORECASE)
_QUOTE_FIRST = frozenset("=+-@'#(.$€£¥%")
_MONTH_STARTS = frozenset(_MONTHS.split("|"))  # the regex only for text that starts like a month


# --- reading values ----------------------------------------------------------------------------

def table_bounds(table: Any) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of a table, totals row left out."""
    rng = table.range
    rows, cols = rng.shape
    last_row = rng.row + rows - 1 - (1 if table.show_totals else 0)
    return rng.row, rng.column, last_row, rng.column + cols - 1


def read_block(sheet: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> list[list[Any]]:
    """The cell values of a block in one read, as the file reader sees them."""
    values = sheet.range((first_row, first_col), (last_row, last_col)).options(ndim=2, err_to_str=True).value
    return [[cell_value(v) for v in row] for row in values]


def cell_value(value: Any) -> Any:
    """One value as read through xlwings, made to match the file reader's.

    Desktop Excel hands every number over as a float: whole numbers become ints again, so an ID
    typed as 1001 or a ledger's Seq reads (and hashes) the same from a file and from Excel.
    """
    if isinstance(value, str):  # most cells: tested first
        if value in ERROR_CODES:
            return CellError(value)
        return None if value == "" else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --- writing values ----------------------------------------------------------------------------

def needs_quote(text: str) -> bool:
    """Whether Excel could read `text` as anything but that text.

    Every engine writes a value as if it were typed (COM `Range.Value`, AppleScript, Office.js
    `range.values`): "=..." becomes a formula, "00123" the number 123, "2026-06-30" a date,
    "TRUE" a boolean. Such text gets the leading apostrophe all of them honour, as the file
    engine writes text as text. Generous on purpose: quoting text that would have stayed text
    costs nothing visible, a missed case changes the data. (The apostrophe also keeps xlwings'
    Office.js client from turning an ISO timestamp, a ledger's When, into a localised date.)
    """
    s = text.strip()
    if not s:
        return False
    return (s[0] in _QUOTE_FIRST or s[0].isdigit() or text[0] == "'"
            or s.casefold() in ("true", "false")
            or s[:3].casefold() in _MONTH_STARTS and bool(_MONTH_DATE.match(s)))


def to_excel(value: Any) -> Any:
    """A plan value as it goes into a `.value` write."""
    if isinstance(value, Formula):
        return value.text  # a live formula on purpose: it is how a number traces to its source
    if isinstance(value, Link):
        value = value.text  # the hyperlink is added to the cell on its own
    elif isinstance(value, (CellError, Uncalculated)):
        value = str(value)
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def converter() -> Any:
    """`to_excel` for one write, each distinct text checked once (Findings repeat their texts)."""
    texts: dict[str, str] = {}

    def convert(value: Any) -> Any:
        if type(value) is str:
            found = texts.get(value)
            if found is None:
                found = texts[value] = to_excel(value)
            return found
        return to_excel(value)
    return convert


def is_numeric(value: Any) -> bool:
    if isinstance(value, Formula):
        value = value.value
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def hex_color(rgb: Any) -> str | None:
    """'FFC7CE' (or an ARGB '00FFC7CE') as '#FFC7CE'; blank means no fill."""
    text = "" if is_blank(rgb) else str(rgb).strip()
    return f"#{text[-6:].upper()}" if text else None


def color_runs(fills: dict[int, str | None]) -> list[tuple[int, int, str | None]]:
    """Fills down one column as (first row, last row, colour) runs of equal colours: one call each."""
    rows = sorted(fills)
    out, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i] != rows[i - 1] + 1 or fills[rows[i]] != fills[rows[start]]:
            out.append((rows[start], rows[i - 1], fills[rows[start]]))
            start = i
    return out
