"""verify: one test per kind of tampering, each naming the row a person would open (the sample ledger
of test_ledger, Excel rows 2 to 7)."""
import datetime as dt

import pytest

from tests.core.gates.test_ledger import MOVES, found, ledger, rehash
from xlportfolio.core.gates.ledger import chain_head, stamp
from xlportfolio.core.gates.ledger_verify import verify


def test_edited_field():
    rows = ledger()
    rows[2] = (*rows[2][:5], "DI4 Delivered", *rows[2][6:])  # To, in Excel row 4
    assert found(rows) == [["ledger-row-edited", 4, None]]
    (finding,) = verify(rows)
    assert "Ledger row 4 was changed" in finding.message and "cannot be repaired in place" in finding.message


def test_edited_field_with_its_hash_recomputed_breaks_the_link_below():
    rows = ledger()
    rows[2] = rehash((*rows[2][:7], "Stop", *rows[2][8:]))
    assert found(rows) == [["ledger-row-edited", 4, None]]
    assert "row 5 no longer links to it" in verify(rows)[0].message


def test_edited_hash_cell_is_named():
    rows = ledger()
    rows[2] = (*rows[2][:9], "f" * 64)
    assert found(rows) == [["ledger-row-edited", 4, "J"]]


def test_changed_seq_is_an_edit_of_that_cell():
    rows = ledger()
    rows[2] = (7, *rows[2][1:])
    assert found(rows) == [["ledger-row-edited", 4, "A"]]


def test_deleted_middle_row():
    rows = ledger()
    del rows[2]
    assert found(rows) == [["ledger-row-missing", 4, None]]
    assert "Seq 3 is missing between row 3 and row 4" in verify(rows)[0].message


def test_cleared_middle_row_keeps_its_row_number():
    rows = ledger()
    rows[2] = (None,) * 10
    assert found(rows) == [["ledger-row-missing", 5, None]]
    assert "between row 3 and row 5" in verify(rows)[0].message


def test_deleted_first_row():
    rows = ledger()[1:]
    assert found(rows) == [["ledger-row-missing", 2, None]]


def test_deleted_last_row_needs_the_stored_head():
    rows = ledger()
    head = chain_head(rows)
    del rows[-1]
    assert found(rows) == []  # the limitation the head anchor exists for
    assert found(rows, expected_head=head) == [["ledger-head-mismatch", 6, "J"]]
    assert "Seq 6 was removed from its end" in verify(rows, expected_head=head)[0].message


def test_last_row_edited_and_rehashed_needs_the_stored_head():
    rows = ledger()
    head = chain_head(rows)
    rows[-1] = rehash((*rows[-1][:7], "Stopped", *rows[-1][8:]))
    assert found(rows) == []
    assert found(rows, expected_head=head) == [["ledger-head-mismatch", 7, "J"]]


def test_whole_sheet_deleted_while_the_head_is_stored():
    head = chain_head(ledger())
    assert found([], expected_head=head) == [["ledger-head-mismatch", 2, "J"]]


def test_inserted_forged_row_that_chains_to_the_row_above():
    rows = ledger()
    forged = rehash((3, stamp(dt.datetime(2026, 6, 2, 12)), *MOVES[0], "", ""), previous=rows[1][9])
    rows.insert(2, forged)
    assert found(rows) == [["ledger-row-inserted", 4, None]]


def test_inserted_row_typed_by_hand():
    rows = ledger()
    rows.insert(3, (9, "2026-06-03T10:00:00Z", "Eve", "PR-007", "DI1", "DI4", "Go", "", "", "abc"))
    assert found(rows) == [["ledger-row-inserted", 5, None]]


def test_pasted_copy_of_a_row():
    rows = ledger()
    rows.insert(3, rows[2])
    assert found(rows) == [["ledger-row-inserted", 5, None]]


@pytest.mark.parametrize("first, second", [(2, 3), (0, 5)])
def test_swapped_rows(first, second):
    rows = ledger()
    rows[first], rows[second] = rows[second], rows[first]
    findings = found(rows)
    assert [code for code, _, _ in findings] == ["ledger-order-changed"] * (1 if second == first + 1 else 2)
    assert all(column == "A" for _, _, column in findings)


def test_swap_of_neighbours_names_the_row_out_of_place():
    rows = ledger()
    rows[2], rows[3] = rows[3], rows[2]
    assert found(rows) == [["ledger-order-changed", 5, "A"]]
    assert "holds Seq 3, which belongs right after Seq 2 in row 3" in verify(rows)[0].message


def test_one_finding_per_place_not_one_per_row_below():
    rows = ledger()
    rows[1] = rehash((*rows[1][:7], "Go", *rows[1][8:]))  # edited and rehashed, row 3
    del rows[3]  # Seq 4, row 5
    assert found(rows) == [["ledger-row-edited", 3, None], ["ledger-row-missing", 5, None]]
