"""Finding rows and cells in a sheet's XML without parsing it: what the rewrite stands on.

Rows and cells are found by their position attribute with byte searches; only a cell the plan
touches is parsed. A sheet whose rows or cells do not carry their position first is given it
first (`regular.regularize`).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from xlportfolio.core.book import column_letter
from xlportfolio.package.reading import _column, prefix_of, sheet_shape
from xlportfolio.package.regular import regularize, sheet_data

Cell = tuple[int, int]

_TAG_END = re.compile(rb'(?:[^>"\']|"[^"]*"|\'[^\']*\')*?(/?)>')
_ATTR = re.compile(rb"""\s([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")


LETTERS: dict[int, bytes] = {}


def letters(col: int) -> bytes:
    if col not in LETTERS:
        LETTERS[col] = column_letter(col).encode()
    return LETTERS[col]


def is_regular(data: bytes) -> bool:
    """Rows and cells all carry their position as their first attribute (what Excel writes)."""
    return sheet_shape(data).regular


class RowCursor:
    """Walks the rows of a sheet forward, finding a row by number without parsing the rows between.

    Rows are in ascending order in every sheet Excel reads, so the first row tag carrying the
    number is the row; a row that does not exist is inserted before the first one numbered above.
    """

    def __init__(self, data: bytes, p: bytes, start: int, end: int, targets: int = 0):
        self.data, self.p, self.pos, self.end = data, p, start, end
        self.opener = b"<" + p + b'row r="'
        self.close = b"</" + p + b"row>"
        self.pending = end
        # Many rows to find: index every row start once (one C-speed scan) instead of searching.
        self.index: tuple[list[int], list[int]] | None = None
        if targets > 64:
            pattern = re.compile(re.escape(self.opener) + rb'(\d+)"')
            found = [(int(m.group(1)), m.start()) for m in pattern.finditer(data, start, end)]
            self.index = ([n for n, _ in found], [at for _, at in found])

    def seek(self, r: int) -> tuple[int, int] | None:
        """(start, end) of row `r` at or after the cursor; None when it does not exist, and then
        `pending` is where it goes."""
        if self.index is not None:
            numbers, starts = self.index
            i = bisect_left(numbers, r)
            while i < len(numbers) and starts[i] < self.pos:
                i += 1
            if i < len(numbers) and numbers[i] == r:
                end = self._row_end(starts[i])
                self.pos = end
                return starts[i], end
            self.pending = self.pos = max(self.pos, starts[i] if i < len(numbers) else self.end)
            return None
        data = self.data
        hit = data.find(self.opener + b'%d"' % r, self.pos, self.end)
        if hit != -1:
            end = self._row_end(hit)
            self.pos = end
            return hit, end
        pos = self.pos
        while True:
            at = data.find(self.opener, pos, self.end)
            if at == -1:
                self.pending = self.pos = self.end
                return None
            stop = data.find(b'"', at + len(self.opener))
            if int(data[at + len(self.opener):stop]) > r:
                self.pending = self.pos = at
                return None
            pos = self.pos = self._row_end(at)

    def _row_end(self, at: int) -> int:
        data = self.data
        gt = data.find(b">", at)
        if data.count(b'"', at, gt) % 2:  # a '>' inside an attribute value: read the tag properly
            m = _TAG_END.match(data, at + 1)
            gt = m.end() - 1
        if data[gt - 1] == 47:  # "/>": an empty row
            return gt + 1
        return data.find(self.close, gt) + len(self.close)


@dataclass
class Found:
    """A cell as stored: where it is, its style and type, and its other attributes as written."""

    start: int
    end: int
    tag_end: int
    s: int
    t: bytes | None
    other: list[tuple[bytes, bytes]]  # (name, raw ' name="value"') of every other attribute


SIMPLE_CELL: dict[bytes, re.Pattern] = {}


def simple_cell(p: bytes) -> re.Pattern:
    """The start tag Excel writes for nearly every cell: position, then style and type, nothing else."""
    if p not in SIMPLE_CELL:
        SIMPLE_CELL[p] = re.compile(b"<" + re.escape(p) + rb'c r="[A-Z]{1,3}\d+"(?: s="(\d+)")?(?: t="(\w+)")?(/?)>')
    return SIMPLE_CELL[p]


def find_cell(data: bytes, p: bytes, ref: bytes, start: int, end: int) -> Found | None:
    """The cell `ref` in data[start:end], found directly (no other cell of the row is parsed)."""
    at = data.find(b"<" + p + b'c r="' + ref + b'"', start, end)
    if at == -1:
        return None
    close = b"</" + p + b"c>"
    m = simple_cell(p).match(data, at)
    if m is not None:
        tag_end = m.end()
        stop = tag_end if m.group(3) else data.find(close, tag_end) + len(close)
        return Found(at, stop, tag_end, int(m.group(1) or 0), m.group(2), [])
    tag = _TAG_END.match(data, at + 1)
    attrs = [(a.group(1), a.group(0)) for a in _ATTR.finditer(data, at + 2 + len(p), tag.end())]
    named = dict(attrs)
    stop = tag.end() if tag.group(1) else data.find(close, tag.end()) + len(close)
    return Found(at, stop, tag.end(), style_of(named), attr_value(named, b"t"),
                  [(n, raw) for n, raw in attrs if n not in (b"r", b"s", b"t")])


def last_cell(data: bytes, p: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(column, end) of the last cell of a row."""
    opener = b"<" + p + b'c r="'
    at = data.rfind(opener, start, end)
    if at == -1:
        return None
    quote = data.find(b'"', at + len(opener))
    col = _column(data[at + len(opener):quote].rstrip(b"0123456789").decode())
    tag = _TAG_END.match(data, quote + 1)
    stop = tag.end() if tag.group(1) else data.find(b"</" + p + b"c>", tag.end()) + len(p) + 4
    return col, stop


def row_cells(data: bytes, p: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, dict, int]]:
    """(column, start, end, attributes, end of start tag) of each cell of the row at data[start:end]."""
    opener = b"<" + p + b'c r="'
    close = b"</" + p + b"c>"
    pos = data.find(opener, start, end)
    while pos != -1:
        quote = data.find(b'"', pos + len(opener))
        ref = data[pos + len(opener):quote]
        tag = _TAG_END.match(data, quote + 1)
        attrs = {m.group(1): m.group(0) for m in _ATTR.finditer(data, pos + 2 + len(p), tag.end())}
        stop = tag.end() if tag.group(1) else data.find(close, tag.end()) + len(close)
        yield _column(ref.rstrip(b"0123456789").decode()), pos, stop, attrs, tag.end()
        pos = data.find(opener, stop, end)


def style_of(attrs: dict[bytes, bytes]) -> int:
    raw = attrs.get(b"s", b"")
    value = raw.split(b"=", 1)[-1].strip().strip(b"\"'")
    return int(value) if value.isdigit() else 0


def attr_value(attrs: dict[bytes, bytes], name: bytes) -> bytes | None:
    raw = attrs.get(name)
    return raw.split(b"=", 1)[-1].strip().strip(b"\"'") if raw is not None else None


def cell_styles(data: bytes, cells: list[Cell] | tuple, regular: bool | None = None) -> dict[Cell, int]:
    """The style index of each of `cells` as the sheet part holds it (absent cells left out)."""
    if not (is_regular(data) if regular is None else regular):
        data = regularize(data)
    p = prefix_of(data)
    _, body_start, body_end, _ = sheet_data(data, p)
    wanted: dict[int, set[int]] = {}
    for r, c in cells:
        wanted.setdefault(r, set()).add(c)
    cursor = RowCursor(data, p, body_start, body_end, len(wanted))
    out: dict[Cell, int] = {}
    for r in sorted(wanted):
        found = cursor.seek(r)
        if found is None:
            continue
        for col in wanted[r]:
            cell = find_cell(data, p, f"{column_letter(col)}{r}".encode(), *found)
            if cell is not None:
                out[(r, col)] = cell.s
    return out
