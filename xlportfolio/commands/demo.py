"""demo: write a sample portfolio and an intake template, then run every command on them."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from openpyxl.packaging.custom import StringProperty
from rich.console import Console

from ..demo_data import sample_intake, sample_portfolio
from ..files.template import INTAKE_KIND, PORTFOLIO_KIND, TEMPLATE_HISTORY, build_workbook
from ..files.workbook import save_new
from ..progress import Steps
from ..schema import INTAKE
from .accept import accept_file
from .consolidate import consolidate_folder
from .gates import gates_file
from .import_crm import import_crm_file
from .report import report_file
from .rollup import rollup_file
from .score import score_file
from .select import select_file
from .validate import validate_file
from .verify import verdict, verify_file

DEMO_BUDGET = 3_000_000


def run_demo(folder: Path, *, seed: int = 7, as_of: dt.date | None = None,
             console: Console | None = None) -> dict[str, Path]:
    """Write the sample workbooks, then run every command on them in the order a PMO would."""
    console = console or Console()
    as_of = as_of or dt.date.today()
    folder.mkdir(parents=True, exist_ok=True)
    portfolio, template, inbox = folder / "portfolio.xlsx", folder / "intake-template.xlsx", folder / "inbox"
    export = folder / "salesforce-opportunities.csv"
    lines: list[str] = []

    def write() -> str:
        data = sample_portfolio(as_of, seed)
        save_new(build_workbook(PORTFOLIO_KIND, data), portfolio)
        save_new(build_workbook(INTAKE_KIND), template)
        write_inbox(inbox, as_of, seed)
        write_crm_export(export, as_of)
        return (f"wrote {portfolio} (" + ", ".join(f"{len(rows)} {name}" for name, rows in data.items())
                + f" rows), the intake template {template}, an inbox of business-unit forms and a CRM export")

    def validate() -> str:
        report = validate_file(portfolio, as_of=as_of).report
        return (f"validate: {report.errors} errors, {report.warnings} warnings ("
                + ", ".join(f"{c} x{n}" for c, n in report.by_code().most_common(6)) + ", ...)")

    def accept() -> str:
        s = accept_file(portfolio, as_of=as_of).summary
        return (f"accept: {len(s.created)} requests became items at DI1 Defined, "
                f"{len(s.refused)} marked requests refused because of errors")

    def consolidate() -> str:
        outcomes = consolidate_folder(inbox, portfolio, as_of=as_of).outcomes
        return (f"consolidate: {len(outcomes)} files, {sum(o.new + o.updated for o in outcomes)} requests merged, "
                f"{sum(len(o.rejected) for o in outcomes)} rows rejected, "
                f"{sum(1 for o in outcomes if o.error)} files not read (wrong template, damaged, encrypted, CSV)")

    def import_crm() -> str:
        result = import_crm_file(export, portfolio, as_of=as_of)
        return (f"import-crm: {result.outcome.new} opportunities ({result.crm.preset}) added, "
                f"{len(result.crm.findings)} export cells could not be read")

    def score() -> str:
        outcome = score_file(portfolio, as_of=as_of)
        return "score: " + ", ".join(f"{n} {t} rows ranked" for t, n in outcome.scored.items())

    def select() -> str:
        outcome = select_file(portfolio, budget=DEMO_BUDGET, as_of=as_of)
        s = outcome.selection
        return (f"select: {len(s.chosen)} of {len(outcome.candidates)} candidates chosen for {s.cost:,.0f} "
                f"of a {DEMO_BUDGET:,.0f} budget ({s.status}); Scenario sheet with the efficient frontier")

    def gates() -> str:
        outcome = gates_file(portfolio, as_of=as_of)
        frozen = len(outcome.result.baseline_items)
        return (f"gates: {len(outcome.result.applied)} moves applied, {len(outcome.result.refused)} refused "
                f"with the reason on the cell and in the ledger; {frozen} items passed DI4, their plan frozen on the "
                f"Baseline sheet; ledger {outcome.ledger_rows} rows")

    def rollup() -> str:
        result = rollup_file(portfolio, as_of=as_of)
        return f"rollup: {result.headline}; Dashboard with native charts"

    def report() -> str:
        result = report_file(portfolio, folder / "steering-pack.html", as_of=as_of)
        return f"report: steering-committee pack {result.written} ({result.charts} charts)"

    def verify() -> str:
        report, rows = verify_file(portfolio)
        return f"verify: ledger of {rows} rows " + ("intact, every Stage and State the ledger's" if not report.findings
                                                   else verdict(report))

    steps = [write, validate, accept, consolidate, import_crm, score, select, gates, rollup, report, verify]
    with Steps(console, "demo", len(steps), elapsed=True) as progress:
        for step in steps:
            progress.start(step.__name__.replace("_", "-"))
            lines.append(step())
    for line in lines:
        console.print(line, soft_wrap=True)
    console.print(f"Open [bold]{portfolio}[/]: the Intake sheet's Validation, Score and Rank columns and its "
                  "coloured cells (hover for the note), the Findings sheet (each cell is a link), the "
                  "Consolidation, CRM Import, Scenario, Ledger, Rollup and Dashboard sheets, and "
                  f"[bold]{folder / 'steering-pack.html'}[/] in a browser.")
    return {"portfolio": portfolio, "template": template}


def write_inbox(folder: Path, as_of: dt.date, seed: int = 7) -> list[Path]:
    """Intake workbooks as business units send them back: good, outdated, wrong and broken."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, unit in enumerate(("sales", "operations")):
        rows = sample_intake(as_of, seed + 10 + n, count=20)
        for i, row in enumerate(rows, start=1):
            row["request_id"] = f"{unit[:3].upper()}-{i:03d}"
            row["title"] = f"{row['title']} [{unit}]"
        path = folder / f"{unit}.xlsx"
        save_new(intake_form(rows, version="1.1" if unit == "sales" else "1.0"), path)
        written.append(path)
    wrong = folder / "finance-portfolio.xlsx"  # someone sent the portfolio instead of the form
    save_new(build_workbook(PORTFOLIO_KIND), wrong)
    broken = folder / "hr-damaged.xlsx"  # an upload cut short
    broken.write_bytes(written[0].read_bytes()[:4000])
    locked = folder / "legal-protected.xlsx"  # password-protected: an OLE container, not a zip
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le"))
    notes = folder / "notes.csv"
    notes.write_text("Request ID,Title\nX-1,Sent as CSV by mistake\n", encoding="utf-8")
    return [*written, wrong, broken, locked, notes]


def intake_form(rows: list[dict], version: str = "1.1"):
    """A filled intake template of the given version (older ones lack later columns)."""
    lacking = set(TEMPLATE_HISTORY[version])
    table = dataclasses.replace(INTAKE, columns=tuple(c for c in INTAKE.columns if c.name not in lacking))
    kind = dataclasses.replace(INTAKE_KIND, tables=(table,))
    wb = build_workbook(kind, {"Intake": rows})
    wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != "xlportfolio.template_version"]
    wb.custom_doc_props.append(StringProperty(name="xlportfolio.template_version", value=version))
    wb.properties.version = version
    return wb




def write_crm_export(path: Path, as_of: dt.date) -> Path:
    """A Salesforce opportunity report as account teams export it (US dates, a footer)."""
    lines = ["Opportunity ID,Opportunity Name,Account Name,Account ID,Amount,Close Date,Created Date,"
             "Description,Opportunity Owner,Stage"]
    for n in range(1, 13):
        created, close = as_of - dt.timedelta(days=10 * n), as_of + dt.timedelta(days=30 * n)
        amount = "TBD" if n == 7 else f'"{n * 12_500:,.2f}"'
        lines.append(f"0065g0000{n:06d},Opportunity {n},Acme Retail,C-{10000 + n},{amount},"
                     f"{close:%m/%d/%Y},{created:%m/%d/%Y},\"Expansion, phase {n}\",Anna Berger,Proposal")
    lines += ["", '"Confidential Information - Do Not Distribute"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path
