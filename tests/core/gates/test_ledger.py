"""The ledger chain: entries hashed and appended, the sheet written whole, rows read back as Excel
hands them over; and the sample ledger the verify, key and copy tests tamper with.

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
)
from xlportfolio.core.gates.ledger_verify import verify

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


def test_entries_are_text_in_utc_seconds():
    with pytest.raises(ValueError):
        Entry("2026-06-30 14:05", "Anna", "PR-007", "DI1", "DI2", "Go", "")
    with pytest.raises(ValueError):
        Entry("2026-06-30T14:05:09Z", "Anna", 1001, "DI1", "DI2", "Go", "")
    moment = dt.datetime(2026, 6, 30, 16, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert stamp(moment) == "2026-06-30T14:05:09Z"
