"""Effort demand and available capacity per function and month ("YYYY-MM" keys).

An item's effort is spread evenly over the months from now (or its start, if later) to its due
date (or its end date); work without either is spread over the next DEFAULT_MONTHS months.
"""
from __future__ import annotations

import datetime as dt
from functools import cache

from xlportfolio.core.book import SheetTable
from xlportfolio.core.values import as_date, is_blank, is_number
from xlportfolio.schema import STAGES

DEFAULT_MONTHS = 3  # effort of work without a due date is spread over the next quarter
FROZEN_STATES = frozenset({"on hold", "cancelled"})  # states whose items are not worked on
CLOSED_STAGE = STAGES[-1]  # "DI6 Closed": the work is done

Key = tuple[str, str]  # (function, "YYYY-MM")
# The Items columns demand and the counting rules read: Items has dozens more.
DEMAND_COLUMNS = ("item_id", "parent_id", "effort_days", "function", "start_date", "due_date", "end_date", "state",
                  "stage")


def month_key(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def months(start: dt.date, end: dt.date | None) -> list[str]:
    """The months from start to end, both included; DEFAULT_MONTHS months when there is no end."""
    return list(_months(start.year, start.month, (end.year, end.month) if end else None))


@cache  # thousands of items share their first and last months
def _months(year: int, month: int, last: tuple[int, int] | None) -> tuple[str, ...]:
    out, y, m = [], year, month
    while True:
        out.append(f"{y}-{m:02d}")
        if (last and (y, m) >= last) or (not last and len(out) == DEFAULT_MONTHS):
            return tuple(out)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def demand(rec: dict, as_of: dt.date) -> dict[Key, float]:
    """Effort spread evenly over the months from now (or the start) to the due (or end) date."""
    effort, function = rec.get("effort_days"), rec.get("function")
    if not is_number(effort) or effort <= 0 or is_blank(function):
        return {}
    start = max(as_date(rec.get("start_date")) or as_of, as_of)
    end = as_date(rec.get("due_date")) or as_date(rec.get("end_date"))
    spread = months(start, end) if end and end >= start else months(start, None)
    name, share = str(function), effort / len(spread)
    return {(name, m): share for m in spread}


def available(table: SheetTable | None) -> dict[Key, float]:
    """Capacity rows as (function, month) -> available days; rows without a usable value are left out."""
    if table is None:
        return {}
    out = {}
    for rec in table.frame.to_dict("records"):
        day, days = as_date(rec.get("period")), rec.get("available_days")
        if day and is_number(days) and not is_blank(rec.get("function")):
            out[(str(rec["function"]), month_key(day))] = float(days)
    return out


def is_frozen(rec: dict) -> bool:
    """On hold or cancelled: the item is not worked on."""
    state = rec.get("state")
    return not is_blank(state) and str(state).strip().casefold() in FROZEN_STATES


def is_closed(rec: dict) -> bool:
    """At the last stage (DI6): the work is done."""
    stage = rec.get("stage")
    return not is_blank(stage) and str(stage).strip().casefold() == CLOSED_STAGE.casefold()


def demand_by_month(items: SheetTable | None, as_of: dt.date, *, active_only: bool = True) -> dict[Key, float]:
    """Items' demand summed per (function, month).

    With active_only (the default) only items being worked on count: not on hold or cancelled,
    and not closed. Without it every item with effort counts.
    """
    total: dict[Key, float] = {}
    for rec in contributions(items, as_of, active_only=active_only).values():
        for key, days in rec.items():
            total[key] = total.get(key, 0.0) + days
    return total


def contributions(items: SheetTable | None, as_of: dt.date, *,
                  active_only: bool = True) -> dict[int, dict[Key, float]]:
    """Each counted item's demand, by its Excel row (see demand_by_month for which count)."""
    if items is None:
        return {}
    out = {}
    frame = items.frame
    records = frame[[c for c in DEMAND_COLUMNS if c in frame]].to_dict("records")
    spreads = [demand(r, as_of) for r in records]
    # A parent's effort is the sum of its children's: count an item only when no child of it
    # carries effort itself, or a program, its projects and their measures count three times.
    with_effort = {str(r.get("parent_id")).strip().casefold() for r, spread in zip(records, spreads)
                   if spread and not is_blank(r.get("parent_id"))}
    for row, rec, spread in zip(frame.index, records, spreads):
        if active_only and (is_frozen(rec) or is_closed(rec)):
            continue
        if str(rec.get("item_id")).strip().casefold() in with_effort:
            continue
        if spread:
            out[int(row)] = spread
    return out
