"""The ledger chain: one test per kind of tampering, each naming the row a person would open.

The ledger under test, as the sheet shows it (Excel rows 2 to 7):

    | Seq | When                 | Who  | Item   | From        | To          | Decision | Reason        |
    | 1   | 2026-06-01T09:00:00Z | Anna | PR-007 | DI1 Defined | DI2 Planned | Go       | Budget agreed |
    | ... six gate moves, each row's Previous hash = the Hash of the row above ...            |
"""
import datetime as dt

import pytest

from xlportfolio.core.findings import Report
from xlportfolio.core.gates.ledger import (
    GENESIS,
    LEDGER_HEADER,
    LEDGER_SHEET,
    Entry,
    append,
    chain_head,
    entry_hash,
    ledger_sheet,
    stamp,
    verify,
)

MOVES = [
    ("Anna", "PR-007", "DI1 Defined", "DI2 Planned", "Go", "Budget agreed"),
    ("Ben", "PR-012", "DI1 Defined", "DI2 Planned", "Hold", "Waiting for the sponsor"),
    ("Anna", "PR-007", "DI2 Planned", "DI3 Approved", "Go", "Board 2026-06"),
    ("Chloé", "1001", "DI2 Planned", "DI2 Planned", "Recycle", "Scope too wide"),
    ("Ben", "PR-012", "DI2 Planned", "DI3 Approved", "Go", "Sponsor back"),
    ("Anna", "PR-007", "DI3 Approved", "DI4 Delivered", "Go", "Accepted by the client"),
]


def entry(day, move):
    return Entry(stamp(dt.datetime(2026, 6, day, 9, 0, 0)), *move)


def ledger():
    """Six rows written by `append`, as they stand in Excel rows 2..7."""
    return append([], [entry(day, move) for day, move in enumerate(MOVES, start=1)])


def found(rows, **kw):
    return Report.of(verify(rows, **kw)).flatten(["code", "row", "column"])


def rehash(row, seq=None, previous=None):
    """A row after someone who knows the algorithm recomputed its Hash."""
    seq = row[0] if seq is None else seq
    previous = row[8] if previous is None else previous
    fields = Entry(*row[1:8])
    return (seq, *row[1:8], previous, entry_hash(seq, fields, previous))


def test_a_clean_ledger_verifies_and_its_sheet_is_the_rows_as_given():
    rows = ledger()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0][8] == GENESIS and all(rows[i][8] == rows[i - 1][9] for i in range(1, 6))
    assert found(rows, expected_head=chain_head(rows)) == []
    sheet = ledger_sheet(rows)
    assert (sheet.name, sheet.header, sheet.rows) == (LEDGER_SHEET, LEDGER_HEADER, tuple(rows))


def test_appending_twice_continues_the_chain():
    first = append([], [entry(1, m) for m in MOVES[:4]])
    rows = first + append(first, [entry(2, m) for m in MOVES[4:]])
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5, 6] and rows[4][8] == first[-1][9]
    assert found(rows, expected_head=chain_head(rows)) == []


def test_blank_ledger_or_no_sheet_has_no_findings():
    assert found([]) == [] and found([(None,) * 10, ("",) * 10]) == []
    assert found([], expected_head=chain_head([])) == []


def test_values_read_back_as_float_datetime_or_number_do_not_alarm():
    rows = ledger()
    read = [(float(r[0]), dt.datetime.fromisoformat(r[1][:-1]), *r[2:]) for r in rows]
    read[3] = (*read[3][:3], 1001.0, *read[3][4:])  # item '1001' came back as a number
    read[2] = (str(rows[2][0]), *read[2][1:8], rows[2][8].upper(), rows[2][9])
    assert found(read, expected_head=chain_head(rows)) == []


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


def test_entries_are_text_in_utc_seconds():
    with pytest.raises(ValueError):
        Entry("2026-06-30 14:05", "Anna", "PR-007", "DI1", "DI2", "Go", "")
    with pytest.raises(ValueError):
        Entry("2026-06-30T14:05:09Z", "Anna", 1001, "DI1", "DI2", "Go", "")
    moment = dt.datetime(2026, 6, 30, 16, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert stamp(moment) == "2026-06-30T14:05:09Z"
