"""What a workbook file holds, read once for a whole command chain: its styles, each sheet's XML
and shape, and each sheet's values through python-calamine (made safe and exact by `reading`)
or, where calamine's dense grid cannot take the sheet, the sparse reader.

`SheetReads` is the reading half of `xlportfolio.package.surface.PackageSurface`; the
surface keeps these caches up to date as a command writes, so a later command of a `run`
reads what an earlier one wrote.
"""
from __future__ import annotations

import re
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from xlportfolio.core.book import split_cell
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.package import opc
from xlportfolio.package.book import Package, SheetRef, TablePart
from xlportfolio.package.reading import Shape, check_prolog, from_calamine, sheet_shape, special_cells
from xlportfolio.package.sparse import read_sparse, shared_strings
from xlportfolio.package.styles import StyleBook
from xlportfolio.package.values import SheetValues
from xlportfolio.surface.protocol import TableInfo

_BYTES_CACHE = 256 << 20  # sheet XML kept in memory between reading and writing, in total
_MAX_FORMATS = 100_000  # Excel stops at 64,000 cell formats; a few more turn up in damaged files


class SheetReads:
    """The package's reads, cached: styles, sheet bytes (within a budget), shapes and values."""

    def __init__(self, package: Package):
        self.package = package
        self.source = str(package.path)
        self.values: dict[str, SheetValues] = {}
        self._bytes: dict[str, bytes] = {}
        self._merged: dict[str, list[tuple[int, int, int, int]]] = {}
        self._shapes: dict[str, Shape] = {}
        self._strings_ok: bool | None = None
        self._styles: StyleBook | None = None
        self._calamine: CalamineWorkbook | None = None

    @property
    def styles(self) -> StyleBook:
        if self._styles is None:
            part = self.styles_part()
            root = self.package.xml(part) if part else None
            if root is None:
                from lxml import etree

                from xlportfolio.package.xml import MAIN
                root = etree.Element(f"{{{MAIN}}}styleSheet", nsmap={None: MAIN})
                part = "xl/styles.xml"
                self.package._xml[part] = root
                self.package.rels(self.package.workbook_part).add(opc.OFFICE_REL + "styles", part)
                self.package.types.override(part, opc.SML + "styles+xml")
            self._styles = StyleBook(root)
            self._styles_part = part
            formats = len(self._styles.xfs)
            if formats > _MAX_FORMATS:
                raise WorkbookUnusable(self.source, f"its styles part holds {formats:,} cell formats, far more than "
                                       "Excel allows (64,000); the file is damaged or hostile - ask for a fresh copy")
        return self._styles

    def styles_part(self) -> str | None:
        found = self.package.related(self.package.workbook_part, opc.OFFICE_REL + "styles")
        return found[0] if found else None

    def sheet_bytes(self, ref: SheetRef) -> bytes:
        if ref.part in self._bytes:
            return self._bytes[ref.part]
        data = self.package.read_sheet(ref.part)
        check_prolog(data, self.source, ref.part)
        if sum(map(len, self._bytes.values())) + len(data) <= _BYTES_CACHE:
            self._bytes[ref.part] = data
        return data

    def shape(self, ref: SheetRef) -> Shape:
        if ref.part not in self._shapes:
            self._shapes[ref.part] = sheet_shape(self.sheet_bytes(ref))
        return self._shapes[ref.part]

    def _sheet_values(self, name: str) -> SheetValues:
        if name in self.values:
            return self.values[name]
        ref = self.package.worksheet(name)
        if ref is None:  # a chart sheet or a macro sheet holds no cells to read
            self.values[name] = SheetValues.dense([])
            return self.values[name]
        data = self.sheet_bytes(ref)
        if self.shape(ref).dense_ok and self._strings_safe():
            grid = from_calamine(self._calamine_rows(name))
            values = SheetValues.dense(grid)
        else:
            values = SheetValues.sparse(read_sparse(data, self._strings(), self.styles.date_styles(),
                                                    self.package.date1904, self.source, name,
                                                    self.styles.duration_styles()))
        for (r, c), v in special_cells(data).items():
            values.set(r, c, v)
        self._merged[name] = merged_ranges(data)
        self.values[name] = values
        return values

    def _calamine_rows(self, name: str) -> list[list[Any]]:
        try:
            if self._calamine is None:
                self._calamine = CalamineWorkbook.from_path(str(self.package.path))
            return self._calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OverflowError) as exc:
            raise WorkbookUnusable(self.source, f"sheet '{name}' cannot be read ({type(exc).__name__}: {exc}); "
                                   "open the workbook in Excel, save it again and retry") from None

    def _strings_safe(self) -> bool:
        """Whether the shared strings' declared count is one the strings could hold.

        calamine reserves room for that many strings before reading one: a crafted count of four
        billion aborts the process. Such a workbook is read by the sparse reader, which counts.
        """
        if self._strings_ok is None:
            part = next(iter(self.package.related(self.package.workbook_part, opc.OFFICE_REL + "sharedStrings")),
                        None)
            self._strings_ok = True
            if part is not None:
                head = next(self.package.archive.chunks(part), b"")[:4096] if part in self.package.archive else b""
                root = re.search(rb"<(?:\w+:)?sst\b[^>]*>", head)
                counts = [int(n) for n in re.findall(rb'\b(?:uniqueCount|count)="(\d{1,20})"', root.group(0))] \
                    if root else []
                self._strings_ok = all(n <= self.package.archive.size(part) // 8 + 1024 for n in counts)
        return self._strings_ok

    def _strings(self) -> list[str]:
        part = next(iter(self.package.related(self.package.workbook_part, opc.OFFICE_REL + "sharedStrings")), None)
        return shared_strings(self.package.read_sheet(part)) if part else []

    def close(self) -> None:
        if self._calamine is not None:
            self._calamine.close()
        self.package.close()


def table_info(part: TablePart) -> TableInfo | None:
    first, _, last = part.ref.partition(":")
    try:
        top, left = split_cell(first)
        bottom, right = split_cell(last or first)
    except ValueError:
        return None
    return TableInfo(part.name, part.sheet, top, left, bottom - part.totals, right)


def merged_ranges(data: bytes) -> list[tuple[int, int, int, int]]:
    out = []
    for ref in re.findall(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}\d{1,7}):([A-Z]{1,3}\d{1,7})"', data):
        (top, left), (bottom, right) = split_cell(ref[0].decode()), split_cell(ref[1].decode())
        out.append((top, left, bottom, right))
    return out
