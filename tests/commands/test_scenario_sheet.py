"""The Scenario sheet of the full sample portfolio, read back from the written .xlsx: columns, reasons,
rows instead of packed cells, money formats, and the frontier chart's XML (points, not a smoothed line)."""
import re
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from typer.testing import CliRunner

from tests.support import AS_OF
from xlportfolio.cli import app
from xlportfolio.commands.files import on_file
from xlportfolio.commands.select import Options as SelectOptions
from xlportfolio.core.prioritise.scenario import CUT_LINE, MONEY, SCENARIO_HEADER

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
LIMIT = re.compile(r"^(budget|[\w&]+(?: [\w&]+)* \d{4}-\d{2})$")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """The whole sample portfolio (capacity and dependencies too), selected with a budget typed as text."""
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    folder = tmp_path_factory.mktemp("scenario")
    book = folder / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, sample_portfolio(AS_OF)).save(book)
    out = folder / "scenario.xlsx"
    outcome = on_file("select", book, SelectOptions(budget="2,000,000", as_of=AS_OF, levels=6), output=out)
    return outcome, out, load_workbook(out)["Scenario"]


def table_rows(ws):
    """The list under the header, up to the blank row before the first table below it."""
    rows = []
    for r in ws.iter_rows(min_row=2, max_col=len(SCENARIO_HEADER), values_only=True):
        if all(v is None for v in r):
            break
        rows.append(dict(zip(SCENARIO_HEADER, r)))
    return rows


def block(ws, title):
    """Header and rows of the table under the title cell that starts with `title`."""
    start = next(c.row for c in ws["A"] if isinstance(c.value, str) and c.value.startswith(title))
    header = [c.value for c in ws[start + 1] if c.value is not None]
    rows = []
    for r in ws.iter_rows(min_row=start + 2, max_col=len(header), values_only=True):
        if all(v is None for v in r):
            break
        rows.append(r)
    return header, rows


def test_the_list_shows_ids_names_scores_and_values_in_their_own_columns(scenario):
    outcome, _, ws = scenario
    assert tuple(c.value for c in ws[1][:len(SCENARIO_HEADER)]) == SCENARIO_HEADER
    rows = table_rows(ws)
    items = [r for r in rows if r["Item ID"] != CUT_LINE]
    assert len(items) == outcome.figures.candidates and outcome.figures.budget == 2_000_000
    assert all(r["Name"] for r in items)
    assert all(0 <= r["Score (0-100)"] <= 100 for r in items)
    assert any(r["Value per year"] > 1000 for r in items)  # money, not a score
    cost = SCENARIO_HEADER.index("Cost") + 1
    assert {ws.cell(row, cost).number_format for row in range(2, len(rows) + 2)
            if isinstance(ws.cell(row, cost).value, (int, float))} == {MONEY}


def test_every_item_out_above_a_chosen_one_says_what_decided_it_and_what_would_bring_it_in(scenario):
    outcome, _, ws = scenario
    rows = table_rows(ws)
    cut = next(i for i, r in enumerate(rows) if r["Item ID"] == CUT_LINE)
    worst_in = max(r["Rank"] for r in rows[:cut])
    must = [r for r in rows[cut + 1:] if r["Rank"] < worst_in]
    assert must, "the sample portfolio leaves a better-ranked item out"
    best_out = min(must, key=lambda r: r["Rank"])
    assert best_out["Rank"] <= 3  # the best requests are not all affordable at 2m
    for r in must:
        assert r["Decided by"], r
        assert r["Decided by"].split(":")[0] in (
            "Budget", "Capacity", "Budget and capacity", "Dependency", "Excluded"), r
        if r["Decided by"] != "Excluded" and not r["Decided by"].startswith("Dependency: needs"):
            assert (r["Extra budget needed"] or 0) + (r["Extra person-days needed"] or 0) > 0, r
        assert "To fit beside this selection" in r["Why"] or "excluded" in r["Why"].lower(), r
    assert any(r["Decided by"].startswith(("Capacity", "Budget and capacity")) for r in must)
    named = next(r for r in must if r["Decided by"].startswith(("Capacity", "Budget and capacity")))
    assert LIMIT.match(named["Decided by"].split(": ", 1)[1])  # a function and a month


def test_limits_and_shortfalls_are_rows_one_limit_per_cell(scenario):
    outcome, _, ws = scenario
    header, limits = block(ws, "Binding limits")
    assert header[:3] == ["Kind", "Limit", "Unit"]
    assert [r[1] for r in limits] == list(outcome.figures.binding)
    assert all(LIMIT.match(r[1]) for r in limits)
    header, short = block(ws, "What keeps")
    assert header[:3] == ["Item ID", "Limit", "Kind"] and short
    ids = {r["Item ID"] for r in table_rows(ws) if r["Item ID"] != CUT_LINE}  # the candidates, as listed
    assert all(r[0] in ids and (LIMIT.match(r[1]) or r[1] in ids) for r in short)
    for row in ws.iter_rows(values_only=True):  # no cell anywhere holds a list of IDs
        for v in row:
            if isinstance(v, str):
                assert len(set(re.findall(r"\b[A-Z]+-[\w-]+\b", v)) & ids) <= 1, v


def test_the_frontier_chart_is_points_with_the_chosen_budget_marked(scenario):
    _, out, ws = scenario
    with zipfile.ZipFile(out) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        root = ElementTree.fromstring(zf.read(charts[0]))
    series = root.findall(f".//{C}scatterChart/{C}ser")
    assert len(series) == 2
    assert all(s.find(f"{C}smooth").get("val") == "0" for s in series)  # never a smoothed curve
    assert all(s.find(f"{C}spPr/{A}ln/{A}noFill") is not None for s in series)  # points, no line
    assert series[1].find(f"{C}marker/{C}symbol").get("val") == "diamond"
    assert series[1].find(f"{C}tx/{C}v").text == "Chosen budget"

    def cells(ser, axis):
        ref = ser.find(f"{C}{axis}/{C}numRef/{C}f").text
        col, first, last = re.fullmatch(r"'Scenario'!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", ref).groups()
        return [ws.cell(r, column_index_from_string(col)).value for r in range(int(first), int(last) + 1)]

    budgets, best, marked = cells(series[0], "xVal"), cells(series[0], "yVal"), cells(series[1], "yVal")
    assert budgets == sorted(budgets) and best == sorted(best) and 2_000_000 in budgets
    assert [(b, m) for b, m in zip(budgets, marked) if m is not None] == [(2_000_000, best[budgets.index(2_000_000)])]
    assert cells(series[1], "xVal") == budgets


# --- the command line -------------------------------------------------------------------------

runner = CliRunner()


def test_cli_budget_as_people_type_it(demo_book, tmp_path):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["select", str(demo_book), "--budget", "2,000,000", "--as-of", str(AS_OF),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "of a 2,000,000 budget" in " ".join(result.output.split())
    assert load_workbook(out)["Scenario"]["A1"].value == "Item ID"


@pytest.mark.parametrize("budget, says", [
    ("-5", "a budget of -5 is negative; give the money available, above 0"),
    ("0", "a budget of 0 is zero; give the money available, above 0"),
    ("abc", "'abc' is not an amount; write it like 2000000, 2,000,000, 2.000.000"),
])
def test_cli_refuses_budgets_that_are_no_money_with_exit_2(demo_book, tmp_path, budget, says):
    before = demo_book.read_bytes()
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["select", str(demo_book), "--budget", budget, "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = " ".join(result.stderr.split())
    assert f"--budget: {says}" in message
    assert demo_book.read_bytes() == before and not out.exists()


def test_the_command_reads_a_budget_with_the_workbooks_decimal_separator():
    from xlportfolio.commands.select import read_budget
    from xlportfolio.errors import BadBudget

    assert read_budget("2.000", ",") == 2_000 and read_budget("2.000", ".") == 2
    assert read_budget("2,5m", ",") == read_budget(2_500_000.0) == 2_500_000
    assert read_budget(None) is None and read_budget("  ") is None
    with pytest.raises(BadBudget) as info:
        read_budget("-€2m", ",")
    assert info.value.exit_code == 2 and "a budget of -€2m is negative" in str(info.value)


def test_a_workbook_in_francs_with_a_decimal_comma_types_and_shows_its_budget_so(tmp_path):
    """The Settings table decides both: '1.500.000,50' is read with the workbook's decimal comma,
    and the Scenario's money columns carry the workbook's currency."""
    from xlportfolio.core.formats import money_format
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    wb = build_workbook(PORTFOLIO_KIND, sample_portfolio(AS_OF))
    settings = {row[0].value: row[1] for row in wb["Settings"].iter_rows(min_row=2) if row[0].value}
    settings["Currency"].value, settings["Decimal separator"].value = "CHF", ","
    book = tmp_path / "chf.xlsx"
    wb.save(book)
    outcome = on_file("select", book, SelectOptions(budget="1.500.000,50", as_of=AS_OF, levels=2))
    assert outcome.figures.budget == 1_500_000.5
    ws = load_workbook(book)["Scenario"]
    cost = SCENARIO_HEADER.index("Cost") + 1
    formats = {ws.cell(row, cost).number_format for row in range(2, 40)
               if isinstance(ws.cell(row, cost).value, (int, float))}
    assert formats == {money_format("CHF")} and "CHF" in money_format("CHF")
