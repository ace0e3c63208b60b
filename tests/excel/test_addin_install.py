"""install_addin: a dry run writes nothing; install then uninstall leaves a home as it was."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run
from xlportfolio.errors import InstallError
from xlportfolio.excel import addin_install as inst
from xlportfolio.excel import addin_steps as steps

ROOT = Path(__file__).resolve().parents[2]


def snapshot(home: Path) -> dict:
    """Every file (with its bytes) and folder under `home`."""
    out = {}
    for p in sorted(home.rglob("*")):
        out[str(p.relative_to(home))] = p.read_bytes() if p.is_file() else "<dir>"
    return out


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory):
    """One add-in for the whole module: building it each time is what --addin saves."""
    from xlportfolio.excel.addin_build import build_addin

    return build_addin(tmp_path_factory.mktemp("built"))


def lived_in(home: Path, platform: str) -> Path:
    """A home that already has an xlwings.conf (other keys, CRLF, no final newline) and an
    older xlwings add-in in XLSTART."""
    where = inst.layout(platform, home)
    where.conf.parent.mkdir(parents=True)
    key = where.conf_key
    where.conf.write_bytes(f'"CONDA PATH","C:\\conda"\r\n"{key}","C:\\old\\python.exe"\r\n"SHOW CONSOLE","False"'.encode())
    where.xlstart.mkdir(parents=True)
    (where.xlstart / "xlwings.xlam").write_bytes(b"an older xlwings add-in")
    (where.xlstart / "personal.xlsb").write_bytes(b"the user's own macros")
    return home


def out_lines():
    lines = []
    return lines, lines.append


@pytest.mark.parametrize("platform", ["windows", "mac"])
def test_dry_run_writes_nothing(tmp_path, platform):
    home = lived_in(tmp_path / "home", platform)
    before = snapshot(home)
    lines, out = out_lines()
    assert inst.install(dry_run=True, platform=platform, home=home, out=out) == 0
    assert snapshot(home) == before
    text = "\n".join(lines)
    assert "Dry run: nothing is changed" in text
    assert "would build xlportfolio.xlam" in text
    assert "would replace xlwings' add-in" in text and "would copy our add-in" in text
    assert f"would update {inst.layout(platform, home).conf}" in text
    assert "NOT needed" in text  # the Trust Center note


def test_dry_run_into_an_empty_home_creates_nothing(tmp_path):
    home = tmp_path / "nobody"
    lines, out = out_lines()
    inst.install(dry_run=True, platform="mac", home=home, out=out)
    assert not home.exists()
    text = "\n".join(lines)
    assert text.count(f"would create folder {home / 'Library'}\n") == 1  # said once, not per step
    assert "xlwings-" in text and ".applescript" in text  # RunPython's AppleScript on macOS


@pytest.mark.parametrize("platform", ["windows", "mac"])
def test_install_then_uninstall_restores_the_home(tmp_path, platform, prebuilt):
    home = lived_in(tmp_path / "home", platform)
    before = snapshot(home)
    where = inst.layout(platform, home)
    assert inst.install(platform=platform, home=home, addin=prebuilt, out=lambda s: None) == 0

    assert (where.xlstart / "xlportfolio.xlam").read_bytes() == prebuilt.read_bytes()
    assert (where.xlstart / "xlwings.xlam").read_bytes() == inst.xlwings_files()["addin"].read_bytes()
    conf = where.conf.read_bytes().decode()
    assert f'"{where.conf_key}","{sys.executable}"\r\n' in conf
    assert '"CONDA PATH","C:\\conda"\r\n' in conf and '"SHOW CONSOLE","False"' in conf
    assert "C:\\old\\python.exe" not in conf
    assert (where.xlstart / "personal.xlsb").read_bytes() == b"the user's own macros"
    if platform == "mac":
        assert (where.scripts / inst.xlwings_files()["applescript"].name).is_file()

    assert inst.uninstall(platform=platform, home=home, out=lambda s: None) == 0
    assert snapshot(home) == before  # byte for byte, folders included


@pytest.mark.parametrize("platform", ["windows", "mac"])
def test_install_into_an_empty_home_and_back(tmp_path, platform, prebuilt):
    home = tmp_path / "home"
    home.mkdir()
    inst.install(platform=platform, home=home, addin=prebuilt, out=lambda s: None)
    where = inst.layout(platform, home)
    newline = "\r\n" if platform == "windows" else "\n"
    assert where.conf.read_bytes().decode() == f'"{where.conf_key}","{sys.executable}"{newline}'
    inst.uninstall(platform=platform, home=home, out=lambda s: None)
    assert snapshot(home) == {}


def test_installing_twice_still_restores_the_first_original(tmp_path, prebuilt):
    home = lived_in(tmp_path / "home", "windows")
    before = snapshot(home)
    for _ in range(2):
        inst.install(platform="windows", home=home, addin=prebuilt, out=lambda s: None)
    inst.uninstall(platform="windows", home=home, out=lambda s: None)
    assert snapshot(home) == before


def test_uninstall_keeps_what_the_user_changed_since(tmp_path, prebuilt):
    home = lived_in(tmp_path / "home", "windows")
    where = inst.layout("windows", home)
    inst.install(platform="windows", home=home, addin=prebuilt, out=lambda s: None)
    with where.conf.open("ab") as f:  # the user sets another key through xlwings' ribbon
        f.write(b'"PYTHONPATH","C:\\work"\r\n')
    (where.xlstart / "xlwings.xlam").write_bytes(b"xlwings updated by hand")
    lines, out = out_lines()
    inst.uninstall(platform="windows", home=home, out=out)
    conf = where.conf.read_bytes().decode()
    assert '"PYTHONPATH","C:\\work"' in conf  # kept
    assert '"INTERPRETER_WIN","C:\\old\\python.exe"' in conf  # our key reverted in place
    assert sys.executable not in conf
    assert (where.xlstart / "xlwings.xlam").read_bytes() == b"xlwings updated by hand"
    assert not (where.xlstart / "xlportfolio.xlam").exists()
    assert any("leave" in line and "xlwings.xlam" in line for line in lines)


def test_uninstall_without_a_record_removes_only_what_is_ours(tmp_path, prebuilt):
    home = lived_in(tmp_path / "home", "windows")
    where = inst.layout("windows", home)
    (where.xlstart / "xlportfolio.xlam").write_bytes(prebuilt.read_bytes())
    with where.conf.open("ab") as f:
        f.write(b"\r\n")
    text = where.conf.read_bytes().decode()
    where.conf.write_bytes(text.replace("C:\\old\\python.exe", sys.executable).encode())
    inst.uninstall(platform="windows", home=home, out=lambda s: None)
    assert not (where.xlstart / "xlportfolio.xlam").exists()
    assert (where.xlstart / "xlwings.xlam").read_bytes() == b"an older xlwings add-in"
    assert "INTERPRETER_WIN" not in where.conf.read_text()
    assert "CONDA PATH" in where.conf.read_text()


def test_linux_says_so_and_only_shows_the_plan(tmp_path):
    home = tmp_path / "home"
    lines, out = out_lines()
    assert inst.install(platform="linux", home=home, out=out) == 0
    text = "\n".join(lines)
    assert text.startswith("Excel runs on Windows and macOS only, so there is nothing to install")
    assert "on windows" in text and "on mac" in text and "would copy" in text
    assert not home.exists()


def test_home_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(inst.HOME_ENV, str(tmp_path))
    monkeypatch.setenv("APPDATA", r"C:\Users\someone\AppData\Roaming")  # ignored for a fake home
    where = inst.layout("windows")
    assert where.xlstart == tmp_path / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    assert where.conf == tmp_path / ".xlwings" / "xlwings.conf"


def test_conf_lines_are_edited_in_place():
    text = '"A","1"\r\n"interpreter_win","old"\r\n"B","2"\r\n'
    new = steps.set_conf_key(text, "INTERPRETER_WIN", "C:\\py\\python.exe", "\r\n")
    assert new == '"A","1"\r\n"INTERPRETER_WIN","C:\\py\\python.exe"\r\n"B","2"\r\n'
    assert steps.remove_conf_key(new, "INTERPRETER_WIN", "C:\\py\\python.exe", text) == text
    with pytest.raises(InstallError, match="double quote"):
        steps.conf_line("INTERPRETER_WIN", 'C:\\"odd"\\python.exe')


def test_the_script_wrapper(tmp_path):
    env = {**os.environ, inst.HOME_ENV: str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "install_addin.py"), "--dry-run", "--platform", "windows"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "would copy our add-in" in done.stdout
    assert not (tmp_path / "home").exists()


def test_a_missing_addin_file_is_a_clear_error(tmp_path):
    """The script and `xlportfolio addin install` are one command: the same message, the same exit."""
    nope = tmp_path / "nope.xlam"
    args = ["--platform", "windows", "--home", str(tmp_path / "home"), "--addin", str(nope)]
    script = subprocess.run([sys.executable, str(ROOT / "install_addin.py"), *args], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path, timeout=120)
    cli = run("addin", "install", *args)
    assert script.returncode == cli.exit_code == 2
    message = f"error: {nope}: no such add-in file; build one with `xlportfolio addin build`."
    assert message in script.stderr and message in cli.output
    assert "Traceback" not in script.stderr and not (tmp_path / "home").exists()
