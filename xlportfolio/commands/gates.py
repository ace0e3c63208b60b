"""gates: check every requested stage move, apply the passing ones and record them in the ledger."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl.packaging.custom import StringProperty

from ..core.decisions import decision_entries, states_after_decisions
from ..core.findings import Report
from ..core.gates import GateResult, check_gates
from ..core.ledger import Entry, append, chain_head, ledger_sheet, stamp, verify
from ..core.plan import ColumnWrite, GeneratedSheet
from ..core.statuses import derive_statuses
from ..core.validate import findings_sheet, marks_for
from ..core.values import as_date
from ..errors import XlPortfolioError
from ..files.reader import read_book
from ..files.workbook import open_book
from ..files.writer import apply_plan
from ..schema import APPROVALS, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS
from .verify import HEAD_PROPERTY, ledger_rows, stored_head

BASELINE_SHEET = "Baseline"
BASELINE_HEADER = ("Item ID", "Period", "Flow", "Recurrence", "Plan", "Frozen on")
BASELINE_KEYS = ("item_id", "period", "flow", "recurrence", "plan")


@dataclass
class GatesOutcome:
    result: GateResult
    report: Report
    ledger_rows: int
    written: Path


class LedgerTampered(XlPortfolioError):
    """The ledger does not verify: nothing may be chained onto it."""


def gates_file(path: str | Path, *, output: str | Path | None = None, as_of: dt.date | None = None,
               now: dt.datetime | None = None) -> GatesOutcome:
    opened = open_book(path, output=output)
    wb, as_of = opened.wb, as_of or dt.date.today()
    existing = ledger_rows(wb)
    tampered = verify(existing, expected_head=stored_head(wb))
    if tampered:  # chaining new rows onto a forged ledger would hide the forgery
        raise LedgerTampered(opened.path, f"the ledger does not verify ({tampered[0].location()}: "
                             f"{tampered[0].message}). No gate was moved; run xlportfolio verify.")
    book = read_book(wb, str(opened.path), [ITEMS, FINANCIALS, MILESTONES, APPROVALS, DEPENDENCIES, RISKS,
                                            GATES.table])
    if ITEMS.name not in book.tables:
        raise XlPortfolioError(opened.path, "there is no Items table; gates runs on the portfolio workbook.")
    baseline = read_baseline(wb)
    result = check_gates(book, as_of, baseline)
    frozen = baseline + result.baseline_rows
    implementation, potential, checks, status_findings = derive_statuses(book, as_of, frozen)
    when = stamp(now or dt.datetime.now(dt.UTC))
    entries = decision_entries(book.table(APPROVALS.name), existing)
    entries += [Entry(when, str(m.who or ""), str(m.item), str(m.from_stage), str(m.to_stage), str(m.decision),
                      str(m.reason or "")) for m in result.applied]
    ledger = [r for r in existing if any(v is not None for v in r)] + append(existing, entries)
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
    apply_plan(wb, plan)
    _store_head(wb, chain_head(ledger))
    target = opened.save()
    return GatesOutcome(result, report, len(ledger), target)


def read_baseline(wb) -> list[dict]:
    if BASELINE_SHEET not in wb.sheetnames:
        return []
    rows = wb[BASELINE_SHEET].iter_rows(min_row=2, max_col=len(BASELINE_KEYS), values_only=True)
    return [dict(zip(BASELINE_KEYS, r)) for r in rows if r[0]]


def baseline_sheet(old: list[dict], new: list[dict], as_of: dt.date) -> GeneratedSheet:
    """Frozen plans: rows already frozen keep their date; an item enters only once, at DI4."""
    frozen_before = {str(r["item_id"]) for r in old}
    rows = [tuple(r.get(k) for k in BASELINE_KEYS) + (r.get("frozen_on"),) for r in old]
    rows += [tuple(_day(r.get(k)) for k in BASELINE_KEYS) + (as_of,) for r in new
             if str(r["item_id"]) not in frozen_before]
    return GeneratedSheet(BASELINE_SHEET, BASELINE_HEADER, tuple(rows), (12, 12, 10, 12, 14, 12))


def _day(value):
    return as_date(value) or value


def _store_head(wb, head: str) -> None:
    props = [p for p in wb.custom_doc_props.props if p.name != HEAD_PROPERTY]
    wb.custom_doc_props.props = props
    wb.custom_doc_props.append(StringProperty(name=HEAD_PROPERTY, value=head))
