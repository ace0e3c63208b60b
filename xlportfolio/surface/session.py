"""One plan's view of the workbook: sheets and tables found once, and the `xlp_marks` register
as it was before the plan changed anything. The plan walk (`xlportfolio.surface.walk`) makes
one Session per plan; the table, mark and generated-sheet pieces all go through it.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from xlportfolio.core.plan import MARKS_HEADER, MARKS_SHEET
from xlportfolio.core.values import is_blank
from xlportfolio.surface.protocol import Prior, Surface, TableInfo

if TYPE_CHECKING:
    from xlportfolio.surface.tables import TableTarget


class Session:
    """One plan's view of the workbook: sheets and tables found once, tables it grows tracked.

    A surface may not see the plan's own writes when read again (xlwings' remote engine works
    on a snapshot), so what the plan changed is tracked here, not read back.
    """

    def __init__(self, surface: Surface):
        self.surface = surface
        self.targets: dict[str, TableTarget] = {}  # filled by surface.tables.table_target

    @cached_property
    def _sheets(self) -> dict[str, str]:
        return {name.casefold(): name for name in self.surface.sheet_names()}

    def sheet(self, name: str) -> str | None:
        """The sheet's name as the workbook spells it (Excel's sheet names ignore case)."""
        return self._sheets.get(name.casefold())

    @cached_property
    def tables(self) -> dict[str, TableInfo]:
        found: dict[str, TableInfo] = {}
        for info in self.surface.tables():
            found.setdefault(info.name.casefold(), info)
        return found

    def added(self, name: str) -> None:
        """A sheet the plan added: later steps find it like the sheets the workbook had."""
        self._sheets[name.casefold()] = name

    @cached_property
    def _register(self) -> list[tuple]:
        """The `xlp_marks` register's rows as they were before the plan changed anything."""
        sheet = self.sheet(MARKS_SHEET)
        if sheet is None:
            return []
        last_row, _ = self.surface.extent(sheet)
        rows = self.surface.rows(sheet, 2, 1, last_row, len(MARKS_HEADER))
        return [tuple(row) for _, row in rows if not (is_blank(row[0]) and is_blank(row[2]))]

    @cached_property
    def marked(self) -> dict[tuple[str, str], str]:
        """Every command's marked cells: (sheet, cell) -> the fill the mark replaced."""
        return {(cell_text(r[1]), cell_text(r[2])): cell_text(r[3])
                for r in self._register if is_coord(cell_text(r[2]))}

    def register(self, scope: str) -> tuple[dict[tuple[str, str], Prior], list[tuple]]:
        """This command's marks (cell -> prior fill, note, author) and the other commands' rows."""
        mine, others = {}, []
        for row in self._register:
            if cell_text(row[0]) != scope:
                others.append(row)
                continue
            command, where, coord, fill, note, author = (cell_text(v) for v in row)
            if where and is_coord(coord):  # a register row someone edited into nonsense is dropped
                mine[(where, coord)] = (fill, note, author)
        return mine, others


def cell_text(value: Any) -> str:
    """A register or sheet cell as text: blank (None, empty, spaces) is ""."""
    if type(value) is str:
        return value if value.strip() else ""
    return "" if is_blank(value) else str(value)


def is_coord(value: Any) -> bool:
    """Whether a value is a cell reference such as "C7" (what a register's Cell column must hold)."""
    if not isinstance(value, str) or not value[:1].isalpha():
        return False
    letters = value.rstrip("0123456789")
    digits = value[len(letters):]
    return letters.isalpha() and letters.isupper() and len(letters) <= 3 and digits.isdigit() and digits[0] != "0"
