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

from xlportfolio.core import codes
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.gates.ledger import _KEYS, LEDGER_HEADER, LEDGER_SHEET, _parse, _Row
from xlportfolio.core.gates.ledger_verify import _rising, _span

_FIX = "The copy holds the ledger as it was recorded; restore the ledger from it or from a backup."
COPY_CHANGED = codes.define(
    "ledger-copy-changed", Severity.ERROR,
    "Ledger row {row}, the copy's Seq {seq}, was changed since the copy in {copy} was taken: {what}. " + _FIX)
COPY_RECHAINED = codes.define(
    "ledger-copy-rechained", Severity.ERROR,
    "In Ledger {rows} (the copy's Seq {span}) only the chain changed since the copy in {copy} was taken: "
    "{how} to fit another change. " + _FIX)
COPY_MISSING = codes.define(
    "ledger-copy-missing", Severity.ERROR,
    "Seq {span} of the copy in {copy} ({items}) is no longer in the ledger: rows were removed. " + _FIX)
COPY_MOVED = codes.define(
    "ledger-copy-moved", Severity.ERROR,
    "Ledger row {row} holds the copy's Seq {seq}, which the copy in {copy} has {where}: rows were moved. " + _FIX)
COPY_INSERTED = codes.define(
    "ledger-copy-inserted", Severity.ERROR,
    "Ledger row {row} (Seq {seq}) is not in the copy in {copy}, yet it stands among the rows the copy holds: "
    "it was inserted. " + _FIX)
CODES = (COPY_CHANGED, COPY_RECHAINED, COPY_MISSING, COPY_MOVED, COPY_INSERTED)
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
    holder = _match(wanted, ledger)
    placed = [(w, holder[w.pos]) for w in wanted if w.pos in holder]
    used = {r.pos for _, r in placed}
    out = [_finding(COPY_CHANGED, r, copy_name, seq=w.seq, what=_changes(w, r))
           for w, r in placed if w.values != r.values]
    out += _rechained([(w, r) for w, r in placed if w.values == r.values and _changes(w, r)], copy_name)
    keep = _rising([r.pos for _, r in placed])
    for k, (w, r) in enumerate(placed):
        if k not in keep:
            before = wanted[w.pos - 1] if w.pos else None
            where = f"right after Seq {before.seq}" if before else "first"
            out.append(_finding(COPY_MOVED, r, copy_name, seq=w.seq, where=where))
    end = max((r.pos for _, r in placed), default=-1)
    out += [_finding(COPY_INSERTED, r, copy_name, seq=r.seq) for r in ledger if r.pos not in used and r.pos < end]
    out += _missing([w for w in wanted if w.pos not in holder], holder, ledger, copy_name, first_row)
    return sorted(out, key=lambda f: (f.row or 0, f.code))


def _match(wanted: list[_Row], ledger: list[_Row]) -> dict[int, _Row]:
    """The ledger row that holds each copied row, by the copy row's position.

    First the row with the same Hash (its cells may have been edited since), then one with the same
    fields (a consistent rewrite renumbered or rehashed it), then one with the same Seq (its fields
    were rewritten); a copied row matched by none was removed.
    """
    holder: dict[int, _Row] = {}
    used: set[int] = set()
    for key in (lambda r: r.hash, lambda r: r.values, lambda r: r.seq):
        free: dict[Any, _Row] = {}
        for r in ledger:
            if r.pos not in used:
                free.setdefault(key(r), r)
        for w in wanted:
            r = free.get(key(w))
            if w.pos not in holder and r is not None and r.pos not in used:
                holder[w.pos] = r
                used.add(r.pos)
    return holder


def _changes(w: _Row, r: _Row) -> str:
    """What differs, cell by cell; hashes are named, not shown: 64 hex digits tell a person nothing."""
    mine = (str(r.seq), *r.values, r.previous, r.hash)
    theirs = (str(w.seq), *w.values, w.previous, w.hash)
    changed = [(head, now, was) for head, now, was in zip(LEDGER_HEADER, mine, theirs) if now != was]
    said = [f"{head} is {now!r}, the copy has {was!r}" for head, now, was in changed if "hash" not in head.lower()]
    hashes = [head for head, _, _ in changed if "hash" in head.lower()]
    if hashes:
        said.append(f"its {' and '.join(hashes)} {'was' if len(hashes) == 1 else 'were'} recomputed")
    return "; ".join(said)


def _rechained(pairs: list[tuple[_Row, _Row]], copy_name: str) -> list[Finding]:
    """Rows whose fields stand as copied but whose Seq or hashes were recomputed: one finding per run,
    since a forger renumbers or rehashes every row below a change to make the chain verify again."""
    runs: list[list[tuple[_Row, _Row]]] = []
    for w, r in sorted(pairs, key=lambda pair: pair[1].pos):
        if runs and runs[-1][-1][1].pos + 1 == r.pos:
            runs[-1].append((w, r))
        else:
            runs.append([(w, r)])
    out = []
    for run in runs:
        first, last = run[0][1], run[-1][1]
        seqs = [w.seq for w, _ in run]
        renumbered = any(w.seq != r.seq for w, r in run)
        how = "the Seq was renumbered and the hashes recomputed" if renumbered else "the hashes were recomputed"
        rows = f"row {first.excel}" if first is last else f"rows {first.excel} to {last.excel}"
        out.append(_finding(COPY_RECHAINED, first, copy_name, rows=rows, how=how, span=_span(min(seqs), max(seqs))))
    return out


def _missing(missing: list[_Row], holder: dict[int, _Row], ledger: list[_Row], copy_name: str,
             first_row: int) -> list[Finding]:
    """One finding per run of consecutive removed rows, at the ledger row where they stood."""
    out = []
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
    spec = codes.CODES[code]
    return Finding(code=code, severity=spec.severity, sheet=LEDGER_SHEET, row=excel,
                   message=spec.template.format(row=excel, copy=copy_name, **details))
