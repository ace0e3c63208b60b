"""report: the steering-committee pack, one self-contained HTML file read from a portfolio workbook.

The workbook is only read. The pack shows the portfolio's key figures and the Dashboard sheet's
charts (the same figures: both come from `core.dashboard.dashboard_data`), the gate moves and
decisions since a date, the decisions the committee still has to take, and the top risks.
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
from xlportfolio.commands.gates import read_baseline
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.report_charts import chart_images
from xlportfolio.commands.verify import ledger_findings, ledger_rows
from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.formats import heat_fill, status_meaning
from xlportfolio.core.gates.ledger import REFUSED
from xlportfolio.core.gates.moves import check_gates, read_criteria
from xlportfolio.core.gates.positions import read_ledger
from xlportfolio.core.gates.statuses import stage_at, text
from xlportfolio.core.rollup.dashboard.figures import MEASURES, DashboardData, dashboard_data
from xlportfolio.core.rollup.dashboard.formulas import number, value_of
from xlportfolio.core.values import as_date, as_id, is_blank, is_number, show
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.workbook import read_book_file
from xlportfolio.schema import APPROVALS, CAPACITY, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS, STAGES
from xlportfolio.user_config import ledger_key

TEMPLATES = Path(__file__).resolve().parents[1] / "excel" / "templates"
TEMPLATE = "report.html.j2"
DEFAULT_DAYS = 30  # the report looks back a month unless told otherwise
TOP_RISKS = 10
ALERTS = ("Items on hold", "Implementation status", "Potential status")  # key figures that flag trouble
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
    names = _names(book.tables[ITEMS.name])
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
        "needed": decisions_needed(book, as_of, read_baseline(wb), ledger),
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


# --- what the pack shows ---------------------------------------------------------------------------------------------

def _names(items: SheetTable) -> dict[str, str]:
    """Item key (case-folded ID) -> its name, to put a name beside every ID."""
    frame = items.frame
    if "item_id" not in frame:
        return {}
    names = frame["name"] if "name" in frame else [None] * len(frame)
    return {key.casefold(): text(name) for key, name in zip(map(as_id, frame["item_id"]), names) if key}


def _name(names: dict[str, str], item: Any) -> str:
    key = as_id(item)
    return names.get(key.casefold(), "") if key else ""


def _cell_text(value: Any) -> str:
    return "" if is_blank(value) else show(value)


def summary(data: DashboardData) -> dict[str, Any]:
    """The key figures, the money table and the status matrix as plain numbers for the template."""
    cost, benefit = data.flows
    money = [(flow, [value_of(data.money.get((m, flow))) for m in MEASURES]) for flow in (cost, benefit)]
    if data.money:
        money.append(("Net value", [data.net(m) if (m, cost) in data.money else None for m in MEASURES]))
    # (label, value, whether a number above 0 asks for attention)
    figures = [(label, value_of(cell), label.startswith(ALERTS)) for label, cell in data.key_figures]
    if data.stages:
        level = f" ({data.value_level} level)" if data.value_level else ""
        figures.append((f"Estimated value per year{level}", data.total_value, False))
    if data.weighted:
        figures.append(("Stage-weighted value per year", data.weighted_value, False))
    matrix = [(i, [(p, int(number(data.matrix[(i, p)]))) for p in data.statuses]) for i in data.statuses]
    largest = max((n for _, row in matrix for _, n in row), default=0)
    return {
        "figures": figures,
        "money": money if data.money else [],
        "measures": [data.measures[m] for m in MEASURES],
        "levels": [(lvl, value_of(c)) for lvl, c in data.levels],
        # Each cell in the Dashboard's colour: what the pair means, fuller the more items it holds.
        "matrix": [(i, [(n, "#" + heat_fill(status_meaning(data.statuses, i, p), n, largest)) for p, n in row])
                   for i, row in matrix],
        "statuses": list(data.statuses),
        "currency": data.currency,
    }


def _day(value: Any) -> dt.date | None:
    """A ledger's When ('2026-06-30T14:05:09Z', or a date typed over it) as a date."""
    if (day := as_date(value)) is not None:
        return day
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def gate_moves(rows: list[tuple], since: dt.date, as_of: dt.date, names: dict[str, str]) -> list[dict[str, str]]:
    """Stage moves the ledger recorded in the period, oldest first.

    Ledger columns: Seq, When, Who, Item, From, To, Decision, Reason. Rows without a From stage
    are Approvals decisions copied into the ledger; the pack lists those from Approvals.
    """
    out = []
    for row in rows:
        cells = (tuple(row) + (None,) * 8)[:8]
        day = _day(cells[1])
        if day is None or not since <= day <= as_of or is_blank(cells[4]) or _cell_text(cells[6]) == REFUSED:
            continue  # a refusal moved nothing: the pack lists it among the decisions still needed
        out.append({"date": day.isoformat(), "item": _cell_text(cells[3]), "name": _name(names, cells[3]),
                    "from": _cell_text(cells[4]), "to": _cell_text(cells[5]), "decision": _cell_text(cells[6]),
                    "who": _cell_text(cells[2]), "reason": _cell_text(cells[7])})
    return sorted(out, key=lambda m: m["date"])


def decisions(approvals: SheetTable | None, since: dt.date, as_of: dt.date,
              names: dict[str, str]) -> list[dict[str, str]]:
    """Decisions recorded in Approvals in the period, oldest first."""
    if approvals is None:
        return []
    out = []
    for row, rec in approvals.frame.iterrows():
        day = as_date(rec.get("decided_on"))
        if day is None or not since <= day <= as_of:
            continue
        out.append({"date": day.isoformat(), "item": _cell_text(rec.get("item_id")),
                    "name": _name(names, rec.get("item_id")), "gate": _cell_text(rec.get("gate")),
                    "role": _cell_text(rec.get("role")), "approver": _cell_text(rec.get("approver")),
                    "decision": _cell_text(rec.get("decision")), "reason": _cell_text(rec.get("reason")),
                    "cell": f"{approvals.sheet}!A{row}"})
    return sorted(out, key=lambda d: (d["date"], d["cell"]))


def decisions_needed(book: Book, as_of: dt.date, baseline: list[dict],
                     rows: list[tuple] | None = None) -> list[dict[str, Any]]:
    """Items whose Requested stage differs from their Stage: what the gate still lacks, and whose approval."""
    items = book.tables[ITEMS.name]
    frame = items.frame
    if "requested_stage" not in frame:
        return []
    stages = tuple(book.lists.get("Stage") or STAGES)
    criteria = read_criteria(book.table(GATES.table.name))
    ledger = read_ledger(rows) if rows else None
    check = check_gates(book, as_of, baseline, ledger)  # pure: it only says what a gates run would do
    passing = {m.row for m in check.applied}
    approvals = _approvals_by_item(book.table(APPROVALS.name), stages)
    out = []
    for row, rec in frame.iterrows():
        asked, now = rec.get("requested_stage"), rec.get("stage")
        if is_blank(asked):
            continue
        target, current = stage_at(asked, stages), stage_at(now, stages)
        if target is not None and target == current:
            continue
        key, owner = (as_id(rec.get("item_id")) or "").casefold(), text(rec.get("owner")).casefold()
        roles = [c.target for c in criteria if c.kind == "approval" and stage_at(c.stage, stages) == target]
        given = {a["role"] for a in approvals.get((key, target), [])
                 if a["decision"] == "approve" and a["approver"] and a["approver"].casefold() != owner}
        missing = [r for r in roles if r.casefold() not in given]
        latest = approvals.get((key, target), [])
        out.append({
            "item": _cell_text(rec.get("item_id")), "name": text(rec.get("name")), "level": text(rec.get("level")),
            "owner": text(rec.get("owner")), "sponsor": text(rec.get("sponsor")),
            "stage": _cell_text(now) or "no stage", "requested": _cell_text(asked),
            "missing_approvals": missing,
            "latest": f"{latest[-1]['decision']} by {latest[-1]['approver'] or 'someone'}"
                      f" on {latest[-1]['day'] or 'an unknown date'}" if latest else "",
            "ready": int(row) in passing,
            "gaps": check.refused.get(int(row), []),
            "cell": f"{items.sheet}!{items.letters.get('requested_stage', 'A')}{row}",
        })
    return out


def _approvals_by_item(approvals: SheetTable | None, stages: tuple[str, ...]) -> dict[tuple[str, int], list[dict]]:
    """(item key, gate index) -> its decisions, oldest first."""
    if approvals is None:
        return {}
    out: dict[tuple[str, int], list[dict]] = {}
    for row, rec in approvals.frame.iterrows():
        key, gate = (as_id(rec.get("item_id")) or "").casefold(), stage_at(rec.get("gate"), stages)
        if not key or gate is None:
            continue
        day = as_date(rec.get("decided_on"))
        out.setdefault((key, gate), []).append({
            "role": text(rec.get("role")).casefold(), "approver": text(rec.get("approver")),
            "decision": text(rec.get("decision")).casefold(), "day": day.isoformat() if day else "",
            "order": (day or dt.date.min, int(row))})
    for decided in out.values():
        decided.sort(key=lambda a: a["order"])
    return out


def top_risks(risks: SheetTable | None, names: dict[str, str], limit: int = TOP_RISKS) -> list[dict[str, Any]]:
    """The risks with the highest probability x impact; rows without both numbers are left out."""
    if risks is None:
        return []
    scored = []
    for row, rec in risks.frame.iterrows():
        p, i = rec.get("probability"), rec.get("impact")
        if not (is_number(p) and is_number(i)):
            continue
        scored.append({"risk": _cell_text(rec.get("risk_id")), "item": _cell_text(rec.get("item_id")),
                       "name": _name(names, rec.get("item_id")), "title": _cell_text(rec.get("title")),
                       "probability": p, "impact": i, "score": p * i, "owner": _cell_text(rec.get("owner")),
                       "mitigation": _cell_text(rec.get("mitigation")), "row": int(row)})
    scored.sort(key=lambda r: (-r["score"], -r["impact"], r["row"]))
    return scored[:limit]


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
