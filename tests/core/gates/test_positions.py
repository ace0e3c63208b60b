"""Stage and state come only from the ledger: each way around the gates, on inline sheets and ledgers."""
import datetime as dt

from tests.support.inline import book, table
from xlportfolio.core.gates.ledger import Entry, append
from xlportfolio.core.gates.moves import check_gates
from xlportfolio.core.gates.positions import added_by_hand, bypasses, opening_entries, read_ledger
from xlportfolio.schema import ITEMS, STAGES

TODAY = dt.date(2026, 6, 30)
T1, T2 = "2026-05-01T09:00:00Z", "2026-06-01T09:00:00Z"
HEADER = "| Item ID | Name | Owner | Sponsor | Stage | Requested stage | State | Reason for move |"


def items(*rows):
    """Items: A Item ID, B Name, C Owner, D Sponsor, E Stage, F Requested stage, G State, H Reason; from row 2."""
    return table(ITEMS, "\n".join([HEADER, *rows]))


def ledger(*entries):
    """Ledger rows as the sheet holds them, chained: each entry (When, Who, Item, From, To, Decision, Reason)."""
    return append([], [Entry(*e) for e in entries])


def opened(item, stage, state="Active", when=T1):
    return (when, "xlportfolio", item, "", stage, "opening balance", f"first seen; State: {state}")


def found(sheet, rows):
    return [(f.code, f.cell, f.message) for f in bypasses(sheet, read_ledger(rows), STAGES)]


def test_a_stage_typed_up_is_an_error_naming_the_item_both_values_and_the_ways_back():
    sheet = items("| PR-1 | Portal | Olga | Sam | DI5 Implemented | | Active | |")
    rows = ledger(opened("PR-1", "DI2 Identified"),
                  (T2, "Sam", "PR-1", "DI2 Identified", "DI3 Detailed", "approve", "Case ok"))
    assert found(sheet, rows) == [(
        "stage-not-from-gates", "E2",
        "PR-1 Portal: Stage is DI5 Implemented but the ledger has DI3 Detailed (Ledger row 3): a stage changes only "
        "through the gates. Ask for DI5 Implemented in Items!F2, or put DI3 Detailed back.")]


def test_a_stage_typed_down_or_cleared_is_an_error_too():
    sheet = items("| PR-1 | Portal | Olga | Sam | DI1 Defined | | Active | |",
                  "| PR-2 | App    | Olga | Sam |             | | Active | |",
                  "| PR-3 | Web    | Olga | Sam | di4         | | active | |")  # the code alone, any case: the same
    rows = ledger(opened("PR-1", "DI4 Decided"), opened("PR-2", "DI2 Identified"), opened("PR-3", "DI4 Decided"))
    assert [(code, cell) for code, cell, _ in found(sheet, rows)] == [
        ("stage-not-from-gates", "E2"), ("stage-not-from-gates", "E3")]
    assert "PR-2 App: Stage is blank but the ledger has DI2 Identified" in found(sheet, rows)[1][2]


def test_a_state_set_to_cancelled_by_hand_and_back_by_hand():
    rows = ledger(opened("PR-1", "DI3 Detailed"))
    cancelled = items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | | Cancelled | |")
    assert found(cancelled, rows) == [(
        "state-not-from-decisions", "G2",
        "PR-1 Portal: State is Cancelled but the ledger has Active (Ledger row 2): a state changes only through a "
        "decision in Approvals (approve, hold or cancel). Record the decision, or put Active back.")]
    assert found(items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | | Active | |"), rows) == []
    # Cancelled by a decision, then typed back to Active without one: the ledger still says Cancelled.
    decided = ledger(opened("PR-1", "DI3 Detailed"), ("2026-06-10T00:00:00Z", "Sam", "PR-1", "", "DI4 Decided",
                                                       "cancel", "No budget"))
    assert read_ledger(decided).of("pr-1").state == "Cancelled"
    [(code, cell, message)] = found(items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | | Active | |"), decided)
    assert (code, cell) == ("state-not-from-decisions", "G2") and "the ledger has Cancelled (Ledger row 3)" in message


def test_the_latest_decision_by_its_date_sets_the_state_as_approvals_are_read():
    rows = ledger(opened("PR-1", "DI3 Detailed"),
                  ("2026-06-10T00:00:00Z", "Sam", "PR-1", "", "DI4 Decided", "hold", "Wait"),
                  ("2026-06-01T00:00:00Z", "Sam", "PR-1", "", "DI4 Decided", "approve", "Entered late, decided earlier"))
    assert read_ledger(rows).of("PR-1").state == "On hold"


def test_an_item_deleted_from_items_but_in_the_ledger():
    rows = ledger(opened("PR-1", "DI3 Detailed"), opened("PR-2", "DI4 Decided"))
    [f] = bypasses(items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | | Active | |"), read_ledger(rows), STAGES)
    assert (f.code, f.severity, f.sheet, f.cell, f.value) == ("item-deleted", "error", "Ledger", "D3", "PR-2")
    assert f.message.startswith("PR-2 is in the ledger at DI4 Decided (Active) but has no row on Items")


def test_an_item_the_ledger_never_saw_opens_once_as_found_and_is_not_an_error():
    sheet = items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | | On hold | |",
                  "| PR-2 | App    | Olga | Sam | DI2 Identified | | Active | |")
    before = read_ledger(ledger(opened("PR-2", "DI2 Identified")))
    stage, state = {2: "DI3 Detailed", 3: "DI2 Identified"}, {2: "On hold", 3: "Active"}
    assert opening_entries(sheet, before, T2, stage, state) == [
        Entry(T2, "xlportfolio", "PR-1", "", "DI3 Detailed", "opening balance", "first seen; State: On hold")]
    rows = ledger(opened("PR-2", "DI2 Identified"), *[tuple(vars(e).values()) for e in
                                                      opening_entries(sheet, before, T2, stage, state)])
    assert found(sheet, rows) == [] and opening_entries(sheet, read_ledger(rows), T2, stage, state) == []


def test_an_older_ledger_with_moves_only_joins_without_a_false_alarm():
    # Written before opening balances: the ledger knows PR-1's stage from a move, not its state.
    rows = ledger((T1, "Sam", "PR-1", "DI2 Identified", "DI3 Detailed", "approve", "Case ok"))
    sheet = items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | | On hold | |")
    assert found(sheet, rows) == []
    [entry] = opening_entries(sheet, read_ledger(rows), T2, {2: "DI3 Detailed"}, {2: "On hold"})
    assert (entry.to_stage, entry.reason) == ("DI3 Detailed", "first seen; State: On hold")


def test_an_item_added_by_hand_past_the_first_stage_is_a_warning_once_the_portfolio_joined():
    sheet = items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | | Active | |",
                  "| PR-2 | App    | Olga | Sam | DI5 Implemented | | Active | |",
                  "| PR-3 | Web    | Olga | Sam | DI1 Defined | | Active | |")
    joined = read_ledger(ledger(opened("PR-1", "DI3 Detailed")))
    stage = {2: "DI3 Detailed", 3: "DI5 Implemented", 4: "DI1 Defined"}
    openings = opening_entries(sheet, joined, T2, stage, dict.fromkeys(stage, "Active"))
    assert [e.item for e in openings] == ["PR-2", "PR-3"]
    [f] = added_by_hand(sheet, joined, STAGES, openings)
    assert (f.code, f.severity, f.cell) == ("item-added-by-hand", "warning", "E3")
    assert f.message.startswith("PR-2 App was added to Items by hand at DI5 Implemented, not through accept")
    # The first run on a workbook older than the ledger: everything joins, nothing was added by hand.
    first = read_ledger([])
    assert added_by_hand(sheet, first, STAGES, opening_entries(sheet, first, T2, stage, {})) == []


def test_gates_judge_a_request_from_the_ledgers_stage_and_state_not_the_cells():
    sheet = items("| PR-1 | Portal | Olga | Sam | DI3 Detailed | DI4 Decided | Active | |",
                  "| PR-2 | App    | Olga | Sam | DI2 Identified | DI3 Detailed | Active | |")
    rows = ledger(opened("PR-1", "DI1 Defined"), opened("PR-2", "DI2 Identified", "Cancelled"))
    result = check_gates(book(sheet), TODAY, ledger=read_ledger(rows))
    assert result.refused == {
        2: ["Cannot skip from DI1 Defined to DI4 Decided; request DI2 Identified first"],
        3: ["Frozen: the item is cancelled; a decision 'approve' must reactivate it first"]}
    assert result.refusals[2].from_stage == "DI1 Defined"


def test_a_refusal_the_ledger_holds_keeps_its_first_date_and_is_not_recorded_again():
    sheet = items("| PR-1 | Portal | Olga | Sam | DI2 Identified | DI4 Decided | Active | |")
    why = "Cannot skip from DI2 Identified to DI4 Decided; request DI3 Detailed first"
    first = check_gates(book(sheet), TODAY, ledger=read_ledger(ledger(opened("PR-1", "DI2 Identified"))))
    refusal = first.refusals[2]
    assert (refusal.reason, refusal.since, refusal.recorded) == (why, TODAY, False)
    rows = ledger(opened("PR-1", "DI2 Identified"),
                  ("2026-06-20T08:00:00Z", "xlportfolio", "PR-1", "DI2 Identified", "DI4 Decided", "refused", why))
    again = check_gates(book(sheet), TODAY, ledger=read_ledger(rows))
    assert (again.refusals[2].since, again.refusals[2].recorded) == (dt.date(2026, 6, 20), True)
    assert again.plan.marks[0].note.startswith("PR-1 Portal: move to DI4 Decided refused on 2026-06-20:")
    assert "refused on 2026-06-20" in again.findings[0].message
    # Another request, or the same one for other reasons, is a new refusal.
    other = items("| PR-1 | Portal | Olga | Sam | DI2 Identified | DI5 Implemented | Active | |")
    assert check_gates(book(other), TODAY, ledger=read_ledger(rows)).refusals[2].recorded is False
    # A move that passes ends the refusal: the ledger no longer holds it against the item.
    moved = ledger(*[tuple(r[1:8]) for r in rows],
                   (T2, "Sam", "PR-1", "DI2 Identified", "DI3 Detailed", "approve", "Case ok"))
    assert read_ledger(moved).of("PR-1").refusal is None
