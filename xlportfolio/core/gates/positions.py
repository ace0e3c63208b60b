"""Where the ledger says each item stands: its stage and state are what the gates and decisions recorded.

The Stage and State cells on Items are a copy of the ledger, not its source. Reading the ledger
back gives, per item, the stage of its latest move (or of the entry that first recorded it) and
the state its latest decision left it in. A cell that differs, and was not just moved by the
run that reads it, was typed over: an error on that cell, naming the item, both values and the
two ways back. An item the ledger never saw joins it once, as an opening balance at its stage
and state as found, so a workbook older than the ledger joins the chain without a false alarm.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlportfolio.core.book import SheetTable
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.gates.ledger import ACCEPTED, LEDGER_SHEET, OPENING, REFUSED, TOOL, Entry, recorded
from xlportfolio.core.gates.statuses import by_value, column, item_keys, stage_at, text
from xlportfolio.core.values import as_id, is_blank, show

STAGE_BYPASSED = define(
    "stage-not-from-gates", Severity.ERROR,
    "{item}: Stage is {now} but the ledger has {recorded} (Ledger row {entry}): a stage changes only "
    "through the gates. Ask for {now} in {requested}, or put {recorded} back.{counted}")
STATE_BYPASSED = define(
    "state-not-from-decisions", Severity.ERROR,
    "{item}: State is {now} but the ledger has {recorded} (Ledger row {entry}): a state changes only "
    "through a decision in Approvals (approve, hold or cancel). Record the decision, or put {recorded} back.{counted}")
ITEM_DELETED = define(
    "item-deleted", Severity.ERROR,
    "{item} is in the ledger at {stage} ({state}) but has no row on Items: it was deleted. Restore its row; "
    "an item leaves the portfolio through a decision 'cancel', never by deleting it.")
ADDED_BY_HAND = define(
    "item-added-by-hand", Severity.WARNING,
    "{item} was added to Items by hand at {value}, not through accept, so it never passed the gates before "
    "{value}; the ledger records it from here as an opening balance. If it did not pass them, ask for a move "
    "back with a reason.")
CODES = (STAGE_BYPASSED, STATE_BYPASSED, ITEM_DELETED, ADDED_BY_HAND)

# The state a decision leaves an item in (as decisions.STATE_AFTER; defer changes nothing).
STATE_AFTER = {"hold": "On hold", "cancel": "Cancelled", "approve": "Active"}
MOVES = ("approve", "move back")  # decisions of a gate move, whose From names the stage left
FIRST_SEEN = "first seen"
_STATE = re.compile(r"State: (.*)$")
# Ledger fields (Entry order): when, who, item, from, to, decision, reason.
WHEN, WHO, ITEM, FROM, TO, DECISION, REASON = range(7)


@dataclass
class Position:
    """An item as the ledger last recorded it."""

    item: str  # its ID as recorded
    stage: str | None = None  # None: no move or opening recorded it ("" is "no stage")
    state: str | None = None  # None: no decision or opening recorded it
    row: int = 0  # Excel row of the latest entry that set the stage or the state
    opened: bool = False  # recorded by an opening balance (or by accept), not only by moves
    refusal: tuple[str, ...] | None = None  # the latest refusal since the stage last changed (Entry fields)
    _decided: tuple[str, int] = ("", 0)  # (When, row) of the latest state decision


@dataclass(frozen=True)
class Ledger:
    """Every item the ledger knows, by key (case-folded ID)."""

    positions: dict[str, Position]
    opened: bool  # the ledger already holds opening balances: the population has joined it

    def of(self, item: Any) -> Position | None:
        key = (as_id(item) or "").casefold()
        return self.positions.get(key) if key else None


def read_ledger(rows: Iterable[Sequence[Any]], first_row: int = 2) -> Ledger:
    """Replay the ledger rows in sheet order: moves and openings set the stage, decisions the state."""
    out: dict[str, Position] = {}
    opened = False
    for excel, _, values in recorded(rows, first_row):
        key = (as_id(values[ITEM]) or "").casefold()
        if not key:
            continue
        pos = out.setdefault(key, Position(values[ITEM]))
        decision, moved = values[DECISION].casefold(), values[FROM] != ""
        if decision in (OPENING, ACCEPTED):
            opened |= decision == OPENING
            pos.stage, pos.opened, pos.row, pos.refusal = values[TO], True, excel, None
            if pos.state is None or not pos._decided[0]:
                found = _STATE.search(values[REASON])
                pos.state = found[1].strip() if found else pos.state
        elif moved and decision in MOVES:
            pos.stage, pos.row, pos.refusal = values[TO], excel, None
        elif moved and decision == REFUSED:
            pos.refusal = values
        elif not moved and decision in STATE_AFTER and (values[WHEN], excel) >= pos._decided:
            # The latest decision by its date stands, as states_after_decisions reads Approvals.
            pos.state, pos._decided, pos.row = STATE_AFTER[decision], (values[WHEN], excel), excel
    return Ledger(out, opened)


def opening_entries(items: SheetTable, ledger: Ledger, when: str, stage: dict[int, Any],
                    state: dict[int, Any]) -> list[Entry]:
    """An opening balance for each item the ledger does not know the stage or state of, once.

    `stage` and `state` are the cells as this run leaves them (Items row -> value).
    """
    out, seen = [], set()
    for row, item in _items(items):
        key = item.casefold()
        pos = ledger.positions.get(key)
        if key in seen or (pos is not None and pos.stage is not None and pos.state is not None):
            continue
        seen.add(key)
        at = pos.stage if pos is not None and pos.stage is not None else text(stage.get(row))
        now = pos.state if pos is not None and pos.state is not None else text(state.get(row))
        out.append(Entry(when, TOOL, item, "", at, OPENING, f"{FIRST_SEEN}; State: {now}"))
    return out


def added_by_hand(items: SheetTable, ledger: Ledger, stages: tuple[str, ...], openings: list[Entry]) -> list[Finding]:
    """Items that appear without a ledger entry, past the first stage, once the population joined the ledger."""
    if not ledger.opened:
        return []  # the first opening balances: the workbook joins the ledger, nothing was added by hand
    new = {e.item.casefold() for e in openings if e.item.casefold() not in ledger.positions}
    return [finding(ADDED_BY_HAND, items, row, "stage", _cell(items, row, "stage"), item=label(items, row))
            for row, item in _items(items)
            if item.casefold() in new and (at := stage_at(_cell(items, row, "stage"), stages)) is not None and at > 0]


def bypasses(items: SheetTable, ledger: Ledger, stages: tuple[str, ...], stage: dict[int, Any] | None = None,
             state: dict[int, Any] | None = None, counted: str = "") -> list[Finding]:
    """Stage and State cells that differ from the ledger, and items the ledger has that Items lost.

    `stage` and `state` are the cells as this run leaves them (default: as read). `counted` says
    what the command did with the item instead, e.g. that the rollup counts it at its ledger stage.
    """
    stage = stage if stage is not None else _values(items, "stage")
    state = state if state is not None else _values(items, "state")
    out: list[Finding] = []
    present = set()
    for row, item in _items(items):
        key = item.casefold()
        present.add(key)
        pos = ledger.positions.get(key)
        if pos is None:
            continue
        name = label(items, row)
        if pos.stage is not None and _stage_key(stage.get(row), stages) != _stage_key(pos.stage, stages):
            recorded_as = pos.stage or "no stage"
            then = f" It is counted at {recorded_as}{counted}." if counted else ""
            out.append(finding(STAGE_BYPASSED, items, row, "stage", stage.get(row), item=name, now=_shown(stage.get(row)),
                               recorded=recorded_as, entry=pos.row, requested=_cell_name(items, "requested_stage", row),
                               counted=then))
        if pos.state is not None and text(state.get(row)).casefold() != pos.state.casefold():
            then = f" It is counted as {pos.state or 'no state'}{counted}." if counted else ""
            out.append(finding(STATE_BYPASSED, items, row, "state", state.get(row), item=name, now=_shown(state.get(row)),
                               recorded=pos.state or "no state", entry=pos.row, counted=then))
    for key, pos in ledger.positions.items():
        if key not in present and pos.stage is not None:
            out.append(Finding(ITEM_DELETED, Severity.ERROR, _deleted(pos), LEDGER_SHEET, pos.row, "D", "Item", pos.item))
    return out


def as_recorded(items: SheetTable, ledger: Ledger) -> pd.DataFrame:
    """The Items frame with Stage and State as the ledger recorded them, where it did."""
    frame = items.frame.copy()
    keys = item_keys(column(frame, "item_id"))
    for name in ("stage", "state"):
        if name not in frame:
            continue
        recorded_as = keys.map(lambda k, n=name: getattr(ledger.positions.get(k), n, None) if k else None)
        frame[name] = frame[name].where(recorded_as.isna(), recorded_as)
    return frame


def label(items: SheetTable, row: int) -> str:
    """An item as a person knows it: 'PR-017 CRM migration 17'."""
    return item_label(_cell(items, row, "item_id"), _cell(items, row, "name"))


def item_label(item: Any, name: Any) -> str:
    ident, title = as_id(item) or "an item without an Item ID", text(name)
    return f"{ident} {title}" if title else ident


def _deleted(pos: Position) -> str:
    from xlportfolio.core.codes import CODES as REGISTERED
    return REGISTERED[ITEM_DELETED].template.format(item=pos.item, stage=pos.stage or "no stage",
                                                    state=pos.state or "no state recorded")


def _items(items: SheetTable) -> list[tuple[int, str]]:
    if "item_id" not in items.frame:
        return []
    ids = by_value(items.frame["item_id"], as_id)
    return [(int(row), item) for row, item in ids.items() if item]


def _values(items: SheetTable, name: str) -> dict[int, Any]:
    return {int(r): None if is_blank(v) else v for r, v in column(items.frame, name).items()}


def _cell(items: SheetTable, row: int, name: str) -> Any:
    return items.frame.at[row, name] if name in items.frame else None


def _cell_name(items: SheetTable, name: str, row: int) -> str:
    return f"{items.sheet}!{items.letters[name]}{row}" if name in items.letters else f"a {items.header(name)} column"


def _stage_key(value: Any, stages: tuple[str, ...]) -> Any:
    at = stage_at(value, stages)
    return at if at is not None else text(value).casefold()


def _shown(value: Any) -> str:
    return "blank" if not text(value) else show(value)
