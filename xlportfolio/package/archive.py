"""The zip layer of a workbook package: read parts within a budget, copy untouched parts raw.

A part the tool has no reason to change is copied as its compressed bytes, header fields and
all, never inflated and deflated again: it stays byte for byte what the user's program wrote,
and costs a disk copy rather than a decompression and compression.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from xlportfolio.errors import WorkbookUnusable

CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader: 30 bytes
_ZIP64_EXTRA = 1
_SMALL_PART = 1 << 20
# What zipfile and zlib raise on a damaged archive; to a person they all mean "damaged".
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, struct.error, ValueError)  # parts up to this size get zlib's default level; bigger ones its fastest


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


class Budget:
    """How many inflated bytes a file may still produce: one budget for every part read from it."""

    def __init__(self, path: Path, cap: int):
        self.path, self.cap, self.left = Path(path), cap, cap
        self.counted: set[str] = set()  # parts read through once: reading one again costs no budget

    def chunks(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """A part's inflated bytes in chunks, refused once they pass its declared size or the budget."""
        again = info.filename in self.counted
        seen = 0
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    seen += len(chunk)
                    if not again:
                        self.left -= len(chunk)
                    if seen > info.file_size or self.left < 0:
                        raise WorkbookUnusable(self.path, f"part {info.filename} inflates past its declared size "
                                               f"({_mb(info.file_size)}) or the {_mb(self.cap)} safety cap; the "
                                               "file is a zip bomb or damaged - do not open it, ask for a fresh copy")
                    yield chunk
            self.counted.add(info.filename)
        except _ZIP_ERRORS as exc:
            raise WorkbookUnusable(self.path, f"the file is damaged (part {info.filename}: {exc}); open and repair "
                                   "it in Excel, save it as .xlsx and try again") from None


class Archive:
    """A workbook file opened as a zip, with every inflated byte counted against one budget.

    The budget stops a part that inflates past its declared size (a zip bomb) whoever reads it.
    """

    def __init__(self, path: Path, budget: int = 1_500_000_000):
        self.path = Path(path)
        self.zf = zipfile.ZipFile(self.path)
        self.infos = {info.filename.lstrip("/"): info for info in self.zf.infolist()
                      if not info.filename.endswith("/")}
        self.order = list(self.infos)
        self.budget = Budget(self.path, budget)

    def close(self) -> None:
        self.zf.close()

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def size(self, name: str) -> int:
        return self.infos[name].file_size

    def chunks(self, name: str) -> Iterator[bytes]:
        """The part's inflated bytes in chunks, within the file's budget."""
        return self.budget.chunks(self.zf, self.infos[name])

    def read(self, name: str, limit: int | None = None) -> bytes:
        """A whole part; `limit` refuses a part that declares more than such a part ever holds."""
        if limit is not None and self.size(name) > limit:
            raise WorkbookUnusable(self.path, f"part {name} declares {_mb(self.size(name))}, far more than such "
                                   "a part ever holds; the file is damaged or hostile")
        return b"".join(self.chunks(name))

    def raw(self, name: str, out: BinaryIO) -> zipfile.ZipInfo:
        """Copy the part's compressed bytes to `out`; return the ZipInfo describing them."""
        info = self.infos[name]
        fp = self.zf.fp
        fp.seek(info.header_offset)
        header = fp.read(_LOCAL_HEADER.size)
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != zipfile.stringFileHeader:
            raise WorkbookUnusable(self.path, f"part {name} has a damaged zip header; open the file in Excel "
                                   "and save it again")
        fp.seek(info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11])
        left = info.compress_size
        while left > 0:
            chunk = fp.read(min(CHUNK, left))
            if not chunk:
                raise WorkbookUnusable(self.path, f"part {name} is cut short; the file is truncated")
            out.write(chunk)
            left -= len(chunk)
        return info


class PackageWriter:
    """Writes a new package: raw copies of untouched parts and freshly deflated changed ones."""

    def __init__(self, out: BinaryIO):
        self.zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)

    def copy(self, source: Archive, name: str) -> None:
        """The part exactly as stored in `source`: same compressed bytes, CRC, time and attributes."""
        src = source.infos[name]
        info = zipfile.ZipInfo(name, _dos_time(src.date_time))
        info.compress_type, info.CRC = src.compress_type, src.CRC
        info.compress_size, info.file_size = src.compress_size, src.file_size
        info.external_attr, info.internal_attr = src.external_attr, src.internal_attr
        info.create_system, info.comment = src.create_system, src.comment
        info.extra = zipfile._strip_extra(src.extra, (_ZIP64_EXTRA,))
        info.flag_bits = 0  # sizes go in the local header; the name's encoding flag is set on writing
        zf = self.zip
        info.header_offset = zf.fp.tell()
        zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
        zf.fp.write(info.FileHeader(zip64))
        source.raw(name, zf.fp)
        zf.filelist.append(info)
        zf.NameToInfo[name] = info
        zf.start_dir = zf.fp.tell()
        zf._didModify = True

    def write(self, name: str, data: bytes | Iterable[bytes], size_hint: int | None = None) -> None:
        """A changed or new part, deflated; big parts get zlib's fastest level (see module doc)."""
        if isinstance(data, (bytes, bytearray, memoryview)):
            size_hint, data = len(data), (data,)
        self.zip.compresslevel = 1 if (size_hint or 0) > _SMALL_PART else 6
        with self.zip.open(name, "w", force_zip64=(size_hint or 0) > 1 << 31) as fh:
            for piece in data:
                fh.write(piece)

    def close(self) -> None:
        self.zip.close()

    def abort(self) -> None:
        """Stop after a failure: release the zip without writing its directory (the file is dropped)."""
        self.zip._didModify = False
        self.zip._writing = False
        self.zip.close()


def _dos_time(stamp: tuple) -> tuple:
    """A zip date the writer can encode (hostile or odd files carry years before 1980)."""
    year = min(max(stamp[0], 1980), 2107)
    return (year, *stamp[1:6]) if year == stamp[0] else (year, 1, 1, 0, 0, 0)
