"""Decisions recorded in Approvals: each goes into the ledger once, and hold/cancel freeze the item."""
from __future__ import annotations

import datetime as dt
from typing import Any

from xlportfolio.core.book import SheetTable
from xlportfolio.core.gates.ledger import Entry
from xlportfolio.core.values import as_date, as_id, is_blank

# The state a decision leaves an item in; defer changes nothing.
STATE_AFTER = {"hold": "On hold", "cancel": "Cancelled", "approve": "Active"}


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def decision_entries(approvals: SheetTable | None, ledger_rows: list[tuple]) -> list[Entry]:
    """Ledger entries for the Approvals rows the ledger does not hold yet, oldest first."""
    if approvals is None or approvals.frame.empty:
        return []
    # Ledger columns: Seq, When, Who, Item, From, To, Decision, Reason, ...
    known = {(_text(r[3]), _text(r[5]), _text(r[6]), _text(r[2]), _text(r[1])[:10], _text(r[7]))
             for r in ledger_rows if len(r) > 7}
    entries = []
    for rec in approvals.frame.to_dict("records"):
        day = as_date(rec.get("decided_on"))
        item, decision = as_id(rec.get("item_id")), _text(rec.get("decision")).lower()
        if not item or not day or decision not in ("approve", "defer", "hold", "cancel"):
            continue  # validation of the Approvals table reports such rows; the ledger takes only whole ones
        entry = Entry(f"{day.isoformat()}T00:00:00Z", _text(rec.get("approver")), item, "",
                      _text(rec.get("gate")), decision, _text(rec.get("reason")))
        key = (entry.item, entry.to_stage, entry.decision, entry.who, entry.when[:10], entry.reason)
        if key not in known:
            known.add(key)
            entries.append(entry)
    return sorted(entries, key=lambda e: e.when)


def states_after_decisions(items: SheetTable, approvals: SheetTable | None) -> dict[int, str]:
    """Items rows whose latest hold, cancel or approve decision sets a new state."""
    if approvals is None or approvals.frame.empty or "item_id" not in items.frame:
        return {}
    latest: dict[str, tuple[dt.date, str]] = {}
    for rec in approvals.frame.to_dict("records"):
        item, day = as_id(rec.get("item_id")), as_date(rec.get("decided_on"))
        decision = _text(rec.get("decision")).lower()
        if item and day and decision in STATE_AFTER and (item not in latest or day >= latest[item][0]):
            latest[item] = (day, decision)
    changes = {}
    for row, item, state in zip(items.frame.index, items.frame["item_id"], items.frame.get("state", [None] * len(items.frame))):
        key = as_id(item)
        if key in latest:
            wanted = STATE_AFTER[latest[key][1]]
            if _text(state) != wanted:
                changes[int(row)] = wanted
    return changes
