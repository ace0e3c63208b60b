"""Intake-specific checks: date sanity, duplicate requests, references to unknown items."""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import compress

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.checks.cells import cell_checks
from xlportfolio.core.checks.registry import Context, check
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.values import as_date, as_id, is_blank, read_once, split_ids

cell_checks("Intake")

DUE_BEFORE_REQUESTED = define(
    "due-before-requested", Severity.ERROR,
    "The due date {due} is before the request date {requested}; correct one of them.")
DUE_PAST = define(
    "due-date-past", Severity.WARNING,
    "The due date {due} has passed (today is {today}); agree a new date with the sponsor.")
REQUESTED_FUTURE = define(
    "requested-in-future", Severity.WARNING,
    "The request date {requested} is in the future (today is {today}); enter the date it was raised.")
DUPLICATE_ID = define(
    "duplicate-request-id", Severity.ERROR,
    "Request ID {value} is also used in row {other}; give each request its own ID.")
DUPLICATE_REQUEST = define(
    "duplicate-request", Severity.WARNING,
    "Same customer and title as row {other} ({other_id}); merge the two or make the title distinct.")
SIMILAR_REQUEST = define(
    "similar-request", Severity.WARNING,
    "Title reads like row {other} ({other_id}) for the same customer; if it is the same request, merge the two.")
UNKNOWN_PARENT = define(
    "unknown-parent", Severity.ERROR,
    "Parent item {value} is not in the Items table; choose an existing program or project ID.")
UNKNOWN_DEPENDENCY = define(
    "unknown-dependency", Severity.ERROR,
    "Dependency {missing} is not in the Items table or the Intake table; check the ID.")


@check("intake-dates", "Intake", [DUE_BEFORE_REQUESTED, DUE_PAST, REQUESTED_FUTURE])
def intake_dates(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    frame = table.frame
    if "due_date" not in frame or "requested_on" not in frame:
        return
    today = context.as_of
    requested_on, due_date = frame["requested_on"].tolist(), frame["due_date"].tolist()
    days = zip(frame.index, requested_on, due_date, read_once(requested_on, as_date), read_once(due_date, as_date))
    for row, requested, due, req_day, due_day in days:
        if req_day and req_day > today:
            yield finding(REQUESTED_FUTURE, table, int(row), "requested_on", requested,
                          requested=req_day.isoformat(), today=today.isoformat())
        if req_day and due_day and due_day < req_day:
            yield finding(DUE_BEFORE_REQUESTED, table, int(row), "due_date", due,
                          due=due_day.isoformat(), requested=req_day.isoformat())
        elif due_day and due_day < today:
            yield finding(DUE_PAST, table, int(row), "due_date", due,
                          due=due_day.isoformat(), today=today.isoformat())


@check("intake-duplicates", "Intake", [DUPLICATE_ID, DUPLICATE_REQUEST, SIMILAR_REQUEST])
def intake_duplicates(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    frame = table.frame
    first_id: dict[str, int] = {}
    first_request: dict[tuple[str, str], tuple[int, str]] = {}
    first_similar: dict[tuple[str, str], tuple[int, str]] = {}
    rows = [int(r) for r in frame.index]
    ids, customers, titles = (frame[c].tolist() if c in frame else [None] * len(frame)
                              for c in ("request_id", "customer_name", "title"))
    # Customers repeat a lot: each is read once. IDs and titles are nearly all distinct.
    id_keys, customer_keys, title_keys = map(as_id, ids), read_once(customers, _key), map(_key, titles)
    for row, rid, key_id, customer, title, title_key in zip(rows, ids, id_keys, customer_keys, titles, title_keys):
        if key_id:
            other = first_id.setdefault(key_id.casefold(), row)
            if other != row:
                yield finding(DUPLICATE_ID, table, row, "request_id", rid, other=other)
        if customer is None or title_key is None:
            continue
        seen = first_request.setdefault((customer, title_key), (row, key_id or "no ID"))
        if seen[0] != row:
            yield finding(DUPLICATE_REQUEST, table, row, "title", title,
                          other=seen[0], other_id=seen[1])
            continue
        near = first_similar.setdefault((customer, _gist(title_key)), (row, key_id or "no ID"))
        if near[0] != row:
            yield finding(SIMILAR_REQUEST, table, row, "title", title, other=near[0], other_id=near[1])


@check("intake-references", "Intake", [UNKNOWN_PARENT, UNKNOWN_DEPENDENCY])
def intake_references(table: SheetTable, book: Book, context: Context) -> Iterator[Finding]:
    items = book.table("Items")
    if items is None or "item_id" not in items.frame:
        return  # a distributed intake template has no portfolio to refer to
    frame = table.frame
    known = {i.casefold() for i in map(as_id, items.frame["item_id"].tolist()) if i}
    requests = {i.casefold() for i in map(as_id, frame["request_id"].tolist()) if i} if "request_id" in frame else set()
    resolvable = known | requests
    rows = [int(r) for r in frame.index]
    if "parent_id" in frame:
        parents = frame["parent_id"].tolist()
        unknown = read_once(parents, lambda parent: bool(pid := as_id(parent)) and pid.casefold() not in known)
        for i in compress(range(len(rows)), unknown):
            yield finding(UNKNOWN_PARENT, table, rows[i], "parent_id", parents[i])
    if "dependencies" in frame:
        dependencies = frame["dependencies"].tolist()
        missing = read_once(dependencies, lambda deps: [d for d in split_ids(deps) if d.casefold() not in resolvable])
        for row, deps, unknown in zip(rows, dependencies, missing):
            if unknown:
                yield finding(UNKNOWN_DEPENDENCY, table, row, "dependencies", deps, missing=", ".join(unknown))


_FILLER = frozenset("a an and for of the to in on with new request please".split())
_NON_WORD = re.compile(r"[\W_]+")


def _key(text: object) -> str | None:
    """A customer or title as requests are compared (see `_normal`); None when blank."""
    return None if is_blank(text) else _normal(text)


def _gist(normal: str) -> str:
    """Word order, filler words and plural s do not make two titles different (`normal` is a `_normal` text)."""
    words = {w.rstrip("s") for w in normal.split() if w not in _FILLER}
    return " ".join(sorted(words))


def _normal(text: object) -> str:
    """Case, spacing and punctuation do not make two requests different."""
    return _NON_WORD.sub(" ", str(text).casefold()).strip()
