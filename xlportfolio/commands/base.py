"""What a command runs on: a Workbook, either a file (the package engine) or a book open in Excel.

Commands read tables into the core's Book, call the core and apply its EditPlan through this
protocol, so the ribbon and the command line run the very same code. Both are a
`surface.workbook.SurfaceWorkbook` over their surface (files.workbook.FileWorkbook, live.LiveWorkbook).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from xlportfolio.core.book import Book
from xlportfolio.core.findings import Report
from xlportfolio.core.plan import EditPlan
from xlportfolio.schema import Table


class Workbook(Protocol):
    source: str  # file path or book name, for messages

    def read(self, tables: Sequence[Table]) -> Book: ...
    def sheet_rows(self, name: str) -> list[tuple] | None: ...
    def sheet_names(self) -> list[str]: ...
    def has_table(self, table: Table) -> bool: ...  # an Excel Table of its name, or a sheet of its name
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
