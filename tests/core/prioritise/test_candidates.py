"""The candidates select chooses from, on inline sheets: who competes, who is left out and why, and dependencies."""
import datetime as dt

import pandas as pd
import pytest

from tests.support.inline import book, table
from xlportfolio.core.prioritise.ahp import read_ahp
from xlportfolio.core.prioritise.candidates import dependency_pairs, gather
from xlportfolio.core.prioritise.score import Criterion
from xlportfolio.core.prioritise.score_plan import criterion_for
from xlportfolio.errors import TemplateError
from xlportfolio.schema import DEPENDENCIES, INTAKE, ITEMS

TODAY = dt.date(2026, 6, 30)
ITEMS_SHEET = table(ITEMS, """
    | Item ID | Name    | Function | Stage          | State   | Cost estimate | Estimated value | Strategic fit (1-5) | Selection | Effort (days) | Due date   |
    | PR-1    | Portal  | IT       | DI2 Identified | Active  | 1000          | 300             | 5                   |           | 20            | 2026-08-31 |
    | PR-2    | App     | IT       | DI4 Decided    | Active  | 2000          | 900             | 4                   |           |               |            |
    | PR-3    | Billing | IT       | DI1 Defined    | On hold | 500           | 100             | 3                   |           |               |            |
    | PR-4    | CRM     | IT       | DI1 Defined    | Active  |               | 100             | 3                   |           |               |            |
    | PR-5    | Tax     | HR       | DI3 Detailed   | Active  | 700           | 50              | 1                   | Mandatory |               |            |
    | PR-6    | Shop    | HR       | DI3 Detailed   |         | 400           | 800             | 2                   | Excluded  |               |            |
""")


def test_open_active_items_with_a_cost_compete_and_the_others_say_why_not():
    candidates, ranks, left_out, shown = gather(book(ITEMS_SHEET), "value", TODAY)
    # DI4 and later are decided, on hold is not active: those are simply not candidates.
    assert [c.id for c in candidates] == ["PR-1", "PR-5", "PR-6"]
    assert left_out == ["Items!row 5 PR-4: no cost estimate"]
    portal, tax, shop = candidates
    assert (portal.value, portal.cost, portal.row) == (300, 1000, 2)
    assert sum(portal.demand.values()) == pytest.approx(20) and {f for f, _ in portal.demand} == {"IT"}
    assert tax.mandatory and not tax.excluded and shop.excluded  # a blank State counts as Active
    assert ranks == {"PR-6": 1, "PR-1": 2, "PR-5": 3}  # by money value, the objective
    assert shown["PR-1"].name == "Portal" and shown["PR-1"].value == 300 and shown["PR-1"].score is not None


def test_by_score_the_value_is_the_weighted_score():
    candidates, ranks, _, shown = gather(book(ITEMS_SHEET), "score", TODAY)
    assert {c.id: c.value for c in candidates} == {cid: shown[cid].score for cid in ("PR-1", "PR-5", "PR-6")}
    assert ranks["PR-1"] == 1  # the best fit, the best value per cost of the three


def test_a_request_with_errors_is_left_out_and_an_accepted_one_competes_as_its_item():
    intake = table(INTAKE, """
        | Request ID | Title  | Cost estimate | Expected revenue | Item ID |
        | REQ-1      | Portal | 1000          | 200              | PR-1    |
        | REQ-2      |        | nothing       | 50               |         |
    """)
    candidates, _, left_out, _ = gather(book(intake, ITEMS_SHEET), "value", TODAY)
    assert "REQ-1" not in [c.id for c in candidates] and "PR-1" in [c.id for c in candidates]
    assert [w for w in left_out if w.startswith("Intake!")] == [
        next(w for w in left_out if w.startswith("Intake!row 3 REQ-2: ") and w.endswith("validation errors"))]


def test_dependencies_come_from_the_dependencies_table_and_the_requests_column():
    deps = table(DEPENDENCIES, """
        | Predecessor ID | Successor ID | Note |
        | PR-1           | PR-5         |      |
        | PR-2           |              | half |
    """)
    intake = table(INTAKE, """
        | Request ID | Title | Dependencies  |
        | REQ-1      | Shop  | PR-1, PR-6    |
        |            | None  | PR-1          |
    """)
    assert dependency_pairs(book(deps, intake)) == [("PR-1", "PR-5"), ("PR-1", "REQ-1"), ("PR-6", "REQ-1")]
    assert dependency_pairs(book(ITEMS_SHEET)) == []


def test_an_items_criterion_reads_the_items_own_column_when_the_requests_one_is_missing():
    revenue = Criterion("Revenue", "expected_revenue", 2, True)
    assert criterion_for(revenue, ITEMS_SHEET.frame).source == "estimated_value"
    frame = pd.DataFrame({"expected_revenue": [5.0], "estimated_value": [1.0]})
    assert criterion_for(revenue, frame) is revenue
    fit = Criterion("Fit", "strategic_fit", 1, True)
    assert criterion_for(fit, ITEMS_SHEET.frame) is fit


def test_the_ahp_table_fills_a_blank_cell_with_the_reciprocal_of_its_mirror():
    rows = [[None, "Fit", "Value"], ["Fit", 1, 3], ["Value", None, 1]]
    matrix = read_ahp(("Scoring", "H2:J4", rows), "book.xlsx")
    assert matrix.loc["Value", "Fit"] == pytest.approx(1 / 3) and matrix.loc["Fit", "Value"] == 3


def test_the_ahp_table_names_its_row_when_a_cell_is_not_a_number_or_the_table_is_not_square():
    # A text cell whose mirror is a number is read as the mirror's reciprocal; with neither, it stops.
    with pytest.raises(TemplateError, match=r"AHP table row 3: 'much' is not a number.*'Fit' matters than 'Value'"):
        read_ahp(("Scoring", "H2:J4", [[None, "Fit", "Value"], ["Fit", 1, "much"], ["Value", "lots", 1]]), "b.xlsx")
    with pytest.raises(TemplateError, match="compares 1 criteria down and 2 across"):
        read_ahp(("Scoring", "H2:J3", [[None, "Fit", "Value"], ["Fit", 1, 3]]), "b.xlsx")
