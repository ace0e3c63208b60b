"""A copy of the ledger kept outside the workbook, and what changed in the workbook since it was taken.

The chain inside the workbook cannot tell a consistent rewrite (rows and head recomputed together)
from the original. A copy the PMO keeps elsewhere can: every row of the copy must still stand in the
ledger, unchanged and in the same order; rows appended since then are fine.

A copy is one JSON object per row: the canonical fields a row's Hash covers (seq, when, who, item,
from_stage, to_stage, decision, reason, previous) plus its hash, so anyone can recheck it without
this code.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .checks import registry
from .findings import Finding, Severity
from .ledger import _KEYS, LEDGER_HEADER, LEDGER_SHEET, _parse, _rising, _Row, _span

_FIX = "The copy holds the ledger as it was recorded; restore the ledger from it or from a backup."
COPY_CHANGED = registry.define(
    "ledger-copy-changed", Severity.ERROR,
    "Ledger row {row} (Seq {seq}) differs from the copy in {copy}: {what}. " + _FIX)
COPY_MISSING = registry.define(
    "ledger-copy-missing", Severity.ERROR,
    "Seq {span} of the copy in {copy} ({items}) is no longer in the ledger: rows were removed. " + _FIX)
COPY_MOVED = registry.define(
    "ledger-copy-moved", Severity.ERROR,
    "Ledger row {row} holds Seq {seq}, which the copy in {copy} has {where}: rows were moved. " + _FIX)
COPY_INSERTED = registry.define(
    "ledger-copy-inserted", Severity.ERROR,
    "Ledger row {row} (Seq {seq}) is not in the copy in {copy}, yet it stands among the rows the copy holds: "
    "it was inserted. " + _FIX)
CODES = (COPY_CHANGED, COPY_MISSING, COPY_MOVED, COPY_INSERTED)
FIELDS = ("seq", *_KEYS, "previous", "hash")  # a copy's record, in the Ledger's column order


def records(rows: Iterable[Sequence[Any]], first_row: int = 2) -> list[dict[str, Any]]:
    """The ledger's rows as the copy keeps them (text as the Hash reads it; blank rows left out)."""
    return [dict(zip(FIELDS, (r.seq, *r.values, r.previous, r.hash))) for r in _parse(rows, first_row)]


def as_rows(copy: Iterable[dict[str, Any]]) -> list[tuple]:
    """A copy's records back as ledger rows, to verify the copy's own chain."""
    return [tuple(rec.get(f) for f in FIELDS) for rec in copy]


def compare(rows: Iterable[Sequence[Any]], copy: Sequence[dict[str, Any]], copy_name: str,
            first_row: int = 2) -> list[Finding]:
    """Every copied row that was changed, removed, moved or had a row inserted before it, one finding each."""
    ledger = _parse(rows, first_row)
    wanted = _parse(as_rows(copy), 1)  # the copy read as the ledger reads its cells
    by_hash: dict[str, _Row] = {}
    by_seq: dict[int | None, _Row] = {}
    for r in ledger:
        by_hash.setdefault(r.hash, r)
        by_seq.setdefault(r.seq, r)
    copied = {w.hash for w in wanted}
    placed: list[tuple[_Row, _Row]] = []  # (copy row, the ledger row that holds it)
    missing: list[_Row] = []
    used: set[int] = set()
    out: list[Finding] = []
    for w in wanted:
        # A row keeps its Hash through an edit of its cells, and its Seq through a recomputed Hash.
        r = by_hash.get(w.hash)
        if r is None or r.pos in used:
            r = by_seq.get(w.seq)
            r = r if r is not None and r.pos not in used and r.hash not in copied else None
        if r is None:
            missing.append(w)
            continue
        used.add(r.pos)
        placed.append((w, r))
        if what := _changes(w, r):
            out.append(_finding(COPY_CHANGED, r, copy_name, seq=w.seq, what=what))
    keep = _rising([r.pos for _, r in placed])
    for k, (w, r) in enumerate(placed):
        if k not in keep:
            before = wanted[w.pos - 1] if w.pos else None
            where = f"right after Seq {before.seq}" if before else "first"
            out.append(_finding(COPY_MOVED, r, copy_name, seq=r.seq, where=where))
    end = max((r.pos for _, r in placed), default=-1)
    out += [_finding(COPY_INSERTED, r, copy_name, seq=r.seq) for r in ledger if r.pos not in used and r.pos < end]
    out += _missing(missing, placed, ledger, copy_name, first_row)
    return sorted(out, key=lambda f: (f.row or 0, f.code))


def _changes(w: _Row, r: _Row) -> str:
    mine = (str(r.seq), *r.values, r.previous, r.hash)
    theirs = (str(w.seq), *w.values, w.previous, w.hash)
    return "; ".join(f"{head} is {now!r}, the copy has {was!r}"
                     for head, now, was in zip(LEDGER_HEADER, mine, theirs) if now != was)


def _missing(missing: list[_Row], placed: list[tuple[_Row, _Row]], ledger: list[_Row], copy_name: str,
             first_row: int) -> list[Finding]:
    """One finding per run of consecutive removed rows, at the ledger row where they stood."""
    out = []
    holder = {w.pos: r for w, r in placed}
    runs: list[list[_Row]] = []
    for w in missing:
        if runs and runs[-1][-1].pos + 1 == w.pos:
            runs[-1].append(w)
        else:
            runs.append([w])
    for run in runs:
        after = next((holder[p] for p in range(run[-1].pos + 1, len(holder) + len(missing)) if p in holder), None)
        row = after.excel if after else (ledger[-1].excel + 1 if ledger else first_row)
        items = ", ".join(dict.fromkeys(w.values[2] for w in run))
        out.append(_finding(COPY_MISSING, row, copy_name, span=_span(run[0].seq, run[-1].seq), items=items))
    return out


def _finding(code: str, row: _Row | int, copy_name: str, **details: Any) -> Finding:
    excel = row if isinstance(row, int) else row.excel
    spec = registry.CODES[code]
    return Finding(code=code, severity=spec.severity, sheet=LEDGER_SHEET, row=excel,
                   message=spec.template.format(row=excel, copy=copy_name, **details))
