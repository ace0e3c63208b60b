"""Why each candidate is in or out, on inline portfolios whose deciding constraint is known by hand."""
import math

import pytest

from xlportfolio.core.prioritise.reasons import (
    BUDGET,
    CAPACITY,
    DEPENDENCY,
    EXCLUDED,
    MANDATORY,
    MERIT,
    limit_uses,
    reasons,
)
from xlportfolio.core.prioritise.scenario import ABOVE, BELOW, CUT_LINE, SCENARIO_HEADER, Shown, scenario_sheet
from xlportfolio.core.prioritise.select import INFEASIBLE, Candidate, frontier, select

IT, SALES = ("IT", "2026-09"), ("Sales", "2026-10")


def why(items, budget, capacity=None, dependencies=()):
    capacity = capacity or {}
    selection = select(items, budget, capacity, dependencies)
    return selection, reasons(items, selection, capacity, dependencies)


def test_budget_bound_item_needs_what_the_budget_lacks():
    items = [Candidate("A", 90, 10), Candidate("B", 80, 10), Candidate("C", 70, 15)]
    selection, got = why(items, 25)
    assert selection.chosen == ("A", "B")
    c = got["C"]
    assert (c.kind, c.decided_by, c.extra_budget, c.extra_days) == (BUDGET, "Budget", 10, None)  # 15 needed, 5 left
    assert "it needs 10 more budget" in c.text
    assert got["A"].kind == MERIT and got["A"].selected


def test_capacity_bound_item_names_the_function_and_month_and_the_days_it_lacks():
    items = [Candidate("A", 90, 10, {IT: 8}), Candidate("B", 80, 10, {IT: 8, SALES: 1})]
    selection, got = why(items, 100, {IT: 10, SALES: 5})
    assert selection.chosen == ("A",)
    b = got["B"]
    assert (b.kind, b.decided_by, b.extra_budget, b.extra_days) == (CAPACITY, "Capacity: IT 2026-09", None, 6)
    assert "6 more person-days of IT in 2026-09" in b.text
    assert [(s.limit, s.left, s.needs, s.short) for s in b.shortfalls] == [("IT 2026-09", 2, 8, 6)]


def test_budget_and_capacity_both_short_are_both_named_and_every_short_month_listed():
    items = [Candidate("A", 90, 10, {IT: 8, SALES: 4}), Candidate("B", 80, 12, {IT: 5, SALES: 3})]
    selection, got = why(items, 15, {IT: 10, SALES: 5})
    b = got["B"]
    assert b.decided_by == "Budget and capacity: IT 2026-09"  # 3 days short there, 2 in Sales
    assert (b.extra_budget, b.extra_days) == (7, 5)
    assert [(s.kind, s.limit, s.short) for s in b.shortfalls] == [
        (BUDGET, "budget", 7), (CAPACITY, "IT 2026-09", 3), (CAPACITY, "Sales 2026-10", 2)]
    assert "7 more budget and 5 more person-days: 3 of IT in 2026-09 and the rest in 1 more" in b.text


def test_dependency_bound_item_names_its_predecessor_and_what_both_need():
    items = [Candidate("P", 1, 50), Candidate("S", 60, 10), Candidate("X", 20, 20)]
    selection, got = why(items, 30, dependencies=[("P", "S")])
    assert selection.chosen == ("X",)  # S fits alone (10 of 10 left) but needs P (50)
    s = got["S"]
    assert (s.kind, s.decided_by, s.brings, s.extra_budget) == (DEPENDENCY, "Dependency: needs P", ("P",), 50)
    assert "It needs P, not chosen" in s.text and "50 more budget" in s.text
    assert got["P"].decided_by == "Budget" and got["P"].extra_budget == 40


def test_a_chosen_predecessor_is_needed_by_its_successor():
    items = [Candidate("P", 1, 5), Candidate("S", 60, 10), Candidate("Y", 2, 100)]
    _, got = why(items, 20, dependencies=[("P", "S")])
    assert (got["P"].kind, got["P"].decided_by) == (DEPENDENCY, "Needed by S")


def test_excluded_and_mandatory_and_an_item_that_needs_an_excluded_one():
    items = [Candidate("E", 99, 1, excluded=True), Candidate("M", 1, 5, mandatory=True),
             Candidate("N", 50, 1), Candidate("F", 40, 1)]
    _, got = why(items, 100, dependencies=[("E", "N")])
    assert (got["E"].kind, got["E"].decided_by) == (EXCLUDED, "Excluded")
    assert (got["M"].kind, got["M"].decided_by) == (MANDATORY, "Mandatory")
    assert got["N"].decided_by == "Dependency: needs E" and "E, which is excluded" in got["N"].text
    assert got["N"].extra_budget is None and got["F"].selected


def test_what_would_bring_it_in_is_exactly_enough_beside_the_selection():
    """The extra budget and days are what the item needs next to the chosen items: with them it
    fits beside all of them, and with a little less of either it does not."""
    items = [Candidate("A", 90, 30, {IT: 6}), Candidate("B", 70, 25, {IT: 3, SALES: 2}),
             Candidate("C", 65, 40, {IT: 5, SALES: 4}), Candidate("D", 5, 10)]
    capacity = {IT: 10, SALES: 5}
    selection, got = why(items, 70, capacity)
    out = [c for c in items if c.id not in selection.chosen and got[c.id].extra_budget]
    assert out, "the example leaves an item out on the budget"
    for c in out:
        r = got[c.id]
        more = dict(capacity)
        for s in r.shortfalls:
            if s.kind == CAPACITY:
                key = next(k for k in capacity if f"{k[0]} {k[1]}" == s.limit)
                more[key] += s.short
        beside = [Candidate(i.id, i.value, i.cost, i.demand, mandatory=i.id in selection.chosen or i.id == c.id)
                  for i in items]
        assert select(beside, 70 + r.extra_budget, more, []).optimal
        assert select(beside, 70 + r.extra_budget - 0.5, more, []).status == INFEASIBLE


def test_binding_limits_are_rows_with_their_numbers():
    items = [Candidate("A", 90, 10, {IT: 8}), Candidate("B", 80, 10, {IT: 8}), Candidate("C", 10, 30)]
    capacity = {IT: 10}
    selection, got = why(items, 35, capacity)
    uses = limit_uses(items, selection, capacity, got)
    assert [(u.limit, u.kind, u.available, u.used, u.left, u.keeps_out) for u in uses] == [
        ("budget", BUDGET, 35, 10, 25, 1), ("IT 2026-09", CAPACITY, 10, 8, 2, 1)]


# --- the sheet -------------------------------------------------------------------------------

PORTFOLIO = [  # the best-ranked request is out on the budget, the rank-2 one on IT's days
    Candidate("REQ-1", 95, 60), Candidate("REQ-2", 90, 10, {IT: 9}), Candidate("REQ-3", 80, 10, {IT: 4}),
    Candidate("REQ-4", 70, 10, {IT: 4}), Candidate("REQ-5", 40, 15), Candidate("REQ-6", 30, 5),
    Candidate("REQ-7", 20, 25), Candidate("REQ-8", 99, 1, excluded=True), Candidate("REQ-9", 1, 2, mandatory=True),
]
RANKS = {"REQ-1": 1, "REQ-2": 2, "REQ-3": 3, "REQ-4": 4, "REQ-5": 5, "REQ-6": 6, "REQ-7": 7, "REQ-8": 8, "REQ-9": 9}
SHOWN = {c.id: Shown(f"Name of {c.id}", c.value, 1000.0 * c.value) for c in PORTFOLIO}


@pytest.fixture(scope="module")
def sheet():
    capacity = {IT: 10}
    selection = select(PORTFOLIO, 45, capacity, [])
    points = frontier(PORTFOLIO, capacity, [], levels=4, budget=45)
    return selection, scenario_sheet(PORTFOLIO, selection, points, RANKS, shown=SHOWN, capacity=capacity)


def rows_of(sheet):
    return {r[0]: dict(zip(SCENARIO_HEADER, r)) for r in sheet.sheet.rows}


def block(sheet, title):
    return next(b for b in sheet.sheet.blocks if b.title.startswith(title))


def test_the_list_shows_id_name_score_and_value_in_their_own_columns(sheet):
    selection, out = sheet
    assert selection.chosen == ("REQ-3", "REQ-4", "REQ-5", "REQ-6", "REQ-9")
    rows = rows_of(out)
    assert rows["REQ-3"]["Name"] == "Name of REQ-3"
    assert (rows["REQ-3"]["Score (0-100)"], rows["REQ-3"]["Value per year"], rows["REQ-3"]["Cost"]) == (80, 80000, 10)
    ids = [r[0] for r in out.sheet.rows]
    assert ids[:ids.index(CUT_LINE)] == ["REQ-3", "REQ-4", "REQ-5", "REQ-6", "REQ-9"]  # by rank
    assert ids[ids.index(CUT_LINE) + 1:] == ["REQ-1", "REQ-2", "REQ-7", "REQ-8"]


def test_the_rank_1_request_out_gets_its_real_reason_and_what_would_bring_it_in(sheet):
    rows = rows_of(sheet[1])
    first = rows["REQ-1"]  # 60 needed, 45 - 42 = 3 left
    assert first["Decided by"] == "Budget" and first["Extra budget needed"] == 57
    assert first["Why"].startswith(BELOW + ". To fit beside this selection it needs 57 more budget")
    second = rows["REQ-2"]  # 9 days needed of 10 - 8 = 2 left, and 10 of money where 3 are left
    assert second["Decided by"] == "Budget and capacity: IT 2026-09"
    assert (second["Extra budget needed"], second["Extra person-days needed"]) == (7, 7)
    assert rows["REQ-8"]["Decided by"] == "Excluded" and rows["REQ-9"]["Decided by"] == "Mandatory"
    assert rows["REQ-6"]["Why"].startswith(ABOVE) and not rows["REQ-9"]["Why"].startswith(ABOVE)


def test_every_limit_that_keeps_an_item_out_is_a_row(sheet):
    short = block(sheet[1], "What keeps")
    assert [r[:6] for r in short.rows] == [
        ("REQ-1", "budget", "budget", 3, 60, 57), ("REQ-2", "budget", "budget", 3, 10, 7),
        ("REQ-2", "IT 2026-09", "capacity", 2, 9, 7), ("REQ-7", "budget", "budget", 3, 25, 22)]
    limits = block(sheet[1], "Binding limits")
    assert [r[:2] + r[3:] for r in limits.rows] == [("budget", "budget", 45, 42, 3, 3),
                                                    ("capacity", "IT 2026-09", 10, 8, 2, 1)]


def test_no_cell_packs_several_ids(sheet):
    ids = {c.id for c in PORTFOLIO}
    cells = [v for r in sheet[1].sheet.rows for v in r] + \
            [v for b in sheet[1].sheet.blocks for r in b.rows for v in r]
    for v in cells:
        if isinstance(v, str):
            assert sum(i in v.replace(",", " ").split() for i in ids) <= 1, v


def test_frontier_points_include_the_chosen_budget_marked_and_never_fall(sheet):
    selection, out = sheet
    front = block(out, "Efficient frontier")
    budgets = [r[0] for r in front.rows]
    values = [r[1] for r in front.rows]
    assert 45 in budgets and budgets == sorted(budgets) and values == sorted(values)
    marked = [(r[0], r[2]) for r in front.rows if r[2] is not None]
    assert marked == [(45, selection.value)]
    assert front.header[:3] == ("Budget", "Best total score", "Chosen budget")
    assert (out.budget.first, out.value.first, out.chosen.first) == (front.header_row,) * 3
    assert (out.budget.column, out.value.column, out.chosen.column) == (1, 2, 3)
    assert out.budget.last == front.last_row
    changes = block(out, "Along the frontier")
    assert all(len(r) == 4 and r[2] in ("in", "out") for r in changes.rows)


def test_frontier_budgets_include_the_chosen_one_and_stop_where_money_stops_helping():
    items = [Candidate("A", 10, 10, {IT: 8}), Candidate("B", 9, 10, {IT: 8}), Candidate("C", 5, 7)]
    points = frontier(items, {IT: 10}, [], levels=3, budget=13)
    assert [b for b, _, _ in points] == [0, 8.5, 13, 17]  # without a budget A and C cost 17
    assert [v for _, v, _ in points] == [0, 5, 10, 15]
    assert all(math.isfinite(b) for b, _, _ in points)
    near = frontier(items, {IT: 10}, [], levels=3, budget=9)  # 8.5 would sit on top of the mark
    assert [b for b, _, _ in near] == [0, 9, 17]


def test_no_selection_lists_the_solvers_reasons_one_per_row():
    items = [Candidate("M-1", 5, 30, mandatory=True), Candidate("M-2", 5, 30, mandatory=True, excluded=True),
             Candidate("F-1", 9, 1)]
    selection = select(items, 20, {}, [])
    assert selection.status == INFEASIBLE
    out = scenario_sheet(items, selection, [])
    found = block(out, "What the solver found")
    assert [r[0] for r in found.rows] == [
        "No selection is possible:", "M-2 is both mandatory and excluded.",
        "The mandatory items cost 60, over the budget of 20 by 40: M-1 30, M-2 30."]
    assert out.reasons == {} and block(out, "Efficient frontier").rows == ()
    assert [r[0] for r in out.sheet.rows] == [CUT_LINE, "F-1", "M-1", "M-2"]
