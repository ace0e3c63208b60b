"""Every check, registered on import; `run_checks` runs those of one table."""
from __future__ import annotations

from xlportfolio.core.checks import intake, portfolio, rules, settings  # noqa: F401 - importing registers the checks
from xlportfolio.core.checks.registry import CHECKS, Check, Context, run_checks
from xlportfolio.core.codes import CODES, Code

__all__ = ["CHECKS", "CODES", "Check", "Code", "Context", "run_checks"]
