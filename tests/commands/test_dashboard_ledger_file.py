"""The Dashboard counts an item whose Stage or State was typed over where the ledger says it stands."""
import datetime as dt
import shutil

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.gates import Options as GatesOptions
from xlportfolio.commands.rollup import Options as RollupOptions
from xlportfolio.demo.data import sample_portfolio
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

NOW = dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC)
SHEET = "Dashboard"


def set_cells(path, changes):
    """Type values over Items cells as a person would: {(row, header): value}."""
    wb = load_workbook(path)
    ws = wb["Items"]
    head = {c.value: c.column for c in ws[1]}
    for (row, header), value in changes.items():
        ws.cell(row, head[header], value)
    wb.save(path)


def sheet_cells(path, data_only):
    ws = load_workbook(path, data_only=data_only)[SHEET]
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """(as the gates left it, rolled up; the same with two measures typed over, rolled up; the two measures)."""
    folder = tmp_path_factory.mktemp("ledger-dash")
    data = sample_portfolio(AS_OF)
    data["Financials"] = [r for r in data["Financials"] if r["item_id"] <= "M-0040"]  # enough, and fast
    clean = folder / "clean.xlsx"
    build_workbook(PORTFOLIO_KIND, data).save(clean)
    on_file("gates", clean, GatesOptions(as_of=AS_OF, now=NOW))  # every item joins the ledger as found
    typed = folder / "typed.xlsx"
    shutil.copy(clean, typed)
    ws = load_workbook(clean)["Items"]
    col = {c.value: c.column - 1 for c in ws[1]}
    measures = [r for r in ws.iter_rows(min_row=2) if r[col["Level"]].value == "Measure"
                and r[col["Stage"]].value == "DI3 Detailed" and r[col["State"]].value == "Active"
                and isinstance(r[col["Estimated value"]].value, (int, float)) and r[col["Estimated value"]].value > 0]
    up, cancelled = measures[0], measures[1]
    set_cells(typed, {(up[0].row, "Stage"): "DI5 Implemented", (cancelled[0].row, "State"): "Cancelled"})
    on_file("rollup", clean, RollupOptions(as_of=AS_OF))
    on_file("rollup", typed, RollupOptions(as_of=AS_OF))
    named = [(r[0].value, r[col["Name"]].value, r[col["Estimated value"]].value) for r in (up, cancelled)]
    return clean, typed, named


def stage_rows(path, data_only=True):
    """{stage: (items, estimated value)} of the Dashboard's value-by-stage table."""
    ws = load_workbook(path, data_only=data_only)[SHEET]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Stage")
    out = {}
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, 1).value in (None, "Total"):
            break
        out[ws.cell(r, 1).value] = (ws.cell(r, 2).value, ws.cell(r, 3).value)
    return out


def test_a_typed_over_item_is_counted_at_its_ledger_stage_and_state(books):
    clean, typed, [(up, up_name, up_value), (cancelled, cancelled_name, _)] = books
    # Counted where the ledger has them, every figure is the untyped book's: by stage, by state, the
    # stage-weighted value; what the typed book adds is the line in A2 and the block at Q3 listing them.
    ours, theirs = sheet_cells(clean, True), sheet_cells(typed, True)
    added = {k for k in theirs if k not in ours}
    assert {k for k in ours if ours[k] != theirs.get(k)} == set()
    assert (2, 1) in added and all(c >= 17 for r, c in added - {(2, 1)})
    line = theirs[(2, 1)]
    assert line.startswith("2 items counted at their ledger stage and state")
    assert f"{up} {up_name} (Items says Stage DI5 Implemented, ledger DI3 Detailed)" in line
    assert f"{cancelled} {cancelled_name} (Items says State Cancelled, ledger Active)" in line
    # The item is in DI3's row and not in DI5's, though its cell says DI5.
    stages = stage_rows(typed)
    assert stages == stage_rows(clean)
    formulas = stage_rows(typed, data_only=False)
    assert '-COUNTIFS($U$5:$U$6,"DI3 Detailed",$S$5:$S$6,"Measure")' in formulas["DI3 Detailed"][0]
    assert '+SUMIFS($T$5:$T$6,$V$5:$V$6,"DI5 Implemented",$S$5:$S$6,"Measure")' in formulas["DI5 Implemented"][1]
    ws = load_workbook(typed)[SHEET]
    assert [c.value for c in ws[4][16:24]] == ["Item ID", "Name", "Level", "Estimated value", "Stage on Items",
                                               "Ledger stage", "State on Items", "Ledger state"]
    assert [c.value for c in ws[5][16:24]] == [up, up_name, "Measure", up_value, "DI5 Implemented",
                                               "DI3 Detailed", "Active", "Active"]


def test_without_a_typed_over_item_the_dashboard_has_no_ledger_line(books):
    clean, _, _ = books
    ws = load_workbook(clean)[SHEET]
    assert ws.cell(2, 1).value is None and ws.cell(4, 17).value is None


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_ledger_corrected_figures_to_the_engines(books, tmp_path):
    from tests.support import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice is not installed")
    _, typed, _ = books
    source = tmp_path / "in" / "typed.xlsx"
    source.parent.mkdir()
    shutil.copy(typed, source)
    converted = lo.convert_to_xlsx([source], tmp_path / "lo", lo.make_profile(tmp_path / "profile"))
    texts = load_workbook(source)[SHEET]
    cached = load_workbook(source, data_only=True)[SHEET]
    recalculated = load_workbook(converted[source.resolve()], data_only=True)[SHEET]
    cells = [(c.row, c.column) for row in texts.iter_rows() for c in row if c.data_type == "f"]
    wrong = {(r, c): (texts.cell(r, c).value, cached.cell(r, c).value, recalculated.cell(r, c).value)
             for r, c in cells if recalculated.cell(r, c).value != pytest.approx(cached.cell(r, c).value, abs=1e-6)}
    assert wrong == {}
    corrected = [rc for rc in cells if "+COUNTIFS($" in texts.cell(*rc).value or "+SUMIFS($" in texts.cell(*rc).value]
    assert len(corrected) >= 6 * 2 + 3  # items and value per stage, and the three figures by state
