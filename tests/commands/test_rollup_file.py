"""rollup on real portfolio files: live formulas a spreadsheet program recalculates to the engine's numbers.

The key test writes the demo portfolio's rollup, has LibreOffice recalculate every formula
(a private profile that forces recalculation on load) and compares each rollup cell with the
number the engine computed for it.
"""
import math
import shutil

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF, parts
from xlportfolio.commands.files import on_file
from xlportfolio.commands.rollup import BOOK_TABLES
from xlportfolio.commands.rollup import Options as RollupOptions
from xlportfolio.core.plan import GENERATED_SHEETS, Formula
from xlportfolio.core.rollup.breakdown import BREAKDOWN
from xlportfolio.core.rollup.by_month import BY_MONTH
from xlportfolio.core.rollup.portfolio import PORTFOLIO_TABLES
from xlportfolio.core.rollup.sheets import rollup
from xlportfolio.core.rollup.totals import ROLLUP
from xlportfolio.core.values import CellError
from xlportfolio.demo.data import sample_portfolio
from xlportfolio.errors import TemplateError
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook
from xlportfolio.files.workbook import read_tables

ROLLUP_SHEETS = (ROLLUP, BY_MONTH, BREAKDOWN)


def demo(path, **changes):
    """The demo portfolio with its Financials; `under` cuts it down to one branch, `financials` edits rows."""
    data = sample_portfolio(AS_OF)
    data = {"Intake": data["Intake"], "Items": data["Items"], "Financials": data["Financials"]}
    if top := changes.get("under"):  # only the organization, and `top` with its ancestors and descendants
        parent = {i["item_id"]: i.get("parent_id") for i in data["Items"]}

        def line(item):
            while item:
                yield item
                item = parent[item]

        kept = set(line(top)) | {i for i in parent if top in line(i)}
        data["Items"] = [i for i in data["Items"] if i["item_id"] in kept]
        data["Financials"] = [f for f in data["Financials"] if f["item_id"] in kept]
    for index, row in changes.get("financials", {}).items():
        data["Financials"][index] = {**data["Financials"][index], **row}
    build_workbook(PORTFOLIO_KIND, data).save(path)
    return path


def engine(path):
    """The engine's plan for the workbook's current tables (as the rollup command computes it)."""
    return rollup(read_tables(path, BOOK_TABLES)).plan


def expected_cells(plan):
    """(sheet, row, column) -> Formula of every formula cell the plan writes on the rollup sheets."""
    cells = {}
    for sheet in plan.sheets:
        if sheet.name not in ROLLUP_SHEETS:
            continue
        for block in sheet.blocks:
            for i, row in enumerate(block.rows):
                for j, value in enumerate(row):
                    if isinstance(value, Formula):
                        cells[(sheet.name, block.header_row + 1 + i, block.column + j)] = value
    return cells


def same(got, want):
    if isinstance(want, CellError):
        return got == want.code
    return isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(
        got, want, rel_tol=1e-6, abs_tol=1e-6)


def sheet_values(ws):
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


# --- LibreOffice recalculates what we wrote ---------------------------------------------------

@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """{name: (what we wrote, the engine's plan, the file as LibreOffice recalculated and saved it)}."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from tests.support.lo import convert_to_xlsx, make_profile

    folder = tmp_path_factory.mktemp("rollup")
    books = {
        "demo": demo(folder / "rollup-demo.xlsx"),
        # one programme, with an error value and text among the amounts, an unknown item and a mid-month period
        "broken": demo(folder / "rollup-broken.xlsx", under="PG-01", financials={0: {"plan": "#REF!"}, 1: {"forecast": "approx. 5k"}, 2: {"item_id": "M-9999"},
                                   3: {"period": AS_OF}}),
    }
    for path in books.values():
        on_file("rollup", path, RollupOptions(as_of=AS_OF))
    converted = convert_to_xlsx(list(books.values()), tmp_path_factory.mktemp("rollup-lo"),
                                make_profile(tmp_path_factory.mktemp("rollup-profile")))
    return {name: (path, engine(path), converted[path.resolve()]) for name, path in books.items()}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["demo", "broken"])
def test_every_rollup_cell_recalculates_to_the_engines_number(recalculated, name):
    written, plan, converted = recalculated[name]
    cells = expected_cells(plan)
    ours = load_workbook(written)
    theirs = load_workbook(converted, data_only=True)
    wrong = []
    for (sheet, row, column), formula in cells.items():
        assert ours[sheet].cell(row, column).value == formula.text  # a live formula, as the engine wrote it
        got = theirs[sheet].cell(row, column).value
        if not same(got, formula.value):
            wrong.append(f"{sheet}!{ours[sheet].cell(row, column).coordinate} {formula.text}: "
                         f"engine {formula.value!r}, LibreOffice {got!r}")
    assert wrong == [], f"{len(wrong)} of {len(cells)} cells differ:\n" + "\n".join(wrong[:20])
    assert len(cells) > (40_000 if name == "demo" else 1_000)
    if name == "broken":
        codes = {f.code for f in rollup(read_tables(written, BOOK_TABLES)).report.findings}
        assert {"rollup-not-amount", "rollup-unmatched-row", "rollup-bad-period"} <= codes
        assert any('">-1E+300"' in f.text for f in cells.values())  # the #REF! column sums numbers only


# --- the file command -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    return demo(tmp_path_factory.mktemp("portfolio") / "portfolio.xlsx")


def test_rollup_writes_formulas_and_leaves_user_sheets_alone(portfolio, tmp_path):
    out = tmp_path / "out.xlsx"
    result = on_file("rollup", portfolio, RollupOptions(as_of=AS_OF), output=out)
    assert result.written == out and not result.figures.values
    assert result.figures.items > 400 and result.figures.upper == 51 and len(result.figures.months) == 24
    # The rollup's own reading of the demo is clean; what it reports are the portfolio checks'
    # findings (the sample plans money outside item dates and overbooks some months).
    from xlportfolio.core.checks.registry import CHECKS

    portfolio_codes = {code for chk in CHECKS.values() if chk.table in PORTFOLIO_TABLES for code in chk.codes}
    assert {f.code for f in result.report.findings} <= portfolio_codes
    assert "Dashboard" in load_workbook(out, read_only=True).sheetnames
    before, after = load_workbook(portfolio), load_workbook(out)
    assert set(ROLLUP_SHEETS) <= set(after.sheetnames)
    for name in before.sheetnames:
        if name not in GENERATED_SHEETS:
            assert sheet_values(after[name]) == sheet_values(before[name]), name
    ws = after[ROLLUP]
    assert ws["A2"].value == "Item ID" and ws["A3"].value == "ORG" and ws.freeze_panes == "E3"
    assert sum(c.data_type == "f" for row in ws.iter_rows(min_row=3) for c in row) > 20_000
    assert after.calculation.fullCalcOnLoad


def test_running_twice_changes_nothing(portfolio, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    on_file("rollup", portfolio, RollupOptions(as_of=AS_OF), output=first)
    on_file("rollup", first, RollupOptions(as_of=AS_OF), output=second)
    assert parts(first) == parts(second)


def test_values_writes_a_snapshot_of_plain_numbers(portfolio, tmp_path):
    out = tmp_path / "values.xlsx"
    result = on_file("rollup", portfolio, RollupOptions(values=True, as_of=AS_OF), output=out)
    assert result.figures.values
    wb = load_workbook(out)
    for name in ROLLUP_SHEETS:
        assert not any(c.data_type == "f" for row in wb[name].iter_rows() for c in row), name
    cells = expected_cells(engine(portfolio))
    assert len(cells) > 40_000
    wrong = [key for key, formula in cells.items()
             if not formula.text.startswith("=MATCH(")  # the positions block is left out of a snapshot
             and not same(wb[key[0]].cell(key[1], key[2]).value, formula.value)]
    assert wrong == []


def test_an_older_workbook_without_stage_weights_uses_the_defaults(portfolio, tmp_path):
    wb = load_workbook(portfolio)
    del wb["Stage weights"]
    old = tmp_path / "old.xlsx"
    wb.save(old)
    on_file("rollup", old, RollupOptions(as_of=AS_OF))
    ws = load_workbook(old)[ROLLUP]
    header = [c.value for c in ws[2]]
    weights = {ws.cell(r, 8).value: ws.cell(r, header.index("Stage weight") + 1).value for r in range(3, 40)}
    assert weights["DI1 Defined"] == 0.1 and weights["DI5 Implemented"] == 1.0


def test_a_workbook_without_items_is_refused(tmp_path):
    path = tmp_path / "intake.xlsx"
    from xlportfolio.files.template import INTAKE_KIND

    build_workbook(INTAKE_KIND).save(path)
    with pytest.raises(TemplateError, match="no Items table"):
        on_file("rollup", path, RollupOptions())
