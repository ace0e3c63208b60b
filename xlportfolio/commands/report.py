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
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from pydantic import ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.report_charts import chart_images
from xlportfolio.commands.verify import ledger_findings, ledger_rows
from xlportfolio.core.gates.baseline import BASELINE_SHEET, read_baseline
from xlportfolio.core.report.agenda import decisions, decisions_needed, gate_moves, item_names, top_risks
from xlportfolio.core.report.summary import summary
from xlportfolio.core.rollup.dashboard.figures import dashboard_data
from xlportfolio.errors import XlPortfolioError
from xlportfolio.excel import templates
from xlportfolio.schema import APPROVALS, CAPACITY, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS
from xlportfolio.user_config import ledger_key

TEMPLATE = "report.html.j2"
DEFAULT_DAYS = 30  # the report looks back a month unless told otherwise
BOOK_TABLES = [ITEMS, FINANCIALS, RISKS, CAPACITY, APPROVALS, MILESTONES, DEPENDENCIES, GATES.table]


class Options(BaseOptions):
    model_config = ConfigDict(title="ReportOptions")

    out: Path = Field(description="The HTML file to write, e.g. pack.html.")
    since: dt.date | None = Field(None, description=f"Gate moves and decisions since this day; default "
                                  f"{DEFAULT_DAYS} days before as_of.")


class Figures(BaseFigures):
    model_config = ConfigDict(title="ReportFigures")

    as_of: dt.date
    since: dt.date
    gate_moves: int
    decisions: int
    decisions_needed: int
    risks: int = Field(description="Top risks listed.")
    charts: int
    notes: list[str] = Field(description="What the figures could not count, as the Dashboard notes it.")


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Write the steering-committee pack of an open workbook (a file or a book open in Excel) to
    options.out (HTML); the workbook is only read."""
    check_workbook(wb, "report")
    out = options.out
    as_of, since = _check(wb.source, out, options.since, options.as_of)
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
    figures = Figures(as_of=as_of, since=since, gate_moves=len(context["moves"]), decisions=len(context["decisions"]),
                      decisions_needed=len(context["needed"]), risks=len(context["risks"]),
                      charts=len(context["charts"]), notes=list(data.notes))
    outcome = Outcome.of("report", f"Steering-committee pack from {since.isoformat()} to {as_of.isoformat()}: "
                         f"{figures.gate_moves} gate moves, {figures.decisions} decisions, {figures.decisions_needed} "
                         f"decisions needed, {figures.risks} top risks, {figures.charts} charts.",
                         details=figures.notes, figures=figures)
    outcome.written = out
    return outcome


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

def render(context: dict[str, Any]) -> str:
    try:
        return templates.render(TEMPLATE, **context)
    except FileNotFoundError as exc:
        raise XlPortfolioError(None, f"the report template is missing: {exc}") from exc
    except TemplateError as exc:  # a broken template is our bug, but it still gets a message, not a traceback
        raise XlPortfolioError(templates.template_path(TEMPLATE),
                               f"the report template cannot be rendered: {exc}") from exc


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
