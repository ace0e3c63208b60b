"""The pack's key figures and status matrix come from the same dashboard data as the Dashboard sheet."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.report.summary import summary
from xlportfolio.core.rollup.dashboard import dashboard_data
from xlportfolio.schema import ITEMS

TODAY = dt.date(2026, 6, 30)


def test_the_summary_counts_items_on_hold_as_a_figure_that_asks_for_attention():
    items = table(ITEMS, """
        | Item ID | Level   | Name   | Stage          | State   | Implementation status | Potential status | Estimated value |
        | PR-1    | Project | Portal | DI3 Detailed   | Active  | Green                 | Green            | 1000            |
        | PR-2    | Project | App    | DI2 Identified | On hold | Red                   | Amber            | 500             |
    """)
    data = dashboard_data(book(items), TODAY)
    shown = summary(data)
    figures = {label: (value, alert) for label, value, alert in shown["figures"]}
    on_hold = next(label for label in figures if label.startswith("Items on hold"))
    assert figures[on_hold] == (1, True)
    # The matrix holds every item once, in the dashboard's status order.
    assert sum(n for _, row in shown["matrix"] for n, _ in row) == 2
    assert shown["statuses"] == list(data.statuses) and shown["currency"] == data.currency
