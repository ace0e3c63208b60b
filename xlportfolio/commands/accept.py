"""accept: turn valid requests marked Accept into portfolio items, in the workbook."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.commands.validate import read_for_validation
from xlportfolio.commands.verify import HEAD_PROPERTY, checked_ledger
from xlportfolio.core.findings import Report
from xlportfolio.core.gates.ledger import ACCEPTED, TOOL, Entry, append, chain_head, ledger_sheet, stamp
from xlportfolio.core.intake.accept import AcceptSummary, accept_requests
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import STAGES


@dataclass
class AcceptResult:
    report: Report
    summary: AcceptSummary
    written: Path | None


def accept_on(wb: Workbook, *, as_of: dt.date | None = None, now: dt.datetime | None = None) -> AcceptResult:
    check_workbook(wb, "accept")
    book = read_for_validation(wb)
    report, plan, summary = accept_requests(book, as_of)
    head = None
    if summary.created:  # new items enter the ledger at the first stage, so no later run mistakes them
        existing, key = checked_ledger(wb, "No request was accepted")
        when = stamp(now or dt.datetime.now(dt.UTC))
        entries = [Entry(when, TOOL, item, "", STAGES[0], ACCEPTED, f"accepted from request {request}; State: Active")
                   for request, item in summary.created]
        ledger = [r for r in existing if any(v is not None for v in r)] + append(existing, entries, key.secret if key else None)
        plan.sheets.append(ledger_sheet(ledger))
        head = chain_head(ledger)
    wb.apply(plan)
    if head:
        wb.set_property(HEAD_PROPERTY, head)
    return AcceptResult(report, summary, None)


def accept_file(path: str | Path, *, output: str | Path | None = None,
                as_of: dt.date | None = None) -> AcceptResult:
    with open_book(path, output=output) as wb:
        result = accept_on(wb, as_of=as_of)
        result.written = wb.save()
    return result


def run(wb: Workbook) -> Outcome:
    """The ribbon's Accept button."""
    result = accept_on(wb)
    s, report = result.summary, result.report
    details = [f"{rid} -> {item} ({STAGES[0]}, recorded in the ledger)" for rid, item in s.created[:20]]
    details += [f"Intake row {row}: {why}" for row, why in s.refused[:20]]
    return Outcome(f"{len(s.created)} items created, {len(s.linked)} re-linked, {s.already} accepted before, "
                   f"{len(s.refused)} refused (see the marked cells).", 1 if s.refused or report.errors else 0, report,
                   details)
