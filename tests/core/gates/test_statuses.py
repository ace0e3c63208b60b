"""derive_statuses on inline sheets: each traffic-light rule, and a rating better than the evidence."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.gates.statuses import derive_statuses
from xlportfolio.schema import FINANCIALS, ITEMS, MILESTONES

TODAY = dt.date(2026, 6, 30)


def test_implementation_status_from_milestones_and_the_end_date():
    items = table(ITEMS, """
        | Item ID | Stage           | End date   | Implementation status |
        | PR-1    | DI4 Decided     | 2026-12-31 | Green                 |
        | PR-2    | DI4 Decided     | 2026-12-31 | Amber                 |
        | PR-3    | DI4 Decided     | 2026-12-31 | Red                   |
        | PR-4    | DI4 Decided     | 2026-06-01 | Green                 |
        | PR-5    | DI5 Implemented | 2026-06-01 | Green                 |
        | PR-6    | DI2 Identified  |            | Green                 |
    """)
    milestones = table(MILESTONES, """
        | Item ID | Milestone | Planned date | Actual date |
        | PR-1    | Design    | 2026-05-01   |             |
        | PR-1    | Pilot     | 2026-06-10   |             |
        | PR-1    | Rollout   | 2026-09-01   |             |
        | PR-2    | Pilot     | 2026-05-16   |             |
        | PR-3    | Pilot     | 2026-06-20   | 2026-06-25  |
        | PR-3    | Rollout   | 2026-07-20   |             |
    """)
    implementation, _, checks, findings = derive_statuses(book(items, milestones), TODAY, None)
    # PR-1's Design is 60 days late: the worst open milestone decides.
    assert implementation == {2: "Red", 3: "Red", 4: "Green", 5: "Red", 6: "Green", 7: ""}
    assert checks == {
        2: "Implementation rated Green, evidence says Red: milestone 'Design' is 60 days overdue (planned 2026-05-01)",
        3: "Implementation rated Amber, evidence says Red: milestone 'Pilot' is 45 days overdue (planned 2026-05-16)",
        4: "OK",
        5: "Implementation rated Green, evidence says Red: the end date 2026-06-01 has passed and the item is not "
           "at DI5 Implemented",
        6: "OK", 7: ""}
    assert [(f.code, f.severity, f.cell) for f in findings] == [
        ("status-disagrees", "warning", "D2"), ("status-disagrees", "warning", "D3"),
        ("status-disagrees", "warning", "D5")]
    assert findings[1].message == (  # the item by its ID (these Items have no Name column)
        "PR-2: Implementation status is rated Amber, but the evidence says Red: milestone 'Pilot' is 45 days overdue "
        "(planned 2026-05-16); update the rating or the evidence.")


def test_implementation_is_amber_up_to_thirty_days_late():
    items = table(ITEMS, """
        | Item ID | Stage       | Implementation status |
        | PR-1    | DI4 Decided | Green                 |
        | PR-2    | DI4 Decided | amber                 |
    """)
    milestones = table(MILESTONES, """
        | Item ID | Milestone | Planned date | Actual date |
        | PR-1    | Pilot     | 2026-05-31   |             |
        | PR-2    | Pilot     | 2026-06-29   |             |
    """)
    implementation, _, checks, findings = derive_statuses(book(items, milestones), TODAY, None)
    assert implementation == {2: "Amber", 3: "Amber"}
    assert checks == {
        2: "Implementation rated Green, evidence says Amber: milestone 'Pilot' is 30 days overdue (planned 2026-05-31)",
        3: "OK"}
    assert [f.cell for f in findings] == ["C2"]


def test_potential_status_from_the_benefit_forecast_against_baseline_or_plan():
    items = table(ITEMS, """
        | Item ID | Stage        | Potential status |
        | PR-1    | DI4 Decided  | Green            |
        | PR-2    | DI4 Decided  | Green            |
        | PR-3    | DI5 Implemented | Amber         |
        | PR-4    | DI3 Detailed | Green            |
        | PR-5    | DI3 Detailed | Green            |
    """)
    financials = table(FINANCIALS, """
        | Item ID | Period     | Flow    | Recurrence | Plan | Forecast | Actual |
        | PR-1    | 2026-01-01 | Benefit | Recurring  | 1000 | 1000     |        |
        | PR-1    | 2026-02-01 | Benefit | Recurring  | 1000 | 900      |        |
        | PR-1    | 2026-02-01 | Cost    | One-time   | 5000 | 100      |        |
        | PR-2    | 2026-01-01 | Benefit | Recurring  | 1000 | 850      |        |
        | PR-3    | 2026-01-01 | Benefit | Recurring  | 600  | 500      |        |
        | PR-4    | 2026-01-01 | Cost    | One-time   | 5000 | 5000     |        |
        | PR-5    | 2026-01-01 | Benefit | Recurring  | 1000 |          |        |
    """)
    # PR-3's plan was cut from 1,000 to 600 after DI4; the baseline, not the plan, is the yardstick.
    baseline = [{"item_id": "PR-3", "period": dt.date(2026, 1, 1), "flow": "Benefit", "recurrence": "Recurring",
                 "plan": 1000}]
    _, potential, checks, findings = derive_statuses(book(items, financials), TODAY, baseline)
    assert potential == {2: "Green", 3: "Amber", 4: "Red", 5: "", 6: ""}
    assert checks == {
        2: "OK",
        3: "Potential rated Green, evidence says Amber: the benefit forecast 850 is 85% of the plan 1,000",
        4: "Potential rated Amber, evidence says Red: the benefit forecast 500 is 50% of the baseline 1,000",
        5: "", 6: ""}
    assert [(f.code, f.cell) for f in findings] == [("status-disagrees", "C3"), ("status-disagrees", "C4")]


def test_both_disagreements_share_the_status_check():
    items = table(ITEMS, """
        | Item ID | Stage       | Implementation status | Potential status |
        | PR-1    | DI4 Decided | Green                 | Green            |
    """)
    milestones = table(MILESTONES, """
        | Item ID | Milestone | Planned date | Actual date |
        | PR-1    | Pilot     | 2026-06-20   |             |
    """)
    financials = table(FINANCIALS, """
        | Item ID | Period     | Flow    | Recurrence | Plan | Forecast | Actual |
        | PR-1    | 2026-01-01 | Benefit | Recurring  | 1000 | 100      |        |
    """)
    _, _, checks, findings = derive_statuses(book(items, milestones, financials), TODAY, None)
    assert checks == {2: "Implementation rated Green, evidence says Amber: milestone 'Pilot' is 10 days overdue "
                         "(planned 2026-06-20); Potential rated Green, evidence says Red: the benefit forecast 100 "
                         "is 10% of the plan 1,000"}
    assert [f.cell for f in findings] == ["C2", "D2"]


def test_a_rating_the_evidence_does_not_back_names_the_item_by_id_and_name():
    items = table(ITEMS, """
        | Item ID | Name          | Stage       | End date   | Implementation status |
        | PR-9    | Portal rework | DI4 Decided | 2026-06-01 | Green                 |
    """)
    _, _, _, [found] = derive_statuses(book(items), TODAY, None)
    assert found.message.startswith("PR-9 Portal rework: Implementation status is rated Green, but the evidence "
                                    "says Red: the end date 2026-06-01 has passed")
