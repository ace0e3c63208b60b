"""verify: check the ledger's hash chain without changing the workbook."""
from __future__ import annotations

from pathlib import Path

from ..core.findings import Report
from ..core.ledger import LEDGER_HEADER, LEDGER_SHEET, verify
from ..files.workbook import read_book_file
from .base import Outcome, Workbook
from .needs import check_workbook

HEAD_PROPERTY = "xlportfolio.ledger_head"  # the last row's Seq:Hash, so a cut-off end shows too


def ledger_rows(wb: Workbook) -> list[tuple]:
    rows = wb.sheet_rows(LEDGER_SHEET) or []
    width = len(LEDGER_HEADER)
    return [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[1:]]


def verify_on(wb: Workbook) -> tuple[Report, int]:
    check_workbook(wb, "verify")
    rows = ledger_rows(wb)
    return Report.of(verify(rows, expected_head=wb.get_property(HEAD_PROPERTY))), sum(1 for r in rows if any(r))


def verify_file(path: str | Path) -> tuple[Report, int]:
    """The ledger's findings and how many rows it holds; the file is only read."""
    with read_book_file(path) as wb:
        return verify_on(wb)


def run(wb: Workbook) -> Outcome:
    """The ribbon's Verify ledger button; it changes nothing."""
    report, rows = verify_on(wb)
    if not report.findings:
        return Outcome(f"The ledger is intact: {rows} rows, hash chain verified.")
    return Outcome(f"The ledger was tampered with in {len(report.findings)} places.", 1, report,
                   [f"{f.location()} {f.code}: {f.message}" for f in report.findings[:20]])
