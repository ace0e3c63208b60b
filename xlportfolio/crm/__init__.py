"""Read CRM opportunity exports (Salesforce, HubSpot, Dynamics 365, or any with a mapping file) as Intake requests."""
from __future__ import annotations

from .codes import CRM_CODES
from .mapping import Mapping, read_mapping
from .presets import PRESETS, Preset, match_preset
from .reader import CrmImport, read_crm_export

__all__ = ["CRM_CODES", "PRESETS", "CrmImport", "Mapping", "Preset", "match_preset", "read_crm_export",
           "read_mapping"]
