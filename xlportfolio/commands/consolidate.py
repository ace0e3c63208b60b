"""consolidate: collect every intake workbook in a folder into the portfolio's Intake table."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.validate import BOOK_TABLES, read_for_validation
from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.intake.consolidate import FileOutcome, Incoming, consolidation_sheet, merge_requests
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import EditPlan
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.template import TEMPLATE_HISTORY, TEMPLATE_VERSION
from xlportfolio.files.workbook import FileWorkbook, open_book, read_book_file
from xlportfolio.schema import INTAKE

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class ConsolidateResult:
    outcomes: list[FileOutcome]
    report: Report  # validation of the portfolio's Intake after the merge
    written: Path


def intake_files(folder: Path, exclude: Path) -> list[Path]:
    """Every file a business unit may have dropped in the folder, Excel's lock files aside."""
    if not folder.is_dir():
        raise XlPortfolioError(folder, "is not a folder; give the folder that holds the intake workbooks.")
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(("~$", ".")) and p.resolve() != exclude.resolve())


def consolidate_folder(folder: str | Path, into: str | Path, *, output: str | Path | None = None,
                       as_of: dt.date | None = None,
                       on_file: Callable[[Path], None] | None = None) -> ConsolidateResult:
    """Validate each intake workbook and merge its valid rows; source files are only read."""
    with open_book(into, output=output) as target:
        check_workbook(target, "consolidate")
        portfolio = read_for_validation(target)
        batch, outcomes = [], []
        for path in intake_files(Path(folder), target.path):
            if on_file:
                on_file(path)
            outcome, rows = read_intake(path, portfolio, as_of)
            outcomes.append(outcome)
            if rows:
                batch.append(Incoming(outcome, rows))
        target.apply(EditPlan(rows=[merge_requests(portfolio.tables[INTAKE.name], batch)]))
        merged = target.read(BOOK_TABLES)  # the Intake table as it now stands
        report, plan = validate_intake(merged, as_of)
        plan.sheets.append(consolidation_sheet(outcomes))
        target.apply(plan)
        written = target.save()
    return ConsolidateResult(outcomes, report, written)


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
