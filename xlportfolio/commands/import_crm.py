"""import-crm: bring a CRM export's opportunities into the portfolio's Intake table."""
from __future__ import annotations

from pathlib import Path

from pydantic import ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import FindingData, Outcome, Workbook
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.validate import BOOK_TABLES, read_for_validation
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.intake.consolidate import FileOutcome, Incoming, merge_requests
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import EditPlan, GeneratedSheet
from xlportfolio.core.values import show
from xlportfolio.crm import CrmImport, read_crm_export
from xlportfolio.crm.texts import fit
from xlportfolio.schema import INTAKE

IMPORT_SHEET = "CRM Import"


class Options(BaseOptions):
    model_config = ConfigDict(title="ImportCrmOptions")

    export: Path = Field(description="The CRM export (CSV or XLSX).")
    mapping: Path | None = Field(None, description="Column mapping (CSV, or XLSX with a Mapping sheet).")
    preset: str | None = Field(None, description="salesforce, hubspot or dynamics; default: recognised from the "
                               "headers.")


class Figures(BaseFigures):
    model_config = ConfigDict(title="ImportCrmFigures")

    preset: str | None = Field(description="The preset used; None for a mapping file.")
    rows_read: int
    new: int
    updated: int
    unchanged: int
    rejected: list[str] = Field(description="'row 7: why' for every export row left out.")
    unmapped: list[str] = Field(description="Export columns not used.")
    missing: list[str] = Field(description="Required Intake columns the export does not fill.")
    export_findings: list[FindingData] = Field(description="What reading the export changed or could not read, "
                                               "errors first; sheet, row and column point into the export.")


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Read and map the export, merge its rows by Request ID into `wb`'s Intake, and validate it."""
    crm = read_crm_export(options.export, mapping=options.mapping, preset=options.preset)
    check_workbook(wb, "import-crm")
    portfolio = read_for_validation(wb)
    outcome = FileOutcome(f"CRM {Path(options.export).name}", template=crm.preset or "mapping")
    outcome.rows_read = len(crm.rows)
    owned = tuple(dict.fromkeys(name for row in crm.rows for name in row))  # the columns the export fills
    outcome.rejected += [f"row {row}: {why}" for row, why in crm.rejected.items()]
    kept = {row: rec for row, rec in zip(crm.row_numbers, crm.rows) if row not in crm.rejected}
    incoming = Incoming(outcome, kept, owned)
    merge = merge_requests(portfolio.tables[INTAKE.name], [incoming])
    wb.apply(EditPlan(rows=[merge]))
    report, plan = validate_intake(wb.read(BOOK_TABLES), options.as_of)
    plan.sheets.append(import_sheet(crm, outcome))
    wb.apply(plan)
    read = Report(tuple(crm.findings)).leading
    details = (["not used: " + ", ".join(crm.unmapped)] if crm.unmapped else [])
    details += (["the export does not fill: " + ", ".join(crm.missing)] if crm.missing else [])
    details += [f"{f.severity} {f.location()}: {f.message}" for f in read[:10]]
    details += outcome.rejected[:10]
    o = outcome
    summary = (f"{Path(options.export).name} ({crm.preset or 'custom mapping'}): {o.rows_read} rows, {o.new} new, "
               f"{o.updated} changed, {o.unchanged} unchanged, {len(o.rejected)} rejected; Intake now has "
               f"{report.tally} (see the CRM Import and Findings sheets).")
    figures = Figures(preset=crm.preset, rows_read=o.rows_read, new=o.new, updated=o.updated, unchanged=o.unchanged,
                      rejected=o.rejected, unmapped=crm.unmapped, missing=crm.missing,
                      export_findings=[FindingData.model_construct(**f.to_dict()) for f in read])
    # Errors left in Intake or in reading the export: exit 1 either way.
    failed = report.errors or any(f.severity == "error" for f in crm.findings)
    return Outcome.of("import-crm", summary, 1 if failed else 0, report, details, figures)


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
