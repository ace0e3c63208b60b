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
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..core.book import column_letter, split_cell
from .cells import encode
from .reading import _column, prefix_of, sheet_shape
from .styles import KEEP, StyleBook
from .xml import REL

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
    start, body_start, body_end, end = _sheet_data(data, p)
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
    cursor = _RowCursor(data, p, body_start, body_end, len(targets))
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


_LETTERS: dict[int, bytes] = {}


def _letters(col: int) -> bytes:
    if col not in _LETTERS:
        _LETTERS[col] = column_letter(col).encode()
    return _LETTERS[col]


def _with_model(edit: CellEdit, model: CellEdit) -> CellEdit:
    if edit.model is not None:
        return edit
    return CellEdit(edit.value, edit.fill, edit.number_format, model.model, model.model_fill)


def is_regular(data: bytes) -> bool:
    """Rows and cells all carry their position as their first attribute (what Excel writes)."""
    return sheet_shape(data).regular


def _sheet_data(data: bytes, p: bytes) -> tuple[int, int, int, int]:
    """(start of <sheetData>, start of its rows, end of its rows, end of </sheetData>)."""
    m = re.search(rb"<" + re.escape(p) + rb"sheetData\b[^>]*?(/?)>", data)
    if m is None:
        raise ValueError("the sheet has no <sheetData>")
    if m.group(1):
        return m.start(), m.end(), m.end(), m.end()
    close = data.rfind(b"</" + p + b"sheetData>")
    return m.start(), m.end(), close, close


class _RowCursor:
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


def _model_styles(data: bytes, p: bytes, start: int, end: int, rows: set[int]) -> dict[Cell, int]:
    """The style of every cell of the model rows new table rows copy."""
    out: dict[Cell, int] = {}
    if not rows:
        return out
    cursor = _RowCursor(data, p, start, end)
    for r in sorted(rows):
        found = cursor.seek(r)
        if found is None:
            continue
        for col, _, _, attrs, _ in _cells(data, p, *found):
            out[(r, col)] = _style(attrs)
    return out


@dataclass
class _Found:
    """A cell as stored: where it is, its style and type, and its other attributes as written."""

    start: int
    end: int
    tag_end: int
    s: int
    t: bytes | None
    other: list[tuple[bytes, bytes]]  # (name, raw ' name="value"') of every other attribute


_SIMPLE_CELL: dict[bytes, re.Pattern] = {}


def _simple(p: bytes) -> re.Pattern:
    """The start tag Excel writes for nearly every cell: position, then style and type, nothing else."""
    if p not in _SIMPLE_CELL:
        _SIMPLE_CELL[p] = re.compile(b"<" + re.escape(p) + rb'c r="[A-Z]{1,3}\d+"(?: s="(\d+)")?(?: t="(\w+)")?(/?)>')
    return _SIMPLE_CELL[p]


def _find_cell(data: bytes, p: bytes, ref: bytes, start: int, end: int) -> _Found | None:
    """The cell `ref` in data[start:end], found directly (no other cell of the row is parsed)."""
    at = data.find(b"<" + p + b'c r="' + ref + b'"', start, end)
    if at == -1:
        return None
    close = b"</" + p + b"c>"
    m = _simple(p).match(data, at)
    if m is not None:
        tag_end = m.end()
        stop = tag_end if m.group(3) else data.find(close, tag_end) + len(close)
        return _Found(at, stop, tag_end, int(m.group(1) or 0), m.group(2), [])
    tag = _TAG_END.match(data, at + 1)
    attrs = [(a.group(1), a.group(0)) for a in _ATTR.finditer(data, at + 2 + len(p), tag.end())]
    named = dict(attrs)
    stop = tag.end() if tag.group(1) else data.find(close, tag.end()) + len(close)
    return _Found(at, stop, tag.end(), _style(named), _attr_value(named, b"t"),
                  [(n, raw) for n, raw in attrs if n not in (b"r", b"s", b"t")])


def _last_cell(data: bytes, p: bytes, start: int, end: int) -> tuple[int, int] | None:
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


def _cells(data: bytes, p: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, dict, int]]:
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


def _style(attrs: dict[bytes, bytes]) -> int:
    raw = attrs.get(b"s", b"")
    value = raw.split(b"=", 1)[-1].strip().strip(b"\"'")
    return int(value) if value.isdigit() else 0


def _attr_value(attrs: dict[bytes, bytes], name: bytes) -> bytes | None:
    raw = attrs.get(name)
    return raw.split(b"=", 1)[-1].strip().strip(b"\"'") if raw is not None else None


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
            ref = _letters(col) + b"%d" % r
            found = _find_cell(data, p, ref, pos, end)
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
                    last = _last_cell(data, p, start, end)
                if last is None:
                    at = tag.end()
                elif col > last[0]:
                    at = last[1]
                else:
                    if cells is None:
                        cells = list(_cells(data, p, start, end))
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
                    cells.append(cell.replace(b'r="' + _letters(col) + b'0"', b'r="' + _letters(col) + b"%d" % r + b'"'))
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

    def _cell(self, r: int, col: int, edit: CellEdit, found: _Found | None, inner: bytes) -> bytes | None:
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
        head = b"<" + self.p + b'c r="' + _letters(col) + b"%d" % r + b'"'
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


# --- irregular sheets -------------------------------------------------------------------------

_ROW_TAG = re.compile(rb"<((?:\w+:)?)row\b([^>]*?)(/?)>")
_CELL_TAG = re.compile(rb"<((?:\w+:)?)c\b([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\sr="([^"]*)"')


def regularize(data: bytes) -> bytes:
    """The sheet with an explicit, first-placed position on every row and cell, nothing else changed."""
    p = prefix_of(data)
    start, body_start, body_end, _ = _sheet_data(data, p)
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


def cell_styles(data: bytes, cells: list[Cell] | tuple, regular: bool | None = None) -> dict[Cell, int]:
    """The style index of each of `cells` as the sheet part holds it (absent cells left out)."""
    if not (is_regular(data) if regular is None else regular):
        data = regularize(data)
    p = prefix_of(data)
    _, body_start, body_end, _ = _sheet_data(data, p)
    wanted: dict[int, set[int]] = {}
    for r, c in cells:
        wanted.setdefault(r, set()).add(c)
    cursor = _RowCursor(data, p, body_start, body_end, len(wanted))
    out: dict[Cell, int] = {}
    for r in sorted(wanted):
        found = cursor.seek(r)
        if found is None:
            continue
        for col in wanted[r]:
            cell = _find_cell(data, p, f"{column_letter(col)}{r}".encode(), *found)
            if cell is not None:
                out[(r, col)] = cell.s
    return out
