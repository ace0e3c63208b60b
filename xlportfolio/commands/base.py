"""What a command runs on: a Workbook, either a file (openpyxl) or a book open in Excel (xlwings).

Commands read tables into the core's Book, call the core and apply its EditPlan through this
protocol, so the ribbon and the command line run the very same code.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..core.book import Book
from ..core.findings import Report
from ..core.plan import EditPlan
from ..schema import Table


class Workbook(Protocol):
    source: str  # file path or book name, for messages

    def read(self, tables: Sequence[Table]) -> Book: ...
    def sheet_rows(self, name: str) -> list[tuple] | None: ...
    def table_grid(self, name: str) -> tuple[str, str, list[list]] | None: ...  # (sheet, ref, rows)
    def get_property(self, name: str) -> str | None: ...
    def set_property(self, name: str, value: str) -> None: ...
    def apply(self, plan: EditPlan) -> None: ...
    def status(self, text: str) -> None: ...


@dataclass
class Outcome:
    """What a ribbon button reports: one line a person reads, and how it ended."""

    summary: str
    exit_code: int = 0  # 0 done, 1 done with errors found in the data
    report: Report = field(default_factory=lambda: Report(()))
    details: list[str] = field(default_factory=list)


def defined_name(prop: str) -> str:
    """The workbook name a property is kept in: both Excel engines can read and write names,
    while xlwings' remote engine cannot reach document properties."""
    return "xlp_" + prop.rsplit(".", 1)[-1]


class FileWorkbook:
    """A workbook file opened with openpyxl for one command (or a chain of them)."""

    def __init__(self, opened, on_status=None):
        self.opened = opened
        self.source = str(opened.path)
        self._on_status = on_status

    @property
    def wb(self):
        return self.opened.wb

    def read(self, tables: Sequence[Table]) -> Book:
        from ..files.reader import read_book, resolve_formulas

        book = read_book(self.wb, self.source, list(tables))
        resolve_formulas(str(self.opened.path), book)
        return book

    def sheet_rows(self, name: str) -> list[tuple] | None:
        if name not in self.wb.sheetnames:
            return None
        return [tuple(r) for r in self.wb[name].iter_rows(values_only=True)]

    def table_grid(self, name: str) -> tuple[str, str, list[list]] | None:
        """An Excel Table's cells as stored (formulas as text), header row first."""
        from ..files.reader import find_table

        found = find_table(self.wb, name)
        if not found:
            return None
        ws, table = found
        rows = [[c.value for c in row] for row in ws[table.ref]]
        return ws.title, table.ref, rows

    def get_property(self, name: str) -> str | None:
        defined = self.wb.defined_names.get(defined_name(name))
        if defined is not None and defined.attr_text:
            text = defined.attr_text.lstrip("=")  # Excel stores a name's formula without the "="
            return text[1:-1].replace('""', '"') if text.startswith('"') else text
        for p in self.wb.custom_doc_props.props:  # workbooks written before names were used
            if p.name == name:
                return str(p.value)
        return None

    def set_property(self, name: str, value: str) -> None:
        from openpyxl.packaging.custom import StringProperty
        from openpyxl.workbook.defined_name import DefinedName

        key = defined_name(name)
        if key in self.wb.defined_names:
            del self.wb.defined_names[key]
        quoted = value.replace('"', '""')
        self.wb.defined_names[key] = DefinedName(key, attr_text=f'"{quoted}"', hidden=True)
        # Also as a document property, where File > Info > Properties shows it.
        self.wb.custom_doc_props.props = [p for p in self.wb.custom_doc_props.props if p.name != name]
        self.wb.custom_doc_props.append(StringProperty(name=name, value=value))

    def apply(self, plan: EditPlan) -> None:
        from ..files.writer import apply_plan

        apply_plan(self.wb, plan)

    def status(self, text: str) -> None:
        if self._on_status:
            self._on_status(text)

    def save(self) -> Path:
        return self.opened.save()
