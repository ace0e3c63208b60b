"""The Gates sheet's criteria: what an item needs before it may enter a stage (read through core/config's GateRequirement,
which says whether a row can be checked)."""
from __future__ import annotations

from dataclasses import dataclass

from xlportfolio.core.book import SheetTable
from xlportfolio.core.config import GateRequirement, defaults, read_rows
from xlportfolio.core.config.models import CHECKABLE, FREEZE_PLAN
from xlportfolio.core.findings import Finding
from xlportfolio.core.gates.statuses import stage_at
from xlportfolio.schema import GATES, STAGES, Column, Table


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


def read_criteria(gates: SheetTable | None,
                  stages: tuple[str, ...] = STAGES) -> tuple[list[GateCriterion], list[Finding]]:
    """The enabled rows of the Gates sheet a gate can check, and a finding at each cell of a row it cannot.

    Without a Gates sheet, the schema's defaults; one for a stage this workbook's Stage list lacks
    simply does not apply.
    """
    if gates is None:
        return [GateCriterion(r.stage, r.criterion, r.kind, r.target or "", r.description or "")
                for r in defaults(GateRequirement, GATES.rows) if stage_at(r.stage, stages) is not None], []
    read = read_rows(gates, GateRequirement, {"stages": stages})
    return [GateCriterion(r.stage, r.criterion, r.kind, r.target or "", r.description or "", r.row)
            for r in read.rows], read.findings


def freezes(c: GateCriterion) -> bool:
    return c.kind == "rule" and c.target.casefold() == FREEZE_PLAN
