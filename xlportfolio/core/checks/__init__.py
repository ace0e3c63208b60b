"""Every check, registered on import; `run_checks` runs those of one table."""
from __future__ import annotations

from . import intake, portfolio, rules, settings  # noqa: F401 - importing registers the checks
from .registry import CHECKS, CODES, Check, Code, Context, run_checks

__all__ = ["CHECKS", "CODES", "Check", "Code", "Context", "run_checks"]
