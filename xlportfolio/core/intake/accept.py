"""The accept command's core: valid requests marked Accept become portfolio items at DI1."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import ColumnWrite, EditPlan, RowWrite
from xlportfolio.core.values import as_id, is_blank, is_number, yes
from xlportfolio.schema import INTAKE, ITEMS, LISTS_BY_NAME, STAGES

# New item IDs follow the level, as the sample portfolio's do: PR-041 is a project.
ID_PREFIX = {"Portfolio": "PF-", "Program": "PG-", "Project": "PR-", "Measure Package": "MP-", "Measure": "M-"}
ACCEPTED = "Accepted"
LEVELS = LISTS_BY_NAME["Level"].values


@dataclass
class AcceptSummary:
    created: list[tuple[str, str]] = field(default_factory=list)  # (request ID, new item ID)
    linked: list[tuple[str, str]] = field(default_factory=list)  # re-linked to an existing item
    refused: list[tuple[int, str]] = field(default_factory=list)  # (Excel row, why)
    already: int = 0


def accept_requests(book: Book, as_of: dt.date | None = None) -> tuple[Report, EditPlan, AcceptSummary]:
    """Validate intake, then turn each valid request marked Accept into an item at DI1 Defined.

    Running it twice creates nothing new: a request whose item exists (by the Item ID written
    back, or by the item's Request ID) is only reported as accepted.
    """
    report, plan = validate_intake(book, as_of)
    intake, items = book.tables[INTAKE.name], book.tables[ITEMS.name]
    errors = report.per_row(intake.sheet, Severity.ERROR)
    by_request = _items_by_request(items)
    known_items = {i.casefold() for i in map(as_id, items.frame.get("item_id", [])) if i}
    levels = {as_id(i): lvl for i, lvl in zip(items.frame.get("item_id", []), items.frame.get("level", []))}
    numbers = {level: _item_numbers(known_items, prefix) for level, prefix in ID_PREFIX.items()}
    next_row = _next_free_row(items)
    summary, status, links, created = AcceptSummary(), {}, {}, []
    frame = intake.frame
    columns = [frame[c].tolist() if c in frame else [None] * len(frame)
               for c in ("request_id", "item_id", "accept", "parent_id")]
    for position, (row, request_id, item_id, accept, parent_id) in enumerate(zip(frame.index, *columns)):
        row, rid = int(row), as_id(request_id)
        linked = as_id(item_id)
        if linked and linked.casefold() in known_items:
            status[row], links[row] = ACCEPTED, linked
            summary.already += 1
        elif rid and rid.casefold() in by_request:
            status[row], links[row] = ACCEPTED, by_request[rid.casefold()]
            summary.linked.append((rid, links[row]))
        elif not yes(accept):
            status[row], links[row] = "", linked or ""
        elif errors[row] or not rid:
            why = f"Not accepted: {errors[row]} error{'s' if errors[row] != 1 else ''}" if errors[row] \
                else "Not accepted: no Request ID"
            status[row], links[row] = why, ""
            summary.refused.append((row, why))
        else:
            level = _child_level(levels.get(as_id(parent_id)))
            new_id = f"{ID_PREFIX[level]}{next(numbers[level]):03d}"
            known_items.add(new_id.casefold())
            created.append((position, next_row, new_id, level))
            next_row += 1
            status[row], links[row] = ACCEPTED, new_id
            summary.created.append((rid, new_id))
            by_request[rid.casefold()] = new_id
    requests = _request_cells(frame, [position for position, *_ in created])
    new_items = {row: new_item(request, item_id, level)
                 for (_, row, item_id, level), request in zip(created, requests)}
    plan.rows.append(RowWrite(ITEMS.name, items.sheet, new_items))
    plan.columns += [
        ColumnWrite(INTAKE.name, intake.sheet, intake.header("intake_status"), status),
        ColumnWrite(INTAKE.name, intake.sheet, intake.header("item_id"), links),
    ]
    return report, plan, summary


def new_item(request: dict[str, Any], item_id: str, level: str) -> dict[str, Any]:
    """The portfolio item a request becomes: its context and requested values copied."""
    parent = as_id(request.get("parent_id"))
    value = sum(v for v in (request.get("expected_revenue"), request.get("retention_effect")) if is_number(v))
    return {
        "item_id": item_id, "parent_id": parent, "level": level,
        "name": request.get("title"), "owner": request.get("owner"), "sponsor": request.get("sponsor"),
        "function": request.get("function"), "category": request.get("category"),
        "stage": STAGES[0], "state": "Active", "end_date": request.get("due_date"),
        "estimated_value": value or None, "cost_estimate": request.get("cost_estimate"),
        "request_id": as_id(request.get("request_id")),
        "customer_name": request.get("customer_name"), "customer_id": as_id(request.get("customer_id")),
    }


def _request_cells(frame: pd.DataFrame, positions: list[int]) -> list[dict[str, Any]]:
    """The cells of some Intake rows (by position), each row typed as `DataFrame.iterrows` types it.

    A row is typed as a whole: one of only text and blanks becomes text, its blanks NaN. Only the
    accepted requests' rows are built, not every row of a large Intake table.
    """
    values = frame.values
    return [pd.Series(values[p], index=frame.columns, name=frame.index[p]).to_dict() for p in positions]


def _child_level(parent_level: Any) -> str:
    """One level below the parent; a request without a parent becomes a project."""
    if parent_level in LEVELS and parent_level != LEVELS[-1]:
        return LEVELS[LEVELS.index(parent_level) + 1]
    return "Project"


def _items_by_request(items: SheetTable) -> dict[str, str]:
    frame = items.frame
    if "request_id" not in frame or "item_id" not in frame:
        return {}
    return {rid.casefold(): as_id(item) for rid, item in zip(map(as_id, frame["request_id"]), frame["item_id"])
            if rid and not is_blank(item)}


def _item_numbers(known: set[str], prefix: str):
    """New item numbers continue after the highest number in use with the same prefix."""
    pattern = re.compile(re.escape(prefix.casefold()) + r"(\d+)$")
    n = max((int(m[1]) for i in known if (m := pattern.match(i))), default=0)
    while True:
        n += 1
        if f"{prefix}{n:03d}".casefold() not in known:
            yield n


def _next_free_row(table: SheetTable) -> int:
    return max((int(r) for r in table.frame.index), default=table.header_row) + 1
