"""What an item still lacks for a gate: each Gates criterion checked against the item's rows, as gaps a person reads.

A gap is MISSING (something to add) or BLOCKED (something in the way); the Requested stage cell's
note lists them, the missing ones as one checklist and each blocker on a line of its own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.gates.criteria import GateCriterion
from xlportfolio.core.gates.statuses import stage_at, text
from xlportfolio.core.values import as_date, as_id, is_blank, is_number
from xlportfolio.schema import APPROVALS, DEPENDENCIES, FINANCIALS, ITEMS, MILESTONES, Column, Table

FROZEN_STATES = ("on hold", "cancelled")
BLOCKING_DECISIONS = ("hold", "cancel", "defer")
MISSING, BLOCKED = "missing", "blocked"
Gap = tuple[str, str]  # (MISSING or BLOCKED, what a person reads)
Rows = list[tuple[int, dict]]  # (Excel row, cells by column name)


@dataclass
class GateRun:
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


def checklist(stage: str, gaps: list[Gap]) -> list[str]:
    """Everything missing in one line, as a checklist; each blocker on a line of its own."""
    missing = [t for kind, t in gaps if kind == MISSING]
    head = [f"Missing for {stage}: {'; '.join(missing)}"] if missing else []
    return head + [f"Blocked: {t}" for kind, t in gaps if kind == BLOCKED]


def _field(run: GateRun, c: GateCriterion, row: int, key: str, rec: dict, approvals: list[dict]) -> list[Gap]:
    schema, col = c.resolve()
    if schema is ITEMS:
        return [] if _present(col, rec.get(col.name)) else \
            [(MISSING, f"{run.items.header(col.name)} ({cell_of(run.items, col.name, row)})")]
    # A milestone without an actual date is not done, so entering DI5 needs all of them.
    every = c.kind == "field" and schema is MILESTONES and col is not None and col.name == "actual_date"
    return _related_values(run, c, key, schema, col, every)


def _related_values(run: GateRun, c: GateCriterion, key: str, schema: Table, col: Column | None,
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
        open_ = [f"{text(rec.get('milestone')) or 'a milestone'} ({cell_of(table, col.name, r)})" for r, rec in lacking]
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


def _approval(run: GateRun, c: GateCriterion, row: int, key: str, rec: dict, approvals: list[dict]) -> list[Gap]:
    owner, stage = text(rec.get("owner")), run.stages[stage_at(c.stage, run.stages)]
    if approved(approvals, c.target, owner):
        return []
    by_owner = approved(approvals, c.target, "")
    if by_owner:
        who, where = by_owner[-1]["approver"], cell_of(run.book.tables[APPROVALS.name], "approver", by_owner[-1]["row"])
        return [(BLOCKED, f"{c.label}: {who} approved as {c.target} ({where}) but owns the item, "
                          f"and the approver of a gate must not be its owner (separation of duties); "
                          f"ask another {c.target} to approve")]
    return [(MISSING, f"{c.label} (no 'approve' by the {c.target} for {stage} in {run.sheet(APPROVALS)})")]


def _rule(run: GateRun, c: GateCriterion, row: int, key: str, rec: dict, approvals: list[dict]) -> list[Gap]:
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


def _held_dependencies(run: GateRun, key: str) -> list[Gap]:
    table = run.book.table(DEPENDENCIES.name)
    preds = [(r, as_id(dep.get("predecessor_id")) or "") for r, dep in run.rows(DEPENDENCIES.name, key)]
    held = [f"{pred} ({run.states[pred.casefold()]}, {cell_of(table, 'predecessor_id', r)})"
            for r, pred in preds if run.states.get(pred.casefold()) in FROZEN_STATES]
    they = "it is" if len(held) == 1 else "they are"
    return [(BLOCKED, f"depends on {', '.join(held)}; wait until {they} active again or remove the dependency")] \
        if held else []


CHECKS = {"field": _field, "evidence": _field, "approval": _approval, "rule": _rule}


def approvals_at(run: GateRun, key: str, target: int) -> list[dict]:
    """The item's decisions at one gate, oldest first, each remembering its cell."""
    rows, table = run.rows(APPROVALS.name, key), run.book.table(APPROVALS.name)
    out = [{"approver": text(rec.get("approver")), "role": text(rec.get("role")),
            "decision": text(rec.get("decision")).casefold(), "decided_on": as_date(rec.get("decided_on")),
            "reason": text(rec.get("reason")), "row": r, "cell": cell_of(table, "decision", r)}
           for r, rec in rows if stage_at(rec.get("gate"), run.stages) == target]
    return sorted(out, key=decided)


def decided(rec: dict) -> tuple:
    return rec["decided_on"] or dt.date.min, rec["row"]


def approved(approvals: list[dict], role: str, owner: str) -> list[dict]:
    """Approvals by `role` (any role when blank) from someone other than `owner` (anyone when blank)."""
    return [a for a in approvals if a["decision"] == "approve" and a["approver"]
            and (not role or a["role"].casefold() == role.casefold())
            and (not owner or a["approver"].casefold() != owner.casefold())]


def latest_decision(run: GateRun, approvals: list[dict]) -> list[Gap]:
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


def cell_of(table: SheetTable, name: str, row: int) -> str:
    """The cell a person clicks, e.g. 'Items!G7'."""
    if name not in table.letters:
        return f"a new {table.header(name)} column on {table.sheet}"
    return f"{table.sheet}!{table.letters[name]}{row}"
