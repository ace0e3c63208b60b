"""gates: check every requested stage move, apply the passing ones and record them in the ledger."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.verify import HEAD_PROPERTY, checked_ledger
from xlportfolio.core.gates.apply import gates_plan
from xlportfolio.core.gates.baseline import BASELINE_SHEET
from xlportfolio.core.gates.ledger import chain_head, stamp
from xlportfolio.schema import APPROVALS, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS


class Options(BaseOptions):
    model_config = ConfigDict(title="GatesOptions")

    now: dt.datetime | None = Field(None, description="When the ledger records this run's rows; default now (UTC).")


class AppliedMove(BaseModel):
    row: int = Field(description="The item's Excel row on Items.")
    item: str
    label: str = Field(description="The item by ID and name.")
    from_stage: str
    to_stage: str
    decision: str = Field(description="'approve' for a forward pass, 'move back' for a backward one.")
    who: str
    reason: str


class RefusedMove(BaseModel):
    row: int = Field(description="The item's Excel row on Items.")
    item: str
    label: str = Field(description="The item by ID and name.")
    cell: str = Field(description="The Requested stage cell, whose note says what is missing.")
    from_stage: str
    to_stage: str
    lines: list[str] = Field(description="What is missing, one criterion a line.")
    since: dt.date = Field(description="The day it was first refused for these reasons.")


class BaselinedItem(BaseModel):
    item_id: str
    name: str


class Figures(BaseFigures):
    model_config = ConfigDict(title="GatesFigures")

    applied: list[AppliedMove]
    refused: list[RefusedMove]
    baselined: list[BaselinedItem] = Field(description="Items that passed DI4 in this run: their plan is frozen "
                                           "on the Baseline sheet.")
    ledger_rows: int


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Check every requested stage move: apply and record the passing ones, undo and explain the others."""
    check_workbook(wb, "gates")
    as_of = options.as_of or dt.date.today()
    existing, key = checked_ledger(wb, "No gate was moved")
    book = wb.read([ITEMS, FINANCIALS, MILESTONES, APPROVALS, DEPENDENCIES, RISKS, GATES.table])
    planned = gates_plan(book, existing, key.secret if key else None, wb.sheet_rows(BASELINE_SHEET), as_of,
                         stamp(options.now or dt.datetime.now(dt.UTC)))
    wb.apply(planned.plan)
    wb.set_property(HEAD_PROPERTY, chain_head(planned.ledger))
    result, report = planned.result, planned.report
    figures = Figures(
        applied=[AppliedMove(row=m.row, item=str(m.item), label=m.label or str(m.item), from_stage=str(m.from_stage),
                             to_stage=str(m.to_stage), decision=str(m.decision), who=str(m.who or ""),
                             reason=str(m.reason or "")) for m in result.applied],
        refused=[RefusedMove(row=r.row, item=r.item, label=r.label, cell=r.cell, from_stage=str(r.from_stage or ""),
                             to_stage=str(r.to_stage), lines=list(r.lines), since=r.since)
                 for r in result.refusals.values()],
        baselined=[BaselinedItem(item_id=str(i["item_id"]), name=str(i.get("name") or ""))
                   for i in result.baseline_items],
        ledger_rows=len(planned.ledger))
    details = [move_line(m) for m in figures.applied[:20]]
    details += [refusal_line(r) for r in figures.refused[:20]]
    others = [f for f in report.findings if f.severity == "error" and f.code != "gate-refused"]
    details += [f"{f.location()}: {f.message}" for f in others[:20]]
    return Outcome.of("gates", f"{len(figures.applied)} moves applied, {len(figures.refused)} refused (the reasons "
                      "are in the notes on the Requested stage cells)"
                      + (f", {len(others)} other errors" if others else "")
                      + f". The ledger has {figures.ledger_rows} rows.", 1 if report.errors else 0, report, details,
                      figures)


def move_line(m: AppliedMove) -> str:
    return f"{m.label}: {m.from_stage} -> {m.to_stage} ({m.decision} by {m.who or 'owner'})"


def refusal_line(r: RefusedMove) -> str:
    """A refusal as the CLI and the ribbon show it: the item by ID and name, its cell, and why."""
    return f"{r.label} ({r.cell}): move to {r.to_stage} refused since {r.since.isoformat()}: " + " ".join(r.lines)
