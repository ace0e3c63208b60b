"""gates: check every requested stage move, apply the passing ones and record them in the ledger."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.verify import HEAD_PROPERTY, checked_ledger
from xlportfolio.core.findings import Report
from xlportfolio.core.gates.apply import gates_plan
from xlportfolio.core.gates.baseline import BASELINE_SHEET
from xlportfolio.core.gates.ledger import chain_head, stamp
from xlportfolio.core.gates.moves import GateResult
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import APPROVALS, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS


@dataclass
class GatesOutcome:
    result: GateResult
    report: Report
    ledger_rows: int
    written: Path | None


def gates_file(path: str | Path, *, output: str | Path | None = None, as_of: dt.date | None = None,
               now: dt.datetime | None = None) -> GatesOutcome:
    with open_book(path, output=output) as wb:
        outcome = gates_on(wb, as_of=as_of, now=now)
        outcome.written = wb.save()
    return outcome


def run(wb: Workbook) -> Outcome:
    """The ribbon's Gates button."""
    outcome = gates_on(wb)
    result, report = outcome.result, outcome.report
    details = [move_line(m) for m in result.applied[:20]]
    details += [refusal_line(r) for r in list(result.refusals.values())[:20]]
    details += [f"{f.location()}: {f.message}" for f in report.findings
                if f.severity == "error" and f.code != "gate-refused"][:20]
    bypassed = sum(f.severity == "error" and f.code != "gate-refused" for f in report.findings)
    return Outcome(f"{len(result.applied)} moves applied, {len(result.refused)} refused (the reasons are in the "
                   f"notes on the Requested stage cells)" + (f", {bypassed} other errors" if bypassed else "")
                   + f". The ledger has {outcome.ledger_rows} rows.", 1 if report.errors else 0, report, details)


def move_line(m) -> str:
    return f"{m.label or m.item}: {m.from_stage} -> {m.to_stage} ({m.decision} by {m.who or 'owner'})"


def refusal_line(r) -> str:
    """A refusal as the CLI and the ribbon show it: the item by ID and name, its cell, and why."""
    return f"{r.label} ({r.cell}): move to {r.to_stage} refused since {r.since.isoformat()}: " + " ".join(r.lines)


def gates_on(wb: Workbook, *, as_of: dt.date | None = None, now: dt.datetime | None = None) -> GatesOutcome:
    check_workbook(wb, "gates")
    as_of = as_of or dt.date.today()
    existing, key = checked_ledger(wb, "No gate was moved")
    book = wb.read([ITEMS, FINANCIALS, MILESTONES, APPROVALS, DEPENDENCIES, RISKS, GATES.table])
    planned = gates_plan(book, existing, key.secret if key else None, wb.sheet_rows(BASELINE_SHEET), as_of,
                         stamp(now or dt.datetime.now(dt.UTC)))
    wb.apply(planned.plan)
    wb.set_property(HEAD_PROPERTY, chain_head(planned.ledger))
    return GatesOutcome(planned.result, planned.report, len(planned.ledger), None)
