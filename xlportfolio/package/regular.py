"""Sheets written without positions on their rows or cells: give every row and cell its position.

Some writers leave out `r` (the position is then implied by order) or put it after other
attributes. The rewrite finds rows and cells by a leading position, so such a sheet is first
rewritten into that form, keeping each row's and cell's own attributes and content.
"""
from __future__ import annotations

import re

from xlportfolio.core.book import column_letter
from xlportfolio.package.reading import _column, prefix_of

_ROW_TAG = re.compile(rb"<((?:\w+:)?)row\b([^>]*?)(/?)>")
_CELL_TAG = re.compile(rb"<((?:\w+:)?)c\b([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\sr="([^"]*)"')


def sheet_data(data: bytes, p: bytes) -> tuple[int, int, int, int]:
    """(start of <sheetData>, start of its rows, end of its rows, end of </sheetData>)."""
    m = re.search(rb"<" + re.escape(p) + rb"sheetData\b[^>]*?(/?)>", data)
    if m is None:
        raise ValueError("the sheet has no <sheetData>")
    if m.group(1):
        return m.start(), m.end(), m.end(), m.end()
    close = data.rfind(b"</" + p + b"sheetData>")
    return m.start(), m.end(), close, close


def regularize(data: bytes) -> bytes:
    """The sheet with an explicit, first-placed position on every row and cell, nothing else changed."""
    p = prefix_of(data)
    start, body_start, body_end, _ = sheet_data(data, p)
    body = data[body_start:body_end]
    out, pos, row_no = [], 0, 0
    for m in _ROW_TAG.finditer(body):
        r = _R_ATTR.search(m.group(2))
        row_no = int(r.group(1)) if r and r.group(1).isdigit() else row_no + 1
        attrs = _R_ATTR.sub(b"", m.group(2))
        out.append(body[pos:m.start()])
        out.append(b"<" + m.group(1) + b'row r="%d"' % row_no + attrs + m.group(3) + b">")
        pos = m.end()
        if m.group(3):
            continue
        close = body.find(b"</" + m.group(1) + b"row>", pos)
        out.append(_regular_cells(body[pos:close], row_no))
        pos = close
    out.append(body[pos:])
    return data[:body_start] + b"".join(out) + data[body_end:]


def _regular_cells(row: bytes, row_no: int) -> bytes:
    out, pos, col = [], 0, 0
    for m in _CELL_TAG.finditer(row):
        r = _R_ATTR.search(m.group(2))
        ref = r.group(1).decode() if r else ""
        letters = ref.rstrip("0123456789")
        col = _column(letters) if letters.isalpha() else col + 1
        attrs = _R_ATTR.sub(b"", m.group(2))
        out.append(row[pos:m.start()])
        out.append(b"<" + m.group(1) + b'c r="' + f"{column_letter(col)}{row_no}".encode() + b'"' + attrs
                   + m.group(3) + b">")
        pos = m.end()
    out.append(row[pos:])
    return b"".join(out)
