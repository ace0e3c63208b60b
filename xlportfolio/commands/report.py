"""report: the steering-committee pack, one self-contained HTML file read from a portfolio workbook.

The workbook is only read. The pack shows the portfolio's key figures and the Dashboard sheet's
charts (the same figures: both come from `core.rollup.dashboard.dashboard_data`), the gate moves and
decisions since a date, the decisions the committee still has to take, and the top risks. What the
pack shows is gathered in `core.report`; this module draws the charts and renders the HTML.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from xlportfolio.commands.base import Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.report_charts import chart_images
from xlportfolio.commands.verify import ledger_findings, ledger_rows
from xlportfolio.core.gates.baseline import BASELINE_SHEET, read_baseline
from xlportfolio.core.report.agenda import decisions, decisions_needed, gate_moves, item_names, top_risks
from xlportfolio.core.report.summary import summary
from xlportfolio.core.rollup.dashboard import dashboard_data
from xlportfolio.core.values import is_number
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.workbook import read_book_file
from xlportfolio.schema import APPROVALS, CAPACITY, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS
from xlportfolio.user_config import ledger_key

TEMPLATES = Path(__file__).resolve().parents[1] / "excel" / "templates"
TEMPLATE = "report.html.j2"
DEFAULT_DAYS = 30  # the report looks back a month unless told otherwise
BOOK_TABLES = [ITEMS, FINANCIALS, RISKS, CAPACITY, APPROVALS, MILESTONES, DEPENDENCIES, GATES.table]


@dataclass
class ReportResult:
    written: Path
    as_of: dt.date
    since: dt.date
    gate_moves: int
    decisions: int
    decisions_needed: int
    risks: int
    charts: int
    notes: list[str] = field(default_factory=list)


def report_file(path: str | Path, out: Path, *, since: dt.date | None = None,
                as_of: dt.date | None = None) -> ReportResult:
    """Read the portfolio workbook at `path` (never writing it) and write the pack to `out` (HTML)."""
    _check(path, Path(out), since, as_of)  # before the slow part: reading the workbook
    with read_book_file(path) as wb:
        return report_on(wb, Path(out), since=since, as_of=as_of)


def report_on(wb: Workbook, out: Path, *, since: dt.date | None = None,
              as_of: dt.date | None = None) -> ReportResult:
    """The pack of an open workbook (a file or a book open in Excel), written to `out`."""
    check_workbook(wb, "report")
    as_of, since = _check(wb.source, out, since, as_of)
    book = wb.read(BOOK_TABLES)
    data = dashboard_data(book, as_of)
    ledger = ledger_rows(wb)
    tampered = ledger_findings(wb, ledger_key())
    names = item_names(book.tables[ITEMS.name])
    context = {
        "source": Path(wb.source).name,
        "as_of": as_of,
        "since": since,
        "generated": dt.date.today(),
        "data": data,
        "summary": summary(data),
        "charts": chart_images(data),
        "moves": gate_moves(ledger, since, as_of, names),
        "decisions": decisions(book.table(APPROVALS.name), since, as_of, names),
        "needed": decisions_needed(book, as_of, read_baseline(wb.sheet_rows(BASELINE_SHEET)), ledger),
        "risks": top_risks(book.table(RISKS.name), names),
        "ledger": {"rows": sum(1 for r in ledger if any(v is not None for v in r)),
                   "problems": [f"{f.location()}: {f.message}" for f in tampered]},
    }
    html = render(context)
    _write(out, html)
    return ReportResult(out, as_of, since, len(context["moves"]), len(context["decisions"]), len(context["needed"]),
                        len(context["risks"]), len(context["charts"]), list(data.notes))


def _check(source: str | Path, out: Path, since: dt.date | None, as_of: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period the pack covers; a period that runs backwards or a missing folder stops it."""
    as_of = as_of or dt.date.today()
    since = since or as_of - dt.timedelta(days=DEFAULT_DAYS)
    if since > as_of:
        raise XlPortfolioError(source, f"the report would cover {since.isoformat()} to {as_of.isoformat()}, "
                               "which runs backwards; choose a since date on or before the as-of date.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise XlPortfolioError(out, f"the folder {folder} does not exist; create it or choose another output file.")
    return as_of, since


# --- rendering -------------------------------------------------------------------------------------------------------

def _amount(value: Any) -> str:
    if not is_number(value):
        return "" if value is None else str(value)
    return f"{value:,.0f}" if abs(value) >= 1 or value == 0 else f"{value:,.2f}"


def _money(value: Any, currency: str) -> str:
    """An amount as the workbook's money cells show it: 1,200 €, a negative in parentheses."""
    if not is_number(value):
        return _amount(value)
    text = _amount(abs(value))
    signed = f"{text} {currency}"
    return f"({signed})" if value < 0 else signed


def environment() -> Environment:
    if not (TEMPLATES / TEMPLATE).is_file():
        raise XlPortfolioError(TEMPLATES / TEMPLATE, "the report template is missing; reinstall xlportfolio "
                               "from its source folder (the templates/ folder belongs beside the package).")
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["amount"] = _amount
    env.filters["money"] = _money
    return env


def render(context: dict[str, Any]) -> str:
    try:
        return environment().get_template(TEMPLATE).render(**context)
    except TemplateError as exc:  # a broken template is our bug, but it still gets a message, not a traceback
        raise XlPortfolioError(TEMPLATES / TEMPLATE, f"the report template cannot be rendered: {exc}") from exc


def _write(out: Path, html: str) -> None:
    """Write atomically: a half-written report never replaces a good one."""
    folder = out.parent if str(out.parent) else Path(".")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}.", suffix=".html", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a report is shared like any file
        os.replace(tmp, out)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise XlPortfolioError(out, f"the report cannot be written ({exc.strerror or exc}).") from exc


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
