"""What the tests share besides fixtures: the fixed report date, where the repository and the shared
corpus are, and helpers imported by name (`tests.support.inline`, `tests.support.lo`).

conftest.py files hold fixtures only; a test imports these, never a conftest.
"""
import datetime as dt
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"

AS_OF = dt.date(2026, 6, 30)


def parts(path):
    """Every part of an .xlsx as bytes, less the save timestamp."""
    with zipfile.ZipFile(path) as zf:
        out = {n: zf.read(n) for n in zf.namelist()}
    if "docProps/core.xml" in out:
        out["docProps/core.xml"] = re.sub(rb"<dcterms:modified[^<]*</dcterms:modified>", b"",
                                          out["docProps/core.xml"])
    return out
