"""Configuration tables as models: each bad cell is one finding at that cell, the good rows are used."""
import pytest
from pydantic import ValidationError

from tests.support.inline import book, table
from xlportfolio.core.checks.rules import read_rules
from xlportfolio.core.config import (
    CheckSwitch,
    IntakeRule,
    Setting,
    StageWeight,
    defaults,
    read_rows,
)
from xlportfolio.core.findings import Severity
from xlportfolio.core.intake.validate import read_switches
from xlportfolio.core.rollup.data import read_weights, stage_weights
from xlportfolio.core.settings import read_settings
from xlportfolio.schema import CHECKS_TABLE, INTAKE_RULES, STAGE_WEIGHTS, STAGES
from xlportfolio.schema.settings import SETTINGS


def where(findings):
    return [(f.code, f.sheet, f.cell, f.header, f.value, f.item) for f in findings]


def test_each_bad_stage_weight_cell_is_one_finding_at_that_cell_and_the_good_rows_are_used():
    weights = table(STAGE_WEIGHTS.table, """
        | Stage           | Weight | Description |
        | DI1 Defined     | 0.1    | idea        |
        | DI2 Identified  | 'high' | typo        |
        | DI9 Dreamt      | 0.5    | no stage    |
        | DI4             | -0.2   | negative    |
        |                 | 0.3    | no stage    |
        | DI5 Implemented | 1      | done        |
    """, sheet="Stage weights")
    read = read_rows(weights, StageWeight, {"stages": STAGES})
    assert [(w.stage, w.weight, w.row) for w in read.rows] == [("DI1 Defined", 0.1, 2), ("DI5 Implemented", 1.0, 7)]
    assert where(read.findings) == [
        ("rollup-bad-weight", "Stage weights", "B3", "Weight", "high", "DI2 Identified"),
        ("rollup-bad-weight", "Stage weights", "A4", "Stage", "DI9 Dreamt", "DI9 Dreamt"),
        ("rollup-bad-weight", "Stage weights", "B5", "Weight", -0.2, "DI4"),
        ("rollup-bad-weight", "Stage weights", "A6", "Stage", None, None),
    ]
    high, dreamt, negative, blank = (f.message for f in read.findings)
    assert high.startswith("The stage weight 'DI2 Identified' cannot be used (")
    assert "Weight must be a number, not 'high'; correct it on the Stage weights sheet." in high
    assert "'DI9 Dreamt' is not a stage of the Stage list (DI1 Defined, " in dreamt
    assert "Weight must be 0 or more, not '-0.2'" in negative
    assert "The stage weight in row 6 cannot be used" in blank and "Stage is blank" in blank
    assert all("pydantic" not in m and "Input should" not in m for m in (high, dreamt, negative, blank))


def test_the_rollup_reads_stage_weights_as_sumifs_does_and_the_dashboard_only_the_usable_ones():
    weights = table(STAGE_WEIGHTS.table, """
        | Stage          | Weight |
        | DI1 Defined    | 0.1    |
        | DI2 Identified | 'high' |
        | DI3            | 0.5    |
        | DI3            | 0.25   |
    """, sheet="Stage weights")
    bk = book(weights)
    read = read_weights(bk)
    assert read.by_stage == {"di1 defined": 0.1, "di2 identified": 0.0, "di3": 0.75}
    assert [(f.cell, f.severity) for f in read.findings] == [("B3", Severity.ERROR), ("A5", Severity.WARNING)]
    assert stage_weights(bk) == {"DI1 Defined": 0.1, "DI3": 0.25}  # the Dashboard names a stage by its code too


def test_schema_defaults_are_valid_models():
    assert [w.stage for w in defaults(StageWeight, STAGE_WEIGHTS.rows, {"stages": STAGES})] == list(STAGES)
    assert [r.rule for r in defaults(IntakeRule, INTAKE_RULES.rows)][:4] == ["required for category"] * 3 + ["range"]


def test_a_model_raises_pydantic_errors_by_field_when_used_directly():
    with pytest.raises(ValidationError) as err:
        StageWeight.model_validate({"stage": "DI1 Defined", "weight": "lots"})
    assert [e["loc"] for e in err.value.errors()] == [("weight",)]


def test_intake_rules_point_at_the_cell_that_makes_no_sense():
    rules = table(INTAKE_RULES.table, """
        | Rule                  | Column        | Category | Minimum | Maximum | Pattern | Severity | Enabled |
        | range                 | Cost estimate |          | 0       | 1000    |         | Error    | Yes     |
        | format                | Customer ID   |          |         |         | '(['    | error    | Yes     |
        | range                 | No such col   |          | 0       |         |         | error    | Yes     |
        | range                 | Cost estimate |          |         |         |         | warning  | Yes     |
        | required for category | Customer name |          |         |         |         | error    | Yes     |
        | ranges                | Cost estimate |          | 'x'     |         |         | fatal    | Yes     |
        | nonsense              |               |          |         |         |         |          | No      |
    """, sheet="Rules")
    rules_read, findings = read_rules(book(rules))
    assert [(r.kind, r.column.name, r.low, r.high, r.severity) for r in rules_read] == [
        ("range", "cost_estimate", 0, 1000, Severity.ERROR)]
    assert [(f.code, f.cell, f.header) for f in findings] == [
        ("bad-rule", "F3", "Pattern"),
        ("bad-rule", "B4", "Column"),
        ("bad-rule", "D5", "Minimum"),
        ("bad-rule", "C6", "Category"),
        ("bad-rule", "A7", "Rule"), ("bad-rule", "D7", "Minimum"), ("bad-rule", "G7", "Severity"),
    ]  # a rule switched off is not read at all
    messages = [f.message for f in findings]
    assert "regular expression" in messages[0] and findings[0].item == "format on Customer ID"
    assert "Column 'No such col' is not an Intake column" in messages[1]
    assert "Rule must be 'required for category', 'range' or 'format', not 'ranges'" in messages[4]
    assert "Minimum must be a number, not 'x'" in messages[5]
    assert "Severity must be 'error' or 'warning', not 'fatal'" in messages[6]


def test_check_switches_are_yes_or_no_and_name_a_check_of_this_version():
    checks = table(CHECKS_TABLE, """
        | Check           | Enabled |
        | intake-people   | No      |
        | intake-columns  | maybe   |
        | intake-dates    | yes     |
        | no-such-check   | No      |
    """)
    off, findings = read_switches(book(checks))
    assert off == {"intake-people"}
    assert [(f.code, f.cell, f.severity, f.item) for f in findings] == [
        ("config-invalid", "B3", Severity.WARNING, "intake-columns"),
        ("config-invalid", "A5", Severity.WARNING, "no-such-check"),
    ]
    assert "Enabled must be 'Yes' or 'No', not 'maybe'" in findings[0].message
    assert "(the check runs)" in findings[0].message
    assert "'no-such-check' is not a check of this version" in findings[1].message


def test_check_switch_model_without_the_list_of_checks_checks_only_the_cells():
    assert CheckSwitch.model_validate({"check": "anything", "enabled": "No"}).enabled is False


def test_settings_through_the_reader_keep_their_message_and_the_first_of_two_rows():
    settings = table(SETTINGS.table, """
        | Setting           | Value   |
        | Currency          | Dollars |
        | Decimal separator | ,       |
        | Currency          | usd     |
        | Theme             | dark    |
    """)
    read = read_settings(book(settings, lists={"Currency": ("EUR", "USD")}))
    assert (read.currency, read.decimal_separator) == ("EUR", ",")  # the first Currency row counts, and it is bad
    assert [(f.code, f.cell) for f in read.findings] == [("setting-invalid", "B2"), ("setting-twice", "A4")]
    assert read.findings[0].message == ("Currency 'Dollars' is not one of 'EUR', 'USD'; choose one of them. "
                                        "Until then 'EUR' is used.")
    assert Setting.model_validate({"setting": "currency", "value": " usd "},
                                  context={"allowed": {"Currency": ("EUR", "USD")}}).value == "USD"


def test_gates_rows_point_at_the_cell_a_gate_cannot_check():
    from xlportfolio.core.gates.criteria import GateCriterion, read_criteria
    from xlportfolio.schema import GATES

    gates = table(GATES.table, """
        | Stage          | Criterion | Kind     | Target        | Enabled | Description |
        | DI2 Identified | owner     | Field    | Items.owner   | Yes     | An owner.   |
        | DI9 Dreamt     | sponsor   | field    | Items.sponsor | Yes     |             |
        | DI4            | sign      | approval |               | Yes     |             |
        | DI4            | freeze    | rule     | freeze        | Yes     |             |
        | DI3            | plan      | formula  | Financials    | Yes     |             |
        | DI3            |           | field    | Budget.plan   | Yes     |             |
        | DI3            | risks     | evidence | Risks         | yes     |             |
        | DI3            | old       | nonsense |               | No      |             |
    """)
    criteria, problems = read_criteria(gates, STAGES)
    assert criteria == [GateCriterion("DI2 Identified", "owner", "field", "Items.owner", "An owner.", 2),
                        GateCriterion("DI3", "risks", "evidence", "Risks", "", 8)]
    assert [(f.code, f.cell, f.header, f.item) for f in problems] == [
        ("bad-gate-criterion", "A3", "Stage", "sponsor"),
        ("bad-gate-criterion", "D4", "Target", "sign"),
        ("bad-gate-criterion", "D5", "Target", "freeze"),
        ("bad-gate-criterion", "C6", "Kind", "plan"),
        ("bad-gate-criterion", "B7", "Criterion", None),
        ("bad-gate-criterion", "D7", "Target", None),
    ]
    text = [f.message for f in problems]
    assert "Stage 'DI9 Dreamt' is not a stage of the Stage list" in text[0]
    assert "Target is blank; an approval names the role that approves" in text[1]
    assert "Target 'freeze' is not a rule a gate knows; use one of freeze_plan," in text[2]
    assert "Kind must be 'field', 'approval', 'evidence' or 'rule', not 'formula'" in text[3]
    assert text[4].startswith("The gate criterion in row 7 cannot be used") and "Criterion is blank" in text[4]
    assert "Target 'Budget.plan' names no table a gate can check" in text[5]


def test_scoring_rows_point_at_each_bad_cell_and_the_defaults_are_the_schemas():
    from xlportfolio.core.config import ScoringCriterion
    from xlportfolio.core.prioritise.score import read_criteria
    from xlportfolio.schema import SCORING

    scoring = table(SCORING.table, """
        | Criterion | Source column | Weight | Direction          | Enabled |
        | Value     | Revenue       | 'high' | higher is better   | Yes     |
        | Cost      | cost_estimate | 15     | Lower  is  Better  | Yes     |
        |           | risk          | -1     | sideways           | Yes     |
    """)
    criteria, problems = read_criteria(scoring)
    assert [(c.name, c.source, c.weight, c.higher_is_better, c.row) for c in criteria] == [
        ("Cost", "cost_estimate", 15.0, False, 3)]
    assert [(f.cell, f.header, f.value, f.item) for f in problems] == [
        ("C2", "Weight", "high", "Value"), ("A4", "Criterion", None, None), ("C4", "Weight", -1, None),
        ("D4", "Direction", "sideways", None)]
    assert problems[0].message == ("The scoring criterion 'Value' cannot be used (the scores leave it out): "
                                   "Weight must be a number, not 'high'; correct it on the Scoring sheet.")
    assert [c.criterion for c in defaults(ScoringCriterion, SCORING.rows)] == [r[0] for r in SCORING.rows]
