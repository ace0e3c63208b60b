"""Portfolio checks across tables: dependencies, capacity against demand, financial rows.

They run on the Dependencies, Capacity and Financials tables and read the Items table beside
them; without an Items table there is nothing to check them against and they stay silent.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.checks.registry import Context, check
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.prioritise.capacity import contributions, is_closed, is_frozen, month_key
from xlportfolio.core.values import as_date, as_id, is_number, read_once, show

DEPENDENCY_UNKNOWN_ITEM = define(
    "dependency-unknown-item", Severity.ERROR,
    "{value} is not in the Items table; enter the ID of an existing item or delete the row.")
DEPENDENCY_CYCLE = define(
    "dependency-cycle", Severity.ERROR,
    "Dependency cycle {cycle}: none of these items can finish first; remove or reverse one of "
    "the dependencies on {sheet} rows {rows}.")
SUCCESSOR_BEFORE_PREDECESSOR = define(
    "successor-before-predecessor", Severity.ERROR,
    "{successor} is due {due} but its predecessor {predecessor} ends only {end}; move one of the "
    "dates or remove the dependency.")
DEPENDS_ON_FROZEN = define(
    "depends-on-frozen", Severity.WARNING,
    "{successor} is active but depends on {predecessor}, which is {state}; resume {predecessor}, "
    "or remove the dependency, or hold {successor} too.")
CAPACITY_OVER = define(
    "capacity-over-allocated", Severity.ERROR,
    "{function} is over-allocated in {month}: active items need {demand} days, {available} are "
    "available; most from {top}. Move dates, add capacity or hold an item.")
CAPACITY_MISSING = define(
    "capacity-missing", Severity.WARNING,
    "{function} has no capacity row for {month}, yet active items need {demand} days then ({top}); "
    "add a row to the Capacity table.")
FINANCIALS_UNKNOWN_ITEM = define(
    "financials-unknown-item", Severity.ERROR,
    "{value} is not in the Items table, so these amounts count for no item; enter an existing item ID.")
FINANCIALS_OUTSIDE_DATES = define(
    "financials-outside-dates", Severity.WARNING,
    "{month} is {side} {item}'s {which} ({day}); move the amount into the item's dates or correct them.",
    repeated="{count} {sheet} rows of {item} are outside its dates, periods {values} ({cells}); the first: {first}")

TOP_CONTRIBUTORS = 3  # items named in a capacity finding
_SLACK = 1e-9  # evenly spread effort adds up with rounding noise: exactly at the limit is not over


@dataclass(frozen=True)
class RowsFinding(Finding):
    """A finding on several rows of one table (a dependency cycle): `row` is the first of them."""

    rows: tuple[int, ...] = ()  # every row the finding concerns, `row` included


def _items(book: Book, *columns: str) -> dict[str, tuple[int, dict]] | None:
    """Items by casefolded ID -> (Excel row, record of `columns` and the ID); the first row wins.

    None without an Items table. Only the columns a check reads are copied: Items has dozens.
    """
    items = book.table("Items")
    if items is None or "item_id" not in items.frame:
        return None
    frame = items.frame
    records = frame[["item_id", *(c for c in columns if c in frame)]].to_dict("records")
    out: dict[str, tuple[int, dict]] = {}
    for row, rec in zip(frame.index, records):
        iid = as_id(rec.get("item_id"))
        if iid:
            out.setdefault(iid.casefold(), (int(row), rec))
    return out


def _pairs(table: SheetTable) -> list[tuple[int, str, str]]:
    """Dependencies rows naming both items: (Excel row, predecessor ID, successor ID)."""
    frame = table.frame
    if "predecessor_id" not in frame or "successor_id" not in frame:
        return []
    out = []
    for row, pred, succ in zip(frame.index, frame["predecessor_id"], frame["successor_id"]):
        p, s = as_id(pred), as_id(succ)
        if p and s:
            out.append((int(row), p, s))
    return out


@check("dependency-references", "Dependencies", [DEPENDENCY_UNKNOWN_ITEM])
def dependency_references(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    items = _items(book)
    if items is None:
        return
    for column in ("predecessor_id", "successor_id"):
        if column not in table.frame:
            continue
        for row, value in table.frame[column].items():
            iid = as_id(value)
            if iid and iid.casefold() not in items:
                yield finding(DEPENDENCY_UNKNOWN_ITEM, table, int(row), column, value)


@check("dependency-cycles", "Dependencies", [DEPENDENCY_CYCLE])
def dependency_cycles(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    """One finding per cycle, until every dependency that lies on some cycle is named in one."""
    pairs = _pairs(table)
    names: dict[str, str] = {}  # casefolded ID -> the ID as first written
    rows: dict[tuple[str, str], list[int]] = defaultdict(list)  # an edge -> the rows stating it
    graph: dict[str, list[str]] = defaultdict(list)
    for row, p, s in pairs:
        a, b = names.setdefault(p.casefold(), p).casefold(), names.setdefault(s.casefold(), s).casefold()
        if (a, b) not in rows:
            graph[a].append(b)
        rows[(a, b)].append(row)
    component = _components(graph)
    covered: set[tuple[str, str]] = set()
    for edge in sorted(rows, key=lambda e: rows[e][0]):  # in sheet order
        a, b = edge
        if edge in covered or component.get(a) != component.get(b):
            continue
        path = [a] if a == b else _shortest(graph, b, a)
        if path is None:
            continue  # cannot happen within one component; guard all the same
        cycle = [a, *path]
        edges = list(zip(cycle, cycle[1:]))
        covered.update(edges)
        on = sorted({r for e in edges for r in rows[e]})
        f = finding(DEPENDENCY_CYCLE, table, rows[edge][0], "predecessor_id", names[a],
                    cycle=" -> ".join(names[n] for n in cycle), rows=_and(on))
        yield RowsFinding(**vars(f), rows=tuple(on))


def _components(graph: dict[str, list[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative): node -> component number."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: dict[str, int] = {}
    counter = 0
    nodes = list(graph) + [n for targets in graph.values() for n in targets]
    for root in dict.fromkeys(nodes):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            for nxt in targets:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        out[member] = index[node]
                        if member == node:
                            break
    return out


def _shortest(graph: dict[str, list[str]], start: str, goal: str) -> list[str] | None:
    """The shortest path start ... goal (both included), breadth first, in the order rows were written.

    With start and goal in one strongly connected component, every node on the path is in it too.
    """
    back: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while back[path[-1]] is not None:
                path.append(back[path[-1]])
            return path[::-1]
        for nxt in graph.get(node, ()):
            if nxt not in back:
                back[nxt] = node
                queue.append(nxt)
    return None


@check("dependency-dates", "Dependencies", [SUCCESSOR_BEFORE_PREDECESSOR, DEPENDS_ON_FROZEN])
def dependency_dates(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    """A successor still to deliver must not be due before its predecessor ends, nor wait on frozen work."""
    items = _items(book, "stage", "state", "due_date", "end_date")
    if items is None:
        return
    frame = table.frame
    cells = {name: dict(zip(map(int, frame.index), frame[name])) for name in ("predecessor_id", "successor_id")
             if name in frame}
    for row, p, s in _pairs(table):
        if p.casefold() not in items or s.casefold() not in items or p.casefold() == s.casefold():
            continue  # unknown items and self-dependencies have their own findings
        pred, succ = items[p.casefold()][1], items[s.casefold()][1]
        if is_closed(succ) or _cancelled(succ):
            continue  # done or dropped: its dates and needs no longer matter
        if is_frozen(pred) and not is_frozen(succ):
            yield finding(DEPENDS_ON_FROZEN, table, row, "predecessor_id", cells["predecessor_id"][row],
                          successor=s, predecessor=p, state=str(pred.get("state")).strip().lower())
        if _cancelled(pred):
            continue  # it will never end: depends-on-frozen says so
        end = as_date(pred.get("end_date"))
        due = as_date(succ.get("due_date")) or as_date(succ.get("end_date"))
        if end and due and due < end:
            yield finding(SUCCESSOR_BEFORE_PREDECESSOR, table, row, "successor_id", cells["successor_id"][row],
                          successor=s, predecessor=p, due=due.isoformat(), end=end.isoformat())


@check("capacity-load", "Capacity", [CAPACITY_OVER, CAPACITY_MISSING])
def capacity_load(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    """Demand of active, open items per function and month against the Capacity rows."""
    items = book.table("Items")
    if items is None:
        return
    per_item = contributions(items, context.as_of)
    ids = dict(zip(map(int, items.frame.index), items.frame["item_id"])) if "item_id" in items.frame else {}
    need: dict[tuple[str, str], float] = defaultdict(float)
    who: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for row, spread in per_item.items():
        iid = as_id(ids[row]) if ids else None
        for key, days in spread.items():
            need[key] += days
            who[key].append((days, iid or f"Items row {row}"))
    have, where = _capacity_rows(table)
    for key in sorted(need):
        function, month = key
        top = ", ".join(f"{iid} ({_days(days)})"
                        for days, iid in sorted(who[key], key=lambda t: (-t[0], t[1]))[:TOP_CONTRIBUTORS])
        if key not in have:
            yield finding(CAPACITY_MISSING, table, None, None, function=function, month=month,
                          demand=_days(need[key]), top=top)
        elif need[key] > have[key] + _SLACK:
            yield finding(CAPACITY_OVER, table, where[key], "available_days", have[key], function=function,
                          month=month, demand=_days(need[key]), available=_days(have[key]), top=top)


def _capacity_rows(table: SheetTable) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], int]]:
    """Available days and the row stating them per (function, month); a later row wins, as in Select."""
    have, where = {}, {}
    frame = table.frame
    for row, rec in zip(frame.index, frame.to_dict("records")):
        day, days, function = as_date(rec.get("period")), rec.get("available_days"), as_id(rec.get("function"))
        if day and is_number(days) and function:
            have[(str(rec["function"]), month_key(day))] = float(days)
            where[(str(rec["function"]), month_key(day))] = int(row)
    return have, where


@check("financials-items", "Financials", [FINANCIALS_UNKNOWN_ITEM, FINANCIALS_OUTSIDE_DATES])
def financials_items(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    items = _items(book, "start_date", "end_date")
    frame = table.frame
    if items is None or "item_id" not in frame:
        return
    spans = {key: _Span.of(rec) for key, (_, rec) in items.items()}
    ids = frame["item_id"].tolist()
    periods = frame["period"].tolist() if "period" in frame else [None] * len(frame)
    # A million rows repeat a few thousand items and a few dozen periods: each is read once.
    named = read_once(ids, lambda value: (iid, spans.get(iid.casefold())) if (iid := as_id(value)) else None)
    months = read_once(periods, lambda value: (day, (day.year, day.month)) if (day := as_date(value)) else None)
    for row, value, period, item, month in zip(frame.index, ids, periods, named, months):
        if item is None:
            continue
        iid, span = item
        if span is None:
            yield finding(FINANCIALS_UNKNOWN_ITEM, table, int(row), "item_id", value)
            continue
        if month is None:
            continue
        day, year_month = month
        if span.first and year_month < span.first:
            yield finding(FINANCIALS_OUTSIDE_DATES, table, int(row), "period", period, month=month_key(day),
                          side="before", item=iid, which="start", day=span.start.isoformat())
        elif span.last and year_month > span.last:
            yield finding(FINANCIALS_OUTSIDE_DATES, table, int(row), "period", period, month=month_key(day),
                          side="after", item=iid, which="end", day=span.end.isoformat())


class _Span(NamedTuple):
    """An item's start and end dates, and the (year, month) each falls in."""

    start: dt.date | None
    end: dt.date | None
    first: tuple[int, int] | None
    last: tuple[int, int] | None

    @classmethod
    def of(cls, rec: dict) -> _Span:
        start, end = as_date(rec.get("start_date")), as_date(rec.get("end_date"))
        return cls(start, end, (start.year, start.month) if start else None, (end.year, end.month) if end else None)


def _cancelled(rec: dict) -> bool:
    return str(rec.get("state") or "").strip().casefold() == "cancelled"


def _days(value: float) -> str:
    """Person-days as a person writes them: 30, 12.5."""
    return show(round(value, 1))


def _and(numbers: list[int]) -> str:
    """'2', '2 and 5', '2, 5 and 7'."""
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else f"{', '.join(text[:-1])} and {text[-1]}"

