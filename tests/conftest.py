"""Fixtures shared by every test. Shared constants and helpers are in tests/support, which tests import."""
import sys

import pytest

from tests.support import AS_OF


@pytest.fixture
def add_commands(monkeypatch):
    """add(module, {name: object}, *commands): put fake commands in the registry for one test, the way
    a developer adds one (a module holding the functions, a Command naming them), undone afterwards."""
    import types

    from xlportfolio import registry
    from xlportfolio.commands.base import Options

    def add(module_name, members, *commands):
        module = types.ModuleType(module_name)
        module.Options = Options  # what the fakes take: the options every command shares
        for name, member in members.items():
            setattr(module, name, member)
        monkeypatch.setitem(sys.modules, module_name, module)
        everything = registry.COMMANDS + commands
        monkeypatch.setattr(registry, "COMMANDS", everything)
        monkeypatch.setattr(registry, "BY_ID", {c.id: c for c in everything})
        monkeypatch.setattr(registry, "BY_CONTROL", {c.control_id: c for c in everything if c.ribbon})
        return module
    return add


@pytest.fixture(scope="session")
def intake_forms(tmp_path_factory):
    """The intake template holding 100 requests: protected.xlsx as shipped (with a password), and
    open.xlsx, its unprotected twin. Copy a form before a command changes it."""
    import dataclasses

    from xlportfolio.demo.data import sample_intake
    from xlportfolio.files.template import INTAKE_KIND, build_workbook

    folder = tmp_path_factory.mktemp("intake-forms")
    data = {"Intake": sample_intake(AS_OF)}
    build_workbook(INTAKE_KIND, data, password="s3cret").save(folder / "protected.xlsx")
    build_workbook(dataclasses.replace(INTAKE_KIND, protect=False), data).save(folder / "open.xlsx")
    return folder


@pytest.fixture
def demo_book(tmp_path):
    """A governed portfolio workbook with 100 sample intake requests, written to disk."""
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    data = sample_portfolio(AS_OF)
    data = {"Intake": data["Intake"], "Items": data["Items"]}
    path = tmp_path / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, data).save(path)
    return path

