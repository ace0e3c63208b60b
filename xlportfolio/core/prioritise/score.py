"""Prioritisation: the Scoring sheet's criteria turned into a score, a rank and a 'why' per row.

The PMO owns the criteria (which column, what weight, which direction) on the Scoring sheet,
so this module only reads them and applies one of two explainable methods to the rows of
Intake or Items. Everything is computed column by column with numpy, so 50,000 requests
score in a fraction of a second.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from xlportfolio.core.book import SheetTable
from xlportfolio.core.codes import CODES, define, finding
from xlportfolio.core.config import ScoringCriterion, defaults, read_rows
from xlportfolio.core.config.models import BAD_CRITERION, HIGHER
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.schema import INTAKE, ITEMS, LISTS_BY_NAME, SCORING, ColumnType, header_key

AHP_INCONSISTENT = define(
    "ahp-inconsistent", Severity.WARNING,
    "The pairwise comparisons are inconsistent (consistency ratio {cr:.2f}, above 0.10): some of them "
    "contradict the others. Revisit the strongest comparisons until the ratio is 0.10 or less.")

AHP_LIMIT = 0.10
# Saaty's random index: the consistency index of random matrices of size n.
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
SCORED_TABLES = (INTAKE, ITEMS)  # where a criterion's source column is looked up
JOB_SIZE = frozenset({"cost", "effort", "job size", "cost_estimate", "effort_days"})
WSJF_SCALE = "WSJF, best = 100"  # how WSJF scores read: a share of the best cost of delay per job size


@dataclass(frozen=True)
class Criterion:
    name: str
    source: str  # a schema column name, or a user column's header (a custom criterion)
    weight: float
    higher_is_better: bool
    row: int | None = field(default=None, compare=False)  # its Scoring row, for findings


@dataclass
class ScoreResult:
    scores: pd.Series  # 0-100 (weighted) or WSJF with the best = 100; NaN where a row cannot be scored
    ranks: pd.Series  # 1 is the best
    why: pd.Series  # the criteria that contribute most
    skipped: list[Criterion] = field(default_factory=list)  # the sheet has no such column


def read_criteria(scoring: SheetTable | None) -> tuple[list[Criterion], list[Finding]]:
    """The enabled criteria of the Scoring table (the schema's defaults without one), and a finding per bad cell."""
    if scoring is None:
        return [Criterion(c.criterion, c.source_column, c.weight, c.direction == HIGHER)
                for c in defaults(ScoringCriterion, SCORING.rows)], []
    read = read_rows(scoring, ScoringCriterion)
    criteria = [Criterion(c.criterion, _source(c.source_column), c.weight, c.direction == HIGHER, c.row)
                for c in read.rows]
    problems = read.findings
    if not problems and not any(c.weight > 0 for c in criteria):
        problems.append(finding(BAD_CRITERION, scoring, None, "weight",
                                problem="The scores cannot be computed: no enabled criterion has a weight above 0"))
    return criteria, problems


def _source(text: object) -> str:
    """A header such as 'Due date' means the schema column due_date; anything else is custom."""
    for table in SCORED_TABLES:
        if column := table.match_header(text):
            return column.name
    return str(text).strip()


def _column(frame: pd.DataFrame, source: str) -> str | None:
    if source in frame.columns:
        return source
    for table in SCORED_TABLES:
        if (column := table.match_header(source)) and column.name in frame.columns:
            return column.name
    return next((c for c in frame.columns if header_key(c) == header_key(source)), None)


def criterion_values(frame: pd.DataFrame, criterion: Criterion, as_of: dt.date,
                     lists: Mapping[str, tuple[str, ...]] | None = None) -> pd.Series:
    """The raw number each row has for a criterion; NaN where it is missing or unreadable.

    Numbers are taken as they are (text that looks like a number is not: validate reports
    it). A date column reads as days from `as_of` to the date, negative when overdue, so
    urgency is 'lower is better'. A choice column reads as the value's 1-based position in
    its list (the workbook's list from `lists`, else the schema's), so Risk runs
    Low 1 < Medium 2 < High 3 < Very high 4.
    """
    column = _column(frame, criterion.source)
    if column is None:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    values = frame[column]
    kind, choices = _kind(column)
    if kind is ColumnType.CHOICE:
        order = (lists or {}).get(choices) or LISTS_BY_NAME[choices].values
        position = {str(v).strip().casefold(): float(i) for i, v in enumerate(order, 1)}
        return _texts(values).str.casefold().map(position).astype(float)
    if kind.is_date:
        return _days(values, as_of)
    return _numbers(values)


# Cells hold Python values of mixed types; these readers pick one type by a vectorised mask
# of each cell's type, so nothing is coerced (no '12' read as 12) and no row loops in Python.
def _of_type(values: pd.Series, wanted: tuple[type, ...], unwanted: tuple[type, ...] = ()) -> pd.Series:
    types = values.map(type)
    fits = {t for t in types.unique() if issubclass(t, wanted) and not issubclass(t, unwanted)}
    return values.where(types.isin(fits)).astype(object)


def _numbers(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
    else:
        numbers = pd.to_numeric(_of_type(values, (int, float, np.number), (bool, np.bool_)), errors="coerce")
    return numbers.astype(float).where(np.isfinite(numbers))  # inf is no reading either


def _days(values: pd.Series, as_of: dt.date) -> pd.Series:
    """Days from as_of to each date cell (the time of day ignored), NaN for anything else."""
    stamps = pd.to_datetime(_of_type(values, (dt.date,)), errors="coerce")
    return (stamps.dt.normalize() - pd.Timestamp(as_of)).dt.days.astype(float)


def _texts(values: pd.Series) -> pd.Series:
    return _of_type(values, (str,)).str.strip()


def _kind(column: str) -> tuple[ColumnType, str | None]:
    spec = next((c for table in SCORED_TABLES for c in table.columns if c.name == column), None)
    return (spec.type, spec.choices) if spec else (ColumnType.NUMBER, None)  # custom: a number column


def _normalise(raw: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Min-max to 0..1, best = 1; a missing value is 0 (the worst), a constant column 1 for all."""
    present = ~np.isnan(raw)
    if not present.any():
        return np.zeros_like(raw)
    low, high = raw[present].min(), raw[present].max()
    if high == low:  # nobody differs: full marks for all, so it neither helps nor hurts a rank
        return present.astype(float)
    x = (raw - low) / (high - low)
    return np.where(present, x if higher_is_better else 1 - x, 0.0)


def _points(frame, criteria, as_of, lists) -> tuple[np.ndarray, np.ndarray]:
    """Per row and criterion: w_i * x_i / sum(w) (rows sum to 0..1), and where values are missing."""
    raw = [criterion_values(frame, c, as_of, lists).to_numpy() for c in criteria]
    raw = np.column_stack(raw) if raw else np.empty((len(frame), 0))
    weights = np.array([c.weight for c in criteria], dtype=float)
    total = weights.sum()
    x = np.column_stack([_normalise(raw[:, j], c.higher_is_better) for j, c in enumerate(criteria)]) \
        if criteria else raw
    return x * (weights / total if total > 0 else 0.0), np.isnan(raw)


def score(frame: pd.DataFrame, criteria: list[Criterion], *, method: str = "weighted", as_of: dt.date,
          lists: Mapping[str, tuple[str, ...]] | None = None, key: str | None = None) -> ScoreResult:
    """Score, rank and explain every row of `frame` (Intake or Items).

    weighted (default): x_i is criterion i min-max normalised over the rows to 0..1 (inverted
    when lower is better; a missing value is 0, a constant column 1), and
        score = round(100 * sum(w_i * x_i) / sum(w_i), 1).
    WSJF: the job size is the raw value of the first criterion called Cost, Effort or Job size
    (or reading cost_estimate or effort_days); its weight and direction are not used. With S the
    weighted score of the other criteria as a fraction (0..1),
        cost of delay = 1 + 9 * S  (1..10),  ratio = cost of delay / job size
    rounded to 3 significant digits, and the score is WSJF_SCALE: 100 * ratio / the best ratio,
    to 3 significant digits (per unit of a money job size the ratio reads 0.000263, which nobody
    can compare at a glance). Ranks follow the ratio, so the scale never changes them. A row whose
    job size is missing or not above 0 gets no WSJF (NaN), ranks last and reads 'no job size'.
    Rank 1 is the best; ties (on the rounded score) go to the earlier due date, then the lower
    ID (`key`, by default the fuller of request_id and item_id), then the earlier Excel row.
    Criteria whose column the sheet lacks are left out and listed in `skipped`.
    """
    used = [c for c in criteria if _column(frame, c.source) is not None]
    skipped = [c for c in criteria if _column(frame, c.source) is None]
    if method.casefold() == "wsjf":
        ratios, why = _wsjf(frame, used, as_of, lists)
        ranks, scores = _ranks(frame, ratios, key), _best_is_100(ratios)
    elif method.casefold() == "weighted":
        scores, why = _weighted(frame, used, as_of, lists)
        ranks = _ranks(frame, scores, key)
    else:
        raise ValueError(f"unknown scoring method {method!r}: use 'weighted' or 'WSJF'")
    return ScoreResult(pd.Series(scores, index=frame.index, dtype=float),
                       pd.Series(ranks, index=frame.index, dtype=int),
                       pd.Series(why, index=frame.index, dtype=object), skipped)


def _weighted(frame, criteria, as_of, lists) -> tuple[np.ndarray, list[str]]:
    if not any(c.weight > 0 for c in criteria):
        return np.full(len(frame), np.nan), ["no scoring criterion applies to this sheet"] * len(frame)
    points, missing = _points(frame, criteria, as_of, lists)
    return np.round(100 * points.sum(axis=1), 1), _why(points, missing, [c.name for c in criteria])


def _wsjf(frame, criteria, as_of, lists) -> tuple[np.ndarray, list[str]]:
    size_by = next((c for c in criteria if c.name.casefold() in JOB_SIZE or c.source in JOB_SIZE), None)
    others = [c for c in criteria if c is not size_by]
    size = criterion_values(frame, size_by, as_of, lists).to_numpy() if size_by else np.full(len(frame), np.nan)
    points, missing = _points(frame, others, as_of, lists)
    cost_of_delay = 1 + 9 * points.sum(axis=1)
    sized = size > 0  # NaN compares False: no job size
    wsjf = np.full(len(frame), np.nan)
    wsjf[sized] = [float(f"{v:.3g}") for v in cost_of_delay[sized] / size[sized]]
    reasons = _why(points, missing, [c.name for c in others])
    why = [f"{WSJF_SCALE}; cost of delay {cod:.1f} / job size {s:,.{0 if s.is_integer() else 1}f}: {reason}" if ok
           else "no job size" for cod, s, reason, ok in zip(cost_of_delay, size, reasons, sized)]
    return wsjf, why


def _best_is_100(ratios: np.ndarray) -> np.ndarray:
    """WSJF ratios as a share of the best one, best = 100, to 3 significant digits (NaN stays NaN)."""
    present = ratios[~np.isnan(ratios)]
    best = present.max() if present.size else np.nan
    if not best > 0:  # a job size above 0 and a cost of delay of 1 or more make every ratio positive
        return np.full_like(ratios, np.nan)
    scaled = 100 * ratios / best
    return np.array([float(f"{v:.3g}") if not np.isnan(v) else np.nan for v in scaled])


def _why(points: np.ndarray, missing: np.ndarray, names: list[str]) -> list[str]:
    """'Value 31%, Strategic fit 24%, Urgency 15%; no Risk': the top three shares of the score."""
    n, k = points.shape
    total = points.sum(axis=1, keepdims=True)
    percent = np.floor(100 * np.divide(points, total, out=np.zeros_like(points), where=total > 0) + 0.5).astype(int)
    # one label per criterion and percentage, picked by index: no string formatting per row
    labels = np.array([[f"{name} {p}%" for p in range(101)] for name in names] or [[""]], dtype=object)
    top = np.argsort(-percent, axis=1, kind="stable")[:, :3]
    text = np.full(n, "", dtype=object)
    for slot in range(min(3, k)):
        j = top[:, slot]
        p = percent[np.arange(n), j]
        text = np.where(p == 0, text, np.where(text == "", "", text + ", ") + labels[j, p])
    for i in np.flatnonzero(missing.any(axis=1)):  # usually few rows: a loop is fine
        lacking = ", ".join(f"no {names[j]}" for j in np.flatnonzero(missing[i]))
        text[i] = f"{text[i]}; {lacking}" if text[i] else lacking
    return [t or "lowest on every criterion" for t in text]


def _ranks(frame: pd.DataFrame, scores: np.ndarray, key: str | None) -> np.ndarray:
    due_column, id_column = _column(frame, "due_date"), _key(frame, key)
    # days from any fixed day order the due dates; a missing one sorts last
    due = _days(frame[due_column], dt.date(2000, 1, 1)).to_numpy() if due_column else np.nan
    ids = _ids(frame[id_column]).to_numpy() if id_column else None
    order = pd.DataFrame({"score": -scores, "due": due, "id": ids, "row": frame.index.to_numpy()})
    order = order.sort_values(["score", "due", "id", "row"], na_position="last")
    ranks = np.empty(len(frame), dtype=int)
    ranks[order.index.to_numpy()] = np.arange(1, len(frame) + 1)
    return ranks


def _ids(values: pd.Series) -> pd.Series:
    """IDs as text, as `as_id` reads them (1001.0 -> '1001'), None where blank."""
    text, numbers = _texts(values), _numbers(values)
    whole = numbers % 1 == 0  # NaN is not whole
    text[numbers.notna()] = numbers[numbers.notna()].astype(str)
    text[whole] = numbers[whole].astype("int64").astype(str)
    return text.where(text.notna() & (text != ""), None)


def _key(frame: pd.DataFrame, key: str | None) -> str | None:
    """The ID column: Intake also holds item_id and Items request_id, so take the fuller one."""
    if key:
        return key if key in frame.columns else None
    present = [c for c in ("request_id", "item_id") if c in frame.columns]
    if len(present) < 2:
        return present[0] if present else None
    return max(present, key=lambda c: _ids(frame[c]).notna().sum(), default=None)


def ahp_weights(matrix: pd.DataFrame) -> tuple[dict[str, float], float]:
    """Weights (sum 1) from a pairwise comparison matrix, and its consistency ratio.

    a_ij says how much more criterion i matters than j (Saaty's 1-9 scale), a_ji = 1 / a_ij.
    The weights are the principal eigenvector; CR = CI / RI with CI = (lambda_max - n) / (n - 1)
    and RI Saaty's random index; CR is 0 for n <= 2. Above 0.10 warn with `ahp_warning`.
    """
    a = _pairwise(matrix)
    n = len(a)
    values, vectors = np.linalg.eig(a)
    top = int(np.argmax(values.real))
    weights = np.abs(vectors[:, top].real)
    weights = weights / weights.sum()
    cr = 0.0 if n <= 2 else (values[top].real - n) / (n - 1) / RANDOM_INDEX[n]
    return dict(zip(map(str, matrix.index), weights.tolist())), max(float(cr), 0.0)  # rounding noise < 0


def _pairwise(matrix: pd.DataFrame) -> np.ndarray:
    if list(matrix.index) != list(matrix.columns):
        if set(matrix.index) != set(matrix.columns) or len(matrix.index) != len(matrix.columns):
            raise ValueError("a pairwise matrix names the same criteria in its rows and columns")
        matrix = matrix.loc[:, list(matrix.index)]
    if not 1 <= len(matrix) <= max(RANDOM_INDEX):
        raise ValueError(f"AHP compares 1 to {max(RANDOM_INDEX)} criteria, not {len(matrix)}")
    try:
        a = matrix.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError("every pairwise comparison must be a number") from None
    if not np.isfinite(a).all() or (a <= 0).any():
        raise ValueError("every pairwise comparison must be a number above 0")
    i, j = np.nonzero(np.abs(a * a.T - 1) > 0.01)  # a_ij * a_ji = 1, within 1%
    if len(i):
        raise ValueError(f"{matrix.index[i[0]]} vs {matrix.index[j[0]]} is {a[i[0], j[0]]:g} but the "
                         f"reverse is {a[j[0], i[0]]:g}, not {1 / a[i[0], j[0]]:.3g}")
    return a


def ahp_warning(cr: float, sheet: str = SCORING.table.sheet) -> Finding | None:
    """The warning for an inconsistent pairwise matrix, or None when CR is at most 0.10."""
    if cr <= AHP_LIMIT:
        return None
    spec = CODES[AHP_INCONSISTENT]
    return Finding(AHP_INCONSISTENT, spec.severity, spec.template.format(cr=cr), sheet, value=round(cr, 3))


def with_weights(criteria: list[Criterion], weights: Mapping[str, float]) -> list[Criterion]:
    """The criteria with AHP weights; a criterion the matrix does not compare weighs 0."""
    return [replace(c, weight=float(weights.get(c.name, 0.0))) for c in criteria]
