"""Run LibreOffice headless on workbooks, for the tests marked `libreoffice`.

Each test session gets a private LibreOffice profile (-env:UserInstallation) so that a running
LibreOffice, a stale profile lock or a parallel test worker cannot block the conversion. The
profile is seeded to always recalculate formulas when it loads an .xlsx: by default LibreOffice
trusts the cached values of files it did not write ("never recalculate").
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

TIMEOUT = 180  # seconds for one soffice call (the first start in a fresh profile is the slow one)

# org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode: 0 always, 1 never (default), 2 prompt.
REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice")


def make_profile(folder: Path, *, recalculate: bool = True) -> Path:
    """A fresh LibreOffice user profile in `folder` that recalculates OOXML formulas on load (or,
    with `recalculate=False`, shows the results saved in the file: enough to print a layout)."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    registry = REGISTRY if recalculate else REGISTRY.replace("<value>0</value>", "<value>1</value>")
    (user / "registrymodifications.xcu").write_text(registry, encoding="utf-8")
    return folder


def convert_to_xlsx(files: list[Path], outdir: Path, profile: Path) -> dict[Path, Path]:
    """Open each file in LibreOffice and save it as .xlsx into `outdir`, all in one soffice call.

    Returns {input: converted}. Fails the test, with LibreOffice's output, if a file is missing.
    """
    return convert(files, outdir, profile, "xlsx")


def convert(files: list[Path], outdir: Path, profile: Path, target: str) -> dict[Path, Path]:
    """Open each file in LibreOffice and save it as `target` ("xlsx", "pdf") into `outdir`, all in
    one soffice call. A PDF prints every visible sheet with the sheet's own page setup."""
    files = [Path(f).resolve() for f in files]
    outdir = Path(outdir).resolve()
    stems = [f.stem for f in files]
    assert len(set(stems)) == len(stems), f"LibreOffice names its output by the input's stem: {stems}"
    assert all(f.parent != outdir for f in files), "converting into the input folder overwrites the input"
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [soffice() or "soffice", "--headless", "--norestore", "--nolockcheck",
           f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
           "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
    # A session of its own, so that on a timeout the whole soffice -> oosplash -> soffice.bin
    # group that this call started can be ended, and nothing else.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"LibreOffice did not finish within {TIMEOUT} s: {' '.join(cmd)}\n"
                    f"stdout:\n{out}\nstderr:\n{err}")
    result = {f: outdir / f"{f.stem}.{target}" for f in files}
    missing = [str(f) for f, converted in result.items() if not converted.is_file()]
    if missing:
        pytest.fail(f"LibreOffice (exit {proc.returncode}) wrote nothing for {missing}\n"
                    f"command: {' '.join(cmd)}\nstdout:\n{out}\nstderr:\n{err}")
    return result
