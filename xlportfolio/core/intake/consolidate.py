"""Merge requests from many intake workbooks into the portfolio's Intake table, once each.

A request is known by its Request ID. Re-running updates a request that changed in the file
it came from and duplicates nothing; an ID that another file (or a person) already uses is
rejected with the reason, never overwritten.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlportfolio.core.book import SheetTable
from xlportfolio.core.plan import GeneratedSheet, RowWrite
from xlportfolio.core.values import as_id, is_blank
from xlportfolio.schema import INTAKE

INPUTS = tuple(c.name for c in INTAKE.input_columns)
CONSOLIDATION_SHEET = "Consolidation"
CONSOLIDATION_HEADER = ("File", "Template", "Status", "Rows read", "New", "Updated", "Unchanged",
                        "Rejected", "Details")
CONSOLIDATION_WIDTHS = (30, 12, 12, 10, 8, 9, 10, 9, 100)


@dataclass
class FileOutcome:
    """What happened to one intake workbook."""

    file: str
    template: str = ""
    error: str = ""  # a file-level problem: nothing was read from it
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)  # "row 7: why"

    @property
    def status(self) -> str:
        if self.error:
            return "not read"
        if self.rejected:
            return "partly merged" if self.new + self.updated + self.unchanged else "rejected"
        return "merged"


@dataclass
class Incoming:
    """Valid rows of one file, keyed by the Excel row they stand on in that file.

    `columns` are the Intake columns the file owns: an update writes and compares only those,
    so a CRM export that knows nothing of cost estimates never blanks the ones a person typed.
    """

    outcome: FileOutcome
    rows: dict[int, dict[str, Any]]
    columns: tuple[str, ...] = INPUTS


def merge_requests(target: SheetTable, batch: list[Incoming]) -> RowWrite:
    """Plan the writes into the portfolio's Intake table and fill in each file's outcome."""
    existing = _existing(target)
    next_row = max((int(r) for r in target.frame.index), default=target.header_row) + 1
    writes: dict[int, dict[str, Any]] = {}
    for incoming in batch:
        outcome = incoming.outcome
        for src_row, rec in incoming.rows.items():
            rid = as_id(rec.get("request_id"))
            values = {name: rec.get(name) for name in incoming.columns} | {"origin": outcome.file}
            if rid is None:
                outcome.rejected.append(f"row {src_row}: no Request ID")
                continue
            here = existing.get(rid.casefold())
            if here is None:
                writes[next_row] = values
                existing[rid.casefold()] = (next_row, outcome.file, values)
                next_row += 1
                outcome.new += 1
            elif here[1] != outcome.file:
                where = f"file {here[1]}" if here[1] else "the portfolio itself"
                outcome.rejected.append(f"row {src_row}: Request ID {rid} is already used by {where}; "
                                        "give the request its own ID")
            elif _same(here[2], values, incoming.columns):
                outcome.unchanged += 1
            else:
                writes[here[0]] = values
                existing[rid.casefold()] = (here[0], outcome.file, values)
                outcome.updated += 1
    return RowWrite(INTAKE.name, target.sheet, writes)


def _existing(target: SheetTable) -> dict[str, tuple[int, str, dict[str, Any]]]:
    """Request ID -> (Excel row, origin file, input values) for the rows already in the portfolio."""
    out = {}
    frame = target.frame
    for row, rec in zip(frame.index, frame.to_dict("records")):
        rid = as_id(rec.get("request_id"))
        if rid and rid.casefold() not in out:
            origin = "" if is_blank(rec.get("origin")) else str(rec.get("origin"))
            out[rid.casefold()] = (int(row), origin, {n: rec.get(n) for n in INPUTS})
    return out


def _same(old: dict[str, Any], new: dict[str, Any], columns: tuple[str, ...]) -> bool:
    def norm(v: Any) -> Any:
        if is_blank(v):
            return None
        if hasattr(v, "date") and callable(v.date):  # a datetime read back equals the date written
            return v.date()
        return v

    return all(norm(old.get(n)) == norm(new.get(n)) for n in columns)


def consolidation_sheet(outcomes: list[FileOutcome]) -> GeneratedSheet:
    rows = tuple(
        (o.file, o.template, o.status, o.rows_read, o.new, o.updated, o.unchanged, len(o.rejected),
         "; ".join(([o.error] if o.error else []) + o.notes + o.rejected))
        for o in outcomes
    )
    return GeneratedSheet(CONSOLIDATION_SHEET, CONSOLIDATION_HEADER, rows, CONSOLIDATION_WIDTHS)
