"""Scoring on inline sheets: criteria from the Scoring table, weighted score, WSJF, ranks, why, AHP."""
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from tests.support.inline import table
from xlportfolio.core.findings import Report, Severity
from xlportfolio.core.prioritise.score import (
    Criterion,
    ahp_warning,
    ahp_weights,
    criterion_values,
    read_criteria,
    score,
    with_weights,
)
from xlportfolio.schema import INTAKE, ITEMS, SCORING

TODAY = dt.date(2026, 6, 30)
FIT = Criterion("Strategic fit", "strategic_fit", 3, True)
COST = Criterion("Cost", "cost_estimate", 1, False)


def run(sheet, criteria, **kw):
    return score(sheet.frame, criteria, as_of=TODAY, **kw)


def values(sheet, criterion, lists=None):
    return criterion_values(sheet.frame, criterion, TODAY, lists).tolist()


# --- criteria from the Scoring sheet -------------------------------------------------------

def test_no_scoring_sheet_means_the_schema_defaults():
    criteria, problems = read_criteria(None)
    assert problems == []
    assert [(c.name, c.source, c.weight, c.higher_is_better) for c in criteria][:4] == [
        ("Strategic fit", "strategic_fit", 20, True), ("Value", "expected_revenue", 25, True),
        ("Cost", "cost_estimate", 15, False), ("Urgency", "due_date", 10, False)]
    assert len(criteria) == len(SCORING.rows)


def test_scoring_rows_headers_custom_columns_and_bad_rows():
    scoring = table(SCORING.table, """
        | Criterion | Source column       | Weight | Direction         | Enabled |
        | Fit       | Strategic fit (1-5) | 20     | higher is better  | Yes     |
        | Value     | expected_revenue    | 'lots' | higher is better  | Yes     |
        | Cost      | cost_estimate       | -5     | lower is better   | Yes     |
        | Risk      | risk                | 10     | smaller           | Yes     |
        | Old       | effort_days         | x      | sideways          | No      |
        | Deal      | Deal size           | 5      | Lower is better   | yes     |
        | Urgency   |                     |        | lower is better   | Yes     |
        | Soon      | Due date            | 2.5    | lower is better   | Yes     |
    """)
    criteria, problems = read_criteria(scoring)
    assert Report.of(problems).flatten(["sheet", "row", "column", "code", "severity"]) == [
        ["Scoring", 3, "C", "bad-criterion", "error"],
        ["Scoring", 4, "C", "bad-criterion", "error"],
        ["Scoring", 5, "D", "bad-criterion", "error"],
        ["Scoring", 8, "B", "bad-criterion", "error"],
        ["Scoring", 8, "C", "bad-criterion", "error"],
    ]
    assert "not 'lots'" in problems[0].message and "Scoring sheet" in problems[0].message
    assert "not 'smaller'" in problems[2].message
    assert [(c.name, c.source, c.weight, c.higher_is_better, c.row) for c in criteria] == [
        ("Fit", "strategic_fit", 20, True, 2),
        ("Deal", "Deal size", 5, False, 7),  # a custom column keeps its header
        ("Soon", "due_date", 2.5, False, 9),  # a header means the schema column
    ]


def test_scoring_without_any_weight_is_a_finding():
    scoring = table(SCORING.table, """
        | Criterion | Source column | Weight | Direction        | Enabled |
        | Fit       | strategic_fit | 0      | higher is better | Yes     |
        | Value     | risk          | 10     | lower is better  | No      |
    """)
    criteria, problems = read_criteria(scoring)
    assert [c.name for c in criteria] == ["Fit"]
    assert [(f.code, f.row, f.column) for f in problems] == [("bad-criterion", None, "C")]
    assert "no enabled criterion has a weight above 0" in problems[0].message


# --- raw values per criterion ---------------------------------------------------------------

def test_urgency_is_days_until_the_due_date():
    sheet = table(INTAKE, """
        | Request ID | Due date     |
        | REQ-1      | 2026-07-30   |
        | REQ-2      | 2026-06-20   |
        | REQ-3      |              |
        | REQ-4      | '2026-07-01' |
    """)
    urgency = Criterion("Urgency", "due_date", 1, False)
    assert values(sheet, urgency)[:2] == [30, -10]  # overdue is negative: the most urgent
    assert all(math.isnan(v) for v in values(sheet, urgency)[2:])  # text is not read as a date


def test_risk_reads_as_its_position_in_the_list():
    sheet = table(INTAKE, """
        | Request ID | Risk      |
        | REQ-1      | Low       |
        | REQ-2      | very high |
        | REQ-3      | Medium    |
        | REQ-4      | Huge      |
    """)
    risk = Criterion("Risk", "risk", 1, False)
    assert values(sheet, risk)[:3] == [1, 4, 2]
    assert math.isnan(values(sheet, risk)[3])
    reordered = {"Risk": ("Very high", "High", "Medium", "Low")}  # the workbook's own list order
    assert values(sheet, risk, reordered)[:3] == [4, 1, 3]
    ranked = run(sheet, [risk])
    assert ranked.scores.tolist() == [100.0, 0.0, pytest.approx(66.7), 0.0]
    assert ranked.why[5] == "no Risk"


def test_numbers_only_text_and_errors_are_missing():
    sheet = table(INTAKE, """
        | Request ID | Cost estimate |
        | REQ-1      | 1000          |
        | REQ-2      | 2.5           |
        | REQ-3      | '1000'        |
        | REQ-4      | #REF!         |
    """)
    assert values(sheet, COST)[:2] == [1000, 2.5]
    assert all(math.isnan(v) for v in values(sheet, COST)[2:])


# --- weighted score -------------------------------------------------------------------------

def test_weighted_normalises_and_respects_direction():
    sheet = table(INTAKE, """
        | Request ID | Strategic fit (1-5) | Cost estimate |
        | REQ-1      | 5                   | 500           |
        | REQ-2      | 3                   | 300           |
        | REQ-3      | 1                   | 100           |
    """)
    result = run(sheet, [FIT, COST])
    # fit 1, .5, 0 (weight 3); cost is lower-is-better: 0, .5, 1 (weight 1)
    assert result.scores.tolist() == [75.0, 50.0, 25.0]
    assert result.ranks.tolist() == [1, 2, 3]
    assert list(result.scores.index) == [2, 3, 4]  # indexed by Excel row, like the sheet


def test_a_constant_criterion_gives_everyone_full_marks():
    sheet = table(INTAKE, """
        | Request ID | Strategic fit (1-5) | Confidence (1-5) |
        | REQ-1      | 5                   | 3                |
        | REQ-2      | 1                   | 3                |
    """)
    confidence = Criterion("Confidence", "confidence", 1, True)
    assert run(sheet, [FIT, confidence]).scores.tolist() == [100.0, 25.0]


def test_missing_values_count_as_the_worst_and_show_in_why():
    sheet = table(INTAKE, """
        | Request ID | Strategic fit (1-5) | Cost estimate |
        | REQ-1      | 5                   | 100           |
        | REQ-2      | 5                   | 'lots'        |
        | REQ-3      |                     | 100           |
    """)
    result = run(sheet, [FIT, COST])
    assert result.scores.tolist() == [100.0, 75.0, 25.0]  # text in a number cell is missing too
    assert result.why.tolist() == [
        "Strategic fit 75%, Cost 25%", "Strategic fit 100%; no Cost", "Cost 100%; no Strategic fit"]


def test_a_custom_numeric_column_is_a_criterion():
    sheet = table(INTAKE, """
        | Request ID | Deal size | Strategic fit (1-5) |
        | REQ-1      | 20        | 1                   |
        | REQ-2      | 80        | 1                   |
        | REQ-3      | 50        | 1                   |
    """)
    deal = Criterion("Deal", "Deal size", 1, True)
    result = run(sheet, [deal])
    assert result.scores.tolist() == [0.0, 100.0, 50.0]
    assert result.ranks.tolist() == [3, 1, 2]


def test_why_names_the_top_three_shares():
    sheet = table(INTAKE, """
        | Request ID | Strategic fit (1-5) | Expected revenue | Confidence (1-5) | Risk |
        | REQ-1      | 5                   | 1000             | 5                | Low  |
        | REQ-2      | 1                   |                  | 5                | High |
        | REQ-3      | 1                   | 0                | 5                | High |
    """)
    criteria = [Criterion("Strategic fit", "strategic_fit", 40, True),
                Criterion("Value", "expected_revenue", 30, True),
                Criterion("Confidence", "confidence", 20, True),
                Criterion("Risk", "risk", 10, False)]
    result = run(sheet, criteria)
    assert result.scores.tolist() == [100.0, 20.0, 20.0]
    assert result.why.tolist() == ["Strategic fit 40%, Value 30%, Confidence 20%",
                                   "Confidence 100%; no Value", "Confidence 100%"]


def test_criteria_the_sheet_lacks_are_skipped():
    sheet = table(ITEMS, """
        | Item ID | Strategic fit (1-5) |
        | P-1     | 2                   |
        | P-2     | 4                   |
    """)
    criteria, _ = read_criteria(None)
    result = run(sheet, criteria)
    assert [c.name for c in result.skipped] == [
        "Value", "Cost", "Urgency", "Risk", "Confidence", "Customer impact"]
    assert result.scores.tolist() == [0.0, 100.0]
    nothing = run(sheet, [Criterion("Value", "expected_revenue", 1, True)])
    assert nothing.scores.isna().all() and nothing.ranks.tolist() == [1, 2]
    assert nothing.why[2] == "no scoring criterion applies to this sheet"


# --- rank -----------------------------------------------------------------------------------

def test_ties_go_to_the_earlier_due_date_then_the_id_then_the_row():
    sheet = table(INTAKE, """
        | Request ID | Strategic fit (1-5) | Due date   |
        | REQ-3      | 4                   | 2026-09-01 |
        | REQ-2      | 4                   | 2026-08-01 |
        | REQ-1      | 4                   | 2026-09-01 |
        |            | 4                   | 2026-09-01 |
        | REQ-9      | 5                   |            |
        |            | 4                   | 2026-09-01 |
        | REQ-0      | 4                   |            |
    """)
    result = run(sheet, [FIT])
    assert result.ranks.to_dict() == {6: 1, 3: 2, 4: 3, 2: 4, 5: 5, 7: 6, 8: 7}


def test_the_id_column_is_the_fuller_one_or_the_key_given():
    sheet = table(ITEMS, """
        | Item ID | Request ID | Strategic fit (1-5) |
        | P-2     | REQ-1      | 3                   |
        | P-1     |            | 3                   |
    """)
    assert run(sheet, [FIT]).ranks.tolist() == [2, 1]  # by item_id
    assert run(sheet, [FIT], key="request_id").ranks.tolist() == [1, 2]


# --- WSJF -----------------------------------------------------------------------------------

def test_wsjf_on_a_hand_computed_example():
    sheet = table(INTAKE, """
        | Request ID | Expected revenue | Due date   | Cost estimate |
        | REQ-1      | 100              | 2026-07-30 | 10            |
        | REQ-2      | 300              | 2026-08-29 | 40            |
        | REQ-3      | 200              | 2026-07-30 |               |
        | REQ-4      | 300              | 2026-07-30 | 0             |
    """)
    criteria = [Criterion("Value", "expected_revenue", 2, True),
                Criterion("Urgency", "due_date", 1, False),
                Criterion("Cost", "cost_estimate", 5, False)]  # the job size: weight unused
    result = run(sheet, criteria, method="WSJF")
    # value x: 0, 1, .5, 1; urgency (30, 60, 30, 30 days) x: 1, 0, 1, 1
    # S = (2 * value + urgency) / 3: 1/3, 2/3, 2/3, 1; cost of delay = 1 + 9 S: 4, 7, 7, 10
    # ratio = cost of delay / job size: 4/10 = 0.4, 7/40 = 0.175; no size or size 0: none
    # WSJF = 100 * ratio / the best ratio: 100, 43.75 -> 43.8 (3 significant digits)
    assert result.scores.tolist()[:2] == [100, 43.8]
    assert result.scores.isna().tolist() == [False, False, True, True]
    assert result.ranks.tolist() == [1, 2, 3, 4]
    assert result.why.tolist() == ["WSJF, best = 100; cost of delay 4.0 / job size 10: Urgency 100%",
                                   "WSJF, best = 100; cost of delay 7.0 / job size 40: Value 100%",
                                   "no job size", "no job size"]


def test_wsjf_takes_effort_as_the_job_size_and_rejects_unknown_methods():
    sheet = table(INTAKE, """
        | Request ID | Strategic fit (1-5) | Effort (days) |
        | REQ-1      | 1                   | 3             |
        | REQ-2      | 5                   | 30            |
    """)
    effort = Criterion("Effort", "effort_days", 1, False)
    result = run(sheet, [FIT, effort], method="wsjf")
    assert result.scores.tolist() == [100, 100]  # 1/3 and 10/30: a tie
    assert result.ranks.tolist() == [1, 2]  # broken by the ID
    with pytest.raises(ValueError, match="unknown scoring method"):
        run(sheet, [FIT], method="RICE")


def test_wsjf_on_money_job_sizes_reads_best_is_100_and_ranks_as_the_raw_ratio():
    sheet = table(INTAKE, """
        | Request ID | Expected revenue | Cost estimate |
        | REQ-1      | 100              | 38000         |
        | REQ-2      | 300              | 2500000       |
        | REQ-3      | 200              | 120000        |
        | REQ-4      | 250              | 120001        |
    """)
    criteria = [Criterion("Value", "expected_revenue", 1, True), Criterion("Cost", "cost_estimate", 1, False)]
    result = run(sheet, criteria, method="WSJF")
    # cost of delay 1 + 9 x: 1, 10, 5.5, 7.75; ratios 2.63e-05, 4e-06, 4.58e-05, 6.46e-05
    ratios = [float(f"{v:.3g}") for v in (1 / 38000, 10 / 2500000, 5.5 / 120000, 7.75 / 120001)]
    assert result.scores.tolist() == [float(f"{100 * r / max(ratios):.3g}") for r in ratios]
    assert result.scores.tolist() == [40.7, 6.19, 70.9, 100]  # readable, where the ratios read 0.0000263
    assert result.ranks.tolist() == [3, 4, 2, 1]  # the order of the ratios themselves


# --- AHP ------------------------------------------------------------------------------------

def pairwise(rows, names=("Value", "Fit", "Risk")):
    return pd.DataFrame(rows, index=list(names), columns=list(names))


def test_ahp_weights_of_a_consistent_matrix():
    weights, cr = ahp_weights(pairwise([[1, 3, 5], [1 / 3, 1, 5 / 3], [1 / 5, 3 / 5, 1]]))
    assert weights == pytest.approx({"Value": 15 / 23, "Fit": 5 / 23, "Risk": 3 / 23})
    assert [round(w, 3) for w in weights.values()] == [0.652, 0.217, 0.130]
    assert cr == pytest.approx(0, abs=1e-9)
    assert ahp_warning(cr) is None
    criteria = with_weights([Criterion("Fit", "strategic_fit", 20, True),
                             Criterion("Urgency", "due_date", 10, False)], weights)
    assert [c.weight for c in criteria] == [pytest.approx(5 / 23), 0.0]


def test_an_inconsistent_matrix_warns_with_its_ratio():
    # Value beats Fit, Fit beats Risk, yet Risk beats Value: a circle
    weights, cr = ahp_weights(pairwise([[1, 5, 1 / 5], [1 / 5, 1, 5], [5, 1 / 5, 1]]))
    assert cr > 0.10
    assert sum(weights.values()) == pytest.approx(1)
    warning = ahp_warning(cr)
    assert (warning.code, warning.severity, warning.sheet) == ("ahp-inconsistent", Severity.WARNING, "Scoring")
    assert f"{cr:.2f}" in warning.message and "0.10" in warning.message


def test_ahp_small_matrices_and_bad_ones():
    assert ahp_weights(pairwise([[1, 3], [1 / 3, 1]], ("A", "B"))) == ({"A": 0.75, "B": 0.25}, 0.0)
    with pytest.raises(ValueError, match="reverse"):
        ahp_weights(pairwise([[1, 3, 5], [1 / 2, 1, 2], [1 / 5, 1 / 2, 1]]))
    with pytest.raises(ValueError, match="above 0"):
        ahp_weights(pairwise([[1, -3], [-1 / 3, 1]], ("A", "B")))
    with pytest.raises(ValueError, match="same criteria"):
        ahp_weights(pd.DataFrame([[1, 2]], index=["A"], columns=["A", "B"]))
    reordered = pd.DataFrame([[1 / 3, 1], [1, 3]], index=["B", "A"], columns=["A", "B"])
    assert ahp_weights(reordered)[0] == pytest.approx({"B": 0.25, "A": 0.75})


# --- size -----------------------------------------------------------------------------------

def test_fifty_thousand_rows_score_and_rank():
    n, rng = 50_000, np.random.default_rng(7)
    frame = pd.DataFrame({
        "request_id": [f"REQ-{i:05d}" for i in range(n)],
        "strategic_fit": rng.integers(1, 6, n).tolist(),
        "expected_revenue": rng.integers(0, 10**6, n).tolist(),
        "cost_estimate": rng.integers(1, 10**6, n).tolist(),
        "due_date": [TODAY + dt.timedelta(days=int(d)) for d in rng.integers(-30, 400, n)],
        "risk": rng.choice(["Low", "Medium", "High", "Very high"], n).tolist(),
        "confidence": rng.integers(1, 6, n).tolist(),
        "retention_effect": rng.integers(0, 10**5, n).tolist(),
    }, index=pd.RangeIndex(2, n + 2), dtype=object)
    criteria, _ = read_criteria(None)
    result = score(frame, criteria, as_of=TODAY)  # its speed is measured in bench/bench_score.py
    assert sorted(result.ranks) == list(range(1, n + 1))
    assert result.scores.between(0, 100).all()
