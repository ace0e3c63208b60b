"""gates: check every requested stage move, apply the passing ones and record them in the ledger."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.baseline import BASELINE_SHEET, baseline_sheet, read_baseline, read_baseline_items
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.verify import HEAD_PROPERTY, checked_ledger
from xlportfolio.core.findings import Report, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.gates.decisions import decision_entries, states_after_decisions
from xlportfolio.core.gates.ledger import REFUSED, TOOL, Entry, append, chain_head, ledger_sheet, stamp
from xlportfolio.core.gates.moves import GateResult, check_gates
from xlportfolio.core.gates.positions import added_by_hand, bypasses, opening_entries, read_ledger
from xlportfolio.core.gates.statuses import STAGES, column, derive_statuses
from xlportfolio.core.plan import ColumnWrite
from xlportfolio.core.settings import read_settings
from xlportfolio.core.values import is_blank
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import APPROVALS, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS

__all__ = ["BASELINE_SHEET", "GatesOutcome", "gates_file", "gates_on", "read_baseline", "run"]


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
    if ITEMS.name not in book.tables:
        raise XlPortfolioError(wb.source, "there is no Items table; gates runs on the portfolio workbook.")
    items, stages = book.tables[ITEMS.name], tuple(book.lists.get("Stage") or STAGES)
    before = read_ledger(existing)
    baseline, baseline_items = read_baseline(wb), read_baseline_items(wb)
    result = check_gates(book, as_of, baseline, before, baseline_items)
    implementation, potential, checks, status_findings = derive_statuses(book, as_of, baseline + result.baseline_rows)
    when = stamp(now or dt.datetime.now(dt.UTC))
    # Stage and State as this run leaves them: moved by a gate, or set by a decision in Approvals.
    stage, state = _cells(items, "stage"), _cells(items, "state")
    states = states_after_decisions(items, book.table(APPROVALS.name))
    # Items the ledger does not know yet join it first, as found, so their moves below chain onto them.
    openings = opening_entries(items, before, when, stage, state)
    stage |= {m.row: m.to_stage for m in result.applied}
    state |= states
    entries = openings + decision_entries(book.table(APPROVALS.name), existing)
    entries += [Entry(when, str(m.who or ""), str(m.item), str(m.from_stage), str(m.to_stage), str(m.decision),
                      str(m.reason or "")) for m in result.applied]
    entries += [Entry(when, TOOL, r.item, r.from_stage, r.to_stage, REFUSED, r.reason)
                for r in result.refusals.values() if r.item and not r.recorded]
    ledger = [r for r in existing if any(v is not None for v in r)] + append(existing, entries, key.secret if key else None)
    ledger_findings = bypasses(items, read_ledger(ledger), stages, stage, state)
    ledger_findings += added_by_hand(items, before, stages, openings)
    report = lead(Report.of(result.findings + status_findings + ledger_findings), book)
    plan = result.plan
    plan.scope = "gates"
    plan.columns.append(ColumnWrite(ITEMS.name, items.sheet, items.header("state"), states, clear_other_rows=False))
    plan.columns += [ColumnWrite(ITEMS.name, items.sheet, items.header(name), values) for name, values in (
        ("derived_implementation_status", implementation), ("derived_potential_status", potential),
        ("status_check", checks))]
    # Refusals already carry their own note on the Requested stage cell; mark the other findings.
    refusal_column = items.letters.get("requested_stage")
    plan.marks += [m for m in marks_for(report) if (m.sheet, m.column) != (items.sheet, refusal_column)]
    plan.sheets += [ledger_sheet(ledger), baseline_sheet(wb, result.baseline_rows, result.baseline_items, as_of,
                                                        read_settings(book).currency),
                    findings_sheet(report, "gates", "every request passed, every stage and state is the ledger's "
                                   "and every rating fits the evidence")]
    wb.apply(plan)
    wb.set_property(HEAD_PROPERTY, chain_head(ledger))
    return GatesOutcome(result, report, len(ledger), None)


def _cells(items, name: str) -> dict[int, object]:
    return {int(r): None if is_blank(v) else v for r, v in column(items.frame, name).items()}
