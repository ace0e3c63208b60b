"""The ledger: an append-only, hash-chained record of every gate move and decision.

Each row's Hash covers its Seq, its fields and the Hash of the row above, so editing, deleting,
inserting or moving a row breaks the chain where it happened; `verify` names that place once and
resynchronises, so one tampered place yields one finding, not one for every row below it.

Limitation: nothing inside the sheet protects its end: whoever can compute hashes can delete the
last rows, or edit the last row and recompute its Hash, and the sheet still verifies. Store
`chain_head(rows)` outside the sheet after every append (e.g. a custom document property) and
pass it back as `verify(..., expected_head=..., require_head=True)` to anchor the end.

Authorship: a plain sha256 chain proves order and integrity, not who wrote it: anyone can rewrite
the sheet and its head consistently. With a key (never kept in the workbook) each row's Hash is
"hmac-sha256:" + HMAC-SHA256(key, the same canonical JSON), so only a key holder can write rows
that verify. The prefix marks a keyed row: without the key its cells cannot be checked, only its
links; a plain row below a keyed one means someone without the key wrote or rewrote it.

Read back: the sheet's data rows as tuples in LEDGER_HEADER order (values only), the first being
Excel row `first_row`; blank rows are skipped but keep their row numbers.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any

from xlportfolio.core import codes
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.plan import GeneratedSheet
from xlportfolio.core.values import is_blank

LEDGER_SHEET = "Ledger"
LEDGER_HEADER = ("Seq", "When", "Who", "Item", "From", "To", "Decision", "Reason", "Previous hash", "Hash")
GENESIS = "0" * 64  # the Previous hash of the first row
KEYED = "hmac-sha256:"  # how a keyed row's Hash begins
WIDTHS = (6, 21, 16, 12, 18, 18, 12, 48, 20, 20)
_LETTERS = dict(zip(LEDGER_HEADER, "ABCDEFGHIJ"))
_WHEN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
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

# Decisions the tool itself records, besides a move (approve, move back; From is the stage left) and an
# Approvals decision (approve, defer, hold, cancel; From is blank). See core/positions for how they are read.
OPENING = "opening balance"  # an item the ledger had not seen, at the stage and state it was found in
ACCEPTED = "accepted"  # an item accept created from an intake request, at the first stage
REFUSED = "refused"  # a requested move the gates refused; Reason says what was missing
TOOL = "xlportfolio"  # Who of the entries the tool makes on its own account


@dataclass(frozen=True)
class Entry:
    """One gate move or decision as recorded; every field is text so it reads back unchanged."""

    when: str  # UTC to the second, "2026-06-30T14:05:09Z" (see stamp)
    who: str
    item: str
    from_stage: str
    to_stage: str
    decision: str
    reason: str

    def __post_init__(self) -> None:
        if not _WHEN.match(self.when):
            raise ValueError(f"Entry.when must be UTC to the second, like 2026-06-30T14:05:09Z: {self.when!r}")
        if not all(isinstance(v, str) for v in astuple(self)):
            raise ValueError("every Entry field must be text, or it would not hash the same when read back")


_KEYS = tuple(f.name for f in fields(Entry))


def stamp(moment: dt.datetime) -> str:
    """The canonical When of a moment; a naive moment is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(seq: int | None, values: Sequence[str], previous: str, key: bytes | None = None) -> str:
    # Canonical JSON, so anyone (with the key, for a keyed row) can recompute a Hash without this code.
    doc = dict(zip(_KEYS, values), seq=seq, previous=previous)
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return KEYED + hmac.new(key, text, hashlib.sha256).hexdigest()


def entry_hash(seq: int, entry: Entry, previous: str, key: bytes | None = None) -> str:
    """sha256 of {seq, the Entry's fields by name, previous} as sorted, compact, UTF-8 JSON;
    with a key, "hmac-sha256:" and the HMAC-SHA256 of the same text."""
    return _digest(seq, astuple(entry), previous, key)


@dataclass
class _Row:
    """A ledger row as read back; seq, previous and hash may be corrected while explaining it."""

    pos: int  # position among the non-blank rows
    excel: int
    cells: tuple[Any, ...]
    seq: int | None
    values: tuple[str, ...]
    previous: str
    hash: str
    key: bytes | None = None  # what its Hash is recomputed with: the ledger key for a keyed row
    unchecked: bool = False  # a keyed row read without the key: only its links can be checked
    broken: bool = False  # its cells no longer match its Hash
    column: str | None = None  # the header of the one cell whose change explains a broken Hash

    @property
    def unexplained(self) -> bool:
        return self.broken and self.column is None

    @property
    def keyed(self) -> bool:
        return self.hash.startswith(KEYED)

    def digest(self, seq: int | None, previous: str) -> str:
        return _digest(seq, self.values, previous, self.key)


def _text(value: Any) -> str:
    # Excel hands back a blank cell as None, a timestamp typed over as a datetime, 1001 as 1001.0.
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.date):
        return stamp(value) if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _seq(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return int(value) if number and float(value).is_integer() else None


def _parse(rows: Iterable[Sequence[Any]], first_row: int, key: bytes | None = None) -> list[_Row]:
    out: list[_Row] = []
    for offset, raw in enumerate(rows):
        cells = (tuple(raw) + (None,) * len(LEDGER_HEADER))[:len(LEDGER_HEADER)]
        if all(is_blank(v) for v in cells):
            continue
        seq, values = _seq(cells[0]), tuple(_text(v) for v in cells[1:8])
        previous, digest = (_text(v).strip().lower() for v in cells[8:])
        row = _Row(len(out), first_row + offset, cells, seq, values, previous, digest)
        row.key = key if row.keyed else None
        row.unchecked = row.keyed and key is None
        row.broken = not row.unchecked and row.digest(seq, previous) != digest
        out.append(row)
    return out


def keyed_rows(rows: Iterable[Sequence[Any]]) -> int:
    """How many rows carry a keyed (HMAC) Hash."""
    return sum(r.keyed for r in _parse(rows, 2))


def recorded(rows: Iterable[Sequence[Any]], first_row: int = 2) -> list[tuple[int, int | None, tuple[str, ...]]]:
    """(Excel row, Seq, the Entry's fields as text) of every non-blank ledger row, in sheet order."""
    return [(r.excel, r.seq, r.values) for r in _parse(rows, first_row)]


def append(existing_rows: list[tuple], entries: list[Entry], key: bytes | None = None) -> list[tuple]:
    """The rows to add below the existing ones, chained to the last of them; keyed when a key is given.

    Verify the existing rows (with the stored head and the key) first: appending below a
    tampered or truncated ledger would chain the new rows to the tampering.
    """
    parsed = _parse(existing_rows, 2)
    seq, previous = (parsed[-1].seq, parsed[-1].hash) if parsed else (0, GENESIS)
    if seq is None:
        raise ValueError("the ledger's last row has no readable Seq; verify the ledger first")
    if key is None and parsed and parsed[-1].keyed and entries:
        raise ValueError("the ledger is keyed: rows appended without the key would be flagged as not keyed")
    out = []
    for entry in entries:
        seq += 1
        digest = entry_hash(seq, entry, previous, key)
        out.append((seq, *astuple(entry), previous, digest))
        previous = digest
    return out


def ledger_sheet(rows: list[tuple]) -> GeneratedSheet:
    """The whole Ledger sheet: rewritten whole like every generated sheet, its rows as given."""
    return GeneratedSheet(name=LEDGER_SHEET, header=LEDGER_HEADER, rows=tuple(tuple(r) for r in rows),
                          widths=WIDTHS)


def chain_head(rows: list[tuple]) -> str:
    """'Seq:Hash' of the last row, to store outside the sheet as the anchor of its end."""
    parsed = _parse(rows, 2)
    return f"{parsed[-1].seq}:{parsed[-1].hash}" if parsed else f"0:{GENESIS}"


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
