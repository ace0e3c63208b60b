"""Built-in mappings for the opportunity exports of Salesforce, HubSpot and Dynamics 365.

Each preset names the headers its CRM writes, the Intake column each one feeds, and the headers
it knows but has no Intake column for (they count when recognising an export, and are reported
as unmapped). Request IDs are derived from the CRM's own ID, 'CRM-<preset>-<id>', so importing
the same export again finds the same requests.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xlportfolio.crm.dates import MONTH_FIRST
from xlportfolio.crm.mapping import Mapping
from xlportfolio.schema import header_key


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    id_headers: tuple[str, ...]  # the CRM's record ID; one of them must be present to recognise the export
    name_headers: tuple[str, ...]  # the record's name; likewise
    columns: tuple[tuple[str, str], ...]  # (export header, Intake column name)
    known: tuple[str, ...] = ()  # headers of this CRM that feed no Intake column
    date_order: str | None = None  # how the CRM writes slash dates when the export does not show it

    def mapping(self) -> Mapping:
        return Mapping(self.name, self.columns, (("source", "CRM"),), f"CRM-{self.name}-", self.date_order)

    def recognises(self, headers: Sequence[str]) -> bool:
        keys = {header_key(h) for h in headers}
        return any(header_key(h) in keys for h in self.id_headers) and \
            any(header_key(h) in keys for h in self.name_headers)

    def score(self, headers: Sequence[str]) -> int:
        """How many of the export's headers this preset knows."""
        mine = {header_key(h) for h, _ in self.columns} | {header_key(h) for h in self.known}
        return sum(header_key(h) in mine for h in headers if h)


SALESFORCE = Preset(
    "salesforce", "Salesforce opportunity report",
    id_headers=("Opportunity ID",), name_headers=("Opportunity Name",),
    columns=(
        ("Opportunity ID", "request_id"), ("Opportunity Name", "title"), ("Account Name", "customer_name"),
        ("Account ID", "customer_id"), ("Amount", "expected_revenue"), ("Close Date", "due_date"),
        ("Created Date", "requested_on"), ("Description", "business_reason"), ("Opportunity Owner", "owner"),
        ("Opportunity Currency", "currency"), ("Amount Currency", "currency"),
    ),
    known=("Stage", "Type", "Next Step", "Probability (%)", "Expected Revenue", "Lead Source", "Fiscal Period",
           "Forecast Category", "Age", "Last Modified Date", "Account Owner"),
    date_order=MONTH_FIRST,
)

HUBSPOT = Preset(
    "hubspot", "HubSpot deals export",
    id_headers=("Record ID", "Deal ID"), name_headers=("Deal Name",),
    columns=(
        ("Record ID", "request_id"), ("Deal ID", "request_id"), ("Deal Name", "title"),
        ("Associated Company", "customer_name"), ("Associated Company (Primary)", "customer_name"),
        ("Associated Company IDs", "customer_id"), ("Associated Company IDs (Primary)", "customer_id"),
        ("Amount", "expected_revenue"), ("Close Date", "due_date"), ("Create Date", "requested_on"),
        ("Deal Description", "business_reason"), ("Deal owner", "owner"), ("Currency", "currency"),
    ),
    known=("Deal Stage", "Pipeline", "Deal Type", "Deal probability", "Amount in company currency",
           "Forecast category", "Last Activity Date", "Next step", "Priority"),
    date_order=MONTH_FIRST,
)

DYNAMICS = Preset(
    "dynamics", "Dynamics 365 opportunities export",
    id_headers=("(Do Not Modify) Opportunity",), name_headers=("Topic",),
    columns=(
        ("(Do Not Modify) Opportunity", "request_id"), ("Topic", "title"), ("Potential Customer", "customer_name"),
        ("Est. Revenue", "expected_revenue"), ("Est. Close Date", "due_date"), ("Created On", "requested_on"),
        ("Description", "business_reason"), ("Owner", "owner"), ("Currency", "currency"),
    ),
    known=("(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Status", "Status Reason",
           "Probability", "Rating", "Account", "Contact", "Actual Close Date", "Actual Revenue", "Pipeline Phase"),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (SALESFORCE, HUBSPOT, DYNAMICS)}


def match_preset(headers: Sequence[str]) -> Preset | None:
    """The preset that recognises the export and knows most of its headers, or None."""
    fits = [p for p in PRESETS.values() if p.recognises(headers)]
    return max(fits, key=lambda p: p.score(headers), default=None)


def describe_presets() -> str:
    """One line per preset for messages: which headers it needs to recognise an export."""
    return "; ".join(f"{p.name} ({p.label}: needs '{p.id_headers[0]}' and '{p.name_headers[0]}')"
                     for p in PRESETS.values())
