"""The candidates select chooses from: valid open requests and undecided active items, each valued and costed."""
from __future__ import annotations

import datetime as dt

from xlportfolio.core.book import Book
from xlportfolio.core.findings import Severity
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.prioritise.capacity import demand
from xlportfolio.core.prioritise.scenario import Shown
from xlportfolio.core.prioritise.score import read_criteria, score
from xlportfolio.core.prioritise.score_plan import criterion_for
from xlportfolio.core.prioritise.select import Candidate
from xlportfolio.core.values import as_id, is_blank, is_number, split_ids
from xlportfolio.schema import DEPENDENCIES, INTAKE, ITEMS, SCORING, STAGES

OPEN_STAGES = STAGES[:3]  # items not yet decided (DI1-DI3) still compete for money and people


def gather(book: Book, objective: str,
           as_of: dt.date) -> tuple[list[Candidate], dict[str, int], list[str], dict[str, Shown]]:
    """Valid open requests and undecided active items, valued by score (or by their money value),
    with the name, score and money value the Scenario sheet shows of each."""
    criteria, _ = read_criteria(book.table(SCORING.table.name))
    report, _ = validate_intake(book, as_of) if book.table(INTAKE.name) else (None, None)
    errors = report.per_row(INTAKE.sheet, Severity.ERROR) if report else {}
    candidates, left_out, values, shown = [], [], {}, {}
    for schema, key in ((INTAKE, "request_id"), (ITEMS, "item_id")):
        table = book.table(schema.name)
        if table is None or table.frame.empty:
            continue
        result = score(table.frame, [criterion_for(c, table.frame) for c in criteria], as_of=as_of,
                       lists=book.lists, key=key)
        for row, rec in zip(table.frame.index, table.frame.to_dict("records")):
            row, cid = int(row), as_id(rec.get(key))
            why = _not_open(schema, rec, errors.get(row, 0))
            if not cid or why is None and not is_number(rec.get("cost_estimate")):
                why = why or "no cost estimate"
            if why:
                if why != "closed":
                    left_out.append(f"{schema.sheet}!row {row} {cid or ''}: {why}")
                continue
            money, points = _money(rec), result.scores[row]
            value = money if objective == "value" else points
            values[cid] = value
            shown[cid] = Shown(_name(rec), float(points) if is_number(points) else None, money)
            candidates.append(Candidate(cid, float(value) if is_number(value) else 0.0, float(rec["cost_estimate"]),
                                        demand(rec, as_of), _choice(rec) == "mandatory",
                                        _choice(rec) == "excluded", row))
    ranked = sorted(values, key=lambda i: (-values[i], i))
    return candidates, {cid: n for n, cid in enumerate(ranked, start=1)}, left_out, shown


def _name(rec: dict) -> str:
    """An item's name, a request's title."""
    for column in ("name", "title"):
        if not is_blank(rec.get(column)):
            return str(rec[column]).strip()
    return ""


def _not_open(schema, rec: dict, errors: int) -> str | None:
    """Why a row does not compete: 'closed' rows are simply not candidates, others are reported."""
    if schema is INTAKE:
        if not is_blank(rec.get("item_id")):
            return "closed"  # accepted: it competes as its item
        return f"{errors} validation errors" if errors else None
    if rec.get("stage") not in OPEN_STAGES or str(rec.get("state") or "Active") != "Active":
        return "closed"
    return None


def _choice(rec: dict) -> str:
    return str(rec.get("selection") or "").strip().casefold()


def _money(rec: dict) -> float:
    return sum(v for v in (rec.get("expected_revenue"), rec.get("retention_effect"), rec.get("estimated_value"))
               if is_number(v))


def dependency_pairs(book: Book) -> list[tuple[str, str]]:
    """(predecessor, successor) pairs from the Dependencies table and the requests' Dependencies column."""
    pairs = []
    deps = book.table(DEPENDENCIES.name)
    if deps is not None:
        pairs += [(as_id(p), as_id(s)) for p, s in zip(deps.frame.get("predecessor_id", []),
                                                       deps.frame.get("successor_id", [])) if as_id(p) and as_id(s)]
    intake = book.table(INTAKE.name)
    if intake is not None and "dependencies" in intake.frame:
        for rid, needs in zip(intake.frame.get("request_id", []), intake.frame["dependencies"]):
            pairs += [(d, as_id(rid)) for d in split_ids(needs) if as_id(rid)]
    return pairs


