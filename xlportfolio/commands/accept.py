"""accept: turn valid requests marked Accept into portfolio items, in the workbook file."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..core.accept import AcceptSummary, accept_requests
from ..core.findings import Report
from ..errors import TemplateError
from ..files.workbook import open_book
from ..files.writer import apply_plan
from ..schema import ITEMS
from .validate import read_for_validation


@dataclass
class AcceptResult:
    report: Report
    summary: AcceptSummary
    written: Path


def accept_file(path: str | Path, *, output: str | Path | None = None,
                as_of: dt.date | None = None) -> AcceptResult:
    opened = open_book(path, output=output)
    book = read_for_validation(opened)
    if ITEMS.name not in book.tables:
        raise TemplateError(opened.path, "there is no Items table to add accepted requests to; accept runs on "
                            "the portfolio workbook (xlportfolio new portfolio BOOK.xlsx), not on an intake form.")
    report, plan, summary = accept_requests(book, as_of)
    apply_plan(opened.wb, plan)
    target = opened.save()
    return AcceptResult(report, summary, target)



