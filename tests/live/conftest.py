"""The live adapter's tests run xlwings' remote engine on Office.js payloads made from .xlsx files."""
import shutil
from pathlib import Path

import pytest

import tests.live.remote  # noqa: F401  (sets xlwings' noncommercial key before a test module imports xlwings)
from tests.support import AS_OF


def _save(kind, data, path):
    from xlportfolio.files.template import build_workbook

    build_workbook(kind, data).save(path)
    return path


@pytest.fixture(scope="session")
def _workbooks(tmp_path_factory):
    """Both standard workbooks, built once: a portfolio with 100 sample requests and the Items
    hierarchy, and an intake template (200 pre-formatted blank rows) holding 100 requests."""
    from xlportfolio.demo.data import sample_intake, sample_portfolio
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
