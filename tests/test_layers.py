"""The package's layers hold: import-linter checks the contracts in pyproject.toml.

Front ends (cli, then excel) over the demo, over commands, over the adapters (crm; files and live;
the package engine; surfaces), over the core, over the schema. The core imports no adapter and none
of openpyxl, xlwings or fastapi (test_core_is_pure.py checks the same from the other side), and
nothing below the front ends imports an entry point.
"""
from __future__ import annotations

import tomllib

from importlinter.cli import lint_imports

from tests.support import ROOT


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_contracts_are_the_ones_the_design_names():
    assert {c["id"] for c in _contracts()} == {"layers", "core-pure", "entry-points"}


def test_every_contract_is_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # import-linter reads pyproject.toml from the working directory
    result = lint_imports(no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert result == 0, report
    assert "3 kept, 0 broken" in report


def test_a_broken_layer_is_reported(tmp_path, monkeypatch, capsys):
    """The linter sees the real import graph: the schema placed above the core breaks the layers."""
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = xlportfolio\n\n"
        "[importlinter:contract:upside-down]\nname = upside down\ntype = layers\n"
        "layers =\n    xlportfolio.schema\n    xlportfolio.core\n")
    monkeypatch.chdir(ROOT)
    result = lint_imports(config_filename=str(tmp_path / ".importlinter"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert result == 1
    assert "xlportfolio.core is not allowed to import xlportfolio.schema:" in report
