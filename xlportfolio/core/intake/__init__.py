"""Intake: requests checked, accepted as items, and merged from business units' workbooks."""
