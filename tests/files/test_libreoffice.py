"""A real spreadsheet program opens every workbook we write (LibreOffice headless).

All inputs are converted in one soffice call (a module-scoped fixture); each test then compares
what we wrote, read with openpyxl, with what LibreOffice saved, read with openpyxl.
"""
import io
import shutil

import pytest

from tests.support import AS_OF

if shutil.which("soffice") is None:
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)

from openpyxl import load_workbook  # noqa: E402
from rich.console import Console  # noqa: E402

from tests.support.lo import convert_to_xlsx, make_profile  # noqa: E402
from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import Options as ValidateOptions  # noqa: E402
from xlportfolio.core.plan import MARKS_SHEET  # noqa: E402
from xlportfolio.demo.data import sample_portfolio  # noqa: E402
from xlportfolio.demo.run import run_demo  # noqa: E402
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook  # noqa: E402
from xlportfolio.schema import INTAKE  # noqa: E402

pytestmark = pytest.mark.libreoffice

FORMULA = "=1000*12"
UNCALCULATED = "uncalculated-formula"


def column_of(ws, header):
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise AssertionError(f"no column {header!r} in {ws.title}")


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory):
    """A private LibreOffice profile for this test session (and this worker, under xdist)."""
    return make_profile(tmp_path_factory.mktemp("lo-profile"))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The workbooks we write: the demo's template and validated portfolio, and a book with a formula."""
    demo = run_demo(tmp_path_factory.mktemp("demo"), as_of=AS_OF, console=Console(file=io.StringIO()))
    # As conftest's demo_book, with =1000*12 typed into row 2's Cost estimate and saved by openpyxl,
    # so there is no cached result.
    data = sample_portfolio(AS_OF)
    path = tmp_path_factory.mktemp("formula") / "formula-book.xlsx"
    wb = build_workbook(PORTFOLIO_KIND, {"Intake": data["Intake"], "Items": data["Items"]})
    ws = wb["Intake"]
    ws.cell(2, column_of(ws, "Cost estimate")).value = FORMULA
    wb.save(path)
    return {"template": demo.paths["template"], "portfolio": demo.paths["portfolio"], "formula": path}


@pytest.fixture(scope="module")
def converted(written, lo_profile, tmp_path_factory):
    """{name: the file as LibreOffice saved it}: one soffice call for every file."""
    out = convert_to_xlsx(list(written.values()), tmp_path_factory.mktemp("lo-out"), lo_profile)
    return {name: out[path.resolve()] for name, path in written.items()}


@pytest.fixture(scope="module")
def portfolios(written, converted):
    """(ours, LibreOffice's) validated demo portfolio, read with openpyxl."""
    return load_workbook(written["portfolio"]), load_workbook(converted["portfolio"])


# --- the intake template ---------------------------------------------------------------------

def test_template_sheets(converted):
    wb = load_workbook(converted["template"])
    assert {"Instructions", "Intake", "Lists"} <= set(wb.sheetnames)


def test_template_intake_header_is_the_schema(converted):
    ws = load_workbook(converted["template"])["Intake"]
    assert [c.value for c in ws[1]] == [c.label for c in INTAKE.columns]


def test_template_lists_survive(written, converted):
    ours = list(load_workbook(written["template"])["Lists"].iter_rows(values_only=True))
    theirs = list(load_workbook(converted["template"])["Lists"].iter_rows(values_only=True))
    assert ours and theirs == ours


def test_template_tables_and_protection_survive(written, converted):
    ours, theirs = load_workbook(written["template"]), load_workbook(converted["template"])
    for name in ("Intake", "Lists"):
        assert sorted(theirs[name].tables) == sorted(ours[name].tables)
    assert theirs["Intake"].protection.sheet
    assert set(ours.defined_names) <= set(theirs.defined_names)


# --- the validated demo portfolio ------------------------------------------------------------

def test_portfolio_validation_column(portfolios):
    ours, theirs = (wb["Intake"] for wb in portfolios)
    col = column_of(ours, "Validation")
    assert column_of(theirs, "Validation") == col
    values = [ours.cell(r, col).value for r in range(2, ours.max_row + 1)]
    assert any(v not in (None, "OK") for v in values)
    assert [theirs.cell(r, col).value for r in range(2, ours.max_row + 1)] == values


def test_portfolio_findings_rows(portfolios):
    ours, theirs = (list(wb["Findings"].iter_rows(values_only=True)) for wb in portfolios)
    assert len(ours) > 1
    assert theirs == ours


def test_portfolio_findings_links(portfolios):
    ours, theirs = ({c.coordinate: c.hyperlink.location for row in wb["Findings"].iter_rows() for c in row
                     if c.hyperlink} for wb in portfolios)
    assert ours and theirs == ours


def test_portfolio_comments(portfolios):
    ours, theirs = ({c.coordinate: c.comment.text for row in wb["Intake"].iter_rows() for c in row if c.comment}
                    for wb in portfolios)
    assert ours and theirs == ours


def test_portfolio_fills_of_marked_cells(portfolios):
    ours, theirs = (wb["Intake"] for wb in portfolios)
    marked = [c.coordinate for row in ours.iter_rows() for c in row if c.comment]
    # LibreOffice writes the alpha byte as FF where openpyxl writes 00; Excel ignores it.
    assert [theirs[m].fill.fgColor.rgb[-6:] for m in marked] == [ours[m].fill.fgColor.rgb[-6:] for m in marked]


def test_portfolio_hidden_sheet(portfolios):
    ours, theirs = portfolios
    assert theirs.sheetnames == ours.sheetnames
    assert ours[MARKS_SHEET].sheet_state == "hidden"
    assert theirs[MARKS_SHEET].sheet_state == "hidden"


# --- formulas recalculated by a real program -------------------------------------------------

def uncalculated_rows(path, output):
    report = on_file("validate", path, ValidateOptions(as_of=AS_OF), output=output).report
    return {f.row for f in report.findings if f.code == UNCALCULATED}


def test_formula_is_recalculated(written, converted, tmp_path):
    assert 2 in uncalculated_rows(written["formula"], tmp_path / "ours-validated.xlsx")

    ws = load_workbook(converted["formula"], data_only=True)["Intake"]
    assert ws.cell(2, column_of(ws, "Cost estimate")).value == 12000
    ws = load_workbook(converted["formula"])["Intake"]
    assert ws.cell(2, column_of(ws, "Cost estimate")).value == FORMULA  # still a formula, not a pasted value
    assert 2 not in uncalculated_rows(converted["formula"], tmp_path / "lo-validated.xlsx")
