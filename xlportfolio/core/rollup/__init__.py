"""Rollup: totals up the hierarchy, the portfolio checks and the Dashboard."""
