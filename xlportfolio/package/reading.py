"""Typed cell values of a sheet, fast: python-calamine where it is safe, the sheet XML where it must.

calamine reads values at C speed, but three things need the sheet XML itself:
- it reads an error cell (#REF!) and a formula without a saved result both as an empty string,
  so those cells are found in the XML (a byte search, then a look at each such cell only) and
  become `CellError` and `Uncalculated`, exactly as the tool always reported them;
- it builds a dense grid from the first to the last cell, so a sheet with a cell at A1 and one
  at XFD1048576 would ask for hundreds of gigabytes and abort the process: the extent of the
  cells actually present is bounded from the XML first, and a sheet whose grid would be far
  larger than its cells is read by a sparse reader that costs only the cells present;
- values are made to look as they always did to the checks: whole numbers as int, dates as
  datetime, blank cells as None.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

from xlportfolio.core.values import CellError, Uncalculated
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.package.xml import has_dtd

MAX_ROWS, MAX_COLS = 1_048_576, 16_384
_DENSE_FLOOR = 4_000_000  # a dense grid this small is always fine, whatever the cells present
_DENSE_PER_CELL = 8  # a grid up to 8 slots per present cell is a normal, compact sheet
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")


def prefix_of(data: bytes) -> bytes:
    """The namespace prefix the sheet writes its elements with (b'' for the default namespace)."""
    m = _ROOT.search(data[:8192])
    return m.group(1) or b"" if m else b""


def check_prolog(data: bytes, source: Any, part: str) -> None:
    if has_dtd(data[:8192]):
        raise WorkbookUnusable(source, f"part {part} declares a DTD or entities, which no Excel workbook does; "
                               "the file is hostile or damaged - ask for a fresh copy")


@dataclass(frozen=True)
class Shape:
    """What a sheet's XML looks like, found once: what reads and rewrites of it can rely on."""

    prefix: bytes  # the main namespace's prefix, b'' for the default namespace
    regular: bool  # every row and cell carries its position as its first attribute (what Excel writes)
    dense_ok: bool  # calamine's dense grid stays near the size of the cells present


def sheet_shape(data: bytes) -> Shape:
    """Bounds from byte searches that cost a fraction of calamine's own parse: the rows from the
    row tags, the columns from the two- and three-letter cell references, the cells' row numbers
    from their digit count. Anything unusual (cells or rows without positions, positions out of
    Excel's range) goes to the sparse reader instead of calamine.
    """
    p = prefix_of(data)
    cell_open = b"<" + p + b"c "
    cells = data.count(cell_open) + data.count(b"<" + p + b"c>") + data.count(b"<" + p + b"c/>")
    row_open = b"<" + p + b"row"
    rows = data.count(row_open + b" ") + data.count(row_open + b">")
    regular = cells == data.count(cell_open + b'r="') and rows == data.count(row_open + b' r="')
    return Shape(p, regular, regular and _dense_ok(data, p, cells))


def _dense_ok(data: bytes, p: bytes, cells: int) -> bool:
    if not cells:
        return True
    cell_open = b"<" + p + b"c "
    row_tags = re.findall(rb"<" + re.escape(p) + rb'row r="(\d+)"', data)
    last_row = max(map(int, row_tags), default=1)
    if last_row > MAX_ROWS:
        return False
    digits = str(last_row)
    # A cell claiming a row beyond the row tags' bound would widen calamine's grid.
    beyond = rb"(?:\d{%d,}|[%d-9]\d{%d})\"" % (len(digits) + 1, int(digits[0]) + 1, len(digits) - 1) \
        if digits[0] != "9" else rb"\d{%d,}\"" % (len(digits) + 1)
    if re.search(re.escape(cell_open) + rb'r="[A-Z]{1,3}' + beyond, data):
        return False
    row_bound = (int(digits[0]) + 1) * 10 ** (len(digits) - 1)
    wide = set(re.findall(re.escape(cell_open) + rb'r="([A-Z]{2,})\d', data))
    if any(len(w) > 3 for w in wide):
        return False
    col_bound = max((_column(w.decode()) for w in wide), default=26)
    if col_bound > MAX_COLS:
        return False
    return row_bound * col_bound <= max(_DENSE_FLOOR, _DENSE_PER_CELL * cells)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def from_calamine(rows: list[list[Any]]) -> list[list[Any]]:
    """calamine's values as the checks know them: '' -> None, 12.0 -> 12, date -> datetime."""
    date, datetime, is_float = dt.date, dt.datetime, float
    for row in rows:
        for i, v in enumerate(row):
            t = type(v)
            if t is str:
                if not v:
                    row[i] = None
            elif t is is_float:
                if v.is_integer():
                    row[i] = int(v)
            elif t is date:
                row[i] = datetime(v.year, v.month, v.day)
    return rows


# --- what calamine cannot tell apart -----------------------------------------------------------

_CELL_START = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*?(/?)>')
_ATTR_T = re.compile(rb'\st="(\w+)"')
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_F = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")
_SHARED = re.compile(rb'\bt="shared"')
_SI = re.compile(rb'\bsi="(\d+)"')


def special_cells(data: bytes) -> dict[tuple[int, int], Any]:
    """(row, column) -> CellError or Uncalculated for every error cell and unsaved formula."""
    p = prefix_of(data)
    has_errors = b't="e"' in data
    has_formulas = (b"<" + p + b"f>") in data or (b"<" + p + b"f ") in data
    if not has_errors and not has_formulas:
        return {}
    out: dict[tuple[int, int], Any] = {}
    masters: dict[bytes, tuple[str, str]] = {}  # shared formula id -> (formula, its cell)
    for row, col, coord, body, head in _cells_with(data, p, has_errors, has_formulas):
        t = _ATTR_T.search(head)
        kind = t.group(1) if t else b"n"
        v = _V.search(body)
        f = _F.search(body)
        if f is not None and _SHARED.search(f.group(1) or b"") and f.group(2):
            si = _SI.search(f.group(1))
            if si:
                masters[si.group(1)] = (_text(f.group(2)), coord)
        if kind == b"e" and v is not None and v.group(1):
            out[(row, col)] = CellError(_text(v.group(1)))
        elif f is not None and (v is None or not v.group(1)):
            out[(row, col)] = Uncalculated(_formula_text(f, masters, coord))
    return out


def _cells_with(data: bytes, p: bytes, errors: bool, formulas: bool):
    """The cells holding an error or a formula: each found by a byte search, then parsed alone."""
    needles = ([b't="e"'] if errors else []) + ([b"<" + p + b"f>", b"<" + p + b"f "] if formulas else [])
    starts = set()
    for needle in needles:
        pos = data.find(needle)
        while pos != -1:
            start = data.rfind(b"<" + p + b"c ", 0, pos)
            if start != -1:
                starts.add(start)
            pos = data.find(needle, pos + len(needle))
    close = b"</" + p + b"c>"
    for start in sorted(starts):
        m = _CELL_START.match(data, start)
        if m is None:
            continue
        if m.group(3):  # <c .../>: no content
            body = b""
        else:
            end = data.find(close, m.end())
            if end == -1:
                continue
            body = data[m.end():end]
        yield int(m.group(2)), _column(m.group(1).decode()), (m.group(1) + m.group(2)).decode(), body, m.group(0)


def _formula_text(f: re.Match, masters: dict[bytes, tuple[str, str]], coord: str) -> str:
    text = _text(f.group(2) or b"")
    attrs = f.group(1) or b""
    if not text and _SHARED.search(attrs):
        si = _SI.search(attrs)
        master = masters.get(si.group(1)) if si else None
        if master:
            from openpyxl.formula.translate import Translator

            try:
                return Translator("=" + master[0], origin=master[1]).translate_formula(coord)
            except Exception:  # noqa: BLE001 - a formula openpyxl cannot translate keeps its master's text
                return "=" + master[0]
    return "=" + text


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text
