"""The configuration tables' rows as models: Scoring, Gates, Rules, Stage weights, Checks and Settings.

Field names are the schema's column names (schema/config.py), so a failing field is a cell.
What a cell is checked against besides itself (the workbook's Stage list, the checks of this
version, the Currency list) comes in the validation context; without it that part is not checked.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, ValidationInfo, field_validator

from xlportfolio.core.codes import define
from xlportfolio.core.config.fields import (
    AtLeastZero,
    OptionalNumber,
    OptionalText,
    Switch,
    Text,
    choice,
    shown,
)
from xlportfolio.core.config.reader import ConfigRow
from xlportfolio.core.findings import Severity
from xlportfolio.core.values import is_blank, show
from xlportfolio.errors import ConfigProblem
from xlportfolio.schema import (
    CHECKS_TABLE,
    FINANCIALS,
    GATES,
    INTAKE,
    INTAKE_RULES,
    ITEMS,
    MILESTONES,
    RISKS,
    SCORING,
    STAGE_WEIGHTS,
    Table,
)
from xlportfolio.schema.settings import DEFAULTS, SETTINGS

CORRECT_IT = "{problem}; correct it on the {sheet} sheet."
# A configuration cell whose command goes on with the safe default (a check switch that is neither Yes nor No).
CONFIG_INVALID = define("config-invalid", Severity.WARNING, CORRECT_IT)
BAD_CRITERION = define("bad-criterion", Severity.ERROR, CORRECT_IT)
BAD_GATE_CRITERION = define("bad-gate-criterion", Severity.ERROR, CORRECT_IT)
BAD_RULE = define("bad-rule", Severity.ERROR, CORRECT_IT)
BAD_WEIGHT = define("rollup-bad-weight", Severity.ERROR, CORRECT_IT)
SETTING_INVALID = define("setting-invalid", Severity.ERROR, "{problem}")
SETTING_TWICE = define(
    "setting-twice", Severity.WARNING,
    "{setting} is set twice (also row {first}); the first is used. Delete one of the rows.")

HIGHER, LOWER = "higher is better", "lower is better"
FREEZE_PLAN = "freeze_plan"
RULE_TARGETS = (FREEZE_PLAN, "Dependencies", "Milestones", "Financials.actual")  # what a gate's rule may name
# Tables a field or evidence criterion may name; every one of them says which item a row is about.
CHECKABLE: dict[str, Table] = {t.name.casefold(): t for t in (ITEMS, FINANCIALS, MILESTONES, RISKS)}


def _stage(value: str, info: ValidationInfo) -> str:
    """A stage of the workbook's Stage list, or its code alone ('DI3')."""
    stages: tuple[str, ...] | None = (info.context or {}).get("stages")
    wanted = value.casefold()
    if stages and not any(wanted in (s.casefold(), s.split()[0].casefold()) for s in stages):
        raise ConfigProblem(f"'{value}' is not a stage of the Stage list ({', '.join(stages)})")
    return value


Stage = Annotated[Text, AfterValidator(_stage)]


class ScoringCriterion(ConfigRow):
    """A Scoring row: which column feeds the criterion, its weight and direction."""

    table_schema: ClassVar[Table] = SCORING.table
    code: ClassVar[str] = BAD_CRITERION
    noun: ClassVar[str] = "scoring criterion"
    name_field: ClassVar[str] = "criterion"
    effect: ClassVar[str] = "the scores leave it out"
    switch: ClassVar[str | None] = "enabled"

    criterion: Text
    source_column: Text
    weight: AtLeastZero
    direction: choice(Literal["higher is better", "lower is better"])
    description: OptionalText = None


class GateRequirement(ConfigRow):
    """A Gates row: what a stage requires before an item may enter it."""

    table_schema: ClassVar[Table] = GATES.table
    code: ClassVar[str] = BAD_GATE_CRITERION
    noun: ClassVar[str] = "gate criterion"
    name_field: ClassVar[str] = "criterion"
    effect: ClassVar[str] = "the gate does not check it"
    switch: ClassVar[str | None] = "enabled"

    stage: Stage
    criterion: Text
    kind: choice(Literal["field", "approval", "evidence", "rule"])
    target: OptionalText = None
    description: OptionalText = None

    @field_validator("target")
    @classmethod
    def _checkable(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The target must be something the gate can check: a broken row must say so, not pass silently."""
        kind = info.data.get("kind")  # absent when the Kind cell is itself bad
        if kind and (problem := _target_problem(kind, value or "")):
            raise ConfigProblem(problem)
        return value


def _target_problem(kind: str, target: str) -> str | None:
    if kind == "approval":
        return None if target else "is blank; an approval names the role that approves, e.g. Sponsor"
    if kind == "rule":
        known = [t.casefold() for t in RULE_TARGETS]
        return None if target.casefold() in known else (
            f"{shown(target)} is not a rule a gate knows; use one of {', '.join(RULE_TARGETS)}")
    table, _, col = target.partition(".")
    schema = CHECKABLE.get(table.strip().casefold())
    if schema is None:
        return (f"{shown(target)} names no table a gate can check; name Items, Financials, Milestones or Risks "
                "and a column, e.g. Items.owner")
    if col.strip() and schema.match_header(col) is None:
        return f"names '{col.strip()}', which is not a column of {schema.name}"
    return "names no Items column; name one, e.g. Items.owner" if schema is ITEMS and not col.strip() else None


class IntakeRule(ConfigRow):
    """A Rules row: a field required for a category, an allowed range or an ID format."""

    table_schema: ClassVar[Table] = INTAKE_RULES.table
    code: ClassVar[str] = BAD_RULE
    noun: ClassVar[str] = "intake rule"
    name_field: ClassVar[str] = "rule"
    effect: ClassVar[str] = "validate does not apply it"
    switch: ClassVar[str | None] = "enabled"

    rule: choice(Literal["required for category", "range", "format"])
    column: Text  # the Intake column's schema name
    category: OptionalText = None
    minimum: OptionalNumber = None
    maximum: OptionalNumber = None
    pattern: OptionalText = None
    severity: Severity = Severity.ERROR
    note: OptionalText = None

    @classmethod
    def name_of(cls, raw: Mapping[str, Any]) -> str | None:
        rule, column = (None if is_blank(raw.get(n)) else show(raw[n]).strip() for n in ("rule", "column"))
        return f"{rule} on {column}" if rule and column else rule or column

    @field_validator("column")
    @classmethod
    def _intake_column(cls, value: str) -> str:
        column = INTAKE.match_header(value)
        if column is None:
            raise ConfigProblem(f"'{value}' is not an Intake column")
        return column.name

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: Any) -> Severity:
        text = "" if is_blank(value) else str(value).strip().casefold()
        if text not in ("", "error", "warning"):
            raise ConfigProblem(f"must be 'error' or 'warning', not {shown(value)}")
        return Severity.WARNING if text == "warning" else Severity.ERROR

    # Checked as each cell is read (not once the row is complete), so every bad cell of a row is reported.
    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("rule") == "required for category" and value is None:
            raise ConfigProblem("is blank; a 'required for category' rule names the category")
        return value

    @field_validator("maximum")
    @classmethod
    def _bounded(cls, value: float | None, info: ValidationInfo) -> float | None:
        if info.data.get("rule") == "range" and value is None and info.data.get("minimum", 0) is None:
            raise ConfigProblem("is blank, and so is the maximum; a range needs a minimum or a maximum number",
                                column="minimum")
        return value

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("rule") == "format":
            try:
                re.compile(value or "")
            except re.error as exc:
                raise ConfigProblem(f"is not a valid regular expression ({exc})") from None
        return value


class StageWeight(ConfigRow):
    """A Stage weights row: how much of an item's net value the rollup counts at a stage."""

    table_schema: ClassVar[Table] = STAGE_WEIGHTS.table
    code: ClassVar[str] = BAD_WEIGHT
    noun: ClassVar[str] = "stage weight"
    name_field: ClassVar[str] = "stage"
    effect: ClassVar[str] = "the Dashboard leaves it out and the Rollup sheet counts a weight that is not a number as 0"

    stage: Stage
    weight: AtLeastZero
    description: OptionalText = None


class CheckSwitch(ConfigRow):
    """A Checks row: whether validate and rollup run a check in this workbook."""

    table_schema: ClassVar[Table] = CHECKS_TABLE
    code: ClassVar[str] = CONFIG_INVALID
    noun: ClassVar[str] = "check switch"
    name_field: ClassVar[str] = "check"
    effect: ClassVar[str] = "the check runs"

    check: Text
    enabled: Switch

    @field_validator("check")
    @classmethod
    def _known_check(cls, value: str, info: ValidationInfo) -> str:
        checks: frozenset[str] | None = (info.context or {}).get("checks")
        if checks is not None and value not in checks:
            raise ConfigProblem(f"'{value}' is not a check of this version; the checks are {', '.join(sorted(checks))}",
                          severity=Severity.WARNING)
        return value


class Setting(ConfigRow):
    """A Settings row: one workbook-wide choice; rows naming no setting of this version are the PMO's own."""

    table_schema: ClassVar[Table] = SETTINGS.table
    code: ClassVar[str] = SETTING_INVALID
    noun: ClassVar[str] = "setting"
    name_field: ClassVar[str] = "setting"
    effect: ClassVar[str] = "its default is used"

    setting: Text
    value: Any = None

    @classmethod
    def wanted(cls, raw: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
        return cls.known(raw.get("setting"), context) is not None

    @staticmethod
    def known(name: Any, context: Mapping[str, Any]) -> str | None:
        """The setting a name stands for (ignoring case), or None."""
        folded = "" if is_blank(name) else str(name).strip().casefold()
        return next((s for s in context.get("allowed", DEFAULTS) if s.casefold() == folded), None)

    @field_validator("setting")
    @classmethod
    def _setting(cls, value: str, info: ValidationInfo) -> str:
        return cls.known(value, info.context or {}) or value

    @field_validator("value", mode="before")
    @classmethod
    def _allowed(cls, value: Any, info: ValidationInfo) -> str:
        context = info.context or {}
        setting = info.data.get("setting")
        allowed: tuple[str, ...] = tuple(context.get("allowed", {}).get(setting) or (DEFAULTS[setting],))
        text = "" if is_blank(value) else str(value).strip()
        match = next((a for a in allowed if a.casefold() == text.casefold()), None)
        if match is None:
            listed = ", ".join(f"'{a}'" for a in allowed)
            raise ConfigProblem(f"{setting} '{show(text)}' is not one of {listed}; choose one of them. "
                          f"Until then '{DEFAULTS[setting]}' is used.", whole=True)
        return match
