"""import-crm: bring a CRM export's opportunities into the portfolio's Intake table."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.validate import BOOK_TABLES, read_for_validation
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.intake.consolidate import FileOutcome, Incoming, merge_requests
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import EditPlan, GeneratedSheet
from xlportfolio.core.values import show
from xlportfolio.crm import CrmImport, read_crm_export
from xlportfolio.crm.texts import fit
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import INTAKE

IMPORT_SHEET = "CRM Import"


@dataclass
class ImportResult:
    crm: CrmImport
    outcome: FileOutcome
    report: Report
    written: Path


def import_crm_file(export: str | Path, into: str | Path, *, mapping: str | Path | None = None,
                    preset: str | None = None, output: str | Path | None = None,
                    as_of: dt.date | None = None) -> ImportResult:
    """Read and map the export, merge its rows by Request ID, validate, and save once."""
    crm = read_crm_export(export, mapping=mapping, preset=preset)
    with open_book(into, output=output) as target:
        check_workbook(target, "import-crm")
        portfolio = read_for_validation(target)
        outcome = FileOutcome(f"CRM {Path(export).name}", template=crm.preset or "mapping")
        outcome.rows_read = len(crm.rows)
        owned = tuple(dict.fromkeys(name for row in crm.rows for name in row))  # the columns the export fills
        outcome.rejected += [f"row {row}: {why}" for row, why in crm.rejected.items()]
        kept = {row: rec for row, rec in zip(crm.row_numbers, crm.rows) if row not in crm.rejected}
        incoming = Incoming(outcome, kept, owned)
        merge = merge_requests(portfolio.tables[INTAKE.name], [incoming])
        target.apply(EditPlan(rows=[merge]))
        report, plan = validate_intake(target.read(BOOK_TABLES), as_of)
        plan.sheets.append(import_sheet(crm, outcome))
        target.apply(plan)
        written = target.save()
    return ImportResult(crm, outcome, report, written)


def import_sheet(crm: CrmImport, outcome: FileOutcome) -> GeneratedSheet:
    """What came in, what was left out, and every export cell the import could not read or had to change:
    errors first, each with the request it concerns."""
    def line(text: str, severity: str = "") -> tuple:
        return ("", "", "", "", "", severity, text)

    rows = [line(f"{outcome.rows_read} rows read from {crm.source} ({crm.preset or 'custom mapping'}): "
                 f"{outcome.new} new, {outcome.updated} changed, {outcome.unchanged} unchanged, "
                 f"{len(outcome.rejected)} rejected.")]
    if crm.unmapped:
        rows.append(line("Export columns not used: " + ", ".join(crm.unmapped)))
    if crm.missing:
        rows.append(line("Required Intake columns the export does not fill (complete them in the Intake sheet): "
                         + ", ".join(crm.missing)))
    rows += [line(why, "error") for why in outcome.rejected]
    ids = {row: rec.get("request_id") for row, rec in zip(crm.row_numbers, crm.rows)}
    rows += [(f.row or "", f.column or "", f.header or "", ids.get(f.row) or "",
              show(f.value) if f.value is not None else "", str(f.severity), f.message)
             for f in sorted(crm.findings, key=lambda f: f.severity is not Severity.ERROR)]
    # An export's headers and IDs are anyone's text: no cell of this sheet may outgrow an Excel cell.
    rows = [tuple(fit(value) for value in row) for row in rows]
    return GeneratedSheet(IMPORT_SHEET, ("Export row", "Column", "Header", "Request ID", "Value", "Severity",
                                         "What to do"), tuple(rows), (11, 8, 22, 28, 24, 9, 100))
