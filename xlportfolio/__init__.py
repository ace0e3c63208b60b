"""xlportfolio: governed Excel workbooks as the system of record of a project portfolio."""
from __future__ import annotations

__version__ = "0.1.0"
