"""The governed workbook's data tables, one per concept, as one declarative schema."""
from __future__ import annotations

from xlportfolio.schema.model import Column, Table
from xlportfolio.schema.model import ColumnType as T


def _choice(name: str, label: str, lst: str, description: str, required: bool = False) -> Column:
    return Column(name, label, T.CHOICE, description, required=required, choices=lst)


INTAKE = Table(
    "Intake", "Intake",
    "Demand: one row per request, from business units, account teams or a CRM export. "
    "A request is an input, not a decision: a valid one becomes a portfolio item at the first gate.",
    (
        Column("request_id", "Request ID", T.ID, "Unique ID of the request, e.g. REQ-0001.", required=True, width=13),
        Column("title", "Title", T.TEXT, "Short name of the request.", required=True, width=34),
        Column("customer_name", "Customer name", T.TEXT, "Customer the request is for, if any.", width=22),
        Column("customer_id", "Customer ID", T.ID, "Customer number in the CRM.", width=13),
        Column("business_reason", "Business reason", T.TEXT, "Why the work is needed.", required=True, width=40),
        _choice("category", "Category", "Category", "What kind of value the request brings.", required=True),
        _choice("source", "Source", "Source", "Where the request came from."),
        Column("requested_on", "Requested on", T.DATE, "Date the request was raised.", required=True),
        Column("due_date", "Due date", T.DATE, "Date the result is needed by.", required=True),
        Column("expected_revenue", "Expected revenue", T.MONEY, "Additional revenue per year if delivered."),
        Column("retention_effect", "Retention effect", T.MONEY, "Revenue per year kept that would otherwise be lost."),
        Column("cost_estimate", "Cost estimate", T.MONEY, "One-time cost to deliver.", required=True),
        _choice("currency", "Currency", "Currency", "Currency of the amounts in this row."),
        _choice("function", "Function", "Function", "Function that would deliver the work.", required=True),
        Column("effort_days", "Effort (days)", T.NUMBER, "Person-days of effort needed from the function."),
        Column("sponsor", "Sponsor", T.TEXT, "Executive who backs the request.", required=True, width=20),
        Column("owner", "Owner", T.TEXT, "Person who would own the work.", width=20),
        _choice("risk", "Risk", "Risk", "Overall delivery risk."),
        Column("parent_id", "Parent item", T.ID, "Program or project in the portfolio the request belongs to.", width=13),
        Column("dependencies", "Dependencies", T.ID_LIST, "Items this request depends on, separated by commas.", width=18),
        Column("regulation_ref", "Regulation reference", T.TEXT, "Law, regulation or audit finding a compliance request answers.", width=20),
        Column("strategic_fit", "Strategic fit (1-5)", T.INTEGER, "1 no fit to 5 core to the strategy; a scoring criterion."),
        Column("confidence", "Confidence (1-5)", T.INTEGER, "1 a guess to 5 a firm quote; a scoring criterion."),
        _choice("selection", "Selection", "Selection", "Mandatory forces the request into Select's choice; Excluded keeps it out."),
        _choice("accept", "Accept", "YesNo", "Yes to turn the request into a portfolio item at DI1 (Accept command)."),
        Column("validation", "Validation", T.TEXT, "Written by Validate: OK, or the number of errors and warnings.", computed=True, width=20),
        Column("intake_status", "Intake status", T.TEXT, "Written by Accept: Accepted, or why not.", computed=True, width=18),
        Column("item_id", "Item ID", T.ID, "Written by Accept: the portfolio item made from the request.", computed=True, width=13),
        Column("origin", "Submitted in", T.TEXT, "Written by Consolidate or Import: the file the request came from.", computed=True, width=24),
        Column("score", "Score", T.NUMBER, "Written by Score: 0-100 (or WSJF).", computed=True),
        Column("rank", "Rank", T.INTEGER, "Written by Score: 1 is the best.", computed=True),
        Column("why", "Why", T.TEXT, "Written by Score: the criteria that contribute most.", computed=True, width=36),
    ),
    key="request_id",
)

ITEMS = Table(
    "Items", "Items",
    "The portfolio hierarchy: Organization > Portfolio > Program > Project > Measure Package > Measure.",
    (
        Column("item_id", "Item ID", T.ID, "Unique ID of the item.", required=True, width=13),
        Column("parent_id", "Parent ID", T.ID, "The item one or more levels above; empty only for the organization.", width=13),
        _choice("level", "Level", "Level", "Level in the hierarchy.", required=True),
        Column("name", "Name", T.TEXT, "Name of the item.", required=True, width=34),
        Column("owner", "Owner", T.TEXT, "Person accountable for delivery.", width=18),
        Column("sponsor", "Sponsor", T.TEXT, "Executive who backs the item.", width=18),
        Column("controller", "Controller", T.TEXT, "Finance controller who signs off the numbers.", width=18),
        _choice("function", "Function", "Function", "Function that delivers the work."),
        _choice("legal_entity", "Legal entity", "LegalEntity", "Legal entity that carries cost and benefit."),
        _choice("category", "Category", "Category", "What kind of value the item brings."),
        _choice("stage", "Stage", "Stage", "Current Degree of Implementation (DI1-DI6)."),
        _choice("requested_stage", "Requested stage", "Stage", "Stage the owner asks to move to; Gates checks it."),
        _choice("state", "State", "State", "Active, on hold or cancelled."),
        Column("start_date", "Start date", T.DATE, "Planned start."),
        Column("end_date", "End date", T.DATE, "Planned end."),
        Column("estimated_value", "Estimated value", T.MONEY, "Expected net value per year."),
        _choice("implementation_status", "Implementation status", "Status", "Owner's rating: is the work on track?"),
        _choice("potential_status", "Potential status", "Status", "Owner's rating: is the value still credible?"),
        Column("request_id", "Request ID", T.ID, "The intake request the item came from, if any.", width=13),
        Column("customer_name", "Customer name", T.TEXT, "Customer the item is for, if any.", width=22),
        Column("customer_id", "Customer ID", T.ID, "Customer number in the CRM.", width=13),
        Column("cost_estimate", "Cost estimate", T.MONEY, "One-time cost estimate (from the request)."),
        Column("effort_days", "Effort (days)", T.NUMBER, "Person-days of effort needed from the function."),
        Column("due_date", "Due date", T.DATE, "Date the result is needed by."),
        Column("strategic_fit", "Strategic fit (1-5)", T.INTEGER, "1 no fit to 5 core to the strategy."),
        Column("confidence", "Confidence (1-5)", T.INTEGER, "1 a guess to 5 a firm quote."),
        _choice("risk", "Risk", "Risk", "Overall delivery risk."),
        _choice("selection", "Selection", "Selection", "Mandatory forces the item into Select's choice; Excluded keeps it out."),
        Column("move_reason", "Reason for move", T.TEXT, "Why the item moves back a stage, holds or is cancelled.", width=30),
        Column("score", "Score", T.NUMBER, "Written by Score: 0-100 (or WSJF).", computed=True),
        Column("rank", "Rank", T.INTEGER, "Written by Score: 1 is the best.", computed=True),
        Column("why", "Why", T.TEXT, "Written by Score: the criteria that contribute most.", computed=True, width=36),
        Column("derived_implementation_status", "Derived implementation status", T.TEXT,
               "Written by Gates: on track by milestones and dates?", computed=True, width=16),
        Column("derived_potential_status", "Derived potential status", T.TEXT,
               "Written by Gates: forecast against baseline.", computed=True, width=16),
        Column("status_check", "Status check", T.TEXT,
               "Written by Gates: where a rating disagrees with the evidence.", computed=True, width=30),
    ),
    key="item_id",
)

FINANCIALS = Table(
    "Financials", "Financials",
    "Plan (baseline), forecast and actual per item and month, cost and benefit, one-time and recurring.",
    (
        Column("item_id", "Item ID", T.ID, "Item the amounts belong to.", required=True, width=13),
        Column("period", "Period", T.MONTH, "Month (first day of the month).", required=True),
        _choice("flow", "Flow", "FlowKind", "Cost or benefit.", required=True),
        _choice("recurrence", "Recurrence", "Recurrence", "One-time or recurring.", required=True),
        Column("plan", "Plan", T.MONEY, "Baseline; editable until DI4, frozen after."),
        Column("forecast", "Forecast", T.MONEY, "Current expectation; maintained from DI4."),
        Column("actual", "Actual", T.MONEY, "Booked amount; from DI5."),
    ),
)

RISKS = Table(
    "Risks", "Risks", "Risks per item with probability, impact, owner and mitigation.",
    (
        Column("risk_id", "Risk ID", T.ID, "Unique ID of the risk.", required=True, width=12),
        Column("item_id", "Item ID", T.ID, "Item at risk.", required=True, width=13),
        Column("title", "Risk", T.TEXT, "What could happen.", required=True, width=34),
        Column("probability", "Probability (1-5)", T.INTEGER, "1 rare to 5 almost certain.", required=True),
        Column("impact", "Impact (1-5)", T.INTEGER, "1 negligible to 5 severe.", required=True),
        Column("owner", "Owner", T.TEXT, "Person who manages the risk.", width=18),
        Column("mitigation", "Mitigation", T.TEXT, "What is done about it.", width=34),
    ),
    key="risk_id",
)

DEPENDENCIES = Table(
    "Dependencies", "Dependencies", "Predecessor must finish before successor can.",
    (
        Column("predecessor_id", "Predecessor ID", T.ID, "Item that must come first.", required=True, width=15),
        Column("successor_id", "Successor ID", T.ID, "Item that waits for it.", required=True, width=15),
        Column("note", "Note", T.TEXT, "Why the dependency exists.", width=34),
    ),
)

CAPACITY = Table(
    "Capacity", "Capacity", "Available effort per function and month.",
    (
        _choice("function", "Function", "Function", "Function providing the effort.", required=True),
        Column("period", "Period", T.MONTH, "Month (first day of the month).", required=True),
        Column("available_days", "Available (days)", T.NUMBER, "Person-days available.", required=True),
    ),
)

APPROVALS = Table(
    "Approvals", "Approvals", "Approvals and decisions recorded at a gate: who, when and why.",
    (
        Column("item_id", "Item ID", T.ID, "Item decided on.", required=True, width=13),
        _choice("gate", "Gate", "Stage", "Gate the approval is for.", required=True),
        _choice("role", "Role", "Role", "Role of the approver.", required=True),
        Column("approver", "Approver", T.TEXT, "Person who decided; never the item's owner.", required=True, width=18),
        _choice("decision", "Decision", "Decision", "approve, defer, hold or cancel.", required=True),
        Column("decided_on", "Decided on", T.DATE, "Date of the decision.", required=True),
        Column("reason", "Reason", T.TEXT, "Why.", width=34),
    ),
)

MILESTONES = Table(
    "Milestones", "Milestones", "Milestones per item with planned and actual dates.",
    (
        Column("item_id", "Item ID", T.ID, "Item the milestone belongs to.", required=True, width=13),
        Column("milestone", "Milestone", T.TEXT, "What is reached.", required=True, width=30),
        Column("planned_date", "Planned date", T.DATE, "When it is planned.", required=True),
        Column("actual_date", "Actual date", T.DATE, "When it was reached."),
        Column("evidence", "Evidence", T.TEXT, "Where the proof is (link or document).", width=30),
    ),
)


PEOPLE = Table(
    "People", "People", "Everyone who may own, sponsor, control or approve work; names used elsewhere must be here.",
    (
        Column("name", "Name", T.TEXT, "Full name as used in the other tables.", required=True, width=22),
        Column("email", "Email", T.TEXT, "Work email.", width=28),
        _choice("function", "Function", "Function", "Home function."),
        Column("role", "Role", T.TEXT, "Usual role (owner, sponsor, controller, PMO).", width=16),
    ),
    key="name",
)

DATA_TABLES: tuple[Table, ...] = (
    INTAKE, ITEMS, FINANCIALS, RISKS, DEPENDENCIES, CAPACITY, APPROVALS, MILESTONES, PEOPLE,
)
