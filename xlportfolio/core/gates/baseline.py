"""The Baseline sheet: each item's plan as it stood when it passed DI4, kept for later edits to be measured against.

One row per frozen value: the item's dates, cost estimate and estimated value (What names the
Items column), then its Financials plan by month (What is "Plan"). An item enters once, when it
passes the gate that freezes the plan; rows already there keep their day. Sheets written before
the dates and values were frozen (Item ID, Period, Flow, Recurrence, Plan, Frozen on) read too.

Each function takes the sheet's rows as read (header row first; None or [] when there is no sheet yet).
"""
from __future__ import annotations

import datetime as dt

from xlportfolio.core.formats import DEFAULT_CURRENCY, money_format
from xlportfolio.core.gates.statuses import BASELINED
from xlportfolio.core.plan import GeneratedSheet
from xlportfolio.core.values import as_date, as_id, is_blank
from xlportfolio.schema import ITEMS

BASELINE_SHEET = "Baseline"
BASELINE_HEADER = ("Item ID", "Name", "What", "Period", "Flow", "Recurrence", "Baseline", "Frozen on")
WIDTHS = (12, 30, 16, 12, 10, 12, 14, 12)
PLAN = "Plan"
BASELINE_KEYS = ("item_id", "period", "flow", "recurrence", "plan")  # a plan row as the core reads it
_OLD_HEADER = ("Item ID", "Period", "Flow", "Recurrence", "Plan", "Frozen on")
_FACT = {ITEMS.column(name).label.casefold(): name for name in BASELINED}


def read_baseline(sheet: list[tuple] | None) -> list[dict]:
    """The frozen Financials plan rows: item_id, period, flow, recurrence, plan and frozen_on."""
    return [r for r in _rows(sheet) if r["what"] == PLAN]


def read_baseline_items(sheet: list[tuple] | None) -> list[dict]:
    """Per frozen item: its ID, name and the dates, cost and value frozen with it."""
    out: dict[str, dict] = {}
    for r in _rows(sheet):
        name = _FACT.get(str(r["what"]).casefold())
        if name:
            item = out.setdefault((as_id(r["item_id"]) or "").casefold(),
                                  {"item_id": r["item_id"], "name": r["name"], "frozen_on": r["frozen_on"]})
            item[name] = r["value"]
    return list(out.values())


def _rows(sheet: list[tuple] | None) -> list[dict]:
    rows = sheet or []
    if not rows:
        return []
    old = tuple(str(v or "").strip() for v in rows[0][:2]) == _OLD_HEADER[:2]
    out = []
    for r in rows[1:]:
        r = tuple(r) + (None,) * len(BASELINE_HEADER)
        if is_blank(r[0]):
            continue
        if old:
            item, period, flow, recurrence, value, frozen_on = r[:6]
            name, what = None, PLAN
        else:
            item, name, what, period, flow, recurrence, value, frozen_on = r[:8]
        out.append({"item_id": item, "name": name, "what": str(what or PLAN).strip(), "period": period,
                    "flow": flow, "recurrence": recurrence, "plan": value, "value": value, "frozen_on": frozen_on})
    return out


def baseline_sheet(sheet: list[tuple] | None, plan: list[dict], items: list[dict], as_of: dt.date,
                   currency: str = DEFAULT_CURRENCY) -> GeneratedSheet:
    """The sheet with the rows already there, and the items frozen by this run (an item enters once).

    Its Baseline column holds dates and amounts; the amounts show in the workbook's `currency`.
    """
    rows = [(r["item_id"], r["name"], r["what"], r["period"], r["flow"], r["recurrence"], r["value"], r["frozen_on"])
            for r in _rows(sheet)]
    before = {(as_id(r[0]) or "").casefold() for r in rows}
    for item in items:
        key = (as_id(item["item_id"]) or "").casefold()
        if key in before:
            continue
        rows += [(item["item_id"], item.get("name"), ITEMS.column(name).label, None, None, None,
                  _day(item.get(name)), as_of) for name in BASELINED]
        rows += [(r["item_id"], item.get("name"), PLAN, _day(r["period"]), r["flow"], r["recurrence"], r["plan"], as_of)
                 for r in plan if (as_id(r["item_id"]) or "").casefold() == key]
    formats = (None,) * BASELINE_HEADER.index("Baseline") + (money_format(currency),)
    return GeneratedSheet(BASELINE_SHEET, BASELINE_HEADER, tuple(rows), WIDTHS, formats=formats)


def _day(value):
    return as_date(value) or value
