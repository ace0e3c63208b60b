"""Default value lists of the governed workbook (the Lists sheet); a PMO edits them in Excel."""
from __future__ import annotations

from xlportfolio.schema.model import ValueList

STAGES = (
    "DI1 Defined",
    "DI2 Identified",
    "DI3 Detailed",
    "DI4 Decided",
    "DI5 Implemented",
    "DI6 Closed",
)

LISTS: tuple[ValueList, ...] = (
    ValueList("Category", "Category",
              ("Customer value", "Cost", "Strategy", "Compliance", "Risk reduction"),
              "What kind of value an item or request brings."),
    ValueList("Function", "Function",
              ("Finance", "IT", "Operations", "Sales", "Marketing", "HR", "Legal",
               "Procurement", "R&D", "Customer Service"),
              "The function that delivers the work and provides the effort."),
    ValueList("LegalEntity", "Legal entity",
              ("Group Holding", "DE Operations", "UK Operations", "US Operations", "FR Operations"),
              "The legal entity that carries cost and benefit."),
    ValueList("Level", "Level",
              ("Organization", "Portfolio", "Program", "Project", "Measure Package", "Measure"),
              "Hierarchy levels, top to bottom; a child is always one or more levels below its parent."),
    ValueList("Stage", "Stage", STAGES, "Degree of Implementation, DI1 to DI6; each stage is a gate."),
    ValueList("Risk", "Risk level", ("Low", "Medium", "High", "Very high"),
              "Overall delivery risk of a request."),
    ValueList("Source", "Source",
              ("CRM", "Business unit", "Account team", "Strategy", "Regulator", "PMO"),
              "Where a request came from."),
    ValueList("Currency", "Currency", ("EUR", "USD", "GBP", "CHF"), "Currency of amounts."),
    ValueList("Status", "Status", ("Green", "Amber", "Red"),
              "Traffic light for implementation and potential status."),
    ValueList("State", "State", ("Active", "On hold", "Cancelled"),
              "Whether an item is worked on; on hold and cancelled items are frozen."),
    ValueList("Decision", "Decision", ("approve", "defer", "hold", "cancel"),
              "Decisions recorded at a gate."),
    ValueList("Role", "Approval role", ("Sponsor", "Controller", "PMO"),
              "Who approves at a gate."),
    ValueList("FlowKind", "Flow", ("Cost", "Benefit"), "Whether a financial row is cost or benefit."),
    ValueList("Recurrence", "Recurrence", ("One-time", "Recurring"),
              "Whether a financial row happens once or repeats."),
    ValueList("Direction", "Direction", ("higher is better", "lower is better"),
              "How a scoring criterion is read."),
    ValueList("YesNo", "Yes/No", ("Yes", "No"), "A yes/no answer."),
    ValueList("Selection", "Selection", ("Mandatory", "Excluded"),
              "Forces an item into or out of Select's choice."),
    ValueList("Method", "Scoring method", ("weighted", "WSJF"), "How Score combines the criteria."),
    ValueList("Severity", "Severity", ("error", "warning"), "How serious a finding is."),
    ValueList("RuleKind", "Rule kind", ("required for category", "range", "format"),
              "What an intake rule checks."),
)

LISTS_BY_NAME = {lst.name: lst for lst in LISTS}
