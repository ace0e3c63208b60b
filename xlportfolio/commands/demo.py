"""demo: write a sample portfolio and an intake template, then run every command on them."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from openpyxl.packaging.custom import StringProperty
from rich.console import Console

from ..demo_data import sample_intake, sample_portfolio
from ..files.template import INTAKE_KIND, PORTFOLIO_KIND, TEMPLATE_HISTORY, build_workbook
from ..files.workbook import save_atomic
from ..schema import INTAKE
from .accept import accept_file
from .consolidate import consolidate_folder
from .import_crm import import_crm_file
from .validate import validate_file


def run_demo(folder: Path, *, seed: int = 7, as_of: dt.date | None = None,
             console: Console | None = None) -> dict[str, Path]:
    console = console or Console()
    as_of = as_of or dt.date.today()
    folder.mkdir(parents=True, exist_ok=True)
    portfolio = folder / "portfolio.xlsx"
    template = folder / "intake-template.xlsx"
    with console.status("Writing the sample portfolio ...") as status:
        data = sample_portfolio(as_of, seed)
        save_atomic(build_workbook(PORTFOLIO_KIND, data), portfolio)
        save_atomic(build_workbook(INTAKE_KIND), template)
        status.update("Validating intake ...")
        result = validate_file(portfolio, as_of=as_of)
        status.update("Accepting requests marked Accept ...")
        accepted = accept_file(portfolio, as_of=as_of).summary
        status.update("Consolidating the intake workbooks business units sent ...")
        inbox = folder / "inbox"
        write_inbox(inbox, as_of, seed)
        outcomes = consolidate_folder(inbox, portfolio, as_of=as_of).outcomes
        status.update("Importing a CRM export ...")
        export = write_crm_export(folder / "salesforce-opportunities.csv", as_of)
        imported = import_crm_file(export, portfolio, as_of=as_of)
    report = result.report
    counts = {name: len(rows) for name, rows in data.items()}
    console.print(f"Wrote [bold]{portfolio}[/]: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + " rows.")
    console.print(f"Wrote [bold]{template}[/]: the intake template a PMO sends to business units.")
    console.print(f"validate: {result.rows} requests, [red]{report.errors} errors[/], "
                  f"[yellow]{report.warnings} warnings[/] "
                  f"({', '.join(f'{c} x{n}' for c, n in report.by_code().most_common())}).")
    console.print(f"accept: {len(accepted.created)} requests became items at DI1 Defined "
                  f"({', '.join(f'{r} -> {i}' for r, i in accepted.created[:3])}, ...); "
                  f"{len(accepted.refused)} marked requests refused because of errors.")
    merged = sum(o.new + o.updated for o in outcomes)
    console.print(f"consolidate: {len(outcomes)} files in {inbox}, {merged} requests merged, "
                  f"{sum(len(o.rejected) for o in outcomes)} rows rejected, "
                  f"{sum(1 for o in outcomes if o.error)} files not read (see the Consolidation sheet).")
    console.print(f"import-crm: {imported.outcome.new} opportunities from {export.name} "
                  f"({imported.crm.preset}) added to Intake; {len(imported.crm.findings)} export cells "
                  "could not be read (see the CRM Import sheet).")
    console.print(f"Open {portfolio} and look at the Intake sheet's Validation column, the coloured cells "
                  "(hover for the note) and the Findings sheet (each cell is a link).")
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
        save_atomic(intake_form(rows, version="1.1" if unit == "sales" else "1.0"), path)
        written.append(path)
    wrong = folder / "finance-portfolio.xlsx"  # someone sent the portfolio instead of the form
    save_atomic(build_workbook(PORTFOLIO_KIND), wrong)
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
