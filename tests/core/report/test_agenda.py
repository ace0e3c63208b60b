"""The pack's lists on inline sheets: top risks, gate moves and decisions in the period, decisions still needed."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.gates.ledger import REFUSED
from xlportfolio.core.report.agenda import decisions, decisions_needed, gate_moves, item_names, top_risks
from xlportfolio.schema import APPROVALS, ITEMS, RISKS

TODAY = dt.date(2026, 6, 30)
SINCE = dt.date(2026, 6, 1)
ITEMS_SHEET = table(ITEMS, """
    | Item ID | Name    | Owner | Sponsor | Stage          | Requested stage | State  | Reason for move |
    | PR-1    | Portal  | Olga  | Sam     | DI3 Detailed   | DI4 Decided     | Active |                 |
    | PR-2    | App     | Olga  | Sam     | DI3 Detailed   | DI2 Identified  | Active | rescoped        |
    | pr-3    | Billing | Olga  | Sam     | DI2 Identified | DI2 Identified  | Active |                 |
    | PR-4    | CRM     | Olga  | Sam     | DI1 Defined    |                 | Active |                 |
""")
NAMES = item_names(ITEMS_SHEET)


def test_names_are_found_by_id_whatever_its_case():
    assert NAMES == {"pr-1": "Portal", "pr-2": "App", "pr-3": "Billing", "pr-4": "CRM"}


def test_top_risks_rank_probability_times_impact_then_impact_and_leave_out_rows_without_both():
    risks = table(RISKS, """
        | Risk ID | Item ID | Risk           | Probability (1-5) | Impact (1-5) | Owner | Mitigation |
        | R-1     | PR-1    | Supplier late  | 2                 | 3            | Olga  | second source |
        | R-2     | PR-2    | Key person     | 3                 | 2            | Sam   |            |
        | R-3     | PR-3    | Scope creep    | 5                 | 4            | Olga  |            |
        | R-4     | PR-1    | Unrated        |                   | 5            |       |            |
        | R-5     | PR-4    | Same as R-1    | 2                 | 3            |       |            |
    """)
    top = top_risks(risks, NAMES)
    # 20 first; 6 and 6 tie, the larger impact first, then the earlier row; R-4 has no probability.
    assert [(r["risk"], r["score"], r["name"]) for r in top] == [
        ("R-3", 20, "Billing"), ("R-1", 6, "Portal"), ("R-5", 6, "CRM"), ("R-2", 6, "App")]
    assert top[1]["mitigation"] == "second source" and top[1]["row"] == 2
    assert [r["risk"] for r in top_risks(risks, NAMES, limit=2)] == ["R-3", "R-1"]
    assert top_risks(None, NAMES) == []


def test_gate_moves_are_the_ledgers_stage_moves_in_the_period_oldest_first():
    ledger = [
        ("Seq", "When", "Who", "Item", "From", "To", "Decision", "Reason"),
        (1, "2026-05-30T09:00:00Z", "Sam", "PR-1", "DI1 Defined", "DI2 Identified", "approve", "before the period"),
        (3, "2026-06-20T09:00:00Z", "Sam", "PR-2", "DI2 Identified", "DI3 Detailed", "approve", "case made"),
        (2, dt.date(2026, 6, 2), "Olga", "pr-1", "DI2 Identified", "DI1 Defined", "move back", "rescoped"),
        (4, "2026-06-21T09:00:00Z", "xlportfolio", "PR-4", "DI1 Defined", "DI2 Identified", REFUSED, "no owner"),
        (5, "2026-06-22T09:00:00Z", "Sam", "PR-4", None, "DI2 Identified", "approve", "an Approvals decision"),
        (6, "not a date", "Sam", "PR-4", "DI1 Defined", "DI2 Identified", "approve", ""),
    ]
    moves = gate_moves(ledger, SINCE, TODAY, NAMES)
    assert [(m["date"], m["item"], m["name"], m["to"], m["decision"]) for m in moves] == [
        ("2026-06-02", "pr-1", "Portal", "DI1 Defined", "move back"),
        ("2026-06-20", "PR-2", "App", "DI3 Detailed", "approve")]


def test_decisions_are_the_approvals_decided_in_the_period_with_their_cell():
    approvals = table(APPROVALS, """
        | Item ID | Gate           | Role    | Approver | Decision | Decided on | Reason   |
        | PR-1    | DI3 Detailed   | Sponsor | Sam      | hold     | 2026-06-15 | budget   |
        | PR-2    | DI3 Detailed   | Sponsor | Sam      | approve  | 2026-05-15 | too old  |
        | PR-4    | DI2 Identified | Sponsor | Sam      | approve  | 2026-06-03 |          |
        | PR-4    | DI2 Identified | Sponsor | Sam      | approve  |            | no date  |
    """)
    found = decisions(approvals, SINCE, TODAY, NAMES)
    assert [(d["date"], d["item"], d["name"], d["decision"], d["cell"]) for d in found] == [
        ("2026-06-03", "PR-4", "CRM", "approve", "Approvals!A4"),
        ("2026-06-15", "PR-1", "Portal", "hold", "Approvals!A2")]
    assert decisions(None, SINCE, TODAY, NAMES) == []


def test_decisions_needed_say_what_each_request_lacks_and_whose_approval_is_missing():
    approvals = table(APPROVALS, """
        | Item ID | Gate         | Role    | Approver | Decision | Decided on | Reason |
        | PR-1    | DI4 Decided  | Sponsor | Olga     | approve  | 2026-06-10 |        |
    """)
    needed = decisions_needed(book(ITEMS_SHEET, approvals), TODAY, [])
    # PR-3 asks for the stage it is in and PR-4 asks for nothing: no decision is needed for them.
    assert [(n["item"], n["name"], n["stage"], n["requested"]) for n in needed] == [
        ("PR-1", "Portal", "DI3 Detailed", "DI4 Decided"), ("PR-2", "App", "DI3 Detailed", "DI2 Identified")]
    forward, back = needed
    # The owner approved her own item: DI4's sponsor approval is still missing (separation of duties).
    assert forward["missing_approvals"] == ["Sponsor", "Controller"] and not forward["ready"]
    assert forward["latest"] == "approve by Olga on 2026-06-10"
    assert any("Sponsor" in gap for gap in forward["gaps"])
    assert forward["cell"] == "Items!F2"
    # A move back with its reason passes as soon as gates runs.
    assert back["ready"] and back["gaps"] == [] and back["missing_approvals"] == []


def test_no_requested_stage_column_means_no_decisions_needed():
    items = table(ITEMS, """
        | Item ID | Name   | Stage          |
        | PR-1    | Portal | DI2 Identified |
    """)
    assert decisions_needed(book(items), TODAY, []) == []
