"""The Gates sheet's criteria: what an item needs before it may enter a stage, and whether a row can be checked."""
from __future__ import annotations

from dataclasses import dataclass

from xlportfolio.core.book import SheetTable
from xlportfolio.core.checks.rules import yes
from xlportfolio.core.gates.statuses import stage_at, text
from xlportfolio.schema import FINANCIALS, GATES, ITEMS, MILESTONES, RISKS, Column, Table

FREEZE_PLAN = "freeze_plan"
RULE_TARGETS = (FREEZE_PLAN, "Dependencies", "Milestones", "Financials.actual")
# Tables a field or evidence criterion may name; every one of them says which item a row is about.
CHECKABLE: dict[str, Table] = {t.name.casefold(): t for t in (ITEMS, FINANCIALS, MILESTONES, RISKS)}


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


def read_criteria(gates: SheetTable | None) -> list[GateCriterion]:
    """The enabled rows of the Gates sheet; the schema's defaults when the workbook has none."""
    if gates is None:
        return [GateCriterion(s, n, k, t, d) for s, n, k, t, on, d in GATES.rows if yes(on)]
    return [GateCriterion(text(rec.get("stage")), text(rec.get("criterion")), text(rec.get("kind")).casefold(),
                          text(rec.get("target")), text(rec.get("description")), int(row))
            for row, rec in gates.frame.iterrows() if yes(rec.get("enabled"))]


def freezes(c: GateCriterion) -> bool:
    return c.kind == "rule" and c.target.casefold() == FREEZE_PLAN


def criterion_problem(c: GateCriterion, stages: tuple[str, ...]) -> str | None:
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
