"""One gates run on a read workbook: the moves checked, the ledger extended, statuses derived, all as one plan.

The command reads the workbook (and the ledger, once it verifies) and applies the plan; what the
run decides is here: which moves pass, what the ledger records, and what the findings say.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlportfolio.core.book import Book
from xlportfolio.core.findings import Report, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.gates.baseline import baseline_sheet, read_baseline, read_baseline_items
from xlportfolio.core.gates.decisions import decision_entries, states_after_decisions
from xlportfolio.core.gates.ledger import REFUSED, TOOL, Entry, append, ledger_sheet
from xlportfolio.core.gates.moves import GateResult, check_gates
from xlportfolio.core.gates.positions import added_by_hand, bypasses, opening_entries, read_ledger
from xlportfolio.core.gates.statuses import STAGES, column, derive_statuses
from xlportfolio.core.plan import ColumnWrite, EditPlan
from xlportfolio.core.settings import read_settings
from xlportfolio.core.values import is_blank
from xlportfolio.errors import XlPortfolioError
from xlportfolio.schema import APPROVALS, ITEMS


@dataclass
class GatesPlan:
    result: GateResult
    report: Report
    plan: EditPlan
    ledger: list[tuple]  # the Ledger sheet's rows as this run leaves them


def gates_plan(book: Book, existing: list[tuple], secret: bytes | None, baseline: list[tuple] | None,
               as_of: dt.date, when: str) -> GatesPlan:
    """The run on `book`: `existing` is the verified ledger's rows, `secret` its key (None when unkeyed),
    `baseline` the Baseline sheet's rows as read, `when` the ledger's stamp for new rows."""
    if ITEMS.name not in book.tables:
        raise XlPortfolioError(book.source, "there is no Items table; gates runs on the portfolio workbook.")
    items, stages = book.tables[ITEMS.name], tuple(book.lists.get("Stage") or STAGES)
    before = read_ledger(existing)
    frozen, frozen_items = read_baseline(baseline), read_baseline_items(baseline)
    result = check_gates(book, as_of, frozen, before, frozen_items)
    implementation, potential, checks, status_findings = derive_statuses(book, as_of, frozen + result.baseline_rows)
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
    ledger = [r for r in existing if any(v is not None for v in r)] + append(existing, entries, secret)
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
    plan.sheets += [ledger_sheet(ledger), baseline_sheet(baseline, result.baseline_rows, result.baseline_items, as_of,
                                                         read_settings(book).currency),
                    findings_sheet(report, "gates", "every request passed, every stage and state is the ledger's "
                                   "and every rating fits the evidence")]
    return GatesPlan(result, report, plan, ledger)


def _cells(items, name: str) -> dict[int, object]:
    return {int(r): None if is_blank(v) else v for r, v in column(items.frame, name).items()}
