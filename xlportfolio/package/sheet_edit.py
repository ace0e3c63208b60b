"""Rewrite a user's sheet part: change only the cells in the plan, keep every other byte.

The sheet is never parsed whole. Rows the plan does not touch are copied as they are; in a row
it touches, only the cells it changes are rebuilt, keeping their other attributes. Everything
outside <sheetData> (extLst, x14 validations and conditional formats, mc:AlternateContent,
sparklines, drawings, table parts, row and column properties) stays byte for byte, apart from
the <dimension> a grown table needs and the <legacyDrawing> that shows notes.

This relies on rows and cells carrying their position as their first attribute, as Excel and
every common writer do; a sheet written otherwise is first rewritten into that form
(`regularize`), keeping each row's and cell's own attributes and content.

Here: the rows found and spliced, the <dimension> and <legacyDrawing> outside <sheetData>, and
shared formulas whose first cell was overwritten. The cells of one row are rebuilt by
`row_writer`; what an edit is (CellEdit, Grown, SheetContext) is in `cell_edit`.
"""
from __future__ import annotations

import re

from xlportfolio.core.book import column_letter, split_cell
from xlportfolio.package.cell_edit import Cell, CellEdit, Grown, SheetContext, with_model
from xlportfolio.package.reading import prefix_of
from xlportfolio.package.regular import regularize, sheet_data
from xlportfolio.package.row_writer import RowWriter
from xlportfolio.package.sheet_cells import RowCursor, is_regular, row_cells, style_of
from xlportfolio.package.xml import REL

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
# After <sheetData>, the schema's order: a new <legacyDrawing> goes before the first of these.
_AFTER_LEGACY = (b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts", b"extLst")


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
    writer = RowWriter(data, p, ctx, styles_of)
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
                         **{c: with_model(e, models[r][c]) if c in models[r] else e for c, e in row_edits.items()}}
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
