"""A workbook file as a store of parts: read within a budget, replaced or added as bytes (or as a
stream of chunks for big sheets), removed, and written as a new file in which every part a command
did not change is copied raw, in the original order.

`Parts` knows nothing of what the parts mean; `xlportfolio.package.book.Package` builds on it
with the workbook part (sheets, tables, names, properties).
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from xlportfolio.package import opc
from xlportfolio.package.archive import CHUNK, Archive, PackageWriter
from xlportfolio.package.xml import parse, serialize

SMALL_PART = 64 << 20  # parts parsed whole (workbook, rels, styles, tables, notes) never come near this


class Spool:
    """A part's new bytes, in memory up to a limit and in a temporary file beyond it, so that a
    big rewritten sheet, Findings sheet or notes part never has to sit whole in memory."""

    LIMIT = 16 << 20

    def __init__(self, chunks: Iterable[bytes]):
        self.file = tempfile.SpooledTemporaryFile(max_size=self.LIMIT)
        self.size = 0
        batch, pending = [], 0
        for chunk in chunks:  # many small pieces (a row each) go out in batches of about a megabyte
            batch.append(chunk)
            pending += len(chunk)
            if pending >= CHUNK:
                self.file.write(b"".join(batch))
                self.size += pending
                batch, pending = [], 0
        if batch:
            self.file.write(b"".join(batch))
            self.size += pending

    def chunks(self) -> Iterator[bytes]:
        self.file.seek(0)
        while data := self.file.read(CHUNK):
            yield data

    def same_as(self, other: Iterable[bytes]) -> bool:
        """Whether the spooled bytes equal the stream `other`, compared chunk by chunk."""
        mine, theirs = self.chunks(), iter(other)
        a = b = b""
        while True:
            if not a:
                a = next(mine, b"")
            if not b:
                b = next(theirs, b"")
            if not a or not b:
                return not a and not b
            n = min(len(a), len(b))
            if a[:n] != b[:n]:
                return False
            a, b = a[n:], b[n:]

    def close(self) -> None:
        self.file.close()


Content = bytes | Spool | Callable[[], Iterable[bytes]]


class Parts:
    """The package's parts: the archive as read, and what a command replaced, added or removed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.archive = Archive(self.path)
        self.new: dict[str, tuple[Content, int | None]] = {}
        self.removed: set[str] = set()
        self.reserved: set[str] = set()  # part names handed out, not yet written
        self._xml: dict[str, etree._Element] = {}
        self._rels: dict[str, opc.Relationships] = {}
        self.types = opc.ContentTypes(self.xml("[Content_Types].xml"))

    def close(self) -> None:
        self.archive.close()

    def has(self, part: str) -> bool:
        return (part in self.archive or part in self.new) and part not in self.removed

    def read(self, part: str) -> bytes:
        if part in self.new:
            content, _ = self.new[part]
            if content is None:
                return serialize(self._xml[part])
            if isinstance(content, Spool):
                return b"".join(content.chunks())
            return content if isinstance(content, bytes) else b"".join(content())
        return self.archive.read(part, SMALL_PART)

    def read_sheet(self, part: str) -> bytes:
        """A part of any size (sheets, shared strings): the archive's budget still bounds it."""
        if part in self.new:
            return self.read(part)
        return self.archive.read(part)

    def xml(self, part: str) -> etree._Element:
        """A small part parsed once; edits to the returned tree are saved with `touch`."""
        if part not in self._xml:
            self._xml[part] = parse(self.read(part), self.path, part)
        return self._xml[part]

    def touch(self, part: str) -> None:
        """The parsed tree of `part` was edited: write it back."""
        self.put(part, None)

    def put(self, part: str, content: Content | None, size: int | None = None) -> None:
        """Replace or add a part; None means 'the parsed tree, serialized when writing'."""
        self.removed.discard(part)
        if isinstance(content, Spool):
            size = content.size
        self.new[part] = (content, size)

    def remove(self, part: str) -> None:
        """Drop a part, its relationships part and its content-type override."""
        for name in (part, opc.rels_name(part)):
            self.new.pop(name, None)
            self._xml.pop(name, None)
            self._rels.pop(name, None)
            if name in self.archive:
                self.removed.add(name)
        self.types.remove(part)

    def unused(self, pattern: str) -> str:
        """The first free part name of a pattern such as 'xl/worksheets/sheet{}.xml'."""
        taken = {n.lower() for n in [*self.archive.order, *self.new, *self.reserved] if n not in self.removed}
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        self.reserved.add(pattern.format(n))
        return pattern.format(n)

    def rels(self, part: str) -> opc.Relationships:
        """The relationships of `part` ('' for the package's own), empty if it has none."""
        if part not in self._rels:
            name = opc.rels_name(part)
            root = self.xml(name) if self.has(name) else None
            self._rels[part] = opc.Relationships(part, root)
        return self._rels[part]

    def related(self, part: str, rel_type: str) -> list[str]:
        return [p for r in self.rels(part).of_type(rel_type) if (p := r.part(part)) and self.has(p)]

    # --- writing ------------------------------------------------------------------------------
    def write(self, out: BinaryIO) -> None:
        """The new package: changed parts written, every other part copied raw, in the original order."""
        for part, rels in self._rels.items():
            name = opc.rels_name(part)
            if not rels.changed or (part and not self.has(part)):
                continue
            if len(list(rels)):
                self.put(name, rels.bytes())
            elif self.has(name):
                self.new.pop(name, None)
                self.removed.add(name)
        if self.types.changed:
            self.put("[Content_Types].xml", self.types.bytes())
        writer = PackageWriter(out)
        try:
            done = set()
            for name in self.archive.order:
                if name in self.removed:
                    continue
                if name in self.new:
                    self._write_new(writer, name)
                else:
                    writer.copy(self.archive, name)
                done.add(name)
            for name in self.new:
                if name not in done:
                    self._write_new(writer, name)
        except BaseException:
            writer.abort()
            raise
        writer.close()

    def changed(self) -> bool:
        return bool(self.new or self.removed or self.types.changed or any(r.changed for r in self._rels.values()))

    def _write_new(self, writer: PackageWriter, name: str) -> None:
        content, size = self.new[name]
        if content is None:
            content = serialize(self._xml[name])
        if isinstance(content, Spool):
            writer.write(name, content.chunks(), size)
        else:
            writer.write(name, content if isinstance(content, bytes) else content(), size)
