"""What commands run on: the Workbook protocol over any surface (a file package or Excel)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from xlportfolio.core.book import Book
from xlportfolio.core.plan import EditPlan
from xlportfolio.schema import Table
from xlportfolio.surface.protocol import Surface
from xlportfolio.surface.read import read_book, sheet_named, sheet_rows, table_grid, table_index
from xlportfolio.surface.walk import apply_plan


def defined_name(prop: str) -> str:
    """The workbook name a property is kept in: both Excel engines read and write names, while
    xlwings' remote engine cannot reach document properties."""
    return "xlp_" + prop.rsplit(".", 1)[-1]


def quote(value: str) -> str:
    """A property's text as a name's formula: a text constant, quotes doubled."""
    return '"' + value.replace('"', '""') + '"'


def unquote(text: str) -> str:
    """A name's formula text (with or without Excel's leading '=') back to the property's text."""
    text = text.lstrip("=").strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"')
    return text


class SurfaceWorkbook:
    """One command's (or one chain's) workbook: reads, plans and properties over one surface."""

    def __init__(self, surface: Surface, on_status: Callable[[str], None] | None = None):
        self.surface = surface
        self.source = surface.source
        self._on_status = on_status

    def read(self, tables: Sequence[Table]) -> Book:
        return read_book(self.surface, self.source, tables)

    def sheet_rows(self, name: str) -> list[tuple] | None:
        return sheet_rows(self.surface, name)

    def sheet_names(self) -> list[str]:
        return self.surface.sheet_names()

    def has_table(self, table: Table) -> bool:
        """Whether `read` would find `table`: an Excel Table of its name, or a sheet of its name."""
        return (table.name.casefold() in table_index(self.surface)
                or sheet_named(self.surface, table.sheet) is not None)

    def table_grid(self, name: str) -> tuple[str, str, list[list]] | None:
        return table_grid(self.surface, name)

    def get_property(self, name: str) -> str | None:
        """A property from its workbook name, or from the document properties of older files."""
        text = self.surface.name_text(defined_name(name))
        if text:
            return unquote(text)
        return self.surface.doc_property(name)

    def set_property(self, name: str, value: str) -> None:
        """Kept in a workbook name, and as a document property where File > Info shows it."""
        self.surface.set_name_text(defined_name(name), quote(value))
        self.surface.set_doc_property(name, value)

    def apply(self, plan: EditPlan) -> None:
        apply_plan(self.surface, plan)

    def status(self, text: str) -> None:
        if self._on_status:
            self._on_status(text)
