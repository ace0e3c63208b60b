"""demo: write a sample portfolio and an intake template, then run every command on them."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl.packaging.custom import StringProperty
from rich.console import Console

from xlportfolio.commands.accept import Options as AcceptOptions
from xlportfolio.commands.consolidate import Options as ConsolidateOptions
from xlportfolio.commands.files import on_file
from xlportfolio.commands.gates import Options as GatesOptions
from xlportfolio.commands.import_crm import Options as ImportCrmOptions
from xlportfolio.commands.report import Options as ReportOptions
from xlportfolio.commands.rollup import Options as RollupOptions
from xlportfolio.commands.score import Options as ScoreOptions
from xlportfolio.commands.select import Options as SelectOptions
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.commands.verify import verdict
from xlportfolio.core.book import Book
from xlportfolio.core.findings import Finding, Report, Severity
from xlportfolio.core.values import is_blank
from xlportfolio.demo.data import sample_intake
from xlportfolio.demo.portfolio import CRM_EXPORT, HORIZON, Problem, demo_portfolio
from xlportfolio.files.template import INTAKE_KIND, PORTFOLIO_KIND, TEMPLATE_HISTORY, build_workbook
from xlportfolio.files.workbook import read_tables, save_new
from xlportfolio.progress import Steps
from xlportfolio.schema import CAPACITY, DEPENDENCIES, FINANCIALS, INTAKE, ITEMS

DEMO_BUDGET = 3_000_000


@dataclass
class DemoResult:
    """What the demo wrote, what each checking command reported, and where each planted problem was found."""

    paths: dict[str, Path]
    reports: dict[str, Report]  # command -> the report of its own run in the demo
    problems: list[tuple[Problem, Finding | None]]  # None: the problem was not found (a bug)
    others: list[Finding]  # errors no problem explains (none, unless the demo is broken)
    figures: dict[str, float]
    returns: dict[str, float]  # category -> planned benefit per unit of planned cost


def run_demo(folder: Path, *, seed: int = 7, as_of: dt.date | None = None,
             console: Console | None = None) -> DemoResult:
    """Write the sample workbooks, then run every command on them in the order a PMO would.

    Requests come in first (forms, CRM), then validate, accept, score, select, gates and rollup:
    no later step changes what an earlier check read, so the counts printed are what running
    validate, gates or rollup again on the finished workbook reports.
    """
    console = console or Console()
    as_of = as_of or dt.date.today()
    folder.mkdir(parents=True, exist_ok=True)
    portfolio, template, inbox = folder / "portfolio.xlsx", folder / "intake-template.xlsx", folder / "inbox"
    export = folder / CRM_EXPORT
    demo = demo_portfolio(as_of, seed)
    reports: dict[str, Report] = {}
    lines: list[str] = []

    def write() -> str:
        save_new(build_workbook(PORTFOLIO_KIND, demo.tables), portfolio)
        save_new(build_workbook(INTAKE_KIND), template)
        write_inbox(inbox, as_of, seed, clean=True)
        write_crm_export(export, as_of, demo.crm)
        return (f"wrote {portfolio} (" + ", ".join(f"{len(rows)} {name}" for name, rows in demo.tables.items())
                + f" rows), the intake template {template}, two business units' intake forms and a Salesforce export")

    def consolidate() -> str:
        files = on_file("consolidate", portfolio, ConsolidateOptions(folder=inbox, as_of=as_of)).figures.files
        return (f"consolidate: {len(files)} forms, {sum(o.new + o.updated for o in files)} requests merged, "
                f"{sum(len(o.rejected) for o in files)} rows rejected")

    def import_crm() -> str:
        o = on_file("import-crm", portfolio, ImportCrmOptions(export=export, as_of=as_of)).figures
        return (f"import-crm: {o.rows_read} Salesforce opportunities read: {o.new} new, {o.updated} changed, "
                f"{o.unchanged} unchanged, {len(o.rejected)} rejected")

    def validate() -> str:
        reports["validate"] = report = on_file("validate", portfolio, ValidateOptions(as_of=as_of)).report
        return f"validate: {counts(report)}"

    def accept() -> str:
        s = on_file("accept", portfolio, AcceptOptions(as_of=as_of)).figures
        return (f"accept: {len(s.created)} requests became items at DI1 Defined, "
                f"{len(s.refused)} marked requests refused because of errors")

    def score() -> str:
        outcome = on_file("score", portfolio, ScoreOptions(as_of=as_of))
        return "score: " + ", ".join(f"{n} {t} rows ranked" for t, n in outcome.figures.scored.items())

    def select() -> str:
        s = on_file("select", portfolio, SelectOptions(budget=DEMO_BUDGET, as_of=as_of)).figures
        return (f"select: {len(s.chosen)} of {s.candidates} candidates chosen for {s.cost:,.0f} "
                f"of a {DEMO_BUDGET:,.0f} budget ({s.status}); Scenario sheet with the efficient frontier")

    def gates() -> str:
        outcome = on_file("gates", portfolio, GatesOptions(as_of=as_of))
        reports["gates"], g = outcome.report, outcome.figures
        return (f"gates: {len(g.applied)} moves applied, {len(g.refused)} refused; "
                f"{len(g.baselined)} items passed DI4, their plan frozen on the Baseline sheet; ledger {g.ledger_rows} "
                f"rows; {counts(outcome.report)}")

    def rollup() -> str:
        outcome = on_file("rollup", portfolio, RollupOptions(as_of=as_of))
        reports["rollup"] = outcome.report
        return f"rollup: {outcome.figures.items} items rolled up; {counts(outcome.report)}; Dashboard with native charts"

    def report() -> str:
        pack = folder / "steering-pack.html"
        outcome = on_file("report", portfolio, ReportOptions(out=pack, as_of=as_of))
        return f"report: steering-committee pack {outcome.written} ({outcome.figures.charts} charts)"

    def verify() -> str:
        outcome = on_file("verify", portfolio)
        return (f"verify: ledger of {outcome.figures.rows} rows "
                + ("intact, every Stage and State the ledger's" if outcome.figures.intact else verdict(outcome.report)))

    steps = [write, consolidate, import_crm, validate, accept, score, select, gates, rollup, report, verify]
    with Steps(console, "demo", len(steps), elapsed=True) as progress:
        for step in steps:
            progress.start(step.__name__.replace("_", "-"))
            lines.append(step())
    result = DemoResult({"portfolio": portfolio, "template": template}, reports,
                        *locate(demo.problems, reports, read_tables(portfolio, SUBJECT_TABLES)),
                        *value_figures(demo.tables))
    for line in lines:
        console.print(line, soft_wrap=True)
    for line in summary(result):
        console.print(line, soft_wrap=True, markup=False, highlight=False)
    console.print(f"Open [bold]{portfolio}[/]: the Dashboard, the Findings sheet (each cell is a link), the "
                  "Intake sheet's Validation, Score and Rank columns, the Consolidation, CRM Import, Scenario, "
                  f"Baseline, Ledger and Rollup sheets, and [bold]{folder / 'steering-pack.html'}[/] in a browser.")
    return result


def counts(report: Report) -> str:
    return report.tally


# The column naming what a finding's row is about, per sheet (see Problem.subject).
SUBJECT = {INTAKE.sheet: (INTAKE, "request_id"), ITEMS.sheet: (ITEMS, "item_id"),
           FINANCIALS.sheet: (FINANCIALS, "item_id"), DEPENDENCIES.sheet: (DEPENDENCIES, "successor_id"),
           CAPACITY.sheet: (CAPACITY, "function")}
SUBJECT_TABLES = tuple(table for table, _ in SUBJECT.values())


def subject_of(finding: Finding, tables: Book) -> str | None:
    """The ID (or function) in the key column of the row a finding is on."""
    table, column = SUBJECT.get(finding.sheet, (None, None))
    target = tables.table(table.name) if table else None
    if target is None or finding.row is None or finding.row not in target.frame.index:
        return None
    value = target.frame.at[finding.row, column]
    return None if is_blank(value) else str(value).strip()


def locate(problems: list[Problem], reports: dict[str, Report], tables: Book
           ) -> tuple[list[tuple[Problem, Finding | None]], list[Finding]]:
    """Each problem with the first finding that reports it; and every error no problem explains.

    A problem's own row may raise more than its code (a new CRM row also lacks its sponsor): those
    findings belong to the problem too.
    """
    findings = [f for r in reports.values() for f in r.findings]
    subjects = [(f, subject_of(f, tables)) for f in findings]
    mine = {(p.sheet, p.subject) for p in problems}
    found = [(p, next((f for f, s in subjects if f.code == p.code and f.sheet == p.sheet and s == p.subject), None))
             for p in problems]
    others = [f for f, s in subjects if f.severity is Severity.ERROR and (f.sheet, s) not in mine]
    return found, others


def value_figures(tables: dict[str, list[dict]]) -> tuple[dict[str, float], dict[str, float]]:
    """The measures' estimated value per year and the plan's cost and benefit, as the demo wrote them;
    and per category the planned benefit per unit of planned cost."""
    category = {i["item_id"]: i.get("category") for i in tables["Items"]}
    plan = {"Cost": 0.0, "Benefit": 0.0}
    by_category: dict[tuple[str, str], float] = {}
    for row in tables["Financials"]:
        plan[row["flow"]] += row["plan"]
        key = (category[row["item_id"]], row["flow"])
        by_category[key] = by_category.get(key, 0.0) + row["plan"]
    value = sum(i["estimated_value"] for i in tables["Items"] if i.get("level") == "Measure")
    returns = {c: by_category.get((c, "Benefit"), 0.0) / cost
               for (c, flow), cost in sorted(by_category.items()) if flow == "Cost" and cost}
    return ({"estimated value": value, "planned cost": plan["Cost"], "planned benefit": plan["Benefit"],
             "net": plan["Benefit"] - plan["Cost"]}, returns)


def summary(result: DemoResult) -> list[str]:
    f = result.figures
    months = f["planned benefit"] / (f["estimated value"] / 12) if f["estimated value"] else 0
    out = [
        "",
        f"The plan: cost {f['planned cost']:,.0f}, benefit {f['planned benefit']:,.0f}, net value "
        f"{f['net']:,.0f} over {HORIZON} months. Benefit per unit of cost by category: "
        + ", ".join(f"{c} {r:.1f}" for c, r in sorted(result.returns.items(), key=lambda kv: -kv[1]))
        + " (compliance work is mandatory, not a money maker).",
        f"Estimated value and planned benefit: a measure's Estimated value is its benefit per year once it is "
        f"live (the requester's or owner's estimate, here twelve times the monthly benefit it books from go-live); "
        f"its planned benefit is the part of that value the plan books month by month in Financials, from go-live "
        f"to the measure's end date. So the Dashboard's estimated value per year ({f['estimated value']:,.0f}, "
        f"Measure level) and the planned benefit of all months ({f['planned benefit']:,.0f}) differ by how many "
        f"months the plan holds: {months:.1f} on average.",
        "",
        f"Planted problems ({len(result.problems)}), each as a PMO meets it:",
    ]
    for n, (problem, finding) in enumerate(result.problems, start=1):
        where = f"{finding.location()}" if finding else "NOT FOUND (a bug in the demo)"
        out.append(f"{n}. {problem.code} at {where}, {problem.subject} {problem.name}: {problem.what}. "
                   f"The PMO would {problem.action}.")
    if result.others:
        out.append(f"Other errors ({len(result.others)}), which the demo did not plant: "
                   + "; ".join(f"{x.code} at {x.location()}" for x in result.others[:5]))
    return out


def write_inbox(folder: Path, as_of: dt.date, seed: int = 7, *, clean: bool = False) -> list[Path]:
    """Intake workbooks as business units send them back: good, outdated, wrong and broken.

    `clean`: only the two forms, every request in them well formed (the demo's inbox).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, unit in enumerate(("sales", "operations")):
        rows = sample_intake(as_of, seed + 10 + n, count=20, clean=clean)
        if clean and unit == "operations":  # its old form has no Regulation reference to give
            for row in rows:
                if row["category"] == "Compliance":
                    row["category"], row["regulation_ref"] = "Risk reduction", None
        for i, row in enumerate(rows, start=1):
            row["request_id"] = f"{unit[:3].upper()}-{i:03d}"
            row["title"] = f"{row['title']} [{unit}]"
        path = folder / f"{unit}.xlsx"
        save_new(intake_form(rows, version="1.1" if unit == "sales" else "1.0"), path)
        written.append(path)
    if clean:
        return written
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




def write_crm_export(path: Path, as_of: dt.date, opportunities: list[dict] | None = None) -> Path:
    """A Salesforce opportunity report as account teams export it (US dates, a footer).

    Without `opportunities`, twelve for one account, one with an amount of 'TBD'; with them (see
    demo_portfolio.crm_opportunities), those, in euros.
    """
    lines = ["Opportunity ID,Opportunity Name,Account Name,Account ID,Amount,Close Date,Created Date,"
             "Description,Opportunity Owner,Stage" + (",Opportunity Currency" if opportunities else "")]
    if opportunities:
        for o in opportunities:
            lines.append(f"{o['id']},{o['name']},{o['account']},{o['account_id']},\"{o['amount']:,.2f}\","
                         f"{o['close']:%m/%d/%Y},{o['created']:%m/%d/%Y},\"{o['description']}\",{o['owner']},"
                         "Proposal,EUR")
    else:
        for n in range(1, 13):
            created, close = as_of - dt.timedelta(days=10 * n), as_of + dt.timedelta(days=30 * n)
            amount = "TBD" if n == 7 else f'"{n * 12_500:,.2f}"'
            lines.append(f"0065g0000{n:06d},Opportunity {n},Acme Retail,C-{10000 + n},{amount},"
                         f"{close:%m/%d/%Y},{created:%m/%d/%Y},\"Expansion, phase {n}\",Anna Berger,Proposal")
    lines += ["", '"Confidential Information - Do Not Distribute"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path
