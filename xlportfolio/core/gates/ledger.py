"""The ledger: an append-only, hash-chained record of every gate move and decision.

Each row's Hash covers its Seq, its fields and the Hash of the row above, so editing, deleting,
inserting or moving a row breaks the chain where it happened; `verify` (in ledger_verify) names that
place once and resynchronises, so one tampered place yields one finding, not one for every row below it.

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
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any

from xlportfolio.core.plan import GeneratedSheet
from xlportfolio.core.values import is_blank

LEDGER_SHEET = "Ledger"
LEDGER_HEADER = ("Seq", "When", "Who", "Item", "From", "To", "Decision", "Reason", "Previous hash", "Hash")
GENESIS = "0" * 64  # the Previous hash of the first row
KEYED = "hmac-sha256:"  # how a keyed row's Hash begins
WIDTHS = (6, 21, 16, 12, 18, 18, 12, 48, 20, 20)
_WHEN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

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
