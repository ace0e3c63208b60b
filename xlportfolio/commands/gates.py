"""gates: check every requested stage move, apply the passing ones and record them in the ledger."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.decisions import decision_entries, states_after_decisions
from ..core.findings import Report
from ..core.gates import GateResult, check_gates
from ..core.ledger import Entry, append, chain_head, keyed_rows, ledger_sheet, stamp
from ..core.plan import ColumnWrite, GeneratedSheet
from ..core.statuses import derive_statuses
from ..core.validate import findings_sheet, marks_for
from ..core.values import as_date
from ..errors import XlPortfolioError
from ..files.workbook import open_book
from ..schema import APPROVALS, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS
from ..user_config import how_to_set_key, ledger_key
from .base import Outcome, Workbook
from .needs import check_workbook
from .verify import HEAD_PROPERTY, ledger_findings, ledger_rows

BASELINE_SHEET = "Baseline"
BASELINE_HEADER = ("Item ID", "Period", "Flow", "Recurrence", "Plan", "Frozen on")
BASELINE_KEYS = ("item_id", "period", "flow", "recurrence", "plan")


@dataclass
class GatesOutcome:
    result: GateResult
    report: Report
    ledger_rows: int
    written: Path | None


class LedgerTampered(XlPortfolioError):
    """The ledger does not verify: nothing may be chained onto it."""


def gates_file(path: str | Path, *, output: str | Path | None = None, as_of: dt.date | None = None,
               now: dt.datetime | None = None) -> GatesOutcome:
    with open_book(path, output=output) as wb:
        outcome = gates_on(wb, as_of=as_of, now=now)
        outcome.written = wb.save()
    return outcome


def run(wb: Workbook) -> Outcome:
    """The ribbon's Gates button."""
    outcome = gates_on(wb)
    result = outcome.result
    details = [f"{m.item}: {m.from_stage} -> {m.to_stage} ({m.decision} by {m.who or 'owner'})"
               for m in result.applied[:20]]
    details += [f"Items row {row}: " + " ".join(lines) for row, lines in list(result.refused.items())[:20]]
    return Outcome(f"{len(result.applied)} moves applied, {len(result.refused)} refused (the reasons are in the "
                   f"notes on the Requested stage cells). The ledger has {outcome.ledger_rows} rows.",
                   1 if result.refused else 0, outcome.report, details)


def gates_on(wb: Workbook, *, as_of: dt.date | None = None, now: dt.datetime | None = None) -> GatesOutcome:
    check_workbook(wb, "gates")
    as_of = as_of or dt.date.today()
    existing = ledger_rows(wb)
    key = ledger_key()
    # Chaining new rows onto a forged, cut-off or unanchored ledger would hide the forgery.
    tampered = ledger_findings(wb, key)
    if tampered:
        raise LedgerTampered(wb.source, f"the ledger does not verify ({tampered[0].location()}: "
                             f"{tampered[0].message}). No gate was moved; run xlportfolio verify.")
    if key is None and keyed_rows(existing):  # rows added without the key would break its proof of authorship
        raise LedgerTampered(wb.source, f"the ledger is keyed, and gates records moves only with its key: "
                             f"{how_to_set_key()}. No gate was moved.")
    book = wb.read([ITEMS, FINANCIALS, MILESTONES, APPROVALS, DEPENDENCIES, RISKS, GATES.table])
    if ITEMS.name not in book.tables:
        raise XlPortfolioError(wb.source, "there is no Items table; gates runs on the portfolio workbook.")
    baseline = read_baseline(wb)
    result = check_gates(book, as_of, baseline)
    frozen = baseline + result.baseline_rows
    implementation, potential, checks, status_findings = derive_statuses(book, as_of, frozen)
    when = stamp(now or dt.datetime.now(dt.UTC))
    entries = decision_entries(book.table(APPROVALS.name), existing)
    entries += [Entry(when, str(m.who or ""), str(m.item), str(m.from_stage), str(m.to_stage), str(m.decision),
                      str(m.reason or "")) for m in result.applied]
    ledger = [r for r in existing if any(v is not None for v in r)] + append(existing, entries, key.secret if key else None)
    report = Report.of(result.findings + status_findings)
    plan = result.plan
    plan.scope = "gates"
    items = book.tables[ITEMS.name]
    plan.columns.append(ColumnWrite(ITEMS.name, items.sheet, items.header("state"),
                                    states_after_decisions(items, book.table(APPROVALS.name)),
                                    clear_other_rows=False))
    plan.columns += [ColumnWrite(ITEMS.name, items.sheet, items.header(name), values) for name, values in (
        ("derived_implementation_status", implementation), ("derived_potential_status", potential),
        ("status_check", checks))]
    # Refusals already carry their own note on the Requested stage cell; mark the other findings.
    refusal_column = items.letters.get("requested_stage")
    plan.marks += [m for m in marks_for(report) if (m.sheet, m.column) != (items.sheet, refusal_column)]
    plan.sheets += [ledger_sheet(ledger), baseline_sheet(baseline, result.baseline_rows, as_of),
                    findings_sheet(report, "gates", "every request passed and every rating fits the evidence")]
    wb.apply(plan)
    wb.set_property(HEAD_PROPERTY, chain_head(ledger))
    return GatesOutcome(result, report, len(ledger), None)


def read_baseline(wb: Workbook) -> list[dict]:
    rows = (wb.sheet_rows(BASELINE_SHEET) or [])[1:]
    return [dict(zip(BASELINE_KEYS, r[:len(BASELINE_KEYS)])) for r in rows if r and r[0]]


def baseline_sheet(old: list[dict], new: list[dict], as_of: dt.date) -> GeneratedSheet:
    """Frozen plans: rows already frozen keep their date; an item enters only once, at DI4."""
    frozen_before = {str(r["item_id"]) for r in old}
    rows = [tuple(r.get(k) for k in BASELINE_KEYS) + (r.get("frozen_on"),) for r in old]
    rows += [tuple(_day(r.get(k)) for k in BASELINE_KEYS) + (as_of,) for r in new
             if str(r["item_id"]) not in frozen_before]
    return GeneratedSheet(BASELINE_SHEET, BASELINE_HEADER, tuple(rows), (12, 12, 10, 12, 14, 12))


def _day(value):
    return as_date(value) or value
