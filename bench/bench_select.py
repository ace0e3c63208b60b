"""Measure `select` and `frontier` on a large seeded portfolio against a greedy value/cost ranking.

The greedy baseline, measured in the same run on the same data, shows both what the exact MILP
costs in time and what it gains in value. Absolute seconds depend on the machine.

The Scenario sheet's explanation (why each candidate is in or out, what would bring it in) is
timed against the select it explains. The frontier is timed through `frontier_selections` (what
`frontier` calls), with the chosen budget among its levels, so that every level shows its status: `frontier` itself keeps only the levels proven optimal. Levels where capacity
rather than money binds (many tight function-months) are the hard ones for HiGHS.

    python bench/bench_select.py [--candidates 2000] [--functions 10] [--months 24] [--dependencies 500]
                                 [--capacity-share 0.35] [--levels 10] [--time-limit 60] [--seed 7] [--repeat 3]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict

import scipy

from xlportfolio.core.prioritise.scenario import scenario_sheet
from xlportfolio.core.prioritise.select import Candidate, frontier_selections, select


def portfolio(n: int, functions: int, months: int, dependencies: int, seed: int, share: float = 0.35):
    """Candidates, capacity and acyclic dependencies (predecessor index < successor index)."""
    rnd = random.Random(seed)
    names = [f"F{f:02d}" for f in range(functions)]
    periods = [f"{2026 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    items = []
    for i in range(n):
        cost = round(rnd.lognormvariate(11, 0.8), 2)  # ~60k median, a long tail of big projects
        value = round(cost * rnd.uniform(0.5, 3.0), 2)
        start, length = rnd.randrange(months), rnd.randint(2, 8)
        demand = {(f, periods[m]): float(rnd.randint(2, 20))
                  for f in rnd.sample(names, rnd.randint(1, 3)) for m in range(start, min(months, start + length))}
        items.append(Candidate(f"PR-{i:04d}", value, cost, demand, mandatory=rnd.random() < 0.01,
                               excluded=rnd.random() < 0.02, row=i + 2))
    total = defaultdict(float)
    for c in items:
        for key, days in c.demand.items():
            total[key] += days
    capacity = {key: round(share * days) for key, days in total.items()}  # share of each cell's asks that fits
    pairs = set()
    while len(pairs) < dependencies:
        a, b = sorted(rnd.sample(range(n), 2))
        pairs.add((items[a].id, items[b].id))
    budget = round(0.3 * sum(c.cost for c in items), 2)
    return items, budget, capacity, sorted(pairs)


def greedy(items, budget, capacity, dependencies):
    """Take items by value per cost while budget, capacity and predecessors allow; mandatory first."""
    preds = defaultdict(set)
    for p, s in dependencies:
        preds[s].add(p)
    left, room, chosen = budget, dict(capacity), set()

    def fits(c):
        return (c.cost <= left and not (preds[c.id] - chosen)
                and all(d <= room.get(k, float("inf")) for k, d in c.demand.items()))

    order = sorted((c for c in items if not c.excluded), key=lambda c: (not c.mandatory, -c.value / max(c.cost, 1e-9)))
    for c in order:  # a successor listed before its predecessor is skipped: the usual ranking flaw
        if c.mandatory or fits(c):
            chosen.add(c.id)
            left -= c.cost
            for k, d in c.demand.items():
                if k in room:
                    room[k] -= d
    return chosen, sum(c.value for c in items if c.id in chosen)


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=2000)
    ap.add_argument("--functions", type=int, default=10)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--dependencies", type=int, default=500)
    ap.add_argument("--capacity-share", type=float, default=0.35)
    ap.add_argument("--levels", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    items, budget, capacity, deps = portfolio(a.candidates, a.functions, a.months, a.dependencies, a.seed,
                                              a.capacity_share)
    print(f"scipy {scipy.__version__}; {len(items)} candidates, {len(capacity)} capacity cells, "
          f"{len(deps)} dependencies, {sum(c.mandatory for c in items)} mandatory, "
          f"{sum(c.excluded for c in items)} excluded, budget {budget:,.0f}, capacity {a.capacity_share:.0%} of asks")
    t_greedy, (g_chosen, g_value) = timed(lambda: greedy(items, budget, capacity, deps), a.repeat)
    t_select, sel = timed(lambda: select(items, budget, capacity, deps, time_limit=a.time_limit), a.repeat)
    print(f"greedy   {t_greedy:8.3f} s  value {g_value:16,.2f}  chosen {len(g_chosen)}")
    print(f"select   {t_select:8.3f} s  value {sel.value:16,.2f}  chosen {len(sel.chosen)}  status {sel.status}  "
          f"(median of {a.repeat}; gain over greedy {sel.value - g_value:+,.2f} = {sel.value / g_value - 1:+.2%})")
    print(f"binding  {len(sel.binding)} limits, e.g. {', '.join(sel.binding[:5])}")
    t_explain, sheet = timed(lambda: scenario_sheet(items, sel, [], capacity=capacity, dependencies=deps,
                                                    objective="value"), a.repeat)
    print(f"explain  {t_explain:8.3f} s  the Scenario sheet's reasons and tables for every candidate, "
          f"{len(sheet.sheet.rows) + sum(len(b.rows) for b in sheet.sheet.blocks)} rows "
          f"({t_explain / t_select:.1%} of the select time)")
    start = time.perf_counter()
    levels = frontier_selections(items, capacity, deps, levels=a.levels, budget=budget, time_limit=a.time_limit)
    proven = sum(s.optimal for s in levels)
    print(f"frontier {time.perf_counter() - start:8.3f} s  {proven} of {len(levels)} levels proven optimal")
    for s in levels:
        print(f"   budget {s.budget:16,.0f}  value {s.value:16,.2f}  items {len(s.chosen):5}  {s.status:10}  "
              f"{s.explanation}")


if __name__ == "__main__":
    main()
