"""Read CRM opportunity exports (Salesforce, HubSpot, Dynamics 365, or any with a mapping file) as Intake requests."""
from __future__ import annotations

from xlportfolio.crm.codes import CRM_CODES
from xlportfolio.crm.mapping import Mapping, read_mapping
from xlportfolio.crm.presets import PRESETS, Preset, match_preset
from xlportfolio.crm.reader import CrmImport, read_crm_export

__all__ = ["CRM_CODES", "PRESETS", "CrmImport", "Mapping", "Preset", "match_preset", "read_crm_export",
           "read_mapping"]
