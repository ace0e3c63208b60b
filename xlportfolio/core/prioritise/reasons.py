"""Why each candidate is in or out of a selection, and what would bring an item that is out in.

An item left out of an optimal selection is kept out by what it would break if it were added
next to the chosen items: the budget left, the days left of a function in a month, a
predecessor that is not chosen (it would have to come too), or its own exclusion. Those are
exact, cheap to work out for every item, and they say what would have to grow for the item to
fit beside the selection: so much more money, so many more person-days of a named function
in a named month. Within the limits as they are, taking it means displacing chosen items
that together are worth at least as much, or the solver would have taken it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from xlportfolio.core.prioritise.select import BUDGET, Candidate, Key, Selection, _num

CAPACITY, DEPENDENCY, EXCLUDED, MANDATORY, NO_GAIN, MERIT = (
    "capacity", "dependency", "excluded", "mandatory", "no gain", "merit")
DAYS = "person-days"
MONEY = "money"


@dataclass(frozen=True)
class Shortfall:
    """One limit an item would break if it were added next to the selection."""

    limit: str  # "budget", "Finance 2026-08", or the predecessor's ID for a dependency
    kind: str  # BUDGET, CAPACITY or DEPENDENCY
    left: float | None  # what the selection leaves of the limit
    needs: float | None  # what the item, with the predecessors it brings, needs of it
    unit: str  # MONEY, DAYS, or "" for a dependency

    @property
    def short(self) -> float | None:
        return None if self.needs is None or self.left is None else self.needs - self.left


@dataclass(frozen=True)
class Reason:
    """What decided an item's place, in words, and the amounts that would bring it in."""

    id: str
    selected: bool
    kind: str  # the deciding constraint: BUDGET, CAPACITY, DEPENDENCY, EXCLUDED, MANDATORY, NO_GAIN, MERIT
    decided_by: str  # "Budget", "Capacity: Finance 2026-08", "Dependency: needs M-12", "Excluded", ...
    text: str  # a sentence a controller reads
    extra_budget: float | None = None  # money it needs beyond what is left, None when money is not short
    extra_days: float | None = None  # person-days it needs beyond what is left, summed over its short months
    shortfalls: tuple[Shortfall, ...] = ()
    brings: tuple[str, ...] = ()  # predecessors not chosen that would have to come with it


@dataclass(frozen=True)
class LimitUse:
    """A limit of the selection: what it allows, what the chosen items use, what it keeps out."""

    limit: str
    kind: str  # BUDGET or CAPACITY
    available: float
    used: float
    keeps_out: int  # items left out that are short on it

    @property
    def left(self) -> float:
        return self.available - self.used


def reasons(candidates: Iterable[Candidate], selection: Selection, capacity: dict[Key, float],
            dependencies: Iterable[tuple[str, str]], objective: str = "score") -> dict[str, Reason]:
    """A reason per candidate of a selection (an infeasible one has none: see its explanation)."""
    items = tuple(candidates)
    if not selection.chosen and selection.explanation:
        return {}
    by_id = {c.id: c for c in items}
    chosen = set(selection.chosen)
    pairs = [(p, s) for p, s in dict.fromkeys(dependencies) if p in by_id and s in by_id and p != s]
    predecessors, successors = defaultdict(list), defaultdict(list)
    for p, s in pairs:
        predecessors[s].append(p)
        successors[p].append(s)
    used = _used(items, chosen, capacity)
    left_money = None if selection.budget is None else selection.budget - selection.cost
    out = {}
    for c in items:
        if c.id in chosen:
            out[c.id] = _in(c, [s for s in successors[c.id] if s in chosen], objective)
        else:
            brings = _brings(c.id, predecessors, chosen)
            out[c.id] = _out(c, [by_id[i] for i in brings], left_money, capacity, used, objective)
    return out


def limit_uses(candidates: Iterable[Candidate], selection: Selection, capacity: dict[Key, float],
               why: dict[str, Reason]) -> list[LimitUse]:
    """The selection's binding limits, budget first, each with its numbers and the items it keeps out."""
    items = tuple(candidates)
    used = _used(items, set(selection.chosen), capacity)
    short = defaultdict(int)
    for reason in why.values():
        for s in reason.shortfalls:
            if s.kind != DEPENDENCY:
                short[s.limit] += 1
    rows = []
    for name in selection.binding:
        if name == BUDGET and selection.budget is not None:
            rows.append(LimitUse(BUDGET, BUDGET, selection.budget, selection.cost, short[BUDGET]))
        else:
            key = next((k for k in capacity if f"{k[0]} {k[1]}" == name), None)
            if key is not None:
                rows.append(LimitUse(name, CAPACITY, capacity[key], used.get(key, 0.0), short[name]))
    return rows


def _used(items: tuple[Candidate, ...], chosen: set[str], capacity: dict[Key, float]) -> dict[Key, float]:
    used: dict[Key, float] = defaultdict(float)
    for c in items:
        if c.id in chosen:
            for k, d in c.demand.items():
                if k in capacity:
                    used[k] += d
    return used


def _brings(item: str, predecessors: dict[str, list[str]], chosen: set[str]) -> list[str]:
    """The predecessors, direct or not, that are not chosen: taking `item` means taking them."""
    out, todo, seen = [], [item], {item}
    while todo:
        for p in predecessors[todo.pop()]:
            if p not in seen and p not in chosen:
                seen.add(p)
                out.append(p)
                todo.append(p)
    return out


def _in(c: Candidate, needed_by: list[str], objective: str) -> Reason:
    if c.mandatory:
        return Reason(c.id, True, MANDATORY, "Mandatory", "Mandatory (its Selection cell): chosen whatever it costs.")
    if needed_by:
        return Reason(c.id, True, DEPENDENCY, f"Needed by {needed_by[0]}",
                      f"Chosen as a predecessor of {needed_by[0]}"
                      + (f" and {len(needed_by) - 1} more chosen items" if len(needed_by) > 1 else "")
                      + ", which cannot start without it.")
    return Reason(c.id, True, MERIT, f"Best total {objective}",
                  f"Chosen: {objective} {_one(c.value)} for {_num(c.cost)}; with the other chosen items "
                  f"it gives the highest total {objective} the budget and capacity allow.")


def _out(c: Candidate, brings: list[Candidate], left_money: float | None, capacity: dict[Key, float],
         used: dict[Key, float], objective: str) -> Reason:
    if c.excluded:
        return Reason(c.id, False, EXCLUDED, "Excluded",
                      "Excluded (its Selection cell): clear the cell to let it compete.")
    barred = [b for b in brings if b.excluded]
    if barred:
        return Reason(c.id, False, DEPENDENCY, f"Dependency: needs {barred[0].id}",
                      f"It needs {barred[0].id}, which is excluded: it can only come in if {barred[0].id} may.",
                      shortfalls=(Shortfall(barred[0].id, DEPENDENCY, None, None, ""),), brings=(barred[0].id,))
    group = [c, *brings]
    alone = _shortfalls([c], left_money, capacity, used)
    shortfalls = _shortfalls(group, left_money, capacity, used)
    money = next((s.short for s in shortfalls if s.kind == BUDGET), None)
    days = sum(s.short for s in shortfalls if s.kind == CAPACITY) or None
    deps = tuple(Shortfall(b.id, DEPENDENCY, None, None, "") for b in brings)
    extra = dict(extra_budget=money, extra_days=days, shortfalls=deps + shortfalls, brings=tuple(b.id for b in brings))
    need = _needs(money, [s for s in shortfalls if s.kind == CAPACITY])
    with_them = f" with {_ids(brings)}, which it needs," if brings else ""
    if brings and not alone:
        head = f"It needs {_ids(brings)}, not chosen"
        text = f"{head}; to fit beside this selection together they need {need}." if need else \
            f"{head}; together they fit beside this selection but add less {objective} than they would displace."
        return Reason(c.id, False, DEPENDENCY, f"Dependency: needs {brings[0].id}", text, **extra)
    cells = sorted((s for s in shortfalls if s.kind == CAPACITY), key=lambda s: -s.short)
    if cells:
        decided = f"{'Budget and capacity' if money is not None else 'Capacity'}: {cells[0].limit}"
        kind = CAPACITY
    elif money is not None:
        decided, kind = "Budget", BUDGET
    elif c.value <= 0:
        return Reason(c.id, False, NO_GAIN, f"No {objective} to gain",
                      f"Its {objective} is {_one(c.value)}: taking it would not raise the total.", **extra)
    else:  # only a selection stopped by the time limit leaves such an item out
        return Reason(c.id, False, MERIT, "Time limit",
                      "It fits beside this selection; the solver stopped at its time limit before taking it.", **extra)
    return Reason(c.id, False, kind, decided,
                  f"To fit beside this selection{with_them} it needs {need}; within the present limits it would "
                  f"displace chosen items worth at least as much {objective}.", **extra)


def _shortfalls(group: list[Candidate], left_money: float | None, capacity: dict[Key, float],
                used: dict[Key, float]) -> tuple[Shortfall, ...]:
    out = []
    cost = sum(c.cost for c in group)
    if left_money is not None and cost > left_money + _tolerance(left_money):
        out.append(Shortfall(BUDGET, BUDGET, left_money, cost, MONEY))
    demand: dict[Key, float] = defaultdict(float)
    for c in group:
        for k, d in c.demand.items():
            if d and k in capacity:
                demand[k] += d
    for k in sorted(demand):
        left = capacity[k] - used.get(k, 0.0)
        if demand[k] > left + _tolerance(capacity[k]):
            out.append(Shortfall(f"{k[0]} {k[1]}", CAPACITY, left, demand[k], DAYS))
    return tuple(out)


def _needs(money: float | None, cells: list[Shortfall]) -> str:
    """'178,000 more budget and 9.1 more person-days: 2.3 of Finance in 2026-08 and 3 more limits, listed below'."""
    parts = [f"{_num(round(money, 2))} more budget"] if money is not None else []
    if cells:
        top = max(cells, key=lambda s: s.short)
        function, month = top.limit.rsplit(" ", 1)
        if len(cells) == 1:
            parts.append(f"{_one(top.short)} more person-days of {function} in {month}")
        else:
            parts.append(f"{_one(sum(s.short for s in cells))} more person-days: {_one(top.short)} of {function} "
                         f"in {month} and the rest in {len(cells) - 1} more function-months, listed below")
    return " and ".join(parts)


def _one(x: float) -> str:
    """A score or a number of days as people read it: one decimal, none when whole."""
    return f"{x:,.0f}" if float(round(x, 1)).is_integer() else f"{x:,.1f}"


def _ids(items: list[Candidate]) -> str:
    return items[0].id if len(items) == 1 else f"{items[0].id} and {len(items) - 1} more items"


def _tolerance(limit: float) -> float:
    return 1e-9 * max(1.0, abs(limit))
