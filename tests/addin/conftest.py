"""A command added to the registry must reach the ribbon, the add-in and the manifest with no
add-in code touched: `extra_command` appends one, the way a developer would."""
import sys
import types

import pytest

from xlportfolio import registry
from xlportfolio.commands.base import Outcome
from xlportfolio.registry import Command

EXTRA = Command("forecast", "Forecast", "Roll the forecast forward by one month.", "Rollups",
                "ChartTrendline", "xlp_fake_commands:forecast")


@pytest.fixture
def extra_command(monkeypatch):
    calls = []

    def forecast(wb):
        calls.append(wb)
        return Outcome("Forecast rolled forward: 3 items.", 0, details=["P-001 moved", "P-002 moved"])

    module = types.ModuleType("xlp_fake_commands")
    module.forecast = forecast
    module.calls = calls
    monkeypatch.setitem(sys.modules, "xlp_fake_commands", module)
    commands = registry.COMMANDS + (EXTRA,)
    monkeypatch.setattr(registry, "COMMANDS", commands)
    monkeypatch.setattr(registry, "BY_ID", {c.id: c for c in commands})
    monkeypatch.setattr(registry, "BY_CONTROL", {c.control_id: c for c in commands if c.ribbon})
    return EXTRA
