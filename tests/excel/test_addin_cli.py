"""The `xlportfolio addin ...` sub-commands (mounted by the main CLI) and `serve`'s checks."""
import zipfile

import typer
from typer.testing import CliRunner

from xlportfolio import registry
from xlportfolio.excel.cli import addin_app, serve

runner = CliRunner()


def test_build(tmp_path):
    result = runner.invoke(addin_app, ["build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"({len(registry.ribbon_commands())} buttons)" in result.output
    assert zipfile.is_zipfile(tmp_path / "xlportfolio.xlam")


def test_install_dry_run(tmp_path):
    result = runner.invoke(addin_app, ["install", "--dry-run", "--platform", "mac", "--home", str(tmp_path / "h")])
    assert result.exit_code == 0, result.output
    assert "would copy our add-in" in result.output and not (tmp_path / "h").exists()


def test_install_refuses_an_unknown_platform(tmp_path):
    result = runner.invoke(addin_app, ["install", "--platform", "amiga", "--home", str(tmp_path)])
    assert result.exit_code == 2 and "use windows or mac" in result.output


def test_manifest(tmp_path):
    out = tmp_path / "manifest.xml"
    result = runner.invoke(addin_app, ["manifest", "--url", "https://xlp.example.com:8443/", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "https://xlp.example.com:8443/taskpane" in text and "xlp_validate" in text


def test_manifest_needs_https():
    result = runner.invoke(addin_app, ["manifest", "--url", "http://localhost:8000"])
    assert result.exit_code == 2 and "HTTPS" in result.output


def test_serve_checks_its_certificate_options(tmp_path):
    app = typer.Typer()
    app.command()(serve)
    result = runner.invoke(app, ["--cert", str(tmp_path / "cert.pem")])
    assert result.exit_code == 2 and "both --cert and --key" in result.output
    result = runner.invoke(app, ["--cert", str(tmp_path / "c.pem"), "--key", str(tmp_path / "k.pem")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_serve_without_the_server_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    app = typer.Typer()
    app.command()(serve)
    result = runner.invoke(app, [])
    assert result.exit_code == 2 and "pip install 'xlportfolio[server]'" in result.output
