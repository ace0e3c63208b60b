"""A copy of the ledger kept outside the workbook: what changed in the workbook since it was taken.

The copy is taken from the six gate moves of test_ledger (Excel rows 2 to 7); each test then
changes the ledger as someone who can recompute hashes would, so the chain alone still verifies.
"""
import json

from tests.core.gates.test_ledger import MOVES, entry, ledger, rehash
from xlportfolio.core.findings import Report
from xlportfolio.core.gates.ledger import append, chain_head
from xlportfolio.core.gates.ledger_copy import FIELDS, as_rows, compare, records
from xlportfolio.core.gates.ledger_verify import verify

COPY = "pmo/ledger.jsonl"


def differences(rows, copy):
    return Report.of(compare(rows, copy, COPY)).flatten(["code", "row"])


def rechain(rows, start):
    """Recompute every Hash from `start` on, as a forger does after a change, so the chain verifies."""
    rows = list(rows)
    for i in range(start, len(rows)):
        rows[i] = rehash(rows[i], seq=i + 1, previous=rows[i - 1][9] if i else None)
    assert verify(rows, expected_head=chain_head(rows)) == []
    return rows


def test_records_are_the_hashed_fields_plus_the_hash_and_read_back_as_rows():
    rows = ledger()
    copy = records(rows)
    assert [list(rec) for rec in copy] == [list(FIELDS)] * 6
    assert copy[3]["item"] == "1001" and copy[0]["seq"] == 1 and copy[5]["hash"] == rows[5][9]
    assert json.loads(json.dumps(copy)) == copy and as_rows(copy) == [tuple(r) for r in rows]
    assert records([(None,) * 10, *rows]) == copy  # blank rows are not part of the chain


def test_the_same_ledger_and_a_ledger_appended_since_match_the_copy():
    rows = ledger()
    copy = records(rows)
    assert differences(rows, copy) == []
    grown = rows + append(rows, [entry(9, MOVES[0]), entry(10, MOVES[1])])
    assert differences(grown, copy) == []


def test_a_rewritten_row_is_named_with_what_changed():
    rows = ledger()
    copy = records(rows)
    forged = rechain([*rows[:2], (*rows[2][:7], "Approved by the board", *rows[2][8:]), *rows[3:]], 2)
    findings = compare(forged, copy, COPY)
    assert [(f.code, f.row) for f in findings] == [("ledger-copy-changed", 4), ("ledger-copy-rechained", 5)]
    changed, below = (f.message for f in findings)
    assert "Ledger row 4, the copy's Seq 3, was changed since the copy in pmo/ledger.jsonl was taken" in changed
    assert "Reason is 'Approved by the board', the copy has 'Board 2026-06'; its Hash was recomputed" in changed
    assert "In Ledger rows 5 to 7 (the copy's Seq 4 to 6) only the chain changed" in below
    assert "the hashes were recomputed" in below


def test_an_edited_cell_without_a_new_hash_is_named_too():
    rows = ledger()
    copy = records(rows)
    rows[4] = (*rows[4][:2], "Mallory", *rows[4][3:])
    assert differences(rows, copy) == [["ledger-copy-changed", 6]]
    assert "Who is 'Mallory', the copy has 'Ben'" in compare(rows, copy, COPY)[0].message


def test_a_removed_row_is_named_by_seq_and_item():
    rows = ledger()
    copy = records(rows)
    forged = rechain(rows[:1] + rows[2:], 1)  # Seq 2 removed, the rest renumbered and rehashed
    missing, below = compare(forged, copy, COPY)
    assert (missing.code, missing.row, below.code, below.row) == ("ledger-copy-missing", 3, "ledger-copy-rechained", 3)
    assert "Seq 2 of the copy in pmo/ledger.jsonl (PR-012) is no longer in the ledger" in missing.message
    assert "rows 3 to 6 (the copy's Seq 3 to 6)" in below.message and "the Seq was renumbered" in below.message


def test_rows_removed_from_the_end_are_named():
    rows = ledger()
    copy = records(rows)
    assert differences(rows[:4], copy) == [["ledger-copy-missing", 6]]
    assert "Seq 5 to 6 of the copy" in compare(rows[:4], copy, COPY)[0].message


def test_a_reordered_row_is_named():
    rows = ledger()
    copy = records(rows)
    rows[1], rows[2] = rows[2], rows[1]
    forged = rechain(rows, 0)  # Seq and hashes recomputed so the chain verifies in the new order
    assert differences(forged, copy) == [["ledger-copy-rechained", 3], ["ledger-copy-moved", 4]]
    moved = compare(forged, copy, COPY)[1]
    assert "Ledger row 4 holds the copy's Seq 2, which the copy in pmo/ledger.jsonl has right after Seq 1" \
        in moved.message
    rows = ledger()
    rows[1], rows[2] = rows[2], rows[1]  # moved without recomputing anything
    assert differences(rows, copy) == [["ledger-copy-moved", 4]]


def test_an_inserted_row_is_named():
    rows = ledger()
    copy = records(rows)
    forged = rechain([*rows[:3], rehash((4, *rows[0][1:8], "", "")), *rows[3:]], 3)
    assert differences(forged, copy) == [["ledger-copy-inserted", 5], ["ledger-copy-rechained", 6]]
    assert "Ledger row 5 (Seq 4) is not in the copy" in compare(forged, copy, COPY)[0].message
