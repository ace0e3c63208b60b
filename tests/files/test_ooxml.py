"""Every workbook we write passes the ECMA-376 (transitional) schema check, without --mce.

The checker is ../shared/ooxml/check_ooxml.py: it picks each part's schema by its content type (so
comments, tables and charts are checked wherever the writer put them) and accepts Excel's
<t xml:space="preserve">. An XSD check catches unknown attributes, wrong element order and bad enum
values -- what makes Excel say "We found a problem with some content".
"""
import io
import re
import sys
import zipfile

import lxml  # noqa: F401  (a test dependency, pip install -e .[test]; the checker needs it)
import pytest

from tests.support import AS_OF, SHARED

if not (SHARED / "ooxml" / "check_ooxml.py").is_file():
    pytest.skip(f"the OOXML schema checker is not at {SHARED / 'ooxml'}", allow_module_level=True)
sys.path.insert(0, str(SHARED / "ooxml"))

from check_ooxml import invalid_parts  # noqa: E402
from rich.console import Console  # noqa: E402

from xlportfolio.commands.files import on_file
from xlportfolio.commands.validate import Options as ValidateOptions  # noqa: E402
from xlportfolio.demo.data import sample_intake  # noqa: E402
from xlportfolio.demo.run import run_demo  # noqa: E402
from xlportfolio.files.template import INTAKE_KIND, PORTFOLIO_KIND, build_workbook  # noqa: E402


def assert_valid(path):
    bad = invalid_parts(path)
    assert bad == [], f"{path.name} has parts that fail the ECMA-376 schema:\n" + "\n".join(
        f"  {part}: {message}" for part, message in bad)


def comment_parts(path):
    """The parts [Content_Types].xml declares as cell comments (notes)."""
    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml")
    return re.findall(rb'PartName="/([^"]+)" ContentType="[^"]*spreadsheetml\.comments\+xml"', types)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's files: a validated portfolio (comments, fills, links, a hidden sheet) and a template."""
    return run_demo(tmp_path_factory.mktemp("demo"), as_of=AS_OF, console=Console(file=io.StringIO()))


@pytest.fixture(scope="module")
def filled_intake(tmp_path_factory):
    """An intake template with 30 requests, four of them broken, after validate."""
    # sample_intake(AS_OF, count=30) raises IndexError: _break_some needs at least 92 rows.
    rows = sample_intake(AS_OF)[:30]
    path = tmp_path_factory.mktemp("intake") / "filled.xlsx"
    build_workbook(INTAKE_KIND, {"Intake": rows}).save(path)
    result = on_file("validate", path, ValidateOptions(as_of=AS_OF))
    assert result.report.errors + result.report.warnings > 0
    return path


def test_intake_template(tmp_path):
    path = tmp_path / "intake.xlsx"
    build_workbook(INTAKE_KIND).save(path)
    assert_valid(path)


def test_portfolio_template(tmp_path):
    path = tmp_path / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND).save(path)
    assert_valid(path)


def test_demo_intake_template(demo):
    assert_valid(demo.paths["template"])


def test_demo_portfolio_after_validate(demo):
    """Cells with leading or trailing spaces keep them with <t xml:space="preserve">, as Excel writes."""
    assert comment_parts(demo.paths["portfolio"]), "the validated demo should have cell comments"
    assert_valid(demo.paths["portfolio"])


def test_filled_intake_after_validate(filled_intake):
    assert comment_parts(filled_intake), "validate should have marked the broken rows with comments"
    assert_valid(filled_intake)
