"""A command added to the registry must reach the ribbon, the add-in and the manifest with no
add-in code touched: `extra_command` appends one, the way a developer would."""

import pytest

from xlportfolio.commands.base import Outcome
from xlportfolio.registry import Command

EXTRA = Command("forecast", "Forecast", "Roll the forecast forward by one month.", "Rollups",
                "ChartTrendline", "xlp_fake_commands:forecast")


@pytest.fixture
def extra_command(add_commands):
    calls = []

    def forecast(wb, options):
        calls.append(wb)
        return Outcome(command="forecast", summary="Forecast rolled forward: 3 items.", details=["P-001 moved", "P-002 moved"])

    add_commands("xlp_fake_commands", {"forecast": forecast, "calls": calls}, EXTRA)
    return EXTRA
