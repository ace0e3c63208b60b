"""The live adapter's tests run xlwings' remote engine on Office.js payloads made from .xlsx files."""
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

AS_OF = dt.date(2026, 6, 30)

# xlwings registers its remote engine at import time, and only with a licence key: the
# noncommercial key is for these tests alone, never the package.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def open_remote(payload: dict):
    """`xw.Book(json=payload)`, registering the remote engine if xlwings was imported before the key was set."""
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
    return xw.Book(json=payload)


def _save(kind, data, path):
    from xlportfolio.files.template import build_workbook

    build_workbook(kind, data).save(path)
    return path


@pytest.fixture(scope="session")
def _workbooks(tmp_path_factory):
    """Both standard workbooks, built once: a portfolio with 100 sample requests and the Items
    hierarchy, and an intake template (200 pre-formatted blank rows) holding 100 requests."""
    from xlportfolio.demo_data import sample_intake, sample_portfolio
    from xlportfolio.files.template import INTAKE_KIND, PORTFOLIO_KIND

    folder = tmp_path_factory.mktemp("live-books")
    data = sample_portfolio(AS_OF)
    return {
        "portfolio": _save(PORTFOLIO_KIND, {"Intake": data["Intake"], "Items": data["Items"]},
                           folder / "portfolio.xlsx"),
        "intake": _save(INTAKE_KIND, {"Intake": sample_intake(AS_OF)}, folder / "intake.xlsx"),
    }


@pytest.fixture
def portfolio(_workbooks, tmp_path):
    """A fresh copy of the portfolio workbook, for this test to change."""
    return Path(shutil.copy(_workbooks["portfolio"], tmp_path / "portfolio.xlsx"))


@pytest.fixture
def intake(_workbooks, tmp_path):
    """A fresh copy of the intake workbook."""
    return Path(shutil.copy(_workbooks["intake"], tmp_path / "intake.xlsx"))
