"""accept: turn valid requests marked Accept into portfolio items, in the workbook."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.validate import read_for_validation
from xlportfolio.commands.verify import HEAD_PROPERTY, checked_ledger
from xlportfolio.core.gates.ledger import ACCEPTED, TOOL, Entry, append, chain_head, ledger_sheet, stamp
from xlportfolio.core.intake.accept import accept_requests
from xlportfolio.schema import STAGES


class Options(BaseOptions):
    model_config = ConfigDict(title="AcceptOptions")

    now: dt.datetime | None = Field(None, description="When the ledger records the new items; default now (UTC).")


class Figures(BaseFigures):
    model_config = ConfigDict(title="AcceptFigures")

    created: list[tuple[str, str]] = Field(description="(request ID, new item ID) of every item created.")
    linked: list[tuple[str, str]] = Field(description="(request ID, item ID) re-linked to an existing item.")
    refused: list[tuple[int, str]] = Field(description="(Intake row, why) of every request not accepted.")
    already: int = Field(description="Requests accepted by an earlier run.")


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Turn valid requests marked Accept = Yes into items at the first stage, recorded in the ledger."""
    check_workbook(wb, "accept")
    book = read_for_validation(wb)
    report, plan, summary = accept_requests(book, options.as_of)
    head = None
    if summary.created:  # new items enter the ledger at the first stage, so no later run mistakes them
        existing, key = checked_ledger(wb, "No request was accepted")
        when = stamp(options.now or dt.datetime.now(dt.UTC))
        entries = [Entry(when, TOOL, item, "", STAGES[0], ACCEPTED, f"accepted from request {request}; State: Active")
                   for request, item in summary.created]
        ledger = [r for r in existing if any(v is not None for v in r)] + append(existing, entries, key.secret if key else None)
        plan.sheets.append(ledger_sheet(ledger))
        head = chain_head(ledger)
    wb.apply(plan)
    if head:
        wb.set_property(HEAD_PROPERTY, head)
    s = summary
    details = [f"{rid} -> {item} ({STAGES[0]}, recorded in the ledger)" for rid, item in s.created[:20]]
    details += [f"Intake row {row}: {why}" for row, why in s.refused[:20]]
    return Outcome.of("accept", f"{len(s.created)} items created, {len(s.linked)} re-linked, {s.already} accepted "
                      f"before, {len(s.refused)} refused (see the marked cells).",
                      1 if s.refused or report.errors else 0, report, details,
                      Figures(created=s.created, linked=s.linked, refused=s.refused, already=s.already))
