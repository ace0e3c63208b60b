"""The gates command's core: each requested stage move is checked against the Gates sheet, then applied or undone.

A person asks for a move by choosing a Requested stage on Items. A passing move is applied and
handed back as a `Move` for the ledger; a failing one is undone and its cell says exactly what
is missing, so the person can fix it and ask again. Items past the baseline stage are checked
for plan edits made after their plan was frozen.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Finding, Severity
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
from xlportfolio.core.values import as_date, as_id, is_blank, is_number, show, yes
from xlportfolio.schema import (
    APPROVALS,
    DEPENDENCIES,
    FINANCIALS,
    GATES,
    ITEMS,
    MILESTONES,
    RISKS,
    STAGES,
    Column,
    Table,
)

GATE_REFUSED = define(
    "gate-refused", Severity.ERROR,
    "{item}: the move to {stage} was refused on {since}: {lines} The request stays in {cell} until the move "
    "passes: fix this and run gates again, or change the request.")
BAD_CRITERION = define(
    "bad-gate-criterion", Severity.ERROR,
    "This gate criterion cannot be checked: {problem}; correct it on the Gates sheet.")
CODES = (GATE_REFUSED, BAD_CRITERION, BASELINE_CHANGED, ITEM_BASELINE_CHANGED)  # every finding code check_gates may report

FROZEN_STATES = ("on hold", "cancelled")
BLOCKING_DECISIONS = ("hold", "cancel", "defer")
FREEZE_PLAN = "freeze_plan"
RULE_TARGETS = (FREEZE_PLAN, "Dependencies", "Milestones", "Financials.actual")
# Tables a field or evidence criterion may name; every one of them says which item a row is about.
CHECKABLE: dict[str, Table] = {t.name.casefold(): t for t in (ITEMS, FINANCIALS, MILESTONES, RISKS)}
MISSING, BLOCKED = "missing", "blocked"
Gap = tuple[str, str]  # (MISSING or BLOCKED, what a person reads)
Rows = list[tuple[int, dict]]  # (Excel row, cells by column name)


@dataclass(frozen=True)
class GateCriterion:
    """One enabled row of the Gates sheet: what an item needs before it may enter `stage`."""

    stage: str
    name: str
    kind: str  # field, approval, evidence or rule (lower case)
    target: str
    description: str = ""
    row: int | None = None  # Excel row on the Gates sheet; None for the schema's defaults

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    def resolve(self) -> tuple[Table, Column | None]:
        """The table and column a field or evidence criterion names ('Items.owner', 'Risks')."""
        table, _, column = self.target.partition(".")
        schema = CHECKABLE[table.strip().casefold()]
        return schema, schema.match_header(column) if column.strip() else None


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


@dataclass
class _Run:
    """What the checks of one run share: tables, stages, criteria and each requesting item's rows."""

    book: Book
    items: SheetTable
    stages: tuple[str, ...]
    criteria: dict[int, list[GateCriterion]]  # stage index -> what entering it needs
    related: dict[str, dict[str, Rows]]  # table -> item key -> the item's rows
    states: dict[str, str]  # item key -> state, case-folded, for dependencies

    def rows(self, table: str, key: str) -> Rows:
        return self.related.get(table, {}).get(key, [])

    def sheet(self, schema: Table) -> str:
        found = self.book.table(schema.name)
        return found.sheet if found else schema.sheet


def read_criteria(gates: SheetTable | None) -> list[GateCriterion]:
    """The enabled rows of the Gates sheet; the schema's defaults when the workbook has none."""
    if gates is None:
        return [GateCriterion(s, n, k, t, d) for s, n, k, t, on, d in GATES.rows if yes(on)]
    return [GateCriterion(text(rec.get("stage")), text(rec.get("criterion")), text(rec.get("kind")).casefold(),
                          text(rec.get("target")), text(rec.get("description")), int(row))
            for row, rec in gates.frame.iterrows() if yes(rec.get("enabled"))]


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
    for c in read_criteria(gates):
        if not (problem := _problem(c, stages)):
            criteria.setdefault(stage_at(c.stage, stages), []).append(c)
        elif gates is not None:  # a default for a stage this workbook's Stage list lacks simply does not apply
            result.findings.append(finding(BAD_CRITERION, gates, c.row, "target", c.target, problem=problem))
    keys = item_keys(frame["item_id"])
    asked = frame.index[~frame["requested_stage"].map(is_blank)] if "requested_stage" in frame else frame.index[:0]
    states = dict(zip(keys, by_value(column(frame, "state"), lambda v: text(v).casefold())))
    run = _Run(book, items, stages, criteria, _related(book, set(keys[asked])), states)
    final = stage_indexes(column(frame, "stage"), stages)
    entered_at: dict[int, int] = {}  # Items row -> the stage a move entered
    # The requesting rows' cells, read in one go rather than row by row.
    for row, key, rec in zip(asked, keys[asked].tolist(), frame.loc[asked].to_dict("records")):
        outcome = _judge(run, int(row), key, rec)
        if isinstance(outcome, Move):
            result.applied.append(outcome)
            entered_at[row] = entered = stages.index(outcome.to_stage)
            if outcome.decision == "approve" and any(_freezes(c) for c in criteria.get(entered, [])):
                result.baseline_rows += _plan_rows(run.rows(FINANCIALS.name, key), outcome.item)
                result.baseline_items.append(_item_plan(rec, outcome.item))
        elif outcome:
            result.refused[int(row)] = outcome
            result.refusals[int(row)] = _refusal(run, int(row), rec, outcome, as_of, ledger)
    if entered_at:
        final.loc[list(entered_at)] = list(entered_at.values())
    if result.applied or result.refused:
        _write(result, items, as_of)
    freeze_at = min((i for i, cs in criteria.items() for c in cs if _freezes(c)), default=None)
    if (baseline or baseline_items) and freeze_at is not None:
        frozen, code = set(keys[final >= freeze_at]), stages[freeze_at].split()[0]
        names = {k: item_label(i, n) for k, i, n in zip(keys, frame["item_id"], column(frame, "name")) if k}
        result.findings += plan_changes(book.table(FINANCIALS.name), baseline or [], frozen, code, names)
        result.findings += item_changes(items, baseline_items or [], frozen, code)
    return result


def _refusal(run: _Run, row: int, rec: dict, lines: list[str], as_of: dt.date, ledger: Ledger | None) -> Refusal:
    """The refusal, dated by the first run that refused it for the same reasons (the ledger remembers)."""
    target, current = stage_at(rec.get("requested_stage"), run.stages), stage_at(rec.get("stage"), run.stages)
    to = run.stages[target] if target is not None else show(rec.get("requested_stage"))
    here = run.stages[current] if current is not None else (show(rec["stage"]) if not is_blank(rec.get("stage"))
                                                             else "no stage")
    item = as_id(rec.get("item_id")) or ""
    cell = _where(run.items, "requested_stage", row)
    refusal = Refusal(row, item, item_label(item, rec.get("name")), here, to, tuple(lines), as_of, False, cell)
    before = ledger.of(item).refusal if ledger and ledger.of(item) else None
    if before and before[3:5] == (here, to) and before[REASON] == refusal.reason:
        try:
            since = dt.date.fromisoformat(before[WHEN][:10])
        except ValueError:  # verify names a When typed over; the note then dates the refusal today
            since = as_of
        return replace(refusal, since=since, recorded=True)
    return refusal


def _freezes(c: GateCriterion) -> bool:
    return c.kind == "rule" and c.target.casefold() == FREEZE_PLAN


def _problem(c: GateCriterion, stages: tuple[str, ...]) -> str | None:
    """Why a Gates row cannot be checked, or None; a broken row must say so, not pass silently."""
    if stage_at(c.stage, stages) is None:
        return f"'{c.stage}' is not a stage"
    if c.kind == "approval":
        return None if c.target else "an approval names the role that approves, e.g. Sponsor"
    if c.kind == "rule":
        known = [t.casefold() for t in RULE_TARGETS]
        return None if c.target.casefold() in known else f"unknown rule '{c.target}' (use {', '.join(RULE_TARGETS)})"
    if c.kind not in ("field", "evidence"):
        return f"kind '{c.kind}' is not field, approval, evidence or rule"
    table, _, col = c.target.partition(".")
    schema = CHECKABLE.get(table.strip().casefold())
    if schema is None:
        return f"'{c.target}' names no table a gate can check (Items, Financials, Milestones or Risks)"
    if col.strip() and schema.match_header(col) is None:
        return f"{schema.name} has no column '{col.strip()}'"
    return "name the Items column, e.g. Items.owner" if schema is ITEMS and not col.strip() else None


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


def _judge(run: _Run, row: int, key: str, rec: dict) -> Move | list[str] | None:
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
        return [f"The item has no Item ID; enter one ({_where(run.items, 'item_id', row)}) first"]
    if (state := text(rec.get("state")).casefold()) in FROZEN_STATES:
        return [f"Frozen: the item is {state}; a decision 'approve' must reactivate it first"]
    here, there = stages[current] if current is not None else "no stage", stages[target]
    owner, reason = text(rec.get("owner")), text(rec.get("move_reason"))
    if current is not None and target < current:
        if not reason:
            where = _where(run.items, "move_reason", row)
            return [f"A move back from {here} to {there} needs a reason; enter it in {where}"]
        return Move(row, item, here, there, owner, reason, "move back", item_label(item, rec.get("name")))
    expected = 0 if current is None else current + 1
    if target > expected:
        return [f"Cannot skip from {here} to {there}; request {stages[expected]} first"]
    approvals = _approvals(run, key, target)
    gaps = [gap for c in run.criteria.get(target, []) for gap in CHECKS[c.kind](run, c, row, key, rec, approvals)]
    gaps += _latest_decision(run, approvals)
    if gaps:
        return _lines(there, gaps)
    # The ledger names who let the item through: the sponsor's approval first, the owner otherwise.
    by = max(_approved(approvals, "", owner), key=lambda a: (a["role"].casefold() == "sponsor", _when(a)),
             default={"approver": owner, "reason": ""})
    return Move(row, item, here, there, by["approver"], by["reason"] or reason, "approve",
                item_label(item, rec.get("name")))


def _lines(stage: str, gaps: list[Gap]) -> list[str]:
    """Everything missing in one line, as a checklist; each blocker on a line of its own."""
    missing = [t for kind, t in gaps if kind == MISSING]
    head = [f"Missing for {stage}: {'; '.join(missing)}"] if missing else []
    return head + [f"Blocked: {t}" for kind, t in gaps if kind == BLOCKED]


def _field(run: _Run, c: GateCriterion, row: int, key: str, rec: dict, approvals: list[dict]) -> list[Gap]:
    schema, col = c.resolve()
    if schema is ITEMS:
        return [] if _present(col, rec.get(col.name)) else \
            [(MISSING, f"{run.items.header(col.name)} ({_where(run.items, col.name, row)})")]
    # A milestone without an actual date is not done, so entering DI5 needs all of them.
    every = c.kind == "field" and schema is MILESTONES and col is not None and col.name == "actual_date"
    return _related_values(run, c, key, schema, col, every)


def _related_values(run: _Run, c: GateCriterion, key: str, schema: Table, col: Column | None,
                    every: bool = False) -> list[Gap]:
    """The item's rows in another table exist and carry `col` (in one row, or in `every` row)."""
    rows, sheet = run.rows(schema.name, key), run.sheet(schema)
    flow = "Cost" if "cost" in c.name.casefold() else "Benefit" if "benefit" in c.name.casefold() else None
    what = f"{c.label} by month" if schema is FINANCIALS and c.kind == "field" else c.label
    if schema is FINANCIALS and flow:
        rows = [(r, rec) for r, rec in rows if text(rec.get("flow")).casefold() == flow.casefold()]
    if not rows:
        return [(MISSING, f"{what} ({_none(c, schema, sheet, flow)})")]
    if col is None:
        return []
    table = run.book.tables[schema.name]  # it has rows for the item, so it is there
    lacking = [(r, rec) for r, rec in rows if not _present(col, rec.get(col.name))]
    if every and lacking:
        open_ = [f"{text(rec.get('milestone')) or 'a milestone'} ({_where(table, col.name, r)})" for r, rec in lacking]
        more = f" and {len(open_) - 3} more" if len(open_) > 3 else ""
        return [(MISSING, f"{what} (no {table.header(col.name)} for {', '.join(open_[:3])}{more})")]
    if len(lacking) < len(rows):
        return []
    if schema is FINANCIALS:
        rows_of = f"the {flow} rows of " if flow else ""
        return [(MISSING, f"{what} (no {table.header(col.name)} amount in {rows_of}{sheet})")]
    noun = "milestone" if schema is MILESTONES else "risk"
    return [(MISSING, f"{what} ({table.header(col.name)} is blank for every {noun})")]


def _none(c: GateCriterion, schema: Table, sheet: str, flow: str | None) -> str:
    """How to say the item has no rows at all, e.g. 'no Benefit rows in Financials'."""
    if schema is MILESTONES:
        return "none planned" if c.label.casefold().startswith("milestone") else f"no milestones in {sheet}"
    return f"no {flow} rows in {sheet}" if flow else f"none in {sheet}"


def _approval(run: _Run, c: GateCriterion, row: int, key: str, rec: dict, approvals: list[dict]) -> list[Gap]:
    owner, stage = text(rec.get("owner")), run.stages[stage_at(c.stage, run.stages)]
    if _approved(approvals, c.target, owner):
        return []
    by_owner = _approved(approvals, c.target, "")
    if by_owner:
        who, where = by_owner[-1]["approver"], _where(run.book.tables[APPROVALS.name], "approver", by_owner[-1]["row"])
        return [(BLOCKED, f"{c.label}: {who} approved as {c.target} ({where}) but owns the item, "
                          f"and the approver of a gate must not be its owner (separation of duties); "
                          f"ask another {c.target} to approve")]
    return [(MISSING, f"{c.label} (no 'approve' by the {c.target} for {stage} in {run.sheet(APPROVALS)})")]


def _rule(run: _Run, c: GateCriterion, row: int, key: str, rec: dict, approvals: list[dict]) -> list[Gap]:
    rule = c.target.casefold()
    if rule == "financials.actual":
        return _related_values(run, c, key, FINANCIALS, FINANCIALS.column("actual"))
    if rule == "milestones":
        rows = run.rows(MILESTONES.name, key)
        if not rows:
            return [(MISSING, f"{c.label} (none planned)")]
        open_ = sum(as_date(rec.get("actual_date")) is None for _, rec in rows)
        return [(MISSING, f"{c.label} ({open_} of {len(rows)} open)")] if open_ else []
    if rule == "dependencies":
        return _held_dependencies(run, key)
    return []  # freeze_plan always passes: the plan is frozen once the whole gate passes


def _held_dependencies(run: _Run, key: str) -> list[Gap]:
    table = run.book.table(DEPENDENCIES.name)
    preds = [(r, as_id(dep.get("predecessor_id")) or "") for r, dep in run.rows(DEPENDENCIES.name, key)]
    held = [f"{pred} ({run.states[pred.casefold()]}, {_where(table, 'predecessor_id', r)})"
            for r, pred in preds if run.states.get(pred.casefold()) in FROZEN_STATES]
    they = "it is" if len(held) == 1 else "they are"
    return [(BLOCKED, f"depends on {', '.join(held)}; wait until {they} active again or remove the dependency")] \
        if held else []


CHECKS = {"field": _field, "evidence": _field, "approval": _approval, "rule": _rule}


def _approvals(run: _Run, key: str, target: int) -> list[dict]:
    """The item's decisions at one gate, oldest first, each remembering its cell."""
    rows, table = run.rows(APPROVALS.name, key), run.book.table(APPROVALS.name)
    out = [{"approver": text(rec.get("approver")), "role": text(rec.get("role")),
            "decision": text(rec.get("decision")).casefold(), "decided_on": as_date(rec.get("decided_on")),
            "reason": text(rec.get("reason")), "row": r, "cell": _where(table, "decision", r)}
           for r, rec in rows if stage_at(rec.get("gate"), run.stages) == target]
    return sorted(out, key=_when)


def _when(rec: dict) -> tuple:
    return rec["decided_on"] or dt.date.min, rec["row"]


def _approved(approvals: list[dict], role: str, owner: str) -> list[dict]:
    """Approvals by `role` (any role when blank) from someone other than `owner` (anyone when blank)."""
    return [a for a in approvals if a["decision"] == "approve" and a["approver"]
            and (not role or a["role"].casefold() == role.casefold())
            and (not owner or a["approver"].casefold() != owner.casefold())]


def _latest_decision(run: _Run, approvals: list[dict]) -> list[Gap]:
    """The latest decision at the gate stands: a hold, cancel or defer blocks the move."""
    if not approvals or (last := approvals[-1])["decision"] not in BLOCKING_DECISIONS:
        return []
    when = last["decided_on"].isoformat() if last["decided_on"] else "an unknown date"
    return [(BLOCKED, f"decision '{last['decision']}' by {last['approver'] or 'someone'} on {when} "
                      f"({last['reason'] or 'no reason given'}, {last['cell']}); a decision 'approve' must follow")]


def _present(col: Column, value: object) -> bool:
    """A value a gate can count on: a number in an amount column, a date in a date column."""
    if col.type.is_numeric:
        return is_number(value)
    if col.type.is_date:
        return as_date(value) is not None
    return not is_blank(value)


def _where(table: SheetTable, name: str, row: int) -> str:
    """The cell a person clicks, e.g. 'Items!G7'."""
    if name not in table.letters:
        return f"a new {table.header(name)} column on {table.sheet}"
    return f"{table.sheet}!{table.letters[name]}{row}"


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
