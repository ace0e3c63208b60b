"""The gates command's core: each requested stage move is checked against the Gates sheet, then applied or undone.

A person asks for a move by choosing a Requested stage on Items. A passing move is applied and
handed back as a `Move` for the ledger; a failing one is undone and its cell says exactly what
is missing, so the person can fix it and ask again. Items past the baseline stage are checked
for plan edits made after their plan was frozen. The Gates sheet's criteria are read in
`criteria`, and what each one finds missing in `gaps`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.codes import define, finding
from xlportfolio.core.config.models import BAD_GATE_CRITERION
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.gates.criteria import GateCriterion, freezes, read_criteria
from xlportfolio.core.gates.gaps import (
    CHECKS,
    FROZEN_STATES,
    GateRun,
    Rows,
    approvals_at,
    approved,
    cell_of,
    checklist,
    decided,
    latest_decision,
)
from xlportfolio.core.gates.positions import REASON, WHEN, Ledger, as_recorded, item_label
from xlportfolio.core.gates.statuses import (
    BASELINE_CHANGED,
    BASELINED,
    ITEM_BASELINE_CHANGED,
    by_value,
    column,
    item_changes,
    item_keys,
    plan_changes,
    stage_at,
    stage_indexes,
    text,
)
from xlportfolio.core.plan import ERROR_FILL, CellMark, ColumnWrite, EditPlan
from xlportfolio.core.values import as_id, is_blank, is_number, show
from xlportfolio.schema import (
    APPROVALS,
    DEPENDENCIES,
    FINANCIALS,
    GATES,
    ITEMS,
    MILESTONES,
    RISKS,
    STAGES,
)

GATE_REFUSED = define(
    "gate-refused", Severity.ERROR,
    "{item}: the move to {stage} was refused on {since}: {lines} The request stays in {cell} until the move "
    "passes: fix this and run gates again, or change the request.")
CODES = (GATE_REFUSED, BAD_GATE_CRITERION, BASELINE_CHANGED, ITEM_BASELINE_CHANGED)  # every finding code check_gates may report



@dataclass(frozen=True)
class Move:
    """An applied stage move, as the ledger records it."""

    row: int
    item: str
    from_stage: str
    to_stage: str
    who: str
    reason: str
    decision: str  # "approve" for a forward pass, "move back" for a backward one
    label: str = field(default="", compare=False)  # ID and name, as messages name the item


@dataclass(frozen=True)
class Refusal:
    """A refused move, as the ledger records it and the Requested stage cell's note shows it."""

    row: int
    item: str  # the Item ID, "" when the row has none
    label: str  # ID and name, as every message names the item
    from_stage: str
    to_stage: str
    lines: tuple[str, ...]
    since: dt.date  # the day it was first refused for these reasons
    recorded: bool  # the ledger holds this refusal already: a later run does not record it again
    cell: str = ""  # the Requested stage cell, e.g. 'Items!J7'

    @property
    def reason(self) -> str:
        return ". ".join(self.lines)


@dataclass
class GateResult:
    applied: list[Move] = field(default_factory=list)
    refused: dict[int, list[str]] = field(default_factory=dict)  # Excel row -> what is missing
    refusals: dict[int, Refusal] = field(default_factory=dict)  # Excel row -> the refusal, for the ledger
    findings: list[Finding] = field(default_factory=list)
    plan: EditPlan = field(default_factory=EditPlan)
    baseline_rows: list[dict] = field(default_factory=list)  # Financials plan rows frozen by this run
    baseline_items: list[dict] = field(default_factory=list)  # dates, cost and value frozen by this run


def check_gates(book: Book, as_of: dt.date, baseline: list[dict] | None = None, ledger: Ledger | None = None,
                baseline_items: list[dict] | None = None) -> GateResult:
    """Check every requested move; apply those that pass, explain those that fail.

    With the `ledger`, an item's current stage and state are the ledger's, whatever its cells say.
    """
    result = GateResult()
    items = book.table(ITEMS.name)
    if items is None or "item_id" not in items.frame:
        return result
    frame, stages = (as_recorded(items, ledger) if ledger else items.frame), tuple(book.lists.get("Stage") or STAGES)
    gates = book.table(GATES.table.name)
    criteria: dict[int, list[GateCriterion]] = {}
    usable, result.findings = read_criteria(gates, stages)
    for c in usable:
        criteria.setdefault(stage_at(c.stage, stages), []).append(c)
    keys = item_keys(frame["item_id"])
    asked = frame.index[~frame["requested_stage"].map(is_blank)] if "requested_stage" in frame else frame.index[:0]
    states = dict(zip(keys, by_value(column(frame, "state"), lambda v: text(v).casefold())))
    run = GateRun(book, items, stages, criteria, _related(book, set(keys[asked])), states)
    final = stage_indexes(column(frame, "stage"), stages)
    entered_at: dict[int, int] = {}  # Items row -> the stage a move entered
    # The requesting rows' cells, read in one go rather than row by row.
    for row, key, rec in zip(asked, keys[asked].tolist(), frame.loc[asked].to_dict("records")):
        outcome = _judge(run, int(row), key, rec)
        if isinstance(outcome, Move):
            result.applied.append(outcome)
            entered_at[row] = entered = stages.index(outcome.to_stage)
            if outcome.decision == "approve" and any(freezes(c) for c in criteria.get(entered, [])):
                result.baseline_rows += _plan_rows(run.rows(FINANCIALS.name, key), outcome.item)
                result.baseline_items.append(_item_plan(rec, outcome.item))
        elif outcome:
            result.refused[int(row)] = outcome
            result.refusals[int(row)] = _refusal(run, int(row), rec, outcome, as_of, ledger)
    if entered_at:
        final.loc[list(entered_at)] = list(entered_at.values())
    if result.applied or result.refused:
        _write(result, items, as_of)
    freeze_at = min((i for i, cs in criteria.items() for c in cs if freezes(c)), default=None)
    if (baseline or baseline_items) and freeze_at is not None:
        frozen, code = set(keys[final >= freeze_at]), stages[freeze_at].split()[0]
        names = {k: item_label(i, n) for k, i, n in zip(keys, frame["item_id"], column(frame, "name")) if k}
        result.findings += plan_changes(book.table(FINANCIALS.name), baseline or [], frozen, code, names)
        result.findings += item_changes(items, baseline_items or [], frozen, code)
    return result


def _refusal(run: GateRun, row: int, rec: dict, lines: list[str], as_of: dt.date, ledger: Ledger | None) -> Refusal:
    """The refusal, dated by the first run that refused it for the same reasons (the ledger remembers)."""
    target, current = stage_at(rec.get("requested_stage"), run.stages), stage_at(rec.get("stage"), run.stages)
    to = run.stages[target] if target is not None else show(rec.get("requested_stage"))
    here = run.stages[current] if current is not None else (show(rec["stage"]) if not is_blank(rec.get("stage"))
                                                             else "no stage")
    item = as_id(rec.get("item_id")) or ""
    cell = cell_of(run.items, "requested_stage", row)
    refusal = Refusal(row, item, item_label(item, rec.get("name")), here, to, tuple(lines), as_of, False, cell)
    before = ledger.of(item).refusal if ledger and ledger.of(item) else None
    if before and before[3:5] == (here, to) and before[REASON] == refusal.reason:
        try:
            since = dt.date.fromisoformat(before[WHEN][:10])
        except ValueError:  # verify names a When typed over; the note then dates the refusal today
            since = as_of
        return replace(refusal, since=since, recorded=True)
    return refusal


def _related(book: Book, wanted: set[str]) -> dict[str, dict[str, Rows]]:
    """The rows of each related table that belong to a requesting item, found in one pass per table."""
    out: dict[str, dict[str, Rows]] = {}
    for schema, key in ((FINANCIALS, "item_id"), (MILESTONES, "item_id"), (RISKS, "item_id"),
                        (APPROVALS, "item_id"), (DEPENDENCIES, "successor_id")):
        table = book.table(schema.name)
        if table is None or key not in table.frame or not wanted:
            continue
        ids = item_keys(table.frame[key])
        mine = ids.isin(wanted).to_numpy()
        grouped = out[schema.name] = {}
        for row, item, rec in zip(table.frame.index[mine], ids[mine], table.frame[mine].to_dict("records")):
            grouped.setdefault(item, []).append((int(row), rec))
    return out


def _judge(run: GateRun, row: int, key: str, rec: dict) -> Move | list[str] | None:
    """The move an item asks for, applied (a Move), refused (what is missing) or nothing to do."""
    stages = run.stages
    target, current = stage_at(rec.get("requested_stage"), stages), stage_at(rec.get("stage"), stages)
    if target is None:
        return [f"'{show(rec['requested_stage'])}' is not a stage; choose one of the Stage list"]
    if current is None and not is_blank(rec.get("stage")):
        return [f"The current stage '{show(rec['stage'])}' is not a stage; correct Stage first"]
    if target == current:
        return None
    if not (item := as_id(rec.get("item_id"))):
        return [f"The item has no Item ID; enter one ({cell_of(run.items, 'item_id', row)}) first"]
    if (state := text(rec.get("state")).casefold()) in FROZEN_STATES:
        return [f"Frozen: the item is {state}; a decision 'approve' must reactivate it first"]
    here, there = stages[current] if current is not None else "no stage", stages[target]
    owner, reason = text(rec.get("owner")), text(rec.get("move_reason"))
    if current is not None and target < current:
        if not reason:
            where = cell_of(run.items, "move_reason", row)
            return [f"A move back from {here} to {there} needs a reason; enter it in {where}"]
        return Move(row, item, here, there, owner, reason, "move back", item_label(item, rec.get("name")))
    expected = 0 if current is None else current + 1
    if target > expected:
        return [f"Cannot skip from {here} to {there}; request {stages[expected]} first"]
    approvals = approvals_at(run, key, target)
    gaps = [gap for c in run.criteria.get(target, []) for gap in CHECKS[c.kind](run, c, row, key, rec, approvals)]
    gaps += latest_decision(run, approvals)
    if gaps:
        return checklist(there, gaps)
    # The ledger names who let the item through: the sponsor's approval first, the owner otherwise.
    by = max(approved(approvals, "", owner), key=lambda a: (a["role"].casefold() == "sponsor", decided(a)),
             default={"approver": owner, "reason": ""})
    return Move(row, item, here, there, by["approver"], by["reason"] or reason, "approve",
                item_label(item, rec.get("name")))


def _item_plan(rec: dict, item: str) -> dict:
    """The item's dates, cost and value to freeze with its plan."""
    return {"item_id": item, "name": rec.get("name"), **{name: rec.get(name) for name in BASELINED}}


def _plan_rows(rows: Rows, item: str) -> list[dict]:
    """The plan rows to freeze as the item's baseline."""
    return [{"item_id": item, "period": rec.get("period"), "flow": rec.get("flow"),
             "recurrence": rec.get("recurrence"), "plan": rec.get("plan")}
            for _, rec in rows if is_number(rec.get("plan"))]


def _write(result: GateResult, items: SheetTable, as_of: dt.date) -> None:
    """Moves rewrite Stage and Requested stage for every row; a refused request stays, marked with why.

    The mark and the finding come back on every run while the request stands, dated by its first
    refusal, so a refusal stays visible until the owner changes the request or the move passes.
    """
    frame = items.frame
    stage = {int(r): None if is_blank(v) else v for r, v in column(frame, "stage").items()}
    asked = {int(r): None if is_blank(v) else v for r, v in frame["requested_stage"].items()}
    for move in result.applied:
        stage[move.row], asked[move.row] = move.to_stage, None
    for row, r in result.refusals.items():
        wanted, cell = show(asked[row]), r.cell
        note = (f"{r.label}: move to {r.to_stage} refused on {r.since.isoformat()}:\n" + "\n".join(r.lines)
                + "\nThe request stays until the move passes; fix the above and run gates again.")
        result.plan.marks.append(CellMark(items.sheet, row, items.letters["requested_stage"], ERROR_FILL, note))
        result.findings.append(finding(GATE_REFUSED, items, row, "requested_stage", wanted, item=r.label,
                                       lines=r.reason + ".", stage=r.to_stage, since=r.since.isoformat(), cell=cell))
    result.plan.columns += [ColumnWrite(ITEMS.name, items.sheet, items.header("stage"), stage),
                            ColumnWrite(ITEMS.name, items.sheet, items.header("requested_stage"), asked)]
