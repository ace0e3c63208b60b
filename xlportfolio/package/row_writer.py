"""One row of a user's sheet rewritten: only the cells the plan changes are rebuilt (keeping their
other attributes), new cells go in column order, and a new row a table grew by takes its
model row's look. The rows themselves are found and spliced by `sheet_edit.rewrite_pieces`.
"""
from __future__ import annotations

import re

from xlportfolio.core.book import column_letter
from xlportfolio.package.cell_edit import Cell, CellEdit, SheetContext, with_model
from xlportfolio.package.cells import encode
from xlportfolio.package.sheet_cells import Found, find_cell, last_cell, letters, row_cells
from xlportfolio.package.styles import KEEP

_TAG_END = re.compile(rb'(?:[^>"\']|"[^"]*"|\'[^\']*\')*?(/?)>')
_SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
_SHARED_MASTER = re.compile(rb'<(?:\w+:)?f\b[^>]*\bt="shared"[^>]*\bref="[^"]*"[^>]*\bsi="(\d+)"[^>]*>([^<]*)<')


class RowWriter:
    def __init__(self, data: bytes, p: bytes, ctx: SheetContext, model_styles: dict[Cell, int]):
        self.data, self.p, self.ctx = data, p, ctx
        self.model_styles = model_styles
        self.changed = False
        self.extent: Cell | None = None  # the furthest cell given a value, for <dimension>
        self.orphans: dict[bytes, tuple[str, str]] = {}  # shared formula id -> (formula, master cell)
        self._looks: dict[tuple[int, int], bytes | None] = {}

    def row(self, r: int, start: int, end: int, edits: dict[int, CellEdit]) -> bytes | memoryview:
        data, p = self.data, self.p
        view = memoryview(data)
        tag = _TAG_END.match(data, start + 1)
        if tag.group(1):  # <row .../>: no cells yet
            new = [c for c in (self._cell(r, col, edits[col], None, b"") for col in sorted(edits)) if c]
            if not new:
                return view[start:end]
            self.changed = True
            open_tag = data[start:tag.end() - 2].rstrip() + b">"
            return _fix_spans(open_tag + b"".join(new) + b"</" + p + b"row>", min(edits), max(edits))
        close = len(b"</" + p + b"c>")
        out: list[bytes | memoryview] = []
        pos, written = start, []
        cells: list | None = None  # every cell of the row, parsed only when a new cell goes between
        last: tuple[int, int] | None | bool = False  # the row's last cell, looked up when needed
        for col in sorted(edits):
            ref = letters(col) + b"%d" % r
            found = find_cell(data, p, ref, pos, end)
            if found is not None:
                inner = data[found.tag_end:found.end - close] if found.end != found.tag_end else b""
                new = self._cell(r, col, edits[col], found, inner)
                if new is None or new == data[found.start:found.end]:
                    continue
                out += [view[pos:found.start], new]
                pos = found.end
            else:
                new = self._cell(r, col, edits[col], None, b"")
                if new is None:
                    continue
                if last is False:
                    last = last_cell(data, p, start, end)
                if last is None:
                    at = tag.end()
                elif col > last[0]:
                    at = last[1]
                else:
                    if cells is None:
                        cells = list(row_cells(data, p, start, end))
                    at = next((c[1] for c in cells if c[0] > col), last[1])
                at = max(at, pos)
                out += [view[pos:at], new]
                pos = at
            written.append(col)
        if not written:
            return view[start:end]
        self.changed = True
        out.append(view[pos:end])
        return _fix_spans(b"".join(out), min(written), max(written))

    def new_row(self, r: int, edits: dict[int, CellEdit], models: dict[int, CellEdit]) -> bytes:
        """A row that is not in the part yet: the plan's cells, and the model look of a grown table row."""
        cells = []
        for col in sorted(edits.keys() | models.keys()):
            edit = edits.get(col)
            if edit is None:  # only the look: one string per column, built once
                cell = self._looks.get((col, id(models[col])))
                if cell is None:
                    cell = self._cell(0, col, models[col], None, b"")
                    cell = self._looks[(col, id(models[col]))] = cell if cell and b' s="' in cell else b""
                if cell:
                    cells.append(cell.replace(b'r="' + letters(col) + b'0"', b'r="' + letters(col) + b"%d" % r + b'"'))
                continue
            if col in models and edit.model is None:
                edit = with_model(edit, models[col])
            cell = self._cell(r, col, edit, None, b"")
            if cell:
                cells.append(cell)
        if not cells:
            return b""
        self.changed = True
        return b"<" + self.p + b'row r="%d">' % r + b"".join(cells) + b"</" + self.p + b"row>"

    def _cell(self, r: int, col: int, edit: CellEdit, found: Found | None, inner: bytes) -> bytes | None:
        """The cell's new XML (`found`: the cell as stored, None for a new one), or None when a
        new cell would hold nothing."""
        styles = self.ctx.styles
        s, t, other = (found.s, found.t, found.other) if found is not None else (0, None, [])
        if edit.model is not None and found is None:
            s = self.model_styles.get(edit.model, 0)
            if edit.model_fill is not KEEP:
                s = styles.derive(s, fill=edit.model_fill)
        content = inner
        if edit.value is not KEEP:
            if inner:
                self._orphan(inner, r, col)
            other = [(n, raw) for n, raw in other if n not in (b"cm", b"vm")]  # metadata of the old value
            if edit.value is None:
                content, t = _without_value(inner, self.p) if inner else b"", None
                if found is None and edit.model is None and edit.fill is KEEP and edit.number_format is KEEP:
                    return None
            else:
                kind, xml, date_format = encode(edit.value, self.ctx.date1904)
                content, t = xml.encode("utf-8"), (kind.encode() if kind else None)
                if self.p:
                    content = _prefixed(content, self.p)
                if date_format and edit.number_format is KEEP and not styles.is_date(s):
                    s = styles.derive(s, number_format=date_format)
                self._reach(r, col)
        if edit.fill is not KEEP:
            s = styles.derive(s, fill=edit.fill)
        if edit.number_format is not KEEP:
            s = styles.derive(s, number_format=edit.number_format)
        head = b"<" + self.p + b'c r="' + letters(col) + b"%d" % r + b'"'
        if s:
            head += b' s="%d"' % s
        if t:
            head += b' t="' + t + b'"'
        if other:
            head += b"".join(raw for _, raw in other)
        if not content:
            return head + b"/>"
        return head + b">" + content + b"</" + self.p + b"c>"

    def _reach(self, r: int, col: int) -> None:
        if self.extent is None:
            self.extent = (r, col)
        else:
            self.extent = (max(self.extent[0], r), max(self.extent[1], col))

    def _orphan(self, inner: bytes, r: int, col: int) -> None:
        """A shared formula's first cell is overwritten: its followers need a formula of their own."""
        m = _SHARED_MASTER.search(inner)
        if m:
            self.orphans[m.group(1)] = (m.group(2).decode("utf-8"), f"{column_letter(col)}{r}")



def _without_value(inner: bytes, p: bytes) -> bytes:
    """A cell's content once its value is blanked: formula and value go, an extLst stays."""
    m = re.search(rb"<" + re.escape(p) + rb"extLst\b.*", inner, re.S)
    return m.group(0) if m else b""


def _prefixed(content: bytes, p: bytes) -> bytes:
    """Our default-namespace cell content in a sheet that writes the main namespace with a prefix."""
    return re.sub(rb"<(/?)(v|f|is|t)\b", lambda m: b"<" + m.group(1) + p + m.group(2), content)


def _fix_spans(row: bytes, first: int, last: int) -> bytes:
    """A rewritten row's spans hint covers the cells written (Excel only uses it to size rows)."""
    m = _SPANS.search(row, 0, row.find(b">") + 1)
    if m is None:
        return row
    lo, hi = int(m.group(1)), int(m.group(2))
    if lo <= first and last <= hi:
        return row
    return row[:m.start()] + b' spans="%d:%d"' % (min(lo, first), max(hi, last)) + row[m.end():]
