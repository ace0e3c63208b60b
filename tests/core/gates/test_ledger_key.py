"""A keyed ledger (each Hash an HMAC) and the head that anchors the ledger's end.

The ledger under test is the six gate moves of test_ledger, written with a key: only someone
holding that key can write rows that verify, so a consistent rewrite by anyone else is found.
"""
import hashlib
import hmac
import json

import pytest

from tests.core.gates.test_ledger import MOVES, entry, found, rehash
from xlportfolio.core.gates.ledger import (
    GENESIS,
    KEYED,
    Entry,
    append,
    chain_head,
    entry_hash,
    keyed_rows,
)
from xlportfolio.core.gates.ledger_verify import verify

KEY = b"pmo-office-secret"


def keyed(key=KEY, moves=MOVES):
    return append([], [entry(day, move) for day, move in enumerate(moves, start=1)], key)


def rekey(row, key, seq=None, previous=None):
    """A row after someone who holds `key` (or a key of their own) recomputed its Hash."""
    seq = row[0] if seq is None else seq
    previous = row[8] if previous is None else previous
    return (seq, *row[1:8], previous, entry_hash(seq, Entry(*row[1:8]), previous, key))


def test_a_keyed_hash_is_the_hmac_of_the_documented_json_and_says_so():
    rows = keyed()
    first = rows[0]
    doc = {"seq": 1, "when": first[1], "who": first[2], "item": first[3], "from_stage": first[4],
           "to_stage": first[5], "decision": first[6], "reason": first[7], "previous": GENESIS}
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert first[9] == KEYED + hmac.new(KEY, text, hashlib.sha256).hexdigest()
    assert all(r[9].startswith("hmac-sha256:") and r[8] == p[9] for p, r in zip(rows, rows[1:]))
    assert keyed_rows(rows) == 6 and keyed_rows(append([], [entry(1, MOVES[0])])) == 0


def test_right_key_verifies_and_the_head_anchors_the_end():
    rows = keyed()
    head = chain_head(rows)
    assert head.startswith("6:hmac-sha256:")
    assert found(rows, key=KEY, expected_head=head, require_head=True) == []
    assert found(rows[:-1], key=KEY, expected_head=head) == [["ledger-head-mismatch", 6, "J"]]
    assert "Seq 6 was removed from its end" in verify(rows[:-1], key=KEY, expected_head=head)[0].message


def test_wrong_key_fails_once_and_clearly():
    rows = keyed()
    findings = verify(rows, key=b"not-the-key", expected_head=chain_head(rows))
    assert [(f.code, f.row) for f in findings] == [("ledger-key-wrong", 2)]
    assert "None of the 6 keyed ledger rows matches the ledger key" in findings[0].message
    assert "XLPORTFOLIO_LEDGER_KEY" in findings[0].message


def test_without_the_key_only_the_links_are_checked():
    rows = keyed()
    assert found(rows, expected_head=chain_head(rows)) == []  # not "tampered": it cannot tell
    edited = list(rows)
    edited[2] = (*rows[2][:7], "Stop", *rows[2][8:])
    assert found(edited) == []  # what a keyed row says needs the key ...
    assert found(edited, key=KEY) == [["ledger-row-edited", 4, None]]  # ... which finds the edit
    del edited[3]
    assert found(edited) == [["ledger-row-missing", 5, None]]  # a removed row shows without it


def test_a_chain_forged_with_another_key_fails_for_the_key_holder():
    forged = keyed(key=b"forger")
    forged[1] = rekey((*forged[1][:7], "Approved after all", *forged[1][8:]), b"forger")
    for i in range(2, len(forged)):
        forged[i] = rekey(forged[i], b"forger", previous=forged[i - 1][9])
    head = chain_head(forged)  # the forger writes a head that fits
    assert found(forged, key=b"forger", expected_head=head) == []
    assert [f.code for f in verify(forged, key=KEY, expected_head=head)] == ["ledger-key-wrong"]


def test_rows_rewritten_without_the_key_are_named():
    rows = keyed()
    # Someone without the key edits row 5 and recomputes it and the rows below as a plain sha256 chain.
    rows[3] = rehash((*rows[3][:7], "Go", *rows[3][8:]))
    rows[4] = rehash(rows[4], previous=rows[3][9])
    rows[5] = rehash(rows[5], previous=rows[4][9])
    head = chain_head(rows)
    for key in (KEY, None):
        assert found(rows, key=key, expected_head=head) == [
            ["ledger-key-dropped", 5, "J"], ["ledger-key-dropped", 6, "J"], ["ledger-key-dropped", 7, "J"]]
    assert "not keyed although the rows above it are" in verify(rows, key=KEY)[0].message


def test_an_unkeyed_ledger_takes_keyed_rows_and_keeps_verifying():
    plain = append([], [entry(day, move) for day, move in enumerate(MOVES[:3], start=1)])
    rows = plain + append(plain, [entry(day, move) for day, move in enumerate(MOVES[3:], start=4)], KEY)
    assert keyed_rows(rows) == 3 and rows[3][8] == plain[-1][9]
    assert found(rows, key=KEY, expected_head=chain_head(rows)) == []
    assert found(plain, key=KEY, expected_head=chain_head(plain)) == []  # older ledgers verify with a key set


def test_appending_to_a_keyed_ledger_needs_the_key():
    rows = keyed()
    with pytest.raises(ValueError, match="keyed"):
        append(rows, [entry(9, MOVES[0])])
    more = append(rows, [entry(9, MOVES[0])], KEY)
    assert found(rows + more, key=KEY, expected_head=chain_head(rows + more)) == []


@pytest.mark.parametrize("key", [None, KEY])
def test_a_ledger_whose_head_is_gone_is_a_finding(key):
    rows = keyed(key)
    findings = verify(rows[:-2], key=key, require_head=True)  # cut off, and the anchor removed
    assert [(f.code, f.row) for f in findings] == [("ledger-head-missing", 5)]
    assert "xlp_ledger_head" in findings[0].message and "xlportfolio.ledger_head" in findings[0].message
    assert verify([], require_head=True) == [] and verify([(None,) * 10], require_head=True) == []
    assert verify(rows, key=key) == []  # without require_head, as before


def test_head_in_the_old_bare_form_still_reads():
    rows = keyed(None)
    assert found(rows, expected_head=rows[-1][9]) == []
    assert found(rows[:-1], expected_head=rows[-1][9]) == [["ledger-head-mismatch", 6, "J"]]
