"""select on small portfolios: exactly the brute-force optimum, and infeasible setups explained."""
import itertools
import random

import numpy as np
import pytest

from xlportfolio.core.prioritise import select as sel
from xlportfolio.core.prioritise.select import (
    INFEASIBLE,
    OPTIMAL,
    TIME_LIMIT,
    Candidate,
    explain_infeasible,
    frontier,
    frontier_selections,
    select,
)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # not a declared test dependency; the seeded loop below always runs
    given = None


def candidates(text: str) -> list[Candidate]:
    """Candidates from a Markdown table; a header like 'IT 2026-09' is that cell's demand in days."""
    lines = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.strip().splitlines()]
    header, out = lines[0], []
    for excel_row, cells in enumerate(lines[1:], start=2):
        rec = dict(zip(header, cells))
        demand = {tuple(h.split()): float(v) for h, v in rec.items() if h[-3:-2] == "-" and v}
        out.append(Candidate(rec["ID"], float(rec["Value"]), float(rec["Cost"]), demand,
                             mandatory=rec.get("Flag") == "mandatory", excluded=rec.get("Flag") == "excluded",
                             row=excel_row))
    return out


def brute_force(items, budget, capacity, dependencies):
    """The best value over every subset (None if no subset fits), by enumeration."""
    n = len(items)
    pick = np.array(list(itertools.product((False, True), repeat=n)), dtype=bool).reshape(-1, n)
    ok = np.ones(len(pick), dtype=bool)
    costs = np.array([c.cost for c in items])
    if budget is not None:
        ok &= pick @ costs <= budget + 1e-9 * max(1, abs(budget))
    for key, limit in capacity.items():
        ok &= pick @ np.array([c.demand.get(key, 0.0) for c in items]) <= limit + 1e-9 * max(1, abs(limit))
    index = {c.id: i for i, c in enumerate(items)}
    for p, s in dependencies:
        if p in index and s in index:
            ok &= ~pick[:, index[s]] | pick[:, index[p]]
    for i, c in enumerate(items):
        if c.mandatory:
            ok &= pick[:, i]
        if c.excluded:
            ok &= ~pick[:, i]
    values = pick[ok] @ np.array([c.value for c in items])
    return float(values.max()) if values.size else None


FUNCTIONS, MONTHS = ("IT", "Sales"), ("2026-09", "2026-10", "2026-11")


def instance(rnd: random.Random):
    """A small random portfolio: budget, 2 functions x 3 months (one cell unlimited), a few dependencies."""
    n = rnd.randint(1, 12)
    keys = [(f, m) for f in FUNCTIONS for m in MONTHS]
    items = [Candidate(f"C{i}", round(rnd.uniform(-5, 100), 2), round(rnd.uniform(0, 50), 2),
                       {k: float(rnd.randint(1, 10)) for k in rnd.sample(keys, rnd.randint(0, 3))},
                       mandatory=rnd.random() < 0.1, excluded=rnd.random() < 0.1)
             for i in range(n)]
    capacity = {k: float(rnd.randint(3, 20)) for k in keys[1:]}  # keys[0] has no limit
    total = sum(c.cost for c in items)
    budget = None if rnd.random() < 0.1 else round(total * rnd.uniform(0.1, 1.0), 2)
    dependencies = [(f"C{rnd.randrange(n + 1)}", f"C{rnd.randrange(n)}") for _ in range(rnd.randint(0, 4))]
    return items, budget, capacity, dependencies  # C{n} is no candidate; cycles may occur


def check_against_brute_force(items, budget, capacity, dependencies):
    best = brute_force(items, budget, capacity, dependencies)
    got = select(items, budget, capacity, dependencies)
    if best is None:
        assert got.status == INFEASIBLE and got.chosen == () and got.explanation
        return
    assert got.status == OPTIMAL
    assert got.value == pytest.approx(best, abs=1e-6)
    chosen = [c for c in items if c.id in got.chosen]
    only = [Candidate(c.id, c.value, c.cost, c.demand, mandatory=c.id in got.chosen, excluded=c.id not in got.chosen)
            for c in items]
    assert brute_force(only, budget, capacity, dependencies) == pytest.approx(sum(c.value for c in chosen))


def test_equals_the_brute_force_optimum_on_200_seeded_portfolios():
    infeasible = 0
    for seed in range(200):
        items, budget, capacity, dependencies = instance(random.Random(seed))
        check_against_brute_force(items, budget, capacity, dependencies)
        infeasible += brute_force(items, budget, capacity, dependencies) is None
    assert 0 < infeasible < 100  # both kinds of outcome were exercised


if given is not None:
    @settings(max_examples=100, deadline=None)
    @given(st.randoms(use_true_random=False))
    def test_equals_the_brute_force_optimum_on_generated_portfolios(rnd):
        check_against_brute_force(*instance(rnd))


BOOK = candidates("""
    | ID     | Value | Cost | IT 2026-09 | Sales 2026-09 | Flag      |
    | PR-1   | 50    | 40   | 10         |               |           |
    | PR-2   | 45    | 30   | 10         |               |           |
    | PR-3   | 30    | 20   |            | 5             |           |
    | PR-4   | 20    | 20   | 5          |               |           |
    | PR-5   | 5     | 5    |            |               | mandatory |
    | PR-6   | 90    | 10   |            |               | excluded  |
""")
IT = ("IT", "2026-09")
CAPACITY = {IT: 20}


def test_mandatory_in_excluded_out_and_binding_limits_named():
    got = select(BOOK, 100, CAPACITY, [])
    assert got.chosen == ("PR-1", "PR-2", "PR-3", "PR-5") and got.value == 130 and got.cost == 95
    assert got.binding == ("budget", "IT 2026-09")  # PR-4 needs 20 of 5 left, and 5 of 0 days left


def test_a_successor_never_comes_without_its_predecessor():
    got = select(BOOK, 100, CAPACITY, [("PR-4", "PR-1")])  # PR-1 needs PR-4: PR-2 makes room for it
    assert got.chosen == ("PR-1", "PR-3", "PR-4", "PR-5") and got.value == 105
    assert "PR-2" not in select(BOOK, 100, CAPACITY, [("PR-6", "PR-2")]).chosen  # PR-6 is excluded


def test_a_predecessor_that_is_no_candidate_leaves_its_successor_free():
    assert select(BOOK, 100, CAPACITY, [("PR-99", "PR-1")]).chosen == ("PR-1", "PR-2", "PR-3", "PR-5")


def test_a_cell_without_capacity_is_unlimited_and_no_budget_means_none():
    got = select(BOOK, None, {}, [])
    assert got.chosen == ("PR-1", "PR-2", "PR-3", "PR-4", "PR-5") and got.binding == ()


def test_a_cycle_of_mandatory_items_means_all_of_them():
    items = candidates("""
        | ID | Value | Cost | Flag      |
        | A  | 1     | 1    | mandatory |
        | B  | 1     | 1    |           |
        | C  | 1     | 1    | mandatory |
    """)
    assert select(items, 10, {}, [("A", "B"), ("B", "C"), ("C", "A")]).chosen == ("A", "B", "C")


def test_mandatory_items_over_budget_are_listed_with_totals():
    items = candidates("""
        | ID   | Value | Cost | Flag      |
        | PR-1 | 10    | 600  | mandatory |
        | PR-2 | 10    | 300  |           |
        | PR-3 | 10    | 250  | mandatory |
    """)
    got = select(items, 1000, {}, [("PR-2", "PR-3")])
    assert got.status == INFEASIBLE and got.chosen == ()
    assert got.explanation == (
        "No selection is possible:\n"
        "- The mandatory items and their predecessors cost 1,150, over the budget of 1,000 by 150: "
        "PR-1 (row 2) 600, PR-3 (row 4) 250, PR-2 (row 3) 300 (needed by PR-3).")


def test_a_capacity_cell_the_mandatory_items_alone_exceed_is_named():
    items = candidates("""
        | ID   | Value | Cost | IT 2026-09 | Flag      |
        | PR-1 | 10    | 1    | 12         | mandatory |
        | PR-2 | 10    | 1    | 9.5        | mandatory |
    """)
    got = select(items, None, {IT: 20}, [])
    assert got.status == INFEASIBLE
    assert "IT 2026-09: the mandatory items alone need 21.50 days but 20 are available: " \
           "PR-1 (row 2) 12, PR-2 (row 3) 9.50." in got.explanation


def test_a_mandatory_item_whose_predecessor_is_excluded_is_named_with_the_chain():
    items = candidates("""
        | ID   | Value | Cost | Flag      |
        | PR-1 | 10    | 1    | mandatory |
        | PR-2 | 10    | 1    |           |
        | PR-3 | 10    | 1    | excluded  |
    """)
    got = select(items, None, {}, [("PR-2", "PR-1"), ("PR-3", "PR-2")])
    assert got.explanation == ("No selection is possible:\n"
                               "- PR-1 (row 2) is mandatory and needs PR-3 (row 4) (PR-1 → PR-2 → PR-3), "
                               "but PR-3 is excluded.")


def test_a_cycle_that_pulls_in_an_excluded_item_is_shown():
    items = candidates("""
        | ID | Value | Cost | Flag      |
        | A  | 1     | 1    | mandatory |
        | B  | 1     | 1    | excluded  |
    """)
    why = select(items, None, {}, [("A", "B"), ("B", "A")]).explanation
    assert "A (row 2) is mandatory and needs B (row 3) (A → B), but B is excluded." in why
    assert "Note: A → B → A is a dependency cycle" in why


def test_an_item_both_mandatory_and_excluded_is_named():
    items = [Candidate("PR-1", 1, 1, mandatory=True, excluded=True, row=7)]
    assert "PR-1 (row 7) is both mandatory and excluded." in select(items, None, {}, []).explanation


def test_without_a_single_reason_the_explanation_gives_the_counts():
    assert explain_infeasible(BOOK, 100, CAPACITY, [("PR-1", "PR-2")]) == (
        "No selection is possible:\n- The constraints cannot all hold: 6 candidates (1 mandatory, 1 excluded), "
        "a budget of 100, 1 capacity limits and 1 dependencies; no single limit is exceeded by the mandatory items alone.")


def test_bad_input_is_refused_with_the_item():
    with pytest.raises(ValueError, match="PR-1 .row 2.: cost and demand must be zero or more"):
        select([Candidate("PR-1", 1, -1, row=2)], None, {}, [])
    with pytest.raises(ValueError, match="used by more than one"):
        select([Candidate("A", 1, 1), Candidate("A", 2, 1)], None, {}, [])
    assert select([], 0, {}, []).status == OPTIMAL


def test_a_time_limit_keeps_the_best_selection_found_and_says_so(monkeypatch):
    class Stopped:
        status, x, mip_gap, message = 1, np.array([1.0, 0, 0, 0, 1, 0]), 0.0123, "Time limit reached"

    monkeypatch.setattr(sel, "milp", lambda *a, **k: Stopped())
    got = select(BOOK, 100, CAPACITY, [], time_limit=5)
    assert got.status == TIME_LIMIT and got.chosen == ("PR-1", "PR-5")
    assert got.explanation == ("HiGHS stopped at the 5 s time limit: this is the best selection found; "
                               "the optimum is at most 1.23% better.")
    Stopped.x = None
    assert select(BOOK, 100, CAPACITY, [], time_limit=5).explanation == (
        "HiGHS found no selection within the 5 s time limit.")
    Stopped.status, Stopped.message = 4, "Numerical difficulties"
    with pytest.raises(RuntimeError, match="HiGHS could not solve the selection: Numerical difficulties"):
        select(BOOK, 100, CAPACITY, [])


def test_frontier_runs_from_the_mandatory_cost_to_the_best_choice_without_budget_and_never_falls():
    points = frontier(BOOK, CAPACITY, [("PR-4", "PR-1")], levels=5)
    budgets = [b for b, _, _ in points]
    # PR-5 alone up to PR-1, PR-3, PR-4, PR-5 (85): IT's 20 days leave PR-2 out at any budget
    assert budgets == [5, 25, 45, 65, 85]
    values = [v for _, v, _ in points]
    assert values == sorted(values) and values[0] == 5 and values[-1] == select(BOOK, None, CAPACITY, [("PR-4", "PR-1")]).value
    for budget, value, chosen in points:
        assert select(BOOK, budget, CAPACITY, [("PR-4", "PR-1")]).value == value
        assert "PR-5" in chosen and "PR-6" not in chosen


def test_frontier_leaves_out_levels_without_a_proven_optimum():
    items = [Candidate("PR-1", 1, 1, {IT: 30}, mandatory=True)]
    assert frontier_selections(items, CAPACITY, [], levels=3)[0].status == INFEASIBLE
    assert frontier(items, CAPACITY, [], levels=3) == []
