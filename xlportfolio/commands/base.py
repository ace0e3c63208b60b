"""The one command shape: `run(wb, options) -> Outcome`, on a Workbook that is either a file (the
package engine) or a book open in Excel.

Commands read tables into the core's Book, call the core and apply its EditPlan through this
protocol, so the ribbon and the command line run the very same code. Both are a
`surface.workbook.SurfaceWorkbook` over their surface (files.workbook.FileWorkbook, live.LiveWorkbook).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from xlportfolio.core.book import Book
from xlportfolio.core.findings import Report
from xlportfolio.core.plan import EditPlan
from xlportfolio.schema import Table

STATUS_PREFIX = "xlportfolio: "  # how a command names its step in the status bar: "xlportfolio: gates…"
LEADING_FINDINGS = 500  # findings an Outcome carries; the Findings sheet lists every one


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


class Options(BaseModel):
    """What every command accepts besides its workbook; a command's own Options add to it."""

    model_config = ConfigDict(extra="forbid")

    as_of: dt.date | None = Field(None, description="The day dates are judged against; default today.")


class Figures(BaseModel):
    """A command's own counts (rows checked, items created, moves applied...); each command extends it."""


class FindingData(BaseModel):
    """One finding as scripts and the renderer see it: Finding.to_dict, typed."""

    code: str
    severity: str  # "error" or "warning"
    message: str
    sheet: str
    row: int | None = None
    column: str | None = None
    header: str | None = None
    value: Any = None
    item: str | None = None
    count: int = 1
    cells: list[str] = []
    cell: str | None = None

    def location(self) -> str:
        """Where a person clicks: 'Intake!C7 (Customer name)', as Finding.location says it."""
        where = self.sheet + (f"!{self.cell}" if self.cell else "")
        return where + (f" ({self.header})" if self.header else "")


F = TypeVar("F", bound=Figures)


class Outcome(BaseModel, Generic[F]):
    """What every command returns, whether a ribbon button or the command line ran it: one line a
    person reads, how it ended, the first findings and the command's own figures.

    The CLI prints it through the one renderer (commands.render) the ribbon's message box uses, and
    `--json` prints it whole, so a script sees the same content a person does.
    """

    command: str  # the registry id, e.g. "validate"
    summary: str
    exit_code: int = 0  # 0 done, 1 done with errors found in the data; refusals are 2 (XlPortfolioError)
    errors: int = 0  # every error found, also those beyond `findings`
    warnings: int = 0
    details: list[str] = []
    findings: list[FindingData] = []  # the leading ones, errors first; the Findings sheet has them all
    written: Path | None = None  # the file saved, or the file the command wrote (report's pack)
    figures: F | None = None
    _report: Report = PrivateAttr(default_factory=lambda: Report(()))

    @classmethod
    def of(cls, command: str, summary: str, exit_code: int = 0, report: Report | None = None,
           details: list[str] | None = None, figures: F | None = None) -> Outcome[F]:
        report = report or Report(())
        # model_construct: a big workbook has thousands of findings, already well-formed.
        leading = [FindingData.model_construct(**f.to_dict()) for f in report.leading[:LEADING_FINDINGS]]
        # Typed by the command's own Figures, so that they serialise whole (--json) and have their schema.
        model = cls[type(figures)] if figures is not None and not cls.__pydantic_generic_metadata__["args"] else cls
        outcome = model(command=command, summary=summary, exit_code=exit_code, errors=report.errors,
                      warnings=report.warnings, details=list(details or []), findings=leading, figures=figures)
        outcome._report = report
        return outcome

    @property
    def report(self) -> Report:
        """Every finding, in process (not serialised): the ribbon names items from it, tests check it."""
        return self._report


def json_schemas(module: ModuleType) -> dict[str, Any]:
    """The JSON Schema of a command module's Options and of the Outcome its run returns (what --json prints)."""
    options = module.Options.model_json_schema()
    outcome = Outcome[module.Figures].model_json_schema()
    outcome["title"] = options["title"].removesuffix("Options") + "Outcome"
    return {"options": options, "outcome": outcome}
