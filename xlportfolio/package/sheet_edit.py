"""Rewrite a user's sheet part: change only the cells in the plan, keep every other byte.

The sheet is never parsed whole. Rows the plan does not touch are copied as they are; in a row
it touches, only the cells it changes are rebuilt, keeping their other attributes. Everything
outside <sheetData> (extLst, x14 validations and conditional formats, mc:AlternateContent,
sparklines, drawings, table parts, row and column properties) stays byte for byte, apart from
the <dimension> a grown table needs and the <legacyDrawing> that shows notes.

This relies on rows and cells carrying their position as their first attribute, as Excel and
every common writer do; a sheet written otherwise is first rewritten into that form
(`regularize`), keeping each row's and cell's own attributes and content.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from xlportfolio.core.book import column_letter, split_cell
from xlportfolio.package.cells import encode
from xlportfolio.package.reading import prefix_of
from xlportfolio.package.regular import regularize, sheet_data
from xlportfolio.package.sheet_cells import (
    Found,
    RowCursor,
    find_cell,
    is_regular,
    last_cell,
    letters,
    row_cells,
    style_of,
)
from xlportfolio.package.styles import KEEP, StyleBook
from xlportfolio.package.xml import REL

Cell = tuple[int, int]

_ROW_ANY = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_TAG_END = re.compile(rb'(?:[^>"\']|"[^"]*"|\'[^\']*\')*?(/?)>')
_ATTR = re.compile(rb"""\s([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')""")
_SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_SHARED_MASTER = re.compile(rb'<(?:\w+:)?f\b[^>]*\bt="shared"[^>]*\bref="[^"]*"[^>]*\bsi="(\d+)"[^>]*>([^<]*)<')
# After <sheetData>, the schema's order: a new <legacyDrawing> goes before the first of these.
_AFTER_LEGACY = (b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts", b"extLst")


@dataclass(slots=True)
class CellEdit:
    """What a plan changes in one cell; KEEP leaves an aspect as it is."""

    value: Any = KEEP
    fill: Any = KEEP  # RGB, or '' for no fill
    number_format: Any = KEEP
    model: Cell | None = None  # a new table row's cell takes this cell's style ...
    model_fill: Any = KEEP  # ... with this fill where a tool mark covers the model


@dataclass(frozen=True)
class Grown:
    """Rows a table grew by: their cells look like the model row's (a tool mark's prior fill
    standing in where a mark covers the model), whether or not a value goes in."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int
    model_row: int
    marked: dict[int, str]  # column -> the fill a tool mark on the model cell replaced

    def edit(self, col: int) -> CellEdit:
        return CellEdit(model=(self.model_row, col), model_fill=self.marked.get(col, KEEP))


@dataclass
class SheetContext:
    styles: StyleBook
    date1904: bool
    legacy: tuple[str, str] | None = None  # ("add", rId) or ("remove", rId)


def rewrite(data: bytes, edits: dict[Cell, CellEdit], ctx: SheetContext, regular: bool | None = None,
            grown: list[Grown] = ()) -> bytes | None:
    """The sheet with the edits applied (and rows a table grew by), or None when it comes out
    byte for byte the same."""
    pieces = rewrite_pieces(data, edits, ctx, regular, grown)
    return None if pieces is None else b"".join(pieces)


def rewrite_pieces(data: bytes, edits: dict[Cell, CellEdit], ctx: SheetContext, regular: bool | None = None,
                   grown: list[Grown] = ()) -> list[bytes | memoryview] | None:
    """`rewrite` as the pieces of the new part (slices of the old one and new rows), for streaming."""
    if not (is_regular(data) if regular is None else regular):
        data = regularize(data)
    p = prefix_of(data)
    start, body_start, body_end, end = sheet_data(data, p)
    rows: dict[int, dict[int, CellEdit]] = {}
    for (r, c), edit in edits.items():
        rows.setdefault(r, {})[c] = edit
    models: dict[int, dict[int, CellEdit]] = {}  # row -> column -> the look a grown table row takes
    for g in grown:  # one edit object per column, shared by the rows
        model = {col: g.edit(col) for col in range(g.first_col, g.last_col + 1)}
        for r in range(g.first_row, g.last_row + 1):
            models[r] = model
            rows.setdefault(r, {})
    model_rows = {e.model[0] for e in edits.values() if e.model is not None} | {g.model_row for g in grown}
    styles_of = _model_styles(data, p, body_start, body_end, model_rows)
    writer = _RowWriter(data, p, ctx, styles_of)
    pieces: list[bytes | memoryview] = []
    view = memoryview(data)
    pos = body_start
    targets = sorted(rows)
    cursor = RowCursor(data, p, body_start, body_end, len(targets))
    for r in targets:
        found = cursor.seek(r)
        if found is None:  # insert a new row before the next existing one (or at the end)
            at = cursor.pending
            pieces.append(view[pos:at])
            new = writer.new_row(r, rows[r], models.get(r, {}))
            if new:
                pieces.append(new)
            pos = at
            continue
        row_start, row_end = found
        pieces.append(view[pos:row_start])
        row_edits = rows[r]
        if r in models:
            row_edits = {**{c: e for c, e in models[r].items()},
                         **{c: _with_model(e, models[r][c]) if c in models[r] else e for c, e in row_edits.items()}}
        pieces.append(writer.row(r, row_start, row_end, row_edits))
        pos = row_end
    pieces.append(view[pos:body_end])
    if not writer.changed and ctx.legacy is None:
        return None
    head = _dimension(data[:start], p, writer.extent) if writer.extent else data[:start]
    sheet_open = data[start:body_start]
    if sheet_open.endswith(b"/>"):  # <sheetData/>: an empty sheet gets an open and close tag
        sheet_open = sheet_open[:-2] + b">"
        tail_close = b"</" + p + b"sheetData>"
    else:
        tail_close = b""
    tail = _legacy(data[body_end:], p, ctx.legacy, data[:start])
    out = [head, sheet_open, *pieces, tail_close, tail]
    return [detach_followers(b"".join(out), writer.orphans)] if writer.orphans else out


def _with_model(edit: CellEdit, model: CellEdit) -> CellEdit:
    if edit.model is not None:
        return edit
    return CellEdit(edit.value, edit.fill, edit.number_format, model.model, model.model_fill)


def _model_styles(data: bytes, p: bytes, start: int, end: int, rows: set[int]) -> dict[Cell, int]:
    """The style of every cell of the model rows new table rows copy."""
    out: dict[Cell, int] = {}
    if not rows:
        return out
    cursor = RowCursor(data, p, start, end)
    for r in sorted(rows):
        found = cursor.seek(r)
        if found is None:
            continue
        for col, _, _, attrs, _ in row_cells(data, p, *found):
            out[(r, col)] = style_of(attrs)
    return out


class _RowWriter:
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
                edit = _with_model(edit, models[col])
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


_FOLLOWER = re.compile(rb'<((?:\w+:)?)f\b[^>]*\bt="shared"[^>]*/>')
_CELL_REF = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3}\d{1,7})"')


def detach_followers(data: bytes, orphans: dict[bytes, tuple[str, str]]) -> bytes:
    """Give each follower of an overwritten shared formula its own formula, translated from the first."""
    from openpyxl.formula.translate import Translator

    out, pos = [], 0
    for si, (formula, origin) in orphans.items():
        needle = b'si="' + si + b'"'
        at = data.find(needle)
        while at != -1:
            f_start = data.rfind(b"<", 0, at)
            m = _FOLLOWER.match(data, f_start)
            cell = _CELL_REF.search(data, data.rfind(b'c r="', 0, f_start) - 3, f_start)
            if m and cell:
                try:
                    text = Translator("=" + formula, origin=origin).translate_formula(cell.group(1).decode())
                except Exception:  # noqa: BLE001 - an untranslatable formula keeps the first cell's text
                    text = "=" + formula
                out += [data[pos:f_start], b"<" + m.group(1) + b"f>" + _xml_text(text[1:]) + b"</" + m.group(1) + b"f>"]
                pos = m.end()
            at = data.find(needle, at + len(needle))
    out.append(data[pos:])
    return b"".join(out)


def _xml_text(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


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


def _dimension(head: bytes, p: bytes, extent: Cell) -> bytes:
    m = _DIMENSION.search(head)
    if m is None:
        return head
    ref = m.group(1).decode()
    first, _, last = ref.partition(":")
    last = last or first
    try:
        top, left = split_cell(first)
        bottom, right = split_cell(last)
    except ValueError:
        return head
    bottom, right = max(bottom, extent[0]), max(right, extent[1])
    new = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}".encode()
    return head[:m.start(1)] + new + head[m.end(1):]


def _legacy(tail: bytes, p: bytes, legacy: tuple[str, str] | None, head: bytes) -> bytes:
    """The part after </sheetData> with a <legacyDrawing> added or removed."""
    if legacy is None:
        return tail
    action, rid = legacy
    found = re.search(rb"<" + re.escape(p) + rb'legacyDrawing\b[^>]*/>', tail)
    if action == "remove":
        return tail[:found.start()] + tail[found.end():] if found else tail
    if found:
        return tail
    r = re.search(rb'xmlns:(\w+)="' + REL.encode() + rb'"', head)
    element = (b"<" + p + b"legacyDrawing " + (r.group(1) if r else b"r") + b':id="' + rid.encode() + b'"'
               + (b"" if r else b' xmlns:r="' + REL.encode() + b'"') + b"/>")
    at = _insert_point(tail, p)
    return tail[:at] + element + tail[at:]


def _insert_point(tail: bytes, p: bytes) -> int:
    """Where an element that comes before `_AFTER_LEGACY` goes at the top level of the tail."""
    spots = [m.start() for name in _AFTER_LEGACY
             if (m := re.search(rb"<" + re.escape(p) + name + rb"[\s/>]", tail))]
    close = tail.rfind(b"</")
    at = min(spots, default=close)
    # Inside mc:AlternateContent (Excel wraps controls and OLE objects in one): go before it.
    alt = tail.rfind(b"<mc:AlternateContent", 0, at)
    if alt != -1 and tail.find(b"</mc:AlternateContent>", alt) > at:
        at = alt
    return at
