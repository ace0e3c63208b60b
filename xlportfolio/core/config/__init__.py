"""Configuration tables read from the workbook as pydantic models, with findings at the configuration cell.

`read_rows(table, Model)` gives a table's usable rows and a finding for every cell that cannot be
used; the commands go on with the usable rows (or the schema's defaults) and list the findings on
the Findings sheet like data findings.
"""
from xlportfolio.core.config.models import (
    CheckSwitch,
    GateRequirement,
    IntakeRule,
    ScoringCriterion,
    Setting,
    StageWeight,
)
from xlportfolio.core.config.reader import ConfigRow, Rows, defaults, read_rows

__all__ = ["CheckSwitch", "ConfigRow", "GateRequirement", "IntakeRule", "Rows", "ScoringCriterion", "Setting",
           "StageWeight", "defaults", "read_rows"]
