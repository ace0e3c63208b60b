"""Cell notes of one sheet: the comments part and the VML shapes Excel draws them with.

Only the notes a command sets or removes change: every other comment keeps its XML as it was
(rich text, author, Excel's ids), and every VML shape that is not a note (form controls,
buttons) stays byte for byte. A cell holding a threaded comment is never written over: its
note is the legacy stand-in Excel keeps beside the thread.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from xlportfolio.core.book import column_letter, split_cell
from xlportfolio.package.xml import cell_text

R_THREADED = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
Cell = tuple[int, int]

_COMMENT = re.compile(rb"<(?:\w+:)?comment\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?comment>)", re.S)
_REF = re.compile(rb'\bref="([A-Z]{1,3}\d{1,7})"')
_AUTHOR_ID = re.compile(rb'\bauthorId="(\d+)"')
_AUTHORS = re.compile(rb"<(?:\w+:)?authors\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?authors>)", re.S)
_AUTHOR = re.compile(rb"<(?:\w+:)?author\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?author>)", re.S)
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_SHAPE = re.compile(rb"<v:shape\b[^>]*?(?:/>|>.*?</v:shape>)", re.S)
_SHAPE_ID = re.compile(rb'\bid="_x0000_s(\d+)"')
_IDMAP = re.compile(rb'<o:idmap\b[^>]*\bdata="(\d+)')
_NOTE_SHAPE = re.compile(rb'ObjectType="Note"')
_ROW = re.compile(rb"<x:Row>\s*(\d+)\s*</x:Row>")
_COL = re.compile(rb"<x:Column>\s*(\d+)\s*</x:Column>")
_NOTE_SHAPETYPE = re.compile(rb'<v:shapetype\b[^>]*\bid="_x0000_t202"')

SHAPETYPE = (b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
             b'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')
VML_HEAD = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            b'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            b'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%d"/></o:shapelayout>')
COMMENTS_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@dataclass
class SheetNotes:
    """The notes of one sheet as stored, and the changes a plan asks for."""

    comments_part: str | None
    vml_part: str | None
    raw: bytes = b""
    threaded: set[Cell] = field(default_factory=set)
    changes: dict[Cell, tuple[str, str] | None] = field(default_factory=dict)
    _entries: dict[Cell, bytes] | None = None
    _authors: list[str] | None = None

    def _parse(self) -> None:
        if self._entries is not None:
            return
        self._entries, self._authors = {}, []
        m = _AUTHORS.search(self.raw)
        if m and m.group(1):
            self._authors = [_text(a.group(1) or b"") for a in _AUTHOR.finditer(m.group(1))]
        for c in _COMMENT.finditer(self.raw):
            ref = _REF.search(c.group(1))
            if ref:
                self._entries[split_cell(ref.group(1).decode())] = c.group(0)

    def get(self, cell: Cell) -> tuple[str, str] | None:
        """(text, author) of the cell's note as it is now, None when it has none."""
        if cell in self.changes:
            return self.changes[cell]
        self._parse()
        entry = self._entries.get(cell)
        if entry is None:
            return None
        author_id = _AUTHOR_ID.search(entry)
        i = int(author_id.group(1)) if author_id else -1
        author = self._authors[i] if 0 <= i < len(self._authors) else ""
        return "".join(_text(t.group(1) or b"") for t in _T.finditer(entry)), author

    def set(self, cell: Cell, note: tuple[str, str] | None) -> None:
        self.changes[cell] = note

    @property
    def changed(self) -> bool:
        if not self.changes:
            return False
        self._parse()
        return any(self.get_stored(cell) != note for cell, note in self.changes.items())

    def get_stored(self, cell: Cell) -> tuple[str, str] | None:
        changes, self.changes = self.changes, {}
        try:
            return self.get(cell)
        finally:
            self.changes = changes

    def comments_xml(self) -> list[bytes] | None:
        """The new comments part as chunks, None when no note is left."""
        self._parse()
        entries = dict(self._entries)
        authors = list(self._authors)
        for cell, note in self.changes.items():
            entries.pop(cell, None)
            if note is None:
                continue
            text, author = note
            if author not in authors:
                authors.append(author)
            entries[cell] = (b'<comment ref="%s" authorId="%d" shapeId="0"><text><t xml:space="preserve">%s</t></text>'
                             b"</comment>" % (f"{column_letter(cell[1])}{cell[0]}".encode(), authors.index(author),
                                             cell_text(text).encode("utf-8")))
        if not entries:
            return None
        head = COMMENTS_HEAD
        m = re.search(rb"<(?:\w+:)?comments\b[^>]*>", self.raw)
        if m:
            head = self.raw[:m.end()]
        body = b"".join(b"<author>%s</author>" % cell_text(a).encode("utf-8") for a in authors)
        return [head, b"<authors>", body, b"</authors><commentList>", *(entries[c] for c in sorted(entries)),
                b"</commentList></comments>"]

    def vml(self, old: bytes | None, block: int) -> list[bytes] | None:
        """The VML part (as chunks) with one note shape per note, everything else in it kept byte
        for byte. None when it would hold nothing at all.
        """
        self._parse()
        notes = set(self._entries)
        for cell, note in self.changes.items():
            (notes.add if note is not None else notes.discard)(cell)
        if old is None:
            old = VML_HEAD % block + SHAPETYPE + b"</xml>"
        drop, drawn, others, last_id = [], set(), 0, 1024 * block
        for m in _SHAPE.finditer(old):
            sid = _SHAPE_ID.search(m.group(0))
            if sid:
                last_id = max(last_id, int(sid.group(1)))
            r, c = _ROW.search(m.group(0)), _COL.search(m.group(0))
            if _NOTE_SHAPE.search(m.group(0)) and r and c:
                cell = (int(r.group(1)) + 1, int(c.group(1)) + 1)
                if cell in notes:
                    drawn.add(cell)
                else:
                    drop.append(m)
            else:
                others += 1
        if not notes and not others:
            return None
        out, pos = bytearray(), 0
        for m in drop:
            out += old[pos:m.start()]
            pos = m.end()
        out += old[pos:]
        shapes = []
        for cell in sorted(notes - drawn):
            last_id += 1
            shapes.append(_note_shape(last_id, cell, self.get(cell)[0]))
        if shapes and not _NOTE_SHAPETYPE.search(out):
            shapes.insert(0, SHAPETYPE)
        end = out.rfind(b"</xml>")
        if end == -1:
            return [bytes(out), *shapes]
        return [bytes(out[:end]), *shapes, bytes(out[end:])]


def _note_shape(shape_id: int, cell: Cell, text: str) -> bytes:
    row, col = cell
    height = 40 + 18 * (text.count("\n") + len(text) // 50)
    return (b'<v:shape id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
            b'margin-top:1.5pt;width:320px;height:%dpx;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
            b'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
            b'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
            b'</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            b"<x:AutoFill>False</x:AutoFill><x:Row>%d</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>"
            % (shape_id, height, row - 1, col - 1))


def vml_block(vmls: list[bytes]) -> int:
    """A shape-id block (o:idmap) no other VML part of the workbook uses."""
    used = {int(m.group(1)) for data in vmls for m in _IDMAP.finditer(data)}
    n = 1
    while n in used:
        n += 1
    return n


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    text = html.unescape(text) if "&" in text else text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text

