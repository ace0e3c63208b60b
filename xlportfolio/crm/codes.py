"""Finding codes of the CRM import: export cells kept as text for a person to fix, and everything the
import had to change or decide about the file itself (a cut text, an encoding, a cleaned or clashing ID)."""
from __future__ import annotations

from typing import Any

from xlportfolio.core.codes import CODES, define
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.values import show

UNPARSED_NUMBER = define(
    "crm-unparsed-number", Severity.WARNING,
    "'{value}' in {header} is not an amount this import can read; it is kept as text. "
    "Correct it in the CRM (a plain number such as 12500) and import again, or type the number in Intake.")
AMBIGUOUS_NUMBER = define(
    "crm-ambiguous-number", Severity.WARNING,
    "'{value}' in {header} could be {grouped} or {decimal}, and no other amount in the column shows "
    "which mark is the decimal one; it is kept as text. Type the amount in Intake.")
UNPARSED_DATE = define(
    "crm-unparsed-date", Severity.WARNING,
    "'{value}' in {header} is not a date this import can read; it is kept as text. "
    "Type the date in Intake as yyyy-mm-dd, or export dates from the CRM as yyyy-mm-dd.")
AMBIGUOUS_DATE = define(
    "crm-ambiguous-date", Severity.WARNING,
    "'{value}' in {header} could be {day_first} (day first) or {month_first} (month first), and no other "
    "date in the export shows which; it is kept as text. Type the date in Intake as yyyy-mm-dd.")
ERROR_VALUE = define(
    "crm-error-value", Severity.WARNING,
    "The export cell holds the error {value}; it is kept as text. Fix the value in the CRM and export again.")

TEXT_CUT = define(
    "crm-text-cut", Severity.WARNING,
    "The text in {header} has {before:,} characters; an Excel cell holds at most {after:,}, so the last "
    "{cut:,} were cut{item}. Shorten the text in the CRM (or keep the long version there) and import again.")
ENCODING_GUESSED = define(
    "crm-encoding-guessed", Severity.WARNING,
    "{what}; the import read {them} as {encoding}, which gives '{sample}' here{item}. If that reads right, "
    "nothing is to do; if it reads wrong (such as 'Ã©' or '?' in place of a letter), export the report from "
    "the CRM as 'CSV UTF-8' and import again.")
ID_CLEANED = define(
    "crm-id-cleaned", Severity.WARNING,
    "The ID '{raw}' in {header} held {removed}, which the import removed: the request ID is {rid}. "
    "Such characters come from a formula or a copy and paste; correct the ID in the CRM so that both agree.")
ID_CLASH = define(
    "crm-id-clash", Severity.ERROR,
    "The IDs {raws} in {header} (rows {rows}) all become request {rid} once {why}, so they would merge into one "
    "request; none of these rows was imported. Correct the IDs in the CRM so that each opportunity has its own, "
    "and import again.")

CRM_CODES = (UNPARSED_NUMBER, AMBIGUOUS_NUMBER, UNPARSED_DATE, AMBIGUOUS_DATE, ERROR_VALUE, TEXT_CUT,
             ENCODING_GUESSED, ID_CLEANED, ID_CLASH)


def cell_finding(code: str, sheet: str, row: int, column: str, header: str, value: Any,
                 **fields: Any) -> Finding:
    """A finding at one export cell, its message built from the code's template."""
    spec = CODES[code]
    message = spec.template.format(header=show(header) if header else f"column {column}", value=show(value),
                                   **fields)
    return Finding(code, spec.severity, message, sheet, row, column, header or None, value)
