"""What the evidence says about an item: the two derived traffic lights, and plan edits after the baseline.

Implementation status reads milestones and dates against today; potential status reads the
benefit forecast against the frozen baseline. Both sit beside the person's own rating, and a
rating better than the evidence is flagged. Everything works column by column: Items reaches
50,000 rows and Financials a million.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.values import as_date, as_id, is_blank, is_number
from xlportfolio.schema import FINANCIALS, ITEMS, MILESTONES, STAGES

STATUS_DISAGREES = define(
    "status-disagrees", Severity.WARNING,
    "{item}: {header} is rated {value}, but the evidence says {derived}: {why}; update the rating or the evidence.")
BASELINE_CHANGED = define(
    "baseline-changed", Severity.WARNING,
    "{item}: Plan changed from {old} to {new} after the baseline was frozen at {stage}; change the forecast instead.")
ITEM_BASELINE_CHANGED = define(
    "baseline-item-changed", Severity.WARNING,
    "{item}: {header} changed from {old} to {new} after the baseline was frozen at {stage} (Baseline sheet); "
    "the baseline is what was decided there: put {old} back, or report the change against the baseline.")

COLOURS = ("Green", "Amber", "Red")  # best first: a rating is "better" when it comes earlier
LATE_DAYS = 30  # more than a month late means a reporting cycle was missed: Red, not Amber
GREEN_SHARE, AMBER_SHARE = 0.95, 0.80  # of the baseline benefit the forecast still promises
IMPLEMENTED = 4  # DI5 Implemented in the Stage list: where an item must be once its end date has passed
KEY_COLUMNS = ["item_id", "period", "flow", "recurrence", "plan"]
BASELINED = ("start_date", "end_date", "cost_estimate", "estimated_value")  # Items cells frozen at the baseline


def text(value: object) -> str:
    """A cell as trimmed text; blank cells read as ''."""
    return "" if is_blank(value) else str(value).strip()


def by_value(values: pd.Series, read: Callable[[Any], Any]) -> pd.Series:
    """`read` applied once per distinct cell value: columns reach a million rows, their values repeat."""
    codes, uniques = pd.factorize(values)
    read_values = np.array([read(u) for u in uniques] + [read(None)], dtype=object)
    return pd.Series(read_values[codes], index=values.index, dtype=object)


def item_keys(values: pd.Series) -> pd.Series:
    """Item IDs as comparable keys (case-folded, None when blank), as accept matches them."""
    return by_value(values, lambda v: (as_id(v) or "").casefold() or None)


def amounts(values: pd.Series) -> pd.Series:
    """Number cells as floats; text, errors and blanks as NaN, never read as numbers."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    return by_value(values, lambda v: float(v) if is_number(v) else np.nan).astype(float)


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of the frame, or blanks when the workbook lacks it."""
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)


def stage_at(value: object, stages: tuple[str, ...]) -> int | None:
    """Position of a stage in the Stage list; its code alone ('DI3') is understood too."""
    wanted = text(value).casefold()
    for i, stage in enumerate(stages):
        if wanted and wanted in (stage.casefold(), stage.split()[0].casefold()):
            return i
    return None


def stage_indexes(values: pd.Series, stages: tuple[str, ...]) -> pd.Series:
    """stage_at for a whole column, NaN where the stage is blank or unknown."""
    return by_value(values, lambda v: stage_at(v, stages)).astype(float)


def derive_statuses(book: Book, as_of: dt.date, baseline: list[dict] | None
                    ) -> tuple[dict[int, str], dict[int, str], dict[int, str], list[Finding]]:
    """Per Items row: derived implementation and potential status, the status check text, and findings."""
    items = book.table(ITEMS.name)
    if items is None or "item_id" not in items.frame:
        return {}, {}, {}, []
    frame, keys = items.frame, item_keys(items.frame["item_id"])
    stages = tuple(book.lists.get("Stage") or STAGES)
    rows = [int(r) for r in frame.index]
    lights = {"implementation_status": _implementation(frame, keys, book.table(MILESTONES.name), as_of, stages),
              "potential_status": _potential(keys, book.table(FINANCIALS.name), baseline)}
    from xlportfolio.core.gates.positions import label  # positions reads stages through this module

    notes: dict[int, list[str]] = {}
    findings: list[Finding] = []
    for name, (status, why) in lights.items():
        what = "Implementation" if name == "implementation_status" else "Potential"
        cells = column(frame, name)
        rated = by_value(cells, lambda v: text(v).capitalize()).to_numpy()
        worse = _rank(rated) < _rank(status)  # a rating better than the evidence
        for i in np.flatnonzero(worse):
            row, colour = rows[i], str(status[i])
            findings.append(finding(STATUS_DISAGREES, items, row, name, cells.iat[i], derived=colour, why=why[i],
                                    item=label(items, row)))
            notes.setdefault(row, []).append(f"{what} rated {rated[i]}, evidence says {colour}: {why[i]}")
    implementation, potential = (dict(zip(rows, status.tolist())) for status, _ in lights.values())
    checks = {row: "; ".join(notes.get(row, [])) or ("OK" if implementation[row] or potential[row] else "")
              for row in rows}
    return implementation, potential, checks, findings


def _rank(colours: np.ndarray) -> np.ndarray:
    """0 Green, 1 Amber, 2 Red; NaN for anything else, which never compares as better or worse."""
    return pd.Series(colours).map({c: i for i, c in enumerate(COLOURS)}).to_numpy(float)


def _implementation(frame: pd.DataFrame, keys: pd.Series, milestones: SheetTable | None, as_of: dt.date,
                    stages: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Green when nothing is overdue, Amber up to a month late, Red beyond or past the end date before DI5."""
    worst, planned_items = _worst_overdue(milestones, as_of)
    late = keys.map(worst["days"]).astype(float).to_numpy()
    name, planned = keys.map(worst["milestone"]).to_numpy(), keys.map(worst["planned"]).to_numpy()
    ends = by_value(column(frame, "end_date"), as_date)
    ended = (ends.map(lambda d: d is not None and d < as_of).astype(bool)
             & ~(stage_indexes(column(frame, "stage"), stages) >= IMPLEMENTED)).to_numpy()
    # Without milestones or an end date there is nothing to judge by: no evidence, no colour.
    known = (keys.isin(planned_items) | ends.notna()).to_numpy()
    status = np.select([(late > LATE_DAYS) | ended, late > 0, known], ["Red", "Amber", "Green"], "")
    due = stages[IMPLEMENTED] if len(stages) > IMPLEMENTED else "DI5"
    why = [f"milestone '{n}' is {int(d)} days overdue (planned {p.isoformat()})"
           if d > LATE_DAYS or (d > 0 and not e) else
           f"the end date {end.isoformat()} has passed and the item is not at {due}" if e else "no milestone is overdue"
           for d, n, p, e, end in zip(late, name, planned, ended, ends)]
    return status, why


def _worst_overdue(milestones: SheetTable | None, as_of: dt.date) -> tuple[pd.DataFrame, set[str]]:
    """Per item key: the most overdue open milestone (days late, name, planned date); and items with any."""
    empty = pd.DataFrame(columns=["days", "milestone", "planned"], dtype=object)
    if milestones is None or "item_id" not in milestones.frame:
        return empty, set()
    frame = milestones.frame
    keys = item_keys(frame["item_id"])
    planned = by_value(column(frame, "planned_date"), as_date)
    days = by_value(column(frame, "planned_date"),
                    lambda v: (as_of - d).days if (d := as_date(v)) else np.nan).astype(float)
    open_late = (days > 0) & by_value(column(frame, "actual_date"), as_date).isna() & keys.notna()
    if not open_late.any():
        return empty, set(keys.dropna())
    rows = days[open_late].groupby(keys[open_late]).idxmax()
    worst = pd.DataFrame({"days": days[rows].to_numpy(), "planned": planned[rows].to_numpy(),
                          "milestone": column(frame, "milestone")[rows].map(text).to_numpy()}, index=rows.index)
    return worst, set(keys.dropna())


def _potential(keys: pd.Series, financials: SheetTable | None, baseline: list[dict] | None
               ) -> tuple[np.ndarray, list[str]]:
    """Benefit forecast against the baseline (the plan before there is one): 95% Green, 80% Amber, else Red."""
    nothing = np.full(len(keys), "", dtype=object), ["no evidence"] * len(keys)
    if financials is None or "item_id" not in financials.frame:
        return nothing
    frame = financials.frame
    benefit = frame[by_value(column(frame, "flow"), _folded).to_numpy() == "benefit"]
    owners = item_keys(benefit["item_id"])
    forecast = amounts(column(benefit, "forecast")).groupby(owners).sum(min_count=1)
    plan = amounts(column(benefit, "plan")).groupby(owners).sum(min_count=1)
    base = baseline_frame(baseline or [])
    base = base[base["flow"] == "benefit"]
    reference = base["plan"].groupby(base["item"]).sum(min_count=1).combine_first(plan)
    share = (forecast / reference[reference > 0]).dropna()
    if share.empty:
        return nothing
    mine = keys.map(share).astype(float).to_numpy()
    status = np.select([mine >= GREEN_SHARE, mine >= AMBER_SHARE, ~np.isnan(mine)], ["Green", "Amber", "Red"], "")
    against = np.where(keys.isin(set(base["item"])), "baseline", "plan")
    why = [f"the benefit forecast {_amount(f)} is {s:.0%} of the {a} {_amount(r)}" if not np.isnan(s) else "no evidence"
           for s, f, r, a in zip(mine, keys.map(forecast), keys.map(reference), against)]
    return status, why


def baseline_frame(baseline: list[dict]) -> pd.DataFrame:
    """The baseline snapshot with comparable keys (see `_keyed`) and its plan amounts."""
    # Column by column: building a frame from a million dicts directly takes seconds.
    base = pd.DataFrame({c: [rec.get(c) for rec in baseline] for c in KEY_COLUMNS}, dtype=object)
    return _keyed(base).assign(plan=amounts(base["plan"]))


def plan_changes(financials: SheetTable | None, baseline: list[dict], frozen: set[str],
                 stage: str, names: dict[str, str] | None = None) -> list[Finding]:
    """Findings at every Financials plan cell of a `frozen` item that differs from the baseline snapshot."""
    if financials is None or "plan" not in financials.frame or "item_id" not in financials.frame:
        return []
    base = baseline_frame(baseline)
    base = base[base["item"].isin(frozen)]
    if base.empty:
        return []
    frame = financials.frame
    ids = item_keys(frame["item_id"])
    mine = ids.isin(set(base["item"])).to_numpy()
    rows = frame[mine]
    codes = _codes(pd.concat([base.drop(columns="plan"), _keyed(rows, ids[mine])], ignore_index=True))
    old = base["plan"].groupby(codes[:len(base)]).sum(min_count=1)
    before, now = pd.Series(codes[len(base):]).map(old).to_numpy(float), amounts(rows["plan"]).to_numpy(float)
    # A row added after the freeze had no plan in the baseline: it counts as a change from nothing.
    changed = ~np.isclose(np.nan_to_num(before), np.nan_to_num(now))
    owners, names = ids[mine].to_numpy(), names or {}
    return [finding(BASELINE_CHANGED, financials, int(rows.index[i]), "plan", rows["plan"].iat[i], stage=stage,
                    old=_amount(before[i]), new=_amount(now[i]), item=names.get(owners[i], as_id(rows["item_id"].iat[i])))
            for i in np.flatnonzero(changed)]


def item_changes(items: SheetTable, baseline: list[dict], frozen: set[str], stage: str) -> list[Finding]:
    """Findings at every Items date, cost or value cell of a `frozen` item that differs from its baseline."""
    from xlportfolio.core.gates.positions import label  # positions reads stages through this module

    base = {(as_id(r.get("item_id")) or "").casefold(): r for r in baseline}
    out = []
    for row, item in zip(items.frame.index, column(items.frame, "item_id")):
        old = base.get(key := (as_id(item) or "").casefold())
        if old is None or key not in frozen:
            continue
        for name in BASELINED:
            if name in items.frame and not _same(old.get(name), now := items.frame.at[row, name]):
                out.append(finding(ITEM_BASELINE_CHANGED, items, int(row), name, now, item=label(items, int(row)),
                                   old=_shown(old.get(name)), new=_shown(now), stage=stage))
    return out


def _same(old: object, new: object) -> bool:
    """Equal as a person reads them: a date and its midnight, 1000 and 1000.0, blank and blank."""
    if is_blank(old) or is_blank(new):
        return is_blank(old) and is_blank(new)
    if is_number(old) and is_number(new):
        return bool(np.isclose(float(old), float(new)))
    day_old, day_new = as_date(old), as_date(new)
    if day_old is not None or day_new is not None:
        return day_old == day_new
    return text(old) == text(new)


def _shown(value: object) -> str:
    if is_blank(value):
        return "blank"
    if (day := as_date(value)) is not None:
        return day.isoformat()
    return _amount(float(value)) if is_number(value) else text(value)


def _keyed(rows: pd.DataFrame, ids: pd.Series | None = None) -> pd.DataFrame:
    """What identifies a Financials row, comparable: item key, month, flow and recurrence (case-folded)."""
    return pd.DataFrame({"item": item_keys(rows["item_id"]) if ids is None else ids,
                         "period": by_value(column(rows, "period"),
                                            lambda v: d.strftime("%Y-%m") if (d := as_date(v)) else _folded(v)),
                         "flow": by_value(column(rows, "flow"), _folded),
                         "recurrence": by_value(column(rows, "recurrence"), _folded)}, index=rows.index)


def _codes(keys: pd.DataFrame) -> np.ndarray:
    """One integer per distinct combination of the key columns, re-compacted after each so it never overflows."""
    code = np.zeros(len(keys), dtype=np.int64)
    for name in keys.columns:
        part, uniques = pd.factorize(keys[name])
        code = pd.factorize(code * (len(uniques) + 1) + part + 1)[0].astype(np.int64)
    return code


def _folded(value: object) -> str:
    return text(value).casefold()


def _amount(value: float) -> str:
    if pd.isna(value):
        return "blank"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
