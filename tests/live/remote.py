"""xlwings' remote engine for the live adapter's tests (and bench/bench_live.py).

xlwings registers its remote engine at import time, and only with a licence key: the noncommercial
key is for these tests alone, never the package. Importing this module sets it; tests/live/conftest.py
imports it first, before any test module imports xlwings.
"""
import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def open_remote(payload: dict):
    """`xw.Book(json=payload)`, registering the remote engine if xlwings was imported before the key was set."""
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
    return xw.Book(json=payload)
