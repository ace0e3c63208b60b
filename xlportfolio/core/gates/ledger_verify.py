"""Verify the ledger: every place its chain was tampered with, one finding each, naming the row a
person would open.

A broken Hash is explained where one changed cell accounts for it (a match is proof: the stored
Hash only fits the original value); rows no other row links to are inserted, rows off the longest
run in Seq order were moved, gaps in Seq were deleted. Each tampered place is named once and the
walk resynchronises, so one tampered place yields one finding, not one for every row below it.
Against the end being cut or rewritten, pass the head stored outside the sheet (see ledger's doc).
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from xlportfolio.core import codes
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.gates.ledger import GENESIS, LEDGER_HEADER, LEDGER_SHEET, _parse, _Row

_LETTERS = dict(zip(LEDGER_HEADER, "ABCDEFGHIJ"))
_FIX = "Restore the ledger from a backup; the ledger cannot be repaired in place."

ROW_EDITED = codes.define(
    "ledger-row-edited", Severity.ERROR, "Ledger row {row} was changed after it was recorded: {how}. " + _FIX)
ROW_MISSING = codes.define(
    "ledger-row-missing", Severity.ERROR, "Ledger Seq {span} is missing {where}: rows were deleted. " + _FIX)
ROW_INSERTED = codes.define(
    "ledger-row-inserted", Severity.ERROR,
    "Ledger row {row} is not part of the recorded chain ({why}): it was inserted or pasted in. " + _FIX)
ORDER_CHANGED = codes.define(
    "ledger-order-changed", Severity.ERROR,
    "Ledger row {row} holds Seq {seq}, which belongs {where}: rows were moved. " + _FIX)
HEAD_MISMATCH = codes.define(
    "ledger-head-mismatch", Severity.ERROR,
    "The ledger ends at Seq {seq} in row {row}, but its recorded head is {expected}: {what}. " + _FIX)
HEAD_MISSING = codes.define(
    "ledger-head-missing", Severity.ERROR,
    "The ledger has {rows} rows but its recorded head (the workbook name xlp_ledger_head and the document "
    "property xlportfolio.ledger_head) was removed, so rows cut from its end would not show. " + _FIX)
KEY_WRONG = codes.define(
    "ledger-key-wrong", Severity.ERROR,
    "None of the {keyed} keyed ledger rows matches the ledger key given: either the key is not the one "
    "the ledger was written with, or every keyed row was rewritten by someone without it. Check "
    "XLPORTFOLIO_LEDGER_KEY (or the key file); if the key is right, " + _FIX[0].lower() + _FIX[1:])
KEY_DROPPED = codes.define(
    "ledger-key-dropped", Severity.ERROR,
    "Ledger row {row} is not keyed although the rows above it are: it was written or rewritten without "
    "the ledger key. " + _FIX)
CODES = (ROW_EDITED, ROW_MISSING, ROW_INSERTED, ORDER_CHANGED, HEAD_MISMATCH, HEAD_MISSING, KEY_WRONG,
         KEY_DROPPED)  # every code verify may report


def _read_head(expected_head: str) -> tuple[int | None, str]:
    """'Seq:Hash' (the Hash may be keyed, 'hmac-sha256:...'), or a bare Hash."""
    text = expected_head.strip().lower()
    seq, colon, digest = text.partition(":")
    return (int(seq), digest) if colon and seq.isdigit() else (None, text)


def verify(rows: Iterable[Sequence[Any]], first_row: int = 2, expected_head: str | None = None,
           key: bytes | None = None, require_head: bool = False) -> list[Finding]:
    """Every place the ledger was tampered with, one finding each, in row order.

    Keyed rows are checked with `key`; without it only their links, Seq and order are. With
    `require_head`, a ledger that has rows but no `expected_head` is a finding: its anchor was removed.
    """
    parsed = _parse(rows, first_row, key)
    head_seq, head_hash = _read_head(expected_head) if expected_head is not None else (None, None)
    wrong_key = _wrong_key(parsed, head_hash)
    _explain(parsed, head_hash)
    forged = _forged(parsed, head_hash)
    chain = [r for r in parsed if r.pos not in forged]
    ordered = sorted((r for r in chain if r.seq is not None), key=lambda r: r.seq)
    out = [_finding(ROW_INSERTED, r, why=why) for r in parsed if (why := forged.get(r.pos))]
    out += [_edited(r) for r in chain if r.broken]
    out += [*_moved(ordered), *_breaks(ordered), *_dropped(ordered)]
    if expected_head is not None:
        out += _head(ordered, head_seq, head_hash, first_row)
    elif require_head and parsed:
        out.append(_finding(HEAD_MISSING, parsed[-1], rows=len(parsed)))
    once = {(f.row, f.code): f for f in reversed(out)}  # one per row and kind: the first, most precise
    return wrong_key + sorted(once.values(), key=lambda f: (f.row, f.code))


def _wrong_key(rows: list[_Row], anchor: str | None) -> list[Finding]:
    """When no keyed row fits the key, say so once and check only their links, rather than
    calling every row edited: the likely cause is a wrong key, and a forged chain shows the same."""
    keyed = [r for r in rows if r.key is not None]
    if not keyed or not all(r.broken for r in keyed):
        return []
    if any(_explains(r, rows, anchor) for r in keyed):  # a row one edit explains proves the key right
        return []
    for r in keyed:
        r.broken, r.unchecked = False, True
    return [_finding(KEY_WRONG, keyed[0], keyed=len(keyed))]


def _explains(r: _Row, rows: list[_Row], anchor: str | None) -> bool:
    """Whether a changed Seq, Previous hash or Hash cell explains the row's broken Hash (as in _explain)."""
    above = rows[r.pos - 1] if r.pos else None
    below = rows[r.pos + 1] if r.pos + 1 < len(rows) else None
    seq = (above.seq + 1 if above.seq is not None else None) if above else 1
    previous = above.hash if above else GENESIS
    return (r.digest(seq, r.previous) == r.hash or r.digest(r.seq, previous) == r.hash
            or r.digest(r.seq, r.previous) == (below.previous if below else anchor))


def _dropped(ordered: list[_Row]) -> Iterator[Finding]:
    """A plain row below a keyed one: only someone without the key writes one."""
    keyed = False
    for r in ordered:
        if keyed and not r.keyed:
            yield _finding(KEY_DROPPED, r, "Hash")
        keyed = keyed or r.keyed


def _explain(rows: list[_Row], anchor: str | None) -> None:
    """Find the one cell whose change explains a broken Hash, and read the row as it was.

    A match is proof, not a guess: the stored Hash only fits the original value.
    """
    for r in filter(lambda r: r.broken, rows):
        above = rows[r.pos - 1] if r.pos else None
        below = rows[r.pos + 1] if r.pos + 1 < len(rows) else None
        seq = (above.seq + 1 if above.seq is not None else None) if above else 1
        previous = above.hash if above else GENESIS
        now = r.digest(r.seq, r.previous)
        if seq is not None and r.digest(seq, r.previous) == r.hash:
            r.seq, r.column = seq, "Seq"
        elif r.digest(r.seq, previous) == r.hash:
            r.previous, r.column = previous, "Previous hash"
        elif now == (below.previous if below else anchor):
            r.hash, r.column = now, "Hash"
    by_hash = {r.hash: r for r in rows}
    for r in rows:
        pred = by_hash.get(r.previous)
        pred_seq = 0 if r.previous == GENESIS else (pred.seq if pred else None)
        if not r.broken and pred_seq is not None and r.seq != pred_seq + 1:
            # Hash recomputed over a changed Seq: the link still says where the row belongs.
            r.seq, r.broken, r.column = pred_seq + 1, True, "Seq"


def _forged(rows: list[_Row], anchor: str | None) -> dict[int, str]:
    """Rows that are not part of the chain, by position, with the reason."""
    links = Counter(r.previous for r in rows)

    def linked(r: _Row) -> bool:  # another row (or the stored head) vouches for this row
        return links[r.hash] > (r.previous == r.hash) or r.hash == anchor

    def fits(r: _Row) -> bool:
        return r.previous == (rows[r.pos - 1].hash if r.pos else GENESIS)

    # A genuine row keeps its place in the chain even when a cell was edited.
    out = {r.pos: "its cells do not match its Hash and no row links to it"
           for r in rows if r.unexplained and not linked(r) and not fits(r)}
    # Two rows claiming the same Seq or the same predecessor: the one the chain vouches for stays.
    for key, claim in ((lambda r: r.seq, "Seq"), (lambda r: r.previous or None, "predecessor")):
        groups: dict[Any, list[_Row]] = {}
        for r in rows:
            if r.pos not in out and key(r) is not None:
                groups.setdefault(key(r), []).append(r)
        for group in groups.values():
            best = max(group, key=lambda r: (linked(r), fits(r), not r.broken, -r.pos))
            out |= {r.pos: f"row {best.excel} has the same {claim}" for r in group if r is not best}
    return out


def _moved(ordered: list[_Row]) -> Iterator[Finding]:
    """Rows out of Seq order: those off the longest run that already stands in order."""
    keep = _rising([r.pos for r in ordered])
    for k, r in enumerate(ordered):
        if k not in keep:
            where = f"right after Seq {ordered[k - 1].seq} in row {ordered[k - 1].excel}" if k else "at the top"
            yield _finding(ORDER_CHANGED, r, "Seq", seq=r.seq, where=where)


def _rising(values: list[int]) -> set[int]:
    """Indexes of a longest strictly rising subsequence (patience sorting)."""
    tails: list[int] = []
    tail_at: list[int] = []
    parent: list[int | None] = []  # the index before each one in its rising run
    for i, v in enumerate(values):
        k = bisect_left(tails, v)
        tails[k:k + 1], tail_at[k:k + 1] = [v], [i]
        parent.append(tail_at[k - 1] if k else None)
    keep, at = set(), (tail_at[-1] if tail_at else None)
    while at is not None:
        keep.add(at)
        at = parent[at]
    return keep


def _breaks(ordered: list[_Row]) -> Iterator[Finding]:
    """Gaps in Seq and links that do not hold, walking the chain in Seq order."""
    above = None
    for r in ordered:
        seq, previous = (above.seq, above.hash) if above else (0, GENESIS)
        if r.seq > seq + 1:
            where = f"between row {above.excel} and row {r.excel}" if above else f"above row {r.excel}"
            yield _finding(ROW_MISSING, r, span=_span(seq + 1, r.seq - 1), where=where)
        elif r.previous != previous and not r.unexplained and not (above and above.unexplained):
            if above is None:
                yield _finding(ROW_EDITED, r, "Previous hash", how="its Previous hash was replaced")
            else:  # the Hash this row recorded for the row above is gone: that row was rehashed
                yield _finding(ROW_EDITED, above, how=f"its Hash was recomputed after a change, "
                                                      f"so row {r.excel} no longer links to it")
        above = r


def _edited(r: _Row) -> Finding:
    how = {None: "its cells no longer match its Hash", "Seq": f"its Seq was changed (it was {r.seq})",
           "Previous hash": "its Previous hash was changed", "Hash": "its Hash was changed"}[r.column]
    return _finding(ROW_EDITED, r, r.column, how=how)


def _head(ordered: list[_Row], seq: int | None, digest: str | None, first_row: int) -> list[Finding]:
    last = ordered[-1] if ordered else None
    got_seq, got = (last.seq, last.hash) if last else (0, GENESIS)
    if got == digest and seq in (None, got_seq):
        return []
    what = ("its last rows were changed, removed or added" if seq is None
            else f"Seq {_span(got_seq + 1, seq)} was removed from its end" if seq > got_seq
            else f"rows after Seq {seq} were added without recording the new head" if seq < got_seq
            else "its last row was changed and its Hash recomputed")
    expected = "another Hash" if seq is None else f"Seq {seq}"
    return [_finding(HEAD_MISMATCH, last.excel if last else first_row, "Hash", seq=got_seq,
                     expected=expected, what=what)]


def _span(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first} to {last}"


def _finding(code: str, row: _Row | int, column: str | None = None, **details: Any) -> Finding:
    excel = row if isinstance(row, int) else row.excel
    value = None if isinstance(row, int) or column is None else row.cells[LEDGER_HEADER.index(column)]
    spec = codes.CODES[code]
    return Finding(code=code, severity=spec.severity, message=spec.template.format(row=excel, **details),
                   sheet=LEDGER_SHEET, row=excel, column=_LETTERS.get(column or ""), header=column, value=value)
