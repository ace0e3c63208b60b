"""check_gates on inline sheets: each gate rule, each reason a move is refused, and the baseline."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.gates.criteria import GateCriterion, read_criteria
from xlportfolio.core.gates.moves import Move, check_gates
from xlportfolio.core.plan import ERROR_FILL, CellMark
from xlportfolio.schema import APPROVALS, DEPENDENCIES, FINANCIALS, GATES, ITEMS, MILESTONES, RISKS

TODAY = dt.date(2026, 6, 30)
HEADER = ("| Item ID | Name | Owner | Sponsor | Controller | Category | Function | Estimated value "
          "| Stage | Requested stage | State | Reason for move |")


def items(*rows):
    """Items: A Item ID .. I Stage, J Requested stage, K State, L Reason for move; rows from Excel row 2."""
    return table(ITEMS, "\n".join([HEADER, *rows]))


# A DI3 business case that passes: cost and benefit planned, milestones, a risk.
FINANCIALS_OK = table(FINANCIALS, """
    | Item ID | Period     | Flow    | Recurrence | Plan  | Forecast | Actual |
    | PR-1    | 2026-01-01 | Cost    | One-time   | 12000 |          |        |
    | PR-1    | 2026-02-01 | Benefit | Recurring  | 3000  |          |        |
""")
MILESTONES_OK = table(MILESTONES, """
    | Item ID | Milestone | Planned date | Actual date | Evidence |
    | PR-1    | Pilot     | 2026-09-01   |             |          |
""")
RISKS_OK = table(RISKS, """
    | Risk ID | Item ID | Risk          | Probability (1-5) | Impact (1-5) |
    | R-1     | PR-1    | Supplier late | 2                 | 3            |
""")


def refused(*tables):
    return check_gates(book(*tables), TODAY).refused


def test_nothing_to_do_when_no_stage_is_requested_or_it_is_the_current_one():
    result = check_gates(book(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified |              | Active | |",
        "| PR-2 | App    | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified | DI2 Identified | Active | |",
    )), TODAY)
    assert result.applied == [] and result.refused == {} and result.plan.columns == []


def test_a_stage_cannot_be_skipped():
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified | DI4 Decided | Active | |",
    )) == {2: ["Cannot skip from DI2 Identified to DI4 Decided; request DI3 Detailed first"]}


def test_an_unknown_stage_is_refused_and_a_stage_code_alone_is_understood():
    result = check_gates(book(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI1 Defined | DI9 | Active | |",
        "| PR-2 | App    | Olga | Sam | Carl | Cost | IT | 5000 | DI1 Defined | di2 | Active | |",
    )), TODAY)
    assert result.refused == {2: ["'DI9' is not a stage; choose one of the Stage list"]}
    assert [(m.item, m.to_stage) for m in result.applied] == [("PR-2", "DI2 Identified")]


def test_a_move_back_needs_a_reason_and_is_recorded_with_it():
    result = check_gates(book(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI4 Decided | DI2 Identified | Active |  |",
        "| PR-2 | App    | Olga | Sam | Carl | Cost | IT | 5000 | DI4 Decided | DI1 Defined    | Active | Scope changed |",
    )), TODAY)
    assert result.refused == {
        2: ["A move back from DI4 Decided to DI2 Identified needs a reason; enter it in Items!L2"]}
    assert result.applied == [Move(3, "PR-2", "DI4 Decided", "DI1 Defined", "Olga", "Scope changed", "move back")]


def test_hold_and_cancel_freeze_an_item_even_for_a_move_back():
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI1 Defined | DI2 Identified | On hold   | |",
        "| PR-2 | App    | Olga | Sam | Carl | Cost | IT | 5000 | DI3 Detailed | DI2 Identified | Cancelled | Stop |",
    )) == {2: ["Frozen: the item is on hold; a decision 'approve' must reactivate it first"],
           3: ["Frozen: the item is cancelled; a decision 'approve' must reactivate it first"]}


def test_di2_lists_each_blank_field_with_its_cell():
    # The estimated value is text, which is no value a gate can count on.
    assert refused(items(
        "| PR-1 | Portal |  | Sam | Carl | Cost |  | 'lots' | DI1 Defined | DI2 Identified | Active | |",
    )) == {2: ["Missing for DI2 Identified: Owner (Items!C2); Function (Items!G2); Estimated value (Items!H2)"]}


def test_di3_without_a_business_case_lists_everything_missing():
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam |  | Cost | IT | 5000 | DI2 Identified | DI3 Detailed | Active | |",
    )) == {2: ["Missing for DI3 Detailed: cost plan by month (no Cost rows in Financials); "
               "benefit plan by month (no Benefit rows in Financials); milestones (none planned); "
               "risk profile (none in Risks); Controller (Items!E2)"]}


def test_di3_needs_plan_numbers_for_cost_and_benefit():
    financials = table(FINANCIALS, """
        | Item ID | Period     | Flow    | Recurrence | Plan   | Forecast | Actual |
        | PR-1    | 2026-01-01 | Cost    | One-time   | 12000  |          |        |
        | PR-1    | 2026-02-01 | Benefit | Recurring  | 'tbd'  |          |        |
        | PR-1    | 2026-03-01 | Benefit | Recurring  |        |          |        |
    """)
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified | DI3 Detailed | Active | |",
    ), financials, MILESTONES_OK, RISKS_OK) == {
        2: ["Missing for DI3 Detailed: benefit plan by month (no Plan amount in the Benefit rows of Financials)"]}


def test_di3_needs_planned_milestones_and_risks_for_the_item():
    milestones = table(MILESTONES, """
        | Item ID | Milestone | Planned date | Actual date |
        | PR-1    | Pilot     |              |             |
        | PR-2    | Pilot     | 2026-09-01   |             |
    """)
    risks = table(RISKS, """
        | Risk ID | Item ID | Risk          | Probability (1-5) | Impact (1-5) |
        | R-1     | PR-2    | Supplier late | 2                 | 3            |
    """)
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified | DI3 Detailed | Active | |",
    ), FINANCIALS_OK, milestones, risks) == {
        2: ["Missing for DI3 Detailed: milestones (Planned date is blank for every milestone); "
            "risk profile (none in Risks)"]}


def test_di4_needs_the_controllers_approval_too():
    approvals = table(APPROVALS, """
        | Item ID | Gate        | Role    | Approver | Decision | Decided on | Reason        |
        | PR-1    | DI4 Decided | Sponsor | Sam      | approve  | 2026-06-01 | Good case     |
        | PR-1    | DI3 Detailed | Controller | Carl  | approve  | 2026-05-01 | Another gate  |
    """)
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI3 Detailed | DI4 Decided | Active | |",
    ), approvals) == {
        2: ["Missing for DI4 Decided: controller approval (no 'approve' by the Controller for DI4 Decided "
            "in Approvals)"]}


def test_the_approver_of_a_gate_must_not_be_the_items_owner():
    approvals = table(APPROVALS, """
        | Item ID | Gate        | Role       | Approver | Decision | Decided on | Reason    |
        | PR-1    | DI4 Decided | Sponsor    | Sam      | approve  | 2026-06-01 | Good case |
        | PR-1    | DI4 Decided | Controller | olga     | approve  | 2026-06-02 | Numbers ok |
    """)
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI3 Detailed | DI4 Decided | Active | |",
    ), approvals) == {
        2: ["Blocked: controller approval: olga approved as Controller (Approvals!D3) but owns the item, and the "
            "approver of a gate must not be its owner (separation of duties); ask another Controller to approve"]}


APPROVED_DI4 = table(APPROVALS, """
    | Item ID | Gate        | Role       | Approver | Decision | Decided on | Reason                 |
    | PR-1    | DI4 Decided | Controller | Carl     | approve  | 2026-06-02 | Numbers agreed         |
    | PR-1    | DI4 Decided | Sponsor    | Sam      | approve  | 2026-06-01 | Business case accepted |
""")


def test_di4_is_blocked_by_a_held_or_cancelled_predecessor():
    dependencies = table(DEPENDENCIES, """
        | Predecessor ID | Successor ID | Note          |
        | PR-8           | PR-1         | Needs the API |
        | PR-9           | PR-1         | Shared data   |
        | PR-7           | PR-1         | Platform      |
    """)
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI3 Detailed | DI4 Decided | Active    | |",
        "| PR-7 | Base   | Olga | Sam | Carl | Cost | IT | 5000 | DI4 Decided  |             | Active    | |",
        "| PR-8 | API    | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified |           | On hold   | |",
        "| PR-9 | Data   | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified |           | Cancelled | |",
    ), APPROVED_DI4, dependencies) == {
        2: ["Blocked: depends on PR-8 (on hold, Dependencies!A2), PR-9 (cancelled, Dependencies!A3); "
            "wait until they are active again or remove the dependency"]}


def test_the_latest_decision_at_the_gate_stands():
    decisions = """
        | Item ID | Gate        | Role       | Approver | Decision | Decided on | Reason         |
        | PR-1    | DI4 Decided | Sponsor    | Sam      | approve  | 2026-05-01 | Good case      |
        | PR-1    | DI4 Decided | Controller | Carl     | approve  | 2026-05-02 | Numbers agreed |
        | PR-1    | DI4 Decided | Sponsor    | Sam      | hold     | 2026-06-01 | Budget freeze  |
    """
    request = items("| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI3 Detailed | DI4 Decided | Active | |")
    assert refused(request, table(APPROVALS, decisions)) == {
        2: ["Blocked: decision 'hold' by Sam on 2026-06-01 (Budget freeze, Approvals!E4); "
            "a decision 'approve' must follow"]}
    approved_again = decisions + "| PR-1 | DI4 Decided | Sponsor | Sam | approve | 2026-06-20 | Budget released |"
    result = check_gates(book(request, table(APPROVALS, approved_again)), TODAY)
    assert result.applied == [Move(2, "PR-1", "DI3 Detailed", "DI4 Decided", "Sam", "Budget released", "approve")]


def test_a_passing_move_is_applied_and_freezes_the_plan_as_the_baseline():
    result = check_gates(book(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI3 Detailed   | DI4 Decided    | Active | |",
        "| PR-2 | App    | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified | DI2 Identified | Active | |",
    ), APPROVED_DI4, FINANCIALS_OK), TODAY)
    assert result.refused == {} and result.findings == [] and result.plan.marks == []
    assert result.applied == [
        Move(2, "PR-1", "DI3 Detailed", "DI4 Decided", "Sam", "Business case accepted", "approve")]
    assert result.baseline_rows == [
        {"item_id": "PR-1", "period": dt.date(2026, 1, 1), "flow": "Cost", "recurrence": "One-time", "plan": 12000},
        {"item_id": "PR-1", "period": dt.date(2026, 2, 1), "flow": "Benefit", "recurrence": "Recurring",
         "plan": 3000}]
    stage, asked = result.plan.columns
    assert (stage.header, stage.values) == ("Stage", {2: "DI4 Decided", 3: "DI2 Identified"})
    assert (asked.header, asked.values) == ("Requested stage", {2: None, 3: "DI2 Identified"})


def test_a_refused_request_stays_and_its_cell_says_why_naming_the_item():
    result = check_gates(book(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI2 Identified | DI4 Decided | Active | |",
        "| PR-2 | App    |      | Sam | Carl | Cost | IT | 5000 | DI1 Defined    |             | Active | |",
    )), TODAY)
    stage, asked = result.plan.columns
    assert stage.values == {2: "DI2 Identified", 3: "DI1 Defined"} and asked.values == {2: "DI4 Decided", 3: None}
    assert result.plan.marks == [CellMark(
        "Items", 2, "J", ERROR_FILL, "PR-1 Portal: move to DI4 Decided refused on 2026-06-30:\n"
        "Cannot skip from DI2 Identified to DI4 Decided; request DI3 Detailed first\n"
        "The request stays until the move passes; fix the above and run gates again.")]
    (f,) = result.findings
    assert (f.code, f.severity, f.cell, f.value) == ("gate-refused", "error", "J2", "DI4 Decided")
    assert f.message == ("PR-1 Portal: the move to DI4 Decided was refused on 2026-06-30: Cannot skip from "
                         "DI2 Identified to DI4 Decided; request DI3 Detailed first. The request stays in Items!J2 "
                         "until the move passes: fix this and run gates again, or change the request.")
    (r,) = result.refusals.values()
    assert (r.item, r.label, r.from_stage, r.to_stage, r.recorded, r.cell) == (
        "PR-1", "PR-1 Portal", "DI2 Identified", "DI4 Decided", False, "Items!J2")


def test_di5_needs_an_actual_date_for_every_milestone():
    milestones = table(MILESTONES, """
        | Item ID | Milestone | Planned date | Actual date | Evidence |
        | PR-1    | Design    | 2026-03-01   | 2026-03-05  |          |
        | PR-1    | Pilot     | 2026-05-01   |             |          |
        | PR-1    | Rollout   | 2026-06-01   |             |          |
    """)
    assert refused(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI4 Decided | DI5 Implemented | Active | |",
    ), milestones) == {
        2: ["Missing for DI5 Implemented: actual dates (no Actual date for Pilot (Milestones!D3), "
            "Rollout (Milestones!D4)); milestones complete (2 of 3 open)"]}


def test_di6_needs_closure_evidence_the_controllers_sign_off_and_realised_value():
    request = items("| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI5 Implemented | DI6 Closed | Active | |")
    assert refused(request, MILESTONES_OK, FINANCIALS_OK) == {
        2: ["Missing for DI6 Closed: closure evidence (Evidence is blank for every milestone); "
            "controller signoff (no 'approve' by the Controller for DI6 Closed in Approvals); "
            "realised value (no Actual amount in Financials)"]}
    closed = check_gates(book(request, table(MILESTONES, """
        | Item ID | Milestone | Planned date | Actual date | Evidence                  |
        | PR-1    | Pilot     | 2026-05-01   | 2026-05-03  | https://intranet/pmo/PR-1 |
    """), table(FINANCIALS, """
        | Item ID | Period     | Flow    | Recurrence | Plan | Forecast | Actual |
        | PR-1    | 2026-05-01 | Benefit | Recurring  | 3000 | 3000     | 2800   |
    """), table(APPROVALS, """
        | Item ID | Gate       | Role       | Approver | Decision | Decided on | Reason         |
        | PR-1    | DI6 Closed | Controller | Carl     | approve  | 2026-06-20 | Benefit booked |
    """)), TODAY)
    assert refused(request, FINANCIALS_OK)[2][0].startswith(
        "Missing for DI6 Closed: closure evidence (no milestones in Milestones); ")
    # Without a sponsor's approval the ledger names the controller who signed off.
    assert closed.applied == [Move(2, "PR-1", "DI5 Implemented", "DI6 Closed", "Carl", "Benefit booked", "approve")]


def test_baseline_changes_are_flagged_for_items_at_di4_or_later():
    result = check_gates(book(items(
        "| PR-1 | Portal | Olga | Sam | Carl | Cost | IT | 5000 | DI5 Implemented | | Active | |",
        "| PR-2 | App    | Olga | Sam | Carl | Cost | IT | 5000 | DI3 Detailed    | | Active | |",
    ), table(FINANCIALS, """
        | Item ID | Period     | Flow    | Recurrence | Plan  | Forecast | Actual |
        | PR-1    | 2026-01-01 | Cost    | One-time   | 15000 |          |        |
        | PR-1    | 2026-02-01 | Cost    | One-time   | 12000 |          |        |
        | PR-1    | 2026-03-01 | Benefit | Recurring  | 500   |          |        |
        | PR-2    | 2026-01-01 | Cost    | One-time   | 9000  |          |        |
    """)), TODAY, baseline=[
        {"item_id": "PR-1", "period": dt.date(2026, 1, 1), "flow": "Cost", "recurrence": "One-time", "plan": 12000},
        {"item_id": "PR-1", "period": dt.datetime(2026, 2, 1), "flow": "cost", "recurrence": "One-time",
         "plan": 12000.0},
        {"item_id": "PR-2", "period": dt.date(2026, 1, 1), "flow": "Cost", "recurrence": "One-time", "plan": 8000},
    ])
    assert [(f.code, f.severity, f.cell, f.message) for f in result.findings] == [
        ("baseline-changed", "warning", "E2",
         "PR-1 Portal: Plan changed from 12,000 to 15,000 after the baseline was frozen at DI4; change the forecast instead."),
        ("baseline-changed", "warning", "E4",
         "PR-1 Portal: Plan changed from blank to 500 after the baseline was frozen at DI4; change the forecast instead."),
    ]


def test_criteria_come_from_the_gates_sheet_and_a_broken_row_is_reported():
    gates = table(GATES.table, """
        | Stage          | Criterion | Kind  | Target        | Enabled | Description      |
        | DI2 Identified | owner     | field | Items.owner   | Yes     | An owner.        |
        | DI2 Identified | sponsor   | field | Items.sponsor | No      | Switched off.    |
        | DI2 Identified | budget    | field | Items.budget  | Yes     | No such column.  |
    """)
    criteria, problems = read_criteria(gates)
    assert criteria == [GateCriterion("DI2 Identified", "owner", "field", "Items.owner", "An owner.", 2)]
    assert [(f.code, f.cell) for f in problems] == [("bad-gate-criterion", "D4")]
    assert len(read_criteria(None)[0]) == len(GATES.rows)
    result = check_gates(book(gates, items(
        "| PR-1 | Portal | Olga |  |  |  |  |  | DI1 Defined | DI2 Identified | Active | |",
    )), TODAY)
    assert [m.to_stage for m in result.applied] == ["DI2 Identified"]  # a blank sponsor is allowed here
    (f,) = result.findings
    assert (f.code, f.cell) == ("bad-gate-criterion", "D4")
    assert f.message == ("The gate criterion 'budget' cannot be used (the gate does not check it): Target names "
                         "'budget', which is not a column of Items; correct it on the Gates sheet.")


def test_passing_di4_freezes_the_items_dates_cost_and_value_and_later_edits_are_flagged():
    sheet = table(ITEMS, """
        | Item ID | Name   | Stage           | Requested stage | State  | Start date | End date   | Cost estimate | Estimated value |
        | PR-1    | Portal | DI3 Detailed    | DI4 Decided     | Active | 2026-01-01 | 2026-12-01 | 40000         | 90000           |
        | PR-2    | App    | DI5 Implemented |                 | Active | 2026-02-01 | 2027-03-01 | 55000         | 120000          |
        | PR-3    | Web    | DI3 Detailed    |                 | Active | 2026-02-01 | 2027-03-01 | 10000         | 20000           |
    """)
    frozen = [{"item_id": "PR-2", "name": "App", "start_date": dt.datetime(2026, 2, 1), "end_date": dt.date(2026, 12, 1),
               "cost_estimate": 55000.0, "estimated_value": 150000},
              {"item_id": "PR-3", "name": "Web", "start_date": dt.date(2026, 1, 1), "end_date": None,
               "cost_estimate": 1, "estimated_value": 1}]  # below DI4 again: not held to its old baseline
    result = check_gates(book(sheet, APPROVED_DI4), TODAY, baseline_items=frozen)
    assert result.baseline_items == [{"item_id": "PR-1", "name": "Portal", "start_date": dt.date(2026, 1, 1),
                                      "end_date": dt.date(2026, 12, 1), "cost_estimate": 40000,
                                      "estimated_value": 90000}]
    assert [(f.code, f.severity, f.cell, f.message) for f in result.findings] == [
        ("baseline-item-changed", "warning", "G3",
         "PR-2 App: End date changed from 2026-12-01 to 2027-03-01 after the baseline was frozen at DI4 (Baseline "
         "sheet); the baseline is what was decided there: put 2026-12-01 back, or report the change against the "
         "baseline."),
        ("baseline-item-changed", "warning", "I3",
         "PR-2 App: Estimated value changed from 150,000 to 120,000 after the baseline was frozen at DI4 (Baseline "
         "sheet); the baseline is what was decided there: put 150,000 back, or report the change against the "
         "baseline."),
    ]
