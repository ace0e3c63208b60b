"""Choose the candidates worth most within budget, capacity and dependencies, exactly, by MILP.

A ranking cut at the budget overbooks a function's month, takes a successor without its
predecessor, or leaves money a smaller item would have used. `select` states the choice as a 0/1
programme and has HiGHS (scipy.optimize.milp) prove the optimum with a zero relative gap, so
"optimal" means optimal (to HiGHS' 1e-6 absolute gap), not "within 0.01 %".

Rules: costs and demands are zero or more (a ValueError names the item), values may be negative;
a demand on a (function, month) without a Capacity entry is unlimited; a dependency counts only
when both ends are candidates (a predecessor that is not one is taken as running or done); a
dependency cycle means "all of them or none". No selection is a result, not an exception: status
"infeasible" comes with an `explanation`; "time limit" (many tight capacity cells over thousands
of items can take HiGHS that long) keeps the best selection found and says how far off it may be.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array

OPTIMAL, INFEASIBLE, TIME_LIMIT = "optimal", "infeasible", "time limit"
TIME_LIMIT_S = 60.0
BUDGET = "budget"
Key = tuple[str, str]  # (function, month "YYYY-MM")



@dataclass(frozen=True)
class Candidate:
    """An item that may be chosen; `demand` is days per (function, month)."""

    id: str
    value: float
    cost: float
    demand: dict[Key, float] = field(default_factory=dict)
    mandatory: bool = False
    excluded: bool = False
    row: int | None = None  # Excel row, for messages

    @property
    def label(self) -> str:
        return f"{self.id} (row {self.row})" if self.row else self.id


@dataclass(frozen=True)
class Selection:
    """The chosen items, and the limits that stop the choice from going further."""

    chosen: tuple[str, ...]
    value: float
    cost: float
    status: str  # OPTIMAL, INFEASIBLE or TIME_LIMIT
    binding: tuple[str, ...] = ()  # limits that keep out at least one more item: "budget", "IT 2026-09"
    budget: float | None = None
    explanation: str = ""  # why there is no selection, or why it may not be the best

    @property
    def optimal(self) -> bool:
        return self.status == OPTIMAL


@dataclass(frozen=True)
class _Model:
    """The MILP's fixed parts, built once: a frontier only changes the budget row's bound."""

    items: tuple[Candidate, ...]
    capacity: dict[Key, float]
    dependencies: tuple[tuple[str, str], ...]
    limits: tuple[str, ...]  # names of the first rows of A: "budget", then "IT 2026-09", ...
    A: csr_array  # limit rows, then one row x_succ - x_pred <= 0 per dependency
    upper: np.ndarray  # row upper bounds; the budget row is unlimited until a budget is set


def select(candidates: Iterable[Candidate], budget: float | None, capacity: dict[Key, float],
           dependencies: Iterable[tuple[str, str]], *, time_limit: float = TIME_LIMIT_S) -> Selection:
    """The most valuable set of candidates that fits every limit (`budget` None: no budget row)."""
    return _solve(_model(candidates, capacity, dependencies), budget, time_limit)


def frontier(candidates: Iterable[Candidate], capacity: dict[Key, float], dependencies: Iterable[tuple[str, str]],
             levels: int = 10, *, budget: float | None = None,
             time_limit: float = TIME_LIMIT_S) -> list[tuple[float, float, tuple[str, ...]]]:
    """(budget, best value, chosen) per budget level, for the levels solved to a proven optimum.

    A level that hit the time limit is left out, so the curve never shows a guess;
    `frontier_selections` says which levels those were.
    """
    found = frontier_selections(candidates, capacity, dependencies, levels, budget=budget, time_limit=time_limit)
    return [(s.budget, s.value, s.chosen) for s in found if s.optimal]


def frontier_selections(candidates: Iterable[Candidate], capacity: dict[Key, float],
                        dependencies: Iterable[tuple[str, str]], levels: int = 10, *, budget: float | None = None,
                        time_limit: float = TIME_LIMIT_S) -> list[Selection]:
    """One selection per budget, evenly from what must be spent up to what the best choice costs
    without a budget (more money buys nothing once capacity and dependencies are the limits),
    plus `budget` itself, so the chosen budget is a point of the frontier."""
    model = _model(candidates, capacity, dependencies)
    by_id = {c.id: c for c in model.items}
    low = sum(by_id[i].cost for i in _forced(model.items, model.dependencies))
    everything = sum(c.cost for c in model.items if not c.excluded)
    unlimited = _solve(model, None, time_limit)
    high = max(low, unlimited.cost if unlimited.optimal else everything)
    budgets = [high] if levels < 2 or high <= low else [float(b) for b in np.linspace(low, high, levels)]
    if budget is not None and budget > 0:
        # a level a quarter of a step or less from the chosen budget would hide its mark
        near = (high - low) / max(levels - 1, 1) / 4
        inner = budgets[1:-1] if len(budgets) > 2 else []
        budgets = sorted({*budgets[:1], *budgets[-1:], *(b for b in inner if abs(b - budget) > near), float(budget)})
    return [_solve(model, float(b), time_limit) for b in budgets]


def _model(candidates: Iterable[Candidate], capacity: dict[Key, float],
           dependencies: Iterable[tuple[str, str]]) -> _Model:
    items = tuple(candidates)
    _check(items)
    index = {c.id: j for j, c in enumerate(items)}
    keys = sorted({k for c in items for k, d in c.demand.items() if d and k in capacity})
    row_of = {k: r for r, k in enumerate(keys, start=1)}
    deps = tuple(dict.fromkeys((p, s) for p, s in dependencies if p in index and s in index and p != s))
    rows, cols, vals = [], [], []
    for j, c in enumerate(items):
        entries = [(0, c.cost)] + [(row_of[k], d) for k, d in c.demand.items() if d and k in row_of]
        rows += [r for r, _ in entries]
        cols += [j] * len(entries)
        vals += [v for _, v in entries]
    for r, (p, s) in enumerate(deps, start=len(row_of) + 1):
        rows += [r, r]
        cols += [index[s], index[p]]
        vals += [1.0, -1.0]
    A = coo_array((vals, (rows, cols)), shape=(1 + len(keys) + len(deps), len(items))).tocsr()
    upper = np.array([math.inf] + [float(capacity[k]) for k in keys] + [0.0] * len(deps))
    limits = (BUDGET, *(f"{f} {p}" for f, p in keys))
    return _Model(items, dict(capacity), deps, limits, A, upper)


def _check(items: tuple[Candidate, ...]) -> None:
    """Refuse input the model would silently misread; the reader should have made findings of it."""
    seen: set[str] = set()
    for c in items:
        if c.id in seen:
            raise ValueError(f"{c.label}: the ID {c.id} is used by more than one candidate.")
        seen.add(c.id)
        if not all(math.isfinite(n) for n in (c.value, c.cost, *c.demand.values())):
            raise ValueError(f"{c.label}: value, cost and demand must be numbers.")
        if min([c.cost, *c.demand.values()]) < 0:
            raise ValueError(f"{c.label}: cost and demand must be zero or more.")


def _solve(model: _Model, budget: float | None, time_limit: float) -> Selection:
    items = model.items
    lb = np.array([c.mandatory for c in items], dtype=float)
    ub = np.array([not c.excluded for c in items], dtype=float)
    upper = model.upper.copy()
    if budget is not None:
        upper[0] = budget
    if not items or np.any(lb > ub):  # milp needs a variable, and refuses lb > ub
        if not items and (budget is None or budget >= 0):
            return Selection((), 0.0, 0.0, OPTIMAL, budget=budget)
        return _infeasible(model, budget)
    res = milp(-np.array([c.value for c in items], dtype=float), integrality=1, bounds=Bounds(lb, ub),
               constraints=LinearConstraint(model.A, -np.inf, upper),
               options={"mip_rel_gap": 0.0, "time_limit": time_limit})
    if res.status == 2:
        return _infeasible(model, budget)
    if res.status not in (0, 1):  # unbounded cannot happen with 0/1 bounds; "other" is a solver failure
        raise RuntimeError(f"HiGHS could not solve the selection: {res.message}")
    if res.x is None:
        return Selection((), 0.0, 0.0, TIME_LIMIT, budget=budget,
                         explanation=f"HiGHS found no selection within the {time_limit:g} s time limit.")
    x = res.x > 0.5
    chosen = [c for c, on in zip(items, x) if on]
    note = "" if res.status == 0 else _time_note(res.mip_gap, time_limit)
    return Selection(tuple(c.id for c in chosen), float(sum(c.value for c in chosen)),
                     float(sum(c.cost for c in chosen)), OPTIMAL if res.status == 0 else TIME_LIMIT,
                     _binding(model, x, upper), budget, note)


def _time_note(gap: float | None, time_limit: float) -> str:
    bound = f"; the optimum is at most {gap:.2%} better" if gap is not None and math.isfinite(gap) else ""
    return f"HiGHS stopped at the {time_limit:g} s time limit: this is the best selection found{bound}."


def _infeasible(model: _Model, budget: float | None) -> Selection:
    why = explain_infeasible(model.items, budget, model.capacity, model.dependencies)
    return Selection((), 0.0, 0.0, INFEASIBLE, budget=budget, explanation=why)


def _binding(model: _Model, x: np.ndarray, upper: np.ndarray) -> tuple[str, ...]:
    """Limits whose slack is less than what some item left out would need from them alone.

    "Exactly used up" would almost never hold with money amounts; what a person wants to know
    is which limit would have to grow for one more item to fit.
    """
    n = len(model.limits)
    left_out = np.flatnonzero(~x & np.array([not c.excluded for c in model.items]))
    if not left_out.size:
        return ()
    limits = model.A[:n]
    slack = upper[:n] - limits @ x.astype(float)
    need = limits[:, left_out].max(axis=1).toarray().ravel()
    tight = np.isfinite(upper[:n]) & (need > slack + 1e-9 * np.maximum(1.0, np.abs(upper[:n])))
    return tuple(name for name, hit in zip(model.limits, tight) if hit)


def explain_infeasible(candidates: Iterable[Candidate], budget: float | None, capacity: dict[Key, float],
                       dependencies: Iterable[tuple[str, str]]) -> str:
    """Why no selection exists, naming the items and limits at fault.

    With costs and demands of zero or more, a selection exists exactly when the forced items
    (mandatory ones and, transitively, their predecessors) fit by themselves, so each reason
    below is one way they do not; the counts are a last resort.
    """
    items = tuple(candidates)
    dependencies = tuple(dependencies)
    by_id = {c.id: c for c in items}
    need = _forced(items, dependencies)
    forced = [by_id[i] for i in need]
    reasons = [f"{c.label} is both mandatory and excluded." for c in items if c.mandatory and c.excluded]
    reasons += _excluded_needs(by_id, need)
    reasons += _over_budget(forced, need, budget)
    reasons += _over_capacity(items, forced, capacity)
    if not reasons:
        reasons = [_counts(items, budget, capacity, dependencies)]
    cycle = _cycle(set(need), dependencies)[::-1]  # read as "needs", like the chains above
    if cycle:
        reasons.append(f"Note: {' → '.join(cycle)} is a dependency cycle, so its items are chosen together or not at all.")
    return "No selection is possible:\n" + "\n".join(f"- {r}" for r in reasons)


def _forced(items: Iterable[Candidate], dependencies: Iterable[tuple[str, str]]) -> dict[str, str | None]:
    """Items that must be chosen -> the item that needs them (None for a mandatory one)."""
    ids = {c.id for c in items}
    predecessors = defaultdict(list)
    for p, s in dependencies:
        if p in ids and s in ids and p != s:
            predecessors[s].append(p)
    need: dict[str, str | None] = {c.id: None for c in items if c.mandatory}
    todo = list(need)
    while todo:
        successor = todo.pop()
        for p in predecessors[successor]:
            if p not in need:
                need[p] = successor
                todo.append(p)
    return need


def _excluded_needs(by_id: dict[str, Candidate], need: dict[str, str | None]) -> list[str]:
    out = []
    for i, by in need.items():
        if by is not None and by_id[i].excluded:
            chain = [i]  # walk back to the mandatory item that pulls `i` in
            while need[chain[-1]] is not None:
                chain.append(need[chain[-1]])
            chain.reverse()
            out.append(f"{by_id[chain[0]].label} is mandatory and needs {by_id[i].label} "
                       f"({' → '.join(chain)}), but {i} is excluded.")
    return out


def _over_budget(forced: list[Candidate], need: dict[str, str | None], budget: float | None) -> list[str]:
    total = sum(c.cost for c in forced)
    if budget is None or total <= budget + _tolerance(budget):
        return []
    what = "mandatory items" if all(c.mandatory for c in forced) else "mandatory items and their predecessors"
    parts = ", ".join(f"{c.label} {_num(c.cost)}" + ("" if c.mandatory else f" (needed by {need[c.id]})")
                      for c in forced)
    return [f"The {what} cost {_num(total)}, over the budget of {_num(budget)} by {_num(total - budget)}: {parts}."]


def _over_capacity(items: tuple[Candidate, ...], forced: list[Candidate], capacity: dict[Key, float]) -> list[str]:
    keys = sorted({k for c in items for k, d in c.demand.items() if d and k in capacity})
    out = []
    for key in keys:
        takers = [(c, c.demand[key]) for c in forced if c.demand.get(key)]
        total = sum(d for _, d in takers)
        if total > capacity[key] + _tolerance(capacity[key]):
            parts = ", ".join(f"{c.label} {_num(d)}" for c, d in takers) or "no item"
            out.append(f"{key[0]} {key[1]}: the mandatory items alone need {_num(total)} days "
                       f"but {_num(capacity[key])} are available: {parts}.")
    return out


def _counts(items, budget, capacity, dependencies) -> str:
    ids = {c.id for c in items}
    limits = {k for c in items for k in c.demand if k in capacity}
    deps = {(p, s) for p, s in dependencies if p in ids and s in ids and p != s}
    spend = "no budget" if budget is None else f"a budget of {_num(budget)}"
    return (f"The constraints cannot all hold: {len(items)} candidates ({sum(c.mandatory for c in items)} "
            f"mandatory, {sum(c.excluded for c in items)} excluded), {spend}, {len(limits)} capacity limits "
            f"and {len(deps)} dependencies; no single limit is exceeded by the mandatory items alone.")


def _cycle(ids: set[str], dependencies: Iterable[tuple[str, str]]) -> list[str]:
    """One dependency cycle among `ids`, its first item repeated at the end, or []."""
    successors = defaultdict(list)
    for p, s in dependencies:
        if p in ids and s in ids and p != s:
            successors[p].append(s)
    state: dict[str, int] = {}  # 1: on the current path, 2: fully explored
    for root in sorted(ids):
        if root in state:
            continue
        path, stack, state[root] = [root], [iter(successors[root])], 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(successors[nxt]))
    return []


def _tolerance(limit: float) -> float:
    return 1e-9 * max(1.0, abs(limit))


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"
