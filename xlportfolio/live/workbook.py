"""The Workbook protocol (commands.base) over a workbook open in Excel, through xlwings."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..commands.base import defined_name
from ..core.book import Book
from ..core.plan import EditPlan
from ..core.values import CellError
from ..schema import Table
from .reader import TableIndex, read_block, read_book, sheet_named, table_bounds, used_block
from .writer import apply_plan

if TYPE_CHECKING:
    import xlwings


class LiveWorkbook:
    """A workbook open in Excel (desktop or Office.js via xlwings Server).

    Properties live in workbook names ("xlp_" + the property's last part), which both Excel
    engines and xlwings' remote engine read and write; document properties are out of the
    remote engine's reach. Two limits there: reading a name's value needs a client that sends
    names' definitions (older Office.js clients only send names that refer to ranges, so a
    property reads as absent), and xlwings cannot hide a name, so it shows in the Name Manager.
    """

    def __init__(self, book: xlwings.Book):
        self.book = book
        self.source = book.name

    def read(self, tables: Sequence[Table]) -> Book:
        return read_book(self.book, self.source, tables)

    def sheet_rows(self, name: str) -> list[tuple] | None:
        """All values of a sheet's used range from A1, row 1 first (None for no such sheet).

        A formula cell gives its result; the file adapter gives the formula text.
        """
        sheet = sheet_named(self.book, name)
        if sheet is None:
            return None
        return [tuple(_raw(v) for v in row) for row in read_block(sheet, 1, 1, *used_block(sheet))]

    def table_grid(self, name: str) -> tuple[str, str, list[list]] | None:
        """An Excel Table's cells, header row first, with where it sits: (sheet, ref, rows).

        Formula cells give their results (the remote engine cannot read formulas), where the
        file adapter gives the formula text.
        """
        found = TableIndex(self.book).find(name)
        if found is None:
            return None
        sheet, table = found
        bounds = table_bounds(table)
        rows = read_block(sheet, *bounds)
        ref = table.range.address.replace("$", "")
        return sheet.name, ref, rows

    def get_property(self, name: str) -> str | None:
        found = self._name(defined_name(name))
        text = found.refers_to if found is not None else None
        if not text:
            return None
        return text[2:-1].replace('""', '"') if text.startswith('="') else text.lstrip("=").strip('"')

    def set_property(self, name: str, value: str) -> None:
        key = defined_name(name)
        refers_to = '="' + value.replace('"', '""') + '"'
        found = self._name(key)
        if found is not None:
            found.refers_to = refers_to
        else:
            self.book.names.add(key, refers_to)

    def _name(self, key: str) -> Any | None:
        for defined in self.book.names:
            if defined.name.casefold() == key.casefold():
                return defined
        return None

    def apply(self, plan: EditPlan) -> None:
        apply_plan(self.book, plan)

    def save(self) -> None:
        """Nothing to do: Excel owns saving an open workbook (kept for parity with files)."""

    def status(self, text: str) -> None:
        """Progress in Excel's status bar; Excel on the web has none, so it is skipped there."""
        try:
            self.book.app.status_bar = text
        except NotImplementedError:
            pass


def _raw(value: Any) -> Any:
    """sheet_rows gives values as the file adapter does: an error cell as its text."""
    return value.code if isinstance(value, CellError) else value
