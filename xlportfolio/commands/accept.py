"""accept: turn valid requests marked Accept into portfolio items, in the workbook."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.accept import AcceptSummary, accept_requests
from ..core.findings import Report
from ..files.workbook import open_book
from .base import Outcome, Workbook
from .needs import check_workbook
from .validate import read_for_validation


@dataclass
class AcceptResult:
    report: Report
    summary: AcceptSummary
    written: Path | None


def accept_on(wb: Workbook, *, as_of: dt.date | None = None) -> AcceptResult:
    check_workbook(wb, "accept")
    book = read_for_validation(wb)
    report, plan, summary = accept_requests(book, as_of)
    wb.apply(plan)
    return AcceptResult(report, summary, None)


def accept_file(path: str | Path, *, output: str | Path | None = None,
                as_of: dt.date | None = None) -> AcceptResult:
    with open_book(path, output=output) as wb:
        result = accept_on(wb, as_of=as_of)
        result.written = wb.save()
    return result


def run(wb: Workbook) -> Outcome:
    """The ribbon's Accept button."""
    s = accept_on(wb).summary
    details = [f"{rid} -> {item} (DI1 Defined)" for rid, item in s.created[:20]]
    details += [f"Intake row {row}: {why}" for row, why in s.refused[:20]]
    return Outcome(f"{len(s.created)} items created, {len(s.linked)} re-linked, {s.already} accepted before, "
                   f"{len(s.refused)} refused (see the marked cells).", 1 if s.refused else 0, details=details)
