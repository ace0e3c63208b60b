"""The Baseline sheet read and rewritten from its rows, and one whole gates run planned on inline sheets."""
import datetime as dt

import pytest

from tests.support.inline import book, table
from xlportfolio.core.gates.apply import gates_plan
from xlportfolio.core.gates.baseline import BASELINE_HEADER, baseline_sheet, read_baseline, read_baseline_items
from xlportfolio.core.gates.ledger import KEYED, LEDGER_SHEET
from xlportfolio.errors import XlPortfolioError
from xlportfolio.schema import ITEMS

TODAY = dt.date(2026, 6, 30)
FROZE = dt.date(2026, 3, 1)
WHEN = "2026-06-30T10:00:00Z"
SHEET = [BASELINE_HEADER,
         ("PR-1", "Portal", "Start date", None, None, None, dt.date(2026, 1, 1), FROZE),
         ("PR-1", "Portal", "Cost estimate", None, None, None, 5000, FROZE),
         ("PR-1", "Portal", "Plan", dt.date(2026, 2, 1), "Cost", "One-time", 5000, FROZE),
         (None, None, None, None, None, None, None, None)]
PLAN = [{"item_id": "PR-1", "period": dt.date(2026, 4, 1), "flow": "Cost", "recurrence": "One-time", "plan": 99},
        {"item_id": "PR-2", "period": dt.datetime(2026, 5, 1), "flow": "Benefit", "recurrence": "Recurring",
         "plan": 700}]
FROZEN = [{"item_id": "pr-1", "name": "Portal", "start_date": dt.date(2026, 2, 1)},
          {"item_id": "PR-2", "name": "App", "start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 12, 31),
           "cost_estimate": 3000, "estimated_value": 900}]


def test_no_sheet_means_no_baseline():
    assert read_baseline(None) == [] and read_baseline_items([]) == []


def test_plan_rows_and_frozen_item_facts_are_read_apart():
    assert [(r["item_id"], r["period"], r["flow"], r["plan"], r["frozen_on"]) for r in read_baseline(SHEET)] == [
        ("PR-1", dt.date(2026, 2, 1), "Cost", 5000, FROZE)]
    assert read_baseline_items(SHEET) == [{"item_id": "PR-1", "name": "Portal", "frozen_on": FROZE,
                                           "start_date": dt.date(2026, 1, 1), "cost_estimate": 5000}]


def test_a_sheet_written_before_item_facts_were_frozen_reads_as_plan_rows():
    old = [("Item ID", "Period", "Flow", "Recurrence", "Plan", "Frozen on"),
           ("PR-1", dt.date(2026, 2, 1), "Cost", "One-time", 5000, FROZE)]
    assert [(r["item_id"], r["what"], r["plan"]) for r in read_baseline(old)] == [("PR-1", "Plan", 5000)]
    assert read_baseline_items(old) == []


def test_an_item_enters_the_sheet_once_and_the_rows_already_there_keep_their_day():
    sheet = baseline_sheet(SHEET, PLAN, FROZEN, TODAY)
    assert sheet.rows[:3] == tuple(SHEET[1:4])  # PR-1 was frozen before: pr-1 is the same item
    added = sheet.rows[3:]
    assert [(r[0], r[2], r[6]) for r in added] == [
        ("PR-2", "Start date", dt.date(2026, 5, 1)), ("PR-2", "End date", dt.date(2026, 12, 31)),
        ("PR-2", "Cost estimate", 3000), ("PR-2", "Estimated value", 900), ("PR-2", "Plan", 700)]
    assert {r[7] for r in added} == {TODAY} and added[-1][3] == dt.date(2026, 5, 1)  # a period as a day


ITEMS_BEFORE = table(ITEMS, """
    | Item ID | Name   | Owner | Stage          | Requested stage | State  | Reason for move |
    | PR-1    | Portal | Olga  | DI3 Detailed   | DI2 Identified  | Active | rescoped        |
    | PR-2    | App    | Olga  | DI1 Defined    |                 | Active |                 |
""")
ITEMS_AFTER = table(ITEMS, """
    | Item ID | Name   | Owner | Stage          | Requested stage | State  | Reason for move |
    | PR-1    | Portal | Olga  | DI2 Identified |                 | Active | rescoped        |
    | PR-2    | App    | Olga  | DI1 Defined    |                 | Active |                 |
""")


def test_a_gates_run_opens_the_ledger_records_the_move_and_plans_every_sheet():
    run = gates_plan(book(ITEMS_BEFORE), [], None, None, TODAY, WHEN)
    assert [m.item for m in run.result.applied] == ["PR-1"]
    # Each item joins the ledger as found, then the move chains onto its opening row.
    assert [r[:8] for r in run.ledger][-1] == (3, WHEN, "Olga", "PR-1", "DI3 Detailed", "DI2 Identified",
                                               "move back", "rescoped")
    assert [(r[0], r[3], r[5]) for r in run.ledger[:2]] == [(1, "PR-1", "DI3 Detailed"), (2, "PR-2", "DI1 Defined")]
    assert [s.name for s in run.plan.sheets] == [LEDGER_SHEET, "Baseline", "Findings"]
    stage = next(c for c in run.plan.columns if c.header == "Stage")
    assert stage.values == {2: "DI2 Identified", 3: "DI1 Defined"}
    assert run.plan.scope == "gates" and run.report.errors == 0
    # The next run finds the ledger and the cells agreeing: nothing more to record.
    again = gates_plan(book(ITEMS_AFTER), run.ledger, None, None, TODAY, "2026-07-01T10:00:00Z")
    assert again.ledger == run.ledger and again.report.errors == 0


def test_a_keyed_ledger_chains_new_rows_with_its_key():
    run = gates_plan(book(ITEMS_BEFORE), [], b"secret", None, TODAY, WHEN)
    assert all(str(r[-1]).startswith(KEYED) for r in run.ledger)


def test_a_book_without_items_is_refused_naming_the_file():
    with pytest.raises(XlPortfolioError, match="test.xlsx.*no Items table"):
        gates_plan(book(), [], None, None, TODAY, WHEN)
