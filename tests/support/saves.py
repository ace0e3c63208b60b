"""Helpers for the save, lock and temporary-file tests (tests/files/test_save.py, test_locks.py,
test_temps.py). The save never looks inside a workbook, so a "workbook" there is a few ledger lines
of bytes (the `book` fixture in tests/files/conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

LEDGER = b"ledger: P-001 DI1 -> DI2 approved by Ana\n"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions, flock and signals")


def writer(data: bytes):
    return lambda fh: fh.write(data)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".xlportfolio-" in p.name)


def spawn(code: str, *args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
