"""verify: check the ledger's hash chain without changing the workbook."""
from __future__ import annotations

from pathlib import Path

from ..core.findings import Report
from ..core.ledger import LEDGER_HEADER, LEDGER_SHEET, verify
from ..files.workbook import read_book_file

HEAD_PROPERTY = "xlportfolio.ledger_head"  # the last row's Seq:Hash, so a cut-off end shows too


def ledger_rows(wb) -> list[tuple]:
    if LEDGER_SHEET not in wb.sheetnames:
        return []
    return list(wb[LEDGER_SHEET].iter_rows(min_row=2, max_col=len(LEDGER_HEADER), values_only=True))


def stored_head(wb) -> str | None:
    return next((str(p.value) for p in wb.custom_doc_props.props if p.name == HEAD_PROPERTY), None)


def verify_file(path: str | Path) -> tuple[Report, int]:
    """The ledger's findings and how many rows it holds; the file is only read."""
    opened = read_book_file(path)
    rows = ledger_rows(opened.wb)
    return Report.of(verify(rows, expected_head=stored_head(opened.wb))), sum(1 for r in rows if any(r))
