"""Configuration tables (Scoring, Gates, Rules, Stage weights) with their defaults (docs/workbook.md describes them).

They live in the workbook so a PMO or a consultant tailors a client workbook without code;
these rows are only what a new workbook starts with.
"""
from __future__ import annotations

from xlportfolio.schema.model import Column, ConfigTable, Table
from xlportfolio.schema.model import ColumnType as T
from xlportfolio.schema.settings import SETTINGS

SCORING = ConfigTable(
    Table(
        "Scoring", "Scoring",
        "Prioritisation criteria: which column feeds each criterion, its weight and direction.",
        (
            Column("criterion", "Criterion", T.TEXT, "Name of the criterion.", required=True, width=22),
            Column("source_column", "Source column", T.TEXT, "Column of Intake or Items it reads.", required=True, width=20),
            Column("weight", "Weight", T.NUMBER, "Relative weight; weights are normalised to 100%.", required=True),
            Column("direction", "Direction", T.CHOICE, "higher is better or lower is better.", required=True, choices="Direction"),
            Column("enabled", "Enabled", T.CHOICE, "Yes to use the criterion.", required=True, choices="YesNo"),
            Column("description", "Description", T.TEXT, "What the criterion measures.", width=44),
        ),
        key="criterion",
    ),
    (
        ("Strategic fit", "strategic_fit", 20, "higher is better", "Yes", "Fit with the portfolio's strategy (1-5)."),
        ("Value", "expected_revenue", 25, "higher is better", "Yes", "Revenue, retention and savings per year."),
        ("Cost", "cost_estimate", 15, "lower is better", "Yes", "One-time cost to deliver."),
        ("Urgency", "due_date", 10, "lower is better", "Yes", "Days until the due date."),
        ("Risk", "risk", 10, "lower is better", "Yes", "Delivery risk."),
        ("Confidence", "confidence", 10, "higher is better", "Yes", "How sure the estimate is (1-5)."),
        ("Customer impact", "retention_effect", 10, "higher is better", "Yes", "Revenue kept with customers."),
    ),
)

GATES = ConfigTable(
    Table(
        "Gates", "Gates",
        "What each Degree of Implementation gate requires before an item may enter the stage.",
        (
            Column("stage", "Stage", T.CHOICE, "The stage the criterion guards.", required=True, choices="Stage"),
            Column("criterion", "Criterion", T.TEXT, "Stable name of the requirement.", required=True, width=24),
            Column("kind", "Kind", T.TEXT, "field, approval, evidence or rule.", required=True, width=10),
            Column("target", "Target", T.TEXT, "Column, table or rule it checks.", width=22),
            Column("enabled", "Enabled", T.CHOICE, "Yes to enforce.", required=True, choices="YesNo"),
            Column("description", "Description", T.TEXT, "What a person must provide.", width=56),
        ),
    ),
    (
        ("DI1 Defined", "name", "field", "Items.name", "Yes", "The item has a name and a parent."),
        ("DI2 Identified", "owner", "field", "Items.owner", "Yes", "An owner is named."),
        ("DI2 Identified", "sponsor", "field", "Items.sponsor", "Yes", "A sponsor is named."),
        ("DI2 Identified", "category", "field", "Items.category", "Yes", "A category is chosen."),
        ("DI2 Identified", "function", "field", "Items.function", "Yes", "A delivering function is chosen."),
        ("DI2 Identified", "estimated_value", "field", "Items.estimated_value", "Yes", "An estimated value is entered."),
        ("DI3 Detailed", "cost_plan", "field", "Financials.plan", "Yes", "Cost is planned by month."),
        ("DI3 Detailed", "benefit_plan", "field", "Financials.plan", "Yes", "Benefit is planned by month."),
        ("DI3 Detailed", "milestones", "field", "Milestones.planned_date", "Yes", "Milestones are planned."),
        ("DI3 Detailed", "risk_profile", "field", "Risks", "Yes", "Risks are assessed."),
        ("DI3 Detailed", "controller", "field", "Items.controller", "Yes", "A controller is named."),
        ("DI4 Decided", "sponsor_approval", "approval", "Sponsor", "Yes", "The sponsor approved the item."),
        ("DI4 Decided", "controller_approval", "approval", "Controller", "Yes", "The controller approved the item."),
        ("DI4 Decided", "baseline", "rule", "freeze_plan", "Yes", "The plan is frozen as the baseline."),
        ("DI4 Decided", "no_blocked_dependency", "rule", "Dependencies", "Yes", "No dependency on a cancelled or held item."),
        ("DI5 Implemented", "actual_dates", "field", "Milestones.actual_date", "Yes", "Actual dates are entered."),
        ("DI5 Implemented", "milestones_complete", "rule", "Milestones", "Yes", "All milestones are complete."),
        ("DI6 Closed", "closure_evidence", "evidence", "Milestones.evidence", "Yes", "Closure evidence is linked."),
        ("DI6 Closed", "controller_signoff", "approval", "Controller", "Yes", "The controller signed off."),
        ("DI6 Closed", "realised_value", "rule", "Financials.actual", "Yes", "Realised value is compared with the baseline."),
    ),
)

INTAKE_RULES = ConfigTable(
    Table(
        "IntakeRules", "Rules",
        "Intake rules a PMO tailors: fields required for a category, allowed ranges, ID formats.",
        (
            Column("rule", "Rule", T.CHOICE, "required for category, range or format.", required=True, choices="RuleKind"),
            Column("column", "Column", T.TEXT, "Intake column the rule checks (header or name).", required=True, width=20),
            Column("category", "Category", T.TEXT, "For 'required for category': the category it applies to.", width=16),
            Column("minimum", "Minimum", T.NUMBER, "For 'range': the smallest allowed value."),
            Column("maximum", "Maximum", T.NUMBER, "For 'range': the largest allowed value."),
            Column("pattern", "Pattern", T.TEXT, "For 'format': a regular expression the whole value must match.", width=16),
            Column("severity", "Severity", T.CHOICE, "error or warning.", required=True, choices="Severity"),
            Column("enabled", "Enabled", T.CHOICE, "Yes to apply the rule.", required=True, choices="YesNo"),
            Column("note", "Note", T.TEXT, "What a person should know; shown in the finding.", width=40),
        ),
    ),
    (
        ("required for category", "customer_name", "Customer value", None, None, None, "error", "Yes",
         "A customer request names its customer."),
        ("required for category", "customer_id", "Customer value", None, None, None, "error", "Yes",
         "A customer request carries the CRM customer ID."),
        ("required for category", "regulation_ref", "Compliance", None, None, None, "error", "Yes",
         "A compliance request names the regulation it answers."),
        ("range", "cost_estimate", None, 0, 50_000_000, None, "error", "Yes",
         "Requests above 50 million go to the board, not through intake."),
        ("range", "effort_days", None, 0, 5_000, None, "warning", "Yes", "More than 5,000 days is a programme."),
        ("range", "expected_revenue", None, 0, 100_000_000, None, "warning", "Yes", "Check the unit (thousands?)."),
        ("format", "customer_id", None, None, None, r"C-\d{5}", "warning", "Yes", "CRM customer IDs look like C-12345."),
    ),
)

STAGE_WEIGHTS = ConfigTable(
    Table(
        "StageWeights", "Stage weights",
        "How much of an item's net value the Rollup counts at each Degree of Implementation: "
        "a DI1 idea is not a DI5 saving.",
        (
            Column("stage", "Stage", T.CHOICE, "The stage the weight applies to.", required=True, choices="Stage"),
            Column("weight", "Weight", T.PERCENT, "Share of the net value counted at this stage (0% to 100%).",
                   required=True),
            Column("description", "Description", T.TEXT, "Why the weight is what it is.", width=60),
        ),
        key="stage",
    ),
    # The usual pipeline-weighting curve: value becomes more certain with each gate passed, and is
    # counted in full once the measure is implemented (DI5) and its realisation confirmed (DI6).
    (
        ("DI1 Defined", 0.10, "An idea with a name and an owner; most never reach a business case."),
        ("DI2 Identified", 0.25, "Owner, sponsor and an estimated value; the value is a first estimate."),
        ("DI3 Detailed", 0.50, "A business case with cost and benefit planned by month, not yet decided."),
        ("DI4 Decided", 0.75, "Approved and baselined; delivery risk remains."),
        ("DI5 Implemented", 1.00, "Implemented: the value is being realised."),
        ("DI6 Closed", 1.00, "Closed: realised value confirmed against the baseline."),
    ),
)

CHECKS_TABLE = Table(
    "Checks", "Checks", "Every check validate runs; set Enabled to No to switch one off for this workbook.",
    (
        Column("check", "Check", T.TEXT, "Name of the check.", required=True, width=24),
        Column("enabled", "Enabled", T.CHOICE, "Yes to run the check.", required=True, choices="YesNo"),
        Column("codes", "Findings it may report", T.TEXT, "Finding codes the check emits.", width=60),
    ),
    key="check",
)

CONFIG_TABLES: tuple[ConfigTable, ...] = (SCORING, GATES, INTAKE_RULES, STAGE_WEIGHTS, SETTINGS)
