"""verify: check the ledger's hash chain without changing the workbook."""
from __future__ import annotations

from pathlib import Path

from ..core.findings import Report
from ..core.ledger import LEDGER_HEADER, LEDGER_SHEET, verify
from ..core.positions import bypasses, read_ledger
from ..errors import XlPortfolioError
from ..files.workbook import read_book_file
from ..schema import ITEMS, STAGES
from .base import Outcome, Workbook

HEAD_PROPERTY = "xlportfolio.ledger_head"  # the last row's Seq:Hash, so a cut-off end shows too


def ledger_rows(wb: Workbook) -> list[tuple]:
    rows = wb.sheet_rows(LEDGER_SHEET) or []
    width = len(LEDGER_HEADER)
    return [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[1:]]


class LedgerTampered(XlPortfolioError):
    """The ledger does not verify: nothing may be chained onto it."""


def checked_ledger(wb: Workbook, stopped: str) -> list[tuple]:
    """The ledger's rows, once they verify: chaining new rows onto a forged ledger would hide the forgery."""
    existing = ledger_rows(wb)
    tampered = verify(existing, expected_head=wb.get_property(HEAD_PROPERTY))
    if tampered:
        raise LedgerTampered(wb.source, f"the ledger does not verify ({tampered[0].location()}: "
                             f"{tampered[0].message}). {stopped}; run xlportfolio verify.")
    return existing


def verify_on(wb: Workbook) -> tuple[Report, int]:
    """The ledger's tampering and, once its chain holds, every Stage or State on Items that is not the ledger's."""
    rows = ledger_rows(wb)
    findings = verify(rows, expected_head=wb.get_property(HEAD_PROPERTY))
    if not findings:
        findings = ledger_disagreements(wb, rows)
    return Report.of(findings), sum(1 for r in rows if any(r))


def ledger_disagreements(wb: Workbook, rows: list[tuple], counted: str = "") -> list:
    """Items cells that differ from where the ledger says the item stands (see core.positions)."""
    book = wb.read([ITEMS])
    items = book.table(ITEMS.name)
    if items is None:
        return []
    return bypasses(items, read_ledger(rows), tuple(book.lists.get("Stage") or STAGES), counted=counted)


def verify_file(path: str | Path) -> tuple[Report, int]:
    """The ledger's findings and how many rows it holds; the file is only read."""
    with read_book_file(path) as wb:
        return verify_on(wb)


def run(wb: Workbook) -> Outcome:
    """The ribbon's Verify ledger button; it changes nothing."""
    report, rows = verify_on(wb)
    if not report.findings:
        return Outcome(f"The ledger is intact: {rows} rows, hash chain verified; every Stage and State on Items "
                       "is the ledger's.")
    return Outcome(verdict(report), 1, report, [f"{f.location()} {f.code}: {f.message}" for f in report.findings[:20]])


def verdict(report: Report) -> str:
    """One line: tampering with the ledger, or items whose Stage or State the ledger does not back."""
    tampered = [f for f in report.findings if f.sheet == LEDGER_SHEET and f.code.startswith("ledger-")]
    if tampered:
        return f"The ledger was tampered with in {len(tampered)} places."
    items = sorted({f.message.split(":")[0] if f.code != "item-deleted" else f.message.split(" is in")[0]
                    for f in report.findings})
    return (f"The ledger's chain is intact, but {len(items)} items stand elsewhere than the ledger says "
            f"(Stage or State typed over, or the row deleted): {', '.join(items[:10])}"
            + (f" and {len(items) - 10} more." if len(items) > 10 else "."))
