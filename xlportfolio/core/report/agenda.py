"""What the committee reads and decides: gate moves and decisions in the period, the decisions still needed, top risks.

Every list names each item by ID and name, and each entry is a plain dict the pack's template shows.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.gates.criteria import read_criteria
from xlportfolio.core.gates.ledger import REFUSED
from xlportfolio.core.gates.moves import check_gates
from xlportfolio.core.gates.positions import read_ledger
from xlportfolio.core.gates.statuses import stage_at, text
from xlportfolio.core.values import as_date, as_id, is_blank, is_number, show
from xlportfolio.schema import APPROVALS, GATES, ITEMS, STAGES

TOP_RISKS = 10


def item_names(items: SheetTable) -> dict[str, str]:
    """Item key (case-folded ID) -> its name, to put a name beside every ID."""
    frame = items.frame
    if "item_id" not in frame:
        return {}
    names = frame["name"] if "name" in frame else [None] * len(frame)
    return {key.casefold(): text(name) for key, name in zip(map(as_id, frame["item_id"]), names) if key}


def _name(names: dict[str, str], item: Any) -> str:
    key = as_id(item)
    return names.get(key.casefold(), "") if key else ""


def _cell_text(value: Any) -> str:
    return "" if is_blank(value) else show(value)


def _day(value: Any) -> dt.date | None:
    """A ledger's When ('2026-06-30T14:05:09Z', or a date typed over it) as a date."""
    if (day := as_date(value)) is not None:
        return day
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def gate_moves(rows: list[tuple], since: dt.date, as_of: dt.date, names: dict[str, str]) -> list[dict[str, str]]:
    """Stage moves the ledger recorded in the period, oldest first.

    Ledger columns: Seq, When, Who, Item, From, To, Decision, Reason. Rows without a From stage
    are Approvals decisions copied into the ledger; the pack lists those from Approvals.
    """
    out = []
    for row in rows:
        cells = (tuple(row) + (None,) * 8)[:8]
        day = _day(cells[1])
        if day is None or not since <= day <= as_of or is_blank(cells[4]) or _cell_text(cells[6]) == REFUSED:
            continue  # a refusal moved nothing: the pack lists it among the decisions still needed
        out.append({"date": day.isoformat(), "item": _cell_text(cells[3]), "name": _name(names, cells[3]),
                    "from": _cell_text(cells[4]), "to": _cell_text(cells[5]), "decision": _cell_text(cells[6]),
                    "who": _cell_text(cells[2]), "reason": _cell_text(cells[7])})
    return sorted(out, key=lambda m: m["date"])


def decisions(approvals: SheetTable | None, since: dt.date, as_of: dt.date,
              names: dict[str, str]) -> list[dict[str, str]]:
    """Decisions recorded in Approvals in the period, oldest first."""
    if approvals is None:
        return []
    out = []
    for row, rec in approvals.frame.iterrows():
        day = as_date(rec.get("decided_on"))
        if day is None or not since <= day <= as_of:
            continue
        out.append({"date": day.isoformat(), "item": _cell_text(rec.get("item_id")),
                    "name": _name(names, rec.get("item_id")), "gate": _cell_text(rec.get("gate")),
                    "role": _cell_text(rec.get("role")), "approver": _cell_text(rec.get("approver")),
                    "decision": _cell_text(rec.get("decision")), "reason": _cell_text(rec.get("reason")),
                    "cell": f"{approvals.sheet}!A{row}"})
    return sorted(out, key=lambda d: (d["date"], d["cell"]))


def decisions_needed(book: Book, as_of: dt.date, baseline: list[dict],
                     rows: list[tuple] | None = None) -> list[dict[str, Any]]:
    """Items whose Requested stage differs from their Stage: what the gate still lacks, and whose approval."""
    items = book.tables[ITEMS.name]
    frame = items.frame
    if "requested_stage" not in frame:
        return []
    stages = tuple(book.lists.get("Stage") or STAGES)
    criteria, _ = read_criteria(book.table(GATES.table.name), stages)  # gates reports the bad rows
    ledger = read_ledger(rows) if rows else None
    check = check_gates(book, as_of, baseline, ledger)  # pure: it only says what a gates run would do
    passing = {m.row for m in check.applied}
    approvals = _approvals_by_item(book.table(APPROVALS.name), stages)
    out = []
    for row, rec in frame.iterrows():
        asked, now = rec.get("requested_stage"), rec.get("stage")
        if is_blank(asked):
            continue
        target, current = stage_at(asked, stages), stage_at(now, stages)
        if target is not None and target == current:
            continue
        key, owner = (as_id(rec.get("item_id")) or "").casefold(), text(rec.get("owner")).casefold()
        roles = [c.target for c in criteria if c.kind == "approval" and stage_at(c.stage, stages) == target]
        given = {a["role"] for a in approvals.get((key, target), [])
                 if a["decision"] == "approve" and a["approver"] and a["approver"].casefold() != owner}
        missing = [r for r in roles if r.casefold() not in given]
        latest = approvals.get((key, target), [])
        out.append({
            "item": _cell_text(rec.get("item_id")), "name": text(rec.get("name")), "level": text(rec.get("level")),
            "owner": text(rec.get("owner")), "sponsor": text(rec.get("sponsor")),
            "stage": _cell_text(now) or "no stage", "requested": _cell_text(asked),
            "missing_approvals": missing,
            "latest": f"{latest[-1]['decision']} by {latest[-1]['approver'] or 'someone'}"
                      f" on {latest[-1]['day'] or 'an unknown date'}" if latest else "",
            "ready": int(row) in passing,
            "gaps": check.refused.get(int(row), []),
            "cell": f"{items.sheet}!{items.letters.get('requested_stage', 'A')}{row}",
        })
    return out


def _approvals_by_item(approvals: SheetTable | None, stages: tuple[str, ...]) -> dict[tuple[str, int], list[dict]]:
    """(item key, gate index) -> its decisions, oldest first."""
    if approvals is None:
        return {}
    out: dict[tuple[str, int], list[dict]] = {}
    for row, rec in approvals.frame.iterrows():
        key, gate = (as_id(rec.get("item_id")) or "").casefold(), stage_at(rec.get("gate"), stages)
        if not key or gate is None:
            continue
        day = as_date(rec.get("decided_on"))
        out.setdefault((key, gate), []).append({
            "role": text(rec.get("role")).casefold(), "approver": text(rec.get("approver")),
            "decision": text(rec.get("decision")).casefold(), "day": day.isoformat() if day else "",
            "order": (day or dt.date.min, int(row))})
    for decided in out.values():
        decided.sort(key=lambda a: a["order"])
    return out


def top_risks(risks: SheetTable | None, names: dict[str, str], limit: int = TOP_RISKS) -> list[dict[str, Any]]:
    """The risks with the highest probability x impact; rows without both numbers are left out."""
    if risks is None:
        return []
    scored = []
    for row, rec in risks.frame.iterrows():
        p, i = rec.get("probability"), rec.get("impact")
        if not (is_number(p) and is_number(i)):
            continue
        scored.append({"risk": _cell_text(rec.get("risk_id")), "item": _cell_text(rec.get("item_id")),
                       "name": _name(names, rec.get("item_id")), "title": _cell_text(rec.get("title")),
                       "probability": p, "impact": i, "score": p * i, "owner": _cell_text(rec.get("owner")),
                       "mitigation": _cell_text(rec.get("mitigation")), "row": int(row)})
    scored.sort(key=lambda r: (-r["score"], -r["impact"], r["row"]))
    return scored[:limit]
