"""consolidate: collect every intake workbook in a folder into the portfolio's Intake table."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from xlportfolio.commands.base import STATUS_PREFIX, Outcome, Workbook
from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.validate import BOOK_TABLES, read_for_validation
from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.intake.consolidate import FileOutcome, Incoming, consolidation_sheet, merge_requests
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import EditPlan
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.template import TEMPLATE_HISTORY, TEMPLATE_VERSION
from xlportfolio.files.workbook import FileWorkbook, read_book_file
from xlportfolio.schema import INTAKE

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


class Options(BaseOptions):
    model_config = ConfigDict(title="ConsolidateOptions")

    folder: Path = Field(description="The folder with the intake workbooks business units sent back.")


class FileRead(BaseModel):
    """What happened to one intake workbook (core.intake.consolidate.FileOutcome, as data)."""

    file: str
    status: str = Field(description="merged, partly merged, rejected or not read.")
    template: str = Field(description="The intake template version it was made from.")
    error: str = Field(description="A file-level problem: nothing was read from it.")
    notes: list[str]
    rows_read: int
    new: int
    updated: int
    unchanged: int
    rejected: list[str] = Field(description="'row 7: why' for every row left out.")

    @classmethod
    def of(cls, o: FileOutcome) -> FileRead:
        return cls(file=o.file, status=o.status, template=o.template, error=o.error, notes=o.notes,
                   rows_read=o.rows_read, new=o.new, updated=o.updated, unchanged=o.unchanged, rejected=o.rejected)

    def line(self) -> str:
        return (f"{self.file}: {self.status}" + (f" (template v{self.template})" if self.template else "")
                + f", {self.rows_read} rows: {self.new} new, {self.updated} changed, {self.unchanged} same, "
                f"{len(self.rejected)} rejected")


class Figures(BaseFigures):
    model_config = ConfigDict(title="ConsolidateFigures")

    files: list[FileRead] = Field(description="Every file in the folder, in name order.")


def intake_files(folder: Path, exclude: Path) -> list[Path]:
    """Every file a business unit may have dropped in the folder, Excel's lock files aside."""
    if not folder.is_dir():
        raise XlPortfolioError(folder, "is not a folder; give the folder that holds the intake workbooks.")
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(("~$", ".")) and p.resolve() != exclude.resolve())


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Validate each intake workbook in the folder and merge its valid rows into `wb`'s Intake;
    the source files are only read."""
    check_workbook(wb, "consolidate")
    portfolio = read_for_validation(wb)
    batch, outcomes = [], []
    for path in intake_files(Path(options.folder), Path(wb.source)):
        wb.status(f"{STATUS_PREFIX}{path.name}…")
        outcome, rows = read_intake(path, portfolio, options.as_of)
        outcomes.append(outcome)
        if rows:
            batch.append(Incoming(outcome, rows))
    wb.apply(EditPlan(rows=[merge_requests(portfolio.tables[INTAKE.name], batch)]))
    merged = wb.read(BOOK_TABLES)  # the Intake table as it now stands
    report, plan = validate_intake(merged, options.as_of)
    plan.sheets.append(consolidation_sheet(outcomes))
    wb.apply(plan)
    files = [FileRead.of(o) for o in outcomes]
    details = []
    for f in files:
        details += [f.line()] + [f"{f.file}: {line}" for line in ([f.error] if f.error else []) + f.notes]
    new = sum(f.new for f in files)
    summary = (f"{len(files)} files, {new} new requests merged; details on the Consolidation sheet"
               + (f"; Intake now has {report.tally} (Findings sheet)." if report.findings else "."))
    return Outcome.of("consolidate", summary, 1 if report.errors else 0, report, details, Figures(files=files))


def read_intake(path: Path, portfolio: Book, as_of: dt.date | None) -> tuple[FileOutcome, dict[int, dict]]:
    """One file's outcome and its valid rows; one broken file never stops the batch."""
    outcome = FileOutcome(path.name)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        outcome.error = f"not an Excel workbook ({path.suffix or 'no extension'}); save it as .xlsx"
        return outcome, {}
    try:
        with read_book_file(path) as source:
            _check_template(source, outcome)
            table = source.read([INTAKE]).table(INTAKE.name)
        if table is None:
            raise XlPortfolioError(path, "has no Intake table")
        book = Book(str(path), {**portfolio.tables, INTAKE.name: table}, portfolio.lists)
    except XlPortfolioError as exc:
        outcome.error = exc.message
        return outcome, {}
    outcome.rows_read = len(table.frame)
    report, _ = validate_intake(book, as_of)
    return outcome, _valid_rows(table, report, outcome)


def _check_template(wb: FileWorkbook, outcome: FileOutcome) -> None:
    kind = wb.surface.doc_property("xlportfolio.template")
    version = str(wb.surface.doc_property("xlportfolio.template_version") or "")
    if kind != "intake":
        what = f"the xlportfolio {kind} workbook" if kind else "not made from the xlportfolio intake template"
        raise XlPortfolioError(None, f"wrong template: {what}; ask the sender to use the current intake template")
    if version not in TEMPLATE_HISTORY:
        raise XlPortfolioError(None, f"intake template version {version or '?'} is unknown; "
                               f"the current one is {TEMPLATE_VERSION}")
    outcome.template = version
    if version != TEMPLATE_VERSION:
        lacking = ", ".join(INTAKE.column(n).label for n in TEMPLATE_HISTORY[version])
        outcome.notes.append(f"template v{version} read as v{TEMPLATE_VERSION} (it has no {lacking})")


def _valid_rows(table: SheetTable, report: Report, outcome: FileOutcome) -> dict[int, dict]:
    problems: dict[int, list[str]] = defaultdict(list)
    for f in report.findings:
        if f.severity is Severity.ERROR and f.row is not None and f.sheet == table.sheet:
            problems[f.row].append(f"{f.cell} {f.code}")
    header_problems = problems.pop(table.header_row, [])
    if header_problems:
        outcome.error = "the header row is not the intake template's: " + ", ".join(header_problems)
        return {}
    rows = {}
    for row, rec in zip(table.frame.index, table.frame.to_dict("records")):
        if problems.get(int(row)):
            outcome.rejected.append(f"row {row}: " + ", ".join(problems[int(row)]))
        else:
            rows[int(row)] = rec
    return rows
