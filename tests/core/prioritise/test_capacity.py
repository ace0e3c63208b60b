"""Effort demand spread over months, and capacity read per function and month."""
import datetime as dt

import pytest

from tests.support.inline import table
from xlportfolio.core.prioritise.capacity import DEFAULT_MONTHS, available, demand, demand_by_month, months
from xlportfolio.schema import CAPACITY, ITEMS

AS_OF = dt.date(2026, 3, 15)


def test_months_from_start_to_end_both_included_across_a_year_end():
    assert months(dt.date(2026, 11, 30), dt.date(2027, 2, 1)) == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert months(dt.date(2026, 5, 1), dt.date(2026, 5, 31)) == ["2026-05"]


def test_months_without_an_end_are_the_next_quarter():
    assert DEFAULT_MONTHS == 3
    assert months(dt.date(2026, 12, 10), None) == ["2026-12", "2027-01", "2027-02"]


def test_demand_spreads_effort_evenly_from_the_later_of_start_and_today_to_the_due_date():
    rec = {"function": "IT", "effort_days": 30, "start_date": dt.date(2026, 1, 1),
           "due_date": dt.date(2026, 5, 20), "end_date": dt.date(2026, 12, 31)}
    assert demand(rec, AS_OF) == {("IT", "2026-03"): 10, ("IT", "2026-04"): 10, ("IT", "2026-05"): 10}
    later = rec | {"start_date": dt.date(2026, 4, 2), "due_date": None, "end_date": dt.date(2026, 5, 1)}
    assert demand(later, AS_OF) == {("IT", "2026-04"): 15, ("IT", "2026-05"): 15}


def test_demand_without_a_usable_end_takes_the_default_months():
    past = {"function": "HR", "effort_days": 9, "end_date": dt.date(2025, 12, 31)}
    assert demand(past, AS_OF) == {("HR", "2026-03"): 3, ("HR", "2026-04"): 3, ("HR", "2026-05"): 3}
    assert demand({"function": "HR", "effort_days": 9}, AS_OF) == demand(past, AS_OF)


@pytest.mark.parametrize("rec", [
    {"function": "IT", "effort_days": None}, {"function": "IT", "effort_days": 0},
    {"function": "IT", "effort_days": -5}, {"function": "IT", "effort_days": "ten"},
    {"function": " ", "effort_days": 10}, {"effort_days": 10},
])
def test_no_demand_without_positive_effort_and_a_function(rec):
    assert demand(rec, AS_OF) == {}


def test_available_per_function_and_month_skipping_unusable_rows():
    cap = table(CAPACITY, """
        | Function | Period     | Available (days) |
        | IT       | 2026-03-01 | 40               |
        | IT       | 2026-04-15 | 35.5             |
        |          | 2026-04-01 | 10               |
        | HR       | 'March'    | 10               |
        | HR       | 2026-03-01 | 'ten'            |
        | Sales    | 2026-03-01 | 12               |
        | Sales    | 2026-03-01 | 14               |
    """)
    assert available(cap) == {("IT", "2026-03"): 40.0, ("IT", "2026-04"): 35.5, ("Sales", "2026-03"): 14.0}
    assert available(None) == {}


ITEMS_TEXT = """
    | Item ID | Function | Effort (days) | Stage         | State     | Start date | Due date   |
    | PR-1    | IT       | 20            | DI4 Decided   | Active    | 2026-03-01 | 2026-04-30 |
    | PR-2    | IT       | 10            | DI2 Identified|           | 2026-04-01 | 2026-04-30 |
    | PR-3    | IT       | 99            | DI4 Decided   | On hold   | 2026-03-01 | 2026-04-30 |
    | PR-4    | IT       | 99            | DI3 Detailed  | Cancelled | 2026-03-01 | 2026-04-30 |
    | PR-5    | IT       | 99            | DI6 Closed    | Active    | 2026-03-01 | 2026-04-30 |
    | PR-6    | HR       | 6             | DI5 Implemented | Active  | 2026-03-01 | 2026-03-31 |
"""


def test_demand_by_month_sums_active_open_items_only():
    items = table(ITEMS, ITEMS_TEXT)
    assert demand_by_month(items, AS_OF) == {("IT", "2026-03"): 10, ("IT", "2026-04"): 20, ("HR", "2026-03"): 6}


def test_demand_by_month_of_every_item_and_of_no_table():
    items = table(ITEMS, ITEMS_TEXT)
    assert demand_by_month(items, AS_OF, active_only=False) == {
        ("IT", "2026-03"): 10 + 3 * 49.5, ("IT", "2026-04"): 20 + 3 * 49.5, ("HR", "2026-03"): 6}
    assert demand_by_month(None, AS_OF) == {}


def test_select_uses_the_same_functions():
    from xlportfolio.commands import select as command
    from xlportfolio.core.prioritise import candidates

    assert candidates.demand is demand and command.available is available


def test_a_parent_whose_children_carry_effort_is_not_counted_again():
    items = table(ITEMS, """
    | Item ID | Parent ID | Level   | Name | Function | Stage       | State  | Start date | Due date   | Effort (days) |
    | PG-1    |           | Program | P    | IT       | DI3 Detailed | Active | 2026-03-01 | 2026-03-31 | 100           |
    | PR-1    | PG-1      | Project | A    | IT       | DI3 Detailed | Active | 2026-03-01 | 2026-03-31 | 30            |
    | PR-2    | PG-1      | Project | B    | IT       | DI3 Detailed | Active | 2026-03-01 | 2026-03-31 | 20            |
    | PG-2    |           | Program | Q    | HR       | DI3 Detailed | Active | 2026-03-01 | 2026-03-31 | 7             |
    """)
    # PG-1's effort is its projects' (50 days), not 150; PG-2 has no children, so its own 7 count.
    assert demand_by_month(items, AS_OF) == {("IT", "2026-03"): 50, ("HR", "2026-03"): 7}
