"""Finance-grade generated sheets in real workbooks: money in the workbook's currency with negatives in
parentheses, a status heat map coloured by meaning, fills apart from each other with a legend, and
columns wide enough for their headers. LibreOffice shows a negative amount as a controller expects.

The portfolio: one project whose measure plans 5,000 of cost and 1,000 of benefit (a net of
-4,000), and seven measures whose status pairs fill the heat map.
"""
import datetime as dt
import os
import shutil
import signal
import subprocess

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from tests.support.lo import TIMEOUT, make_profile
from xlportfolio.commands.rollup import rollup_file
from xlportfolio.core.findings_sheet import FINDINGS_HEADER
from xlportfolio.core.formats import (
    COMPUTED_FILL,
    HEAT_BAD,
    HEAT_GOOD,
    HEAT_MIXED,
    INPUT_FILL,
    LEGEND,
    LEGEND_TITLE,
    heat_fill,
    money_format,
)
from xlportfolio.core.gates.baseline import baseline_sheet
from xlportfolio.core.plan import ERROR_FILL, WARNING_FILL
from xlportfolio.files.template import INTAKE_KIND, PORTFOLIO_KIND, build_workbook
from xlportfolio.surface.walk import HEADER

D = dt.date
# (implementation, potential) per measure: Green/Green 3 times, the most of any pair.
PAIRS = (("Green", "Green"),) * 3 + (("Red", "Red"), ("Amber", "Green"), ("Green", "Red"), ("Green", "Red"))
GENERATED = ("Rollup", "Rollup by month", "Breakdown", "Dashboard", "Findings")


def portfolio(path, currency=None, settings=True):
    items = [{"item_id": "ORG", "level": "Organization", "name": "Group", "state": "Active"},
             {"item_id": "P-1", "parent_id": "ORG", "level": "Project", "name": "Payroll", "state": "Active",
              "stage": "DI2 Identified"}]
    for n, (implementation, potential) in enumerate(PAIRS, start=1):
        items.append({"item_id": f"M-{n}", "parent_id": "P-1", "level": "Measure", "name": f"Measure {n}",
                      "state": "Active", "stage": "DI2 Identified", "implementation_status": implementation,
                      "potential_status": potential, "estimated_value": 1000 * n, "function": "IT",
                      "category": "Cost", "start_date": D(2026, 1, 1), "end_date": D(2026, 12, 31), "effort_days": 60})
    financials = [{"item_id": "M-1", "period": D(2026, 1, 1), "flow": "Cost", "recurrence": "One-time", "plan": 5000},
                  {"item_id": "M-1", "period": D(2026, 2, 1), "flow": "Benefit", "recurrence": "Recurring",
                   "plan": 1000}]
    capacity = [{"function": "IT", "period": D(2026, m, 1), "available_days": 100} for m in range(1, 13)]
    wb = build_workbook(PORTFOLIO_KIND, {"Items": items, "Financials": financials, "Capacity": capacity})
    if currency is not None:
        wb["Settings"]["B2"] = currency
    if not settings:  # a workbook made before the Settings table existed
        del wb["Settings"]
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """name -> (path, rollup result): the same portfolio in EUR (the default), USD, with a bad
    currency, and without a Settings sheet, each rolled up."""
    folder = tmp_path_factory.mktemp("finance")
    made = {"eur": {}, "usd": {"currency": "USD"}, "bad": {"currency": "Dollars"}, "old": {"settings": False}}
    out = {}
    for name, options in made.items():
        path = portfolio(folder / f"{name}.xlsx", **options)
        out[name] = (path, rollup_file(path, as_of=AS_OF))
    return out


def sheets(books, name):
    return load_workbook(books[name][0])


def header_columns(ws, row):
    return {c.value: c.column_letter for c in ws[row] if c.value is not None}


def net_row(ws):
    """The Dashboard's Net value row of the cost and benefit block: (label cell, plan cell)."""
    label = next(c for row in ws.iter_rows() for c in row if c.value == "Net value")
    return label, ws.cell(label.row, label.column + 1)


def test_money_cells_carry_the_currency_and_red_parenthesised_negatives(books):
    wb = sheets(books, "eur")
    eur = money_format("EUR")
    assert eur == '#,##0" €"_);[Red](#,##0" €");"–"_)'
    _, net = net_row(wb["Dashboard"])
    assert net.value.startswith("=") and net.number_format == eur  # a live formula: its result is -4,000
    rollup = wb["Rollup"]
    columns = header_columns(rollup, 2)
    net_plan = next(letter for header, letter in columns.items() if str(header).startswith("Plan net"))
    assert rollup[f"{net_plan}3"].number_format == eur
    assert rollup[f"{columns['Item ID']}3"].number_format == "General"  # text columns keep no money format
    month = wb["Rollup by month"]
    assert month["I3"].number_format == eur  # Total
    breakdown = wb["Breakdown"]
    assert breakdown["C5"].number_format == eur and breakdown["B5"].number_format == "0"  # money, and a count


def test_a_workbook_in_dollars_shows_dollars_everywhere(books):
    wb = sheets(books, "usd")
    usd = money_format("USD")
    assert usd == '"$"#,##0_);[Red]("$"#,##0);"–"_)'
    _, net = net_row(wb["Dashboard"])
    assert net.number_format == usd
    assert wb["Breakdown"]["C5"].number_format == usd
    assert "€" not in "".join(c.number_format for ws in (wb[s] for s in GENERATED) for row in ws.iter_rows()
                              for c in row)
    assert books["usd"][1].report.errors == 0


def test_capacity_days_are_numbers_not_money(books):
    ws = sheets(books, "eur")["Dashboard"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "Headroom (days)")
    below = ws.cell(header.row + 1, header.column)
    assert below.value is not None and below.number_format == "#,##0"


def test_a_bad_currency_is_an_error_on_its_cell_and_the_sheets_fall_back_to_euros(books):
    path, result = books["bad"]
    [found] = [f for f in result.report.findings if f.code == "setting-invalid"]
    assert (found.sheet, found.cell, found.value) == ("Settings", "B2", "Dollars")
    assert found.message.startswith("Currency 'Dollars' is not one of 'EUR', 'USD', 'GBP', 'CHF'")
    wb = load_workbook(path)
    assert wb["Settings"]["B2"].fill.fgColor.rgb.endswith(ERROR_FILL) and wb["Settings"]["B2"].comment
    _, net = net_row(wb["Dashboard"])
    assert net.number_format == money_format("EUR")
    findings = wb["Findings"]
    assert any(c.value == "setting-invalid" for row in findings.iter_rows() for c in row)


def test_an_older_workbook_without_settings_rolls_up_in_euros(books):
    path, result = books["old"]
    assert result.report.errors == 0
    _, net = net_row(load_workbook(path)["Dashboard"])
    assert net.number_format == money_format("EUR")


def test_the_heat_map_colours_each_status_pair_by_what_it_means(books):
    ws = sheets(books, "eur")["Dashboard"]
    corner = next(c for row in ws.iter_rows() for c in row if c.value == "Implementation \\ Potential")
    statuses = [ws.cell(corner.row, corner.column + n).value for n in (1, 2, 3)]
    assert statuses == ["Green", "Amber", "Red"]
    fills, counts = {}, {}
    for r, implementation in enumerate(statuses, start=1):
        assert ws.cell(corner.row + r, corner.column).value == implementation
        for c, potential in enumerate(statuses, start=1):
            cell = ws.cell(corner.row + r, corner.column + c)
            fills[(implementation, potential)] = cell.fill.fgColor.rgb[-6:]
            counts[(implementation, potential)] = PAIRS.count((implementation, potential))
    most = max(counts.values())
    assert most == counts[("Green", "Green")] == 3
    assert fills[("Green", "Green")] == HEAT_GOOD  # the best cell is the fullest green, not the darkest red
    assert fills[("Green", "Red")] == heat_fill(HEAT_BAD, 2, most)
    assert fills[("Red", "Red")] == heat_fill(HEAT_BAD, 1, most)
    assert fills[("Amber", "Green")] == heat_fill(HEAT_MIXED, 1, most)
    assert fills[("Amber", "Amber")] == heat_fill(HEAT_MIXED, 0, most)
    assert fills[("Red", "Green")] == heat_fill(HEAT_BAD, 0, most)


def _lab(rgb):
    """CIE L*a*b* of an sRGB colour, to measure how far apart two fills look (delta E)."""
    linear = [(c / 12.92) if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))]
    x = (0.4124 * linear[0] + 0.3576 * linear[1] + 0.1805 * linear[2]) / 0.95047
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    z = (0.0193 * linear[0] + 0.1192 * linear[1] + 0.9505 * linear[2]) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(a, b):
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


def test_the_warning_fill_is_clearly_apart_from_input_and_error_fills(tmp_path):
    # A delta E above 40 is two colours nobody mistakes for each other; the old warning yellow was 21
    # from the input cells' pale yellow.
    assert distance(WARNING_FILL, INPUT_FILL) > 40 and distance(WARNING_FILL, ERROR_FILL) > 40
    assert distance(ERROR_FILL, INPUT_FILL) > 15 and min(distance(COMPUTED_FILL, f) for f in
                                                         (WARNING_FILL, INPUT_FILL, ERROR_FILL)) > 15
    path = tmp_path / "template.xlsx"
    build_workbook(INTAKE_KIND).save(path)
    ws = load_workbook(path)["Intake"]
    columns = header_columns(ws, 1)
    assert ws[f"{columns['Sponsor']}2"].fill.fgColor.rgb[-6:] == INPUT_FILL  # the fills the legend names
    assert ws[f"{columns['Validation']}2"].fill.fgColor.rgb[-6:] == COMPUTED_FILL
    assert ws[f"{columns['Cost estimate']}2"].number_format == money_format("")  # each request names its currency


def test_the_findings_sheet_and_the_instructions_say_what_each_fill_means(books, tmp_path):
    findings = sheets(books, "eur")["Findings"]
    width = len(FINDINGS_HEADER)
    row = [c for c in findings[1] if c.column > width + 1 and c.value is not None]
    assert [c.value for c in row] == [LEGEND_TITLE, *(text for _, text in LEGEND)]
    assert [c.fill.fgColor.rgb[-6:] for c in row[1:]] == [rgb for rgb, _ in LEGEND]
    assert all(c.font.color.rgb[-6:] == "000000" for c in row[1:])  # dark text on the light fills
    assert findings.freeze_panes == "A2"  # row 1 stays in view, and a filter never hides it
    path = tmp_path / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND).save(path)
    template = load_workbook(path)
    items = template["Items"]
    # Typed amounts: accounting style without a sign, as the Settings currency may change after the template is made.
    assert items[f"{header_columns(items, 1)['Estimated value']}2"].number_format == money_format("")
    instructions = template["Instructions"]
    legend = {c.value: c.fill.fgColor.rgb[-6:] for row in instructions.iter_rows(max_col=6) for c in row
              if c.column == 6 and c.value}
    assert legend == {"What the fills mean": "000000"} | {text: rgb for rgb, text in LEGEND}


def test_every_header_of_a_generated_sheet_fits_its_column(books):
    wb = sheets(books, "eur")
    checked = 0
    for name in GENERATED:
        ws = wb[name]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or cell.fill.fgColor.rgb[-6:] != HEADER.fill:
                    continue  # only header cells: titles run on over empty cells
                width = ws.column_dimensions[cell.column_letter].width
                text = cell.number_format if isinstance(cell.value, dt.date) else str(cell.value)  # a month: yyyy-mm
                assert width >= len(text), f"{name}!{cell.coordinate} {cell.value!r} in width {width}"
                checked += 1
    assert checked > 60
    dashboard = wb["Dashboard"]
    header = next(c for row in dashboard.iter_rows() for c in row if c.value == "Headroom (days)")
    assert dashboard.column_dimensions[header.column_letter].width >= len("Headroom (days)") + 2


def test_the_baseline_shows_its_amounts_in_the_workbooks_currency():
    items = [{"item_id": "M-1", "name": "Payroll", "start_date": D(2026, 1, 1), "end_date": D(2026, 12, 31),
              "cost_estimate": 5000, "estimated_value": 1200}]
    plan = [{"item_id": "M-1", "period": D(2026, 1, 1), "flow": "Cost", "recurrence": "One-time", "plan": 5000}]
    sheet = baseline_sheet(None, plan, items, AS_OF, "GBP")
    money = dict(zip(sheet.header, sheet.formats))["Baseline"]
    assert money == money_format("GBP")


# --- LibreOffice: what a spreadsheet program shows --------------------------------------------------------------

@pytest.fixture(scope="module")
def shown(books, tmp_path_factory):
    """{book name: {sheet: CSV text of the cells as LibreOffice shows them}}, one soffice call."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = make_profile(tmp_path_factory.mktemp("lo-profile"))
    out = tmp_path_factory.mktemp("lo-csv")
    files = [books[name][0] for name in ("eur", "usd")]
    # CSV filter options: comma, double quote, UTF-8, from line 1, ..., cells "as shown" (9th),
    # every sheet to a file of its own (12th: -1), named <stem>-<sheet>.csv.
    options = "44,34,76,1,,0,false,true,true,false,false,-1"
    cmd = ["soffice", "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.resolve().as_uri()}",
           "--convert-to", f"csv:Text - txt - csv (StarCalc):{options}", "--outdir", str(out), *map(str, files)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"LibreOffice did not finish within {TIMEOUT} s: {' '.join(cmd)}")
    result = {}
    for name in ("eur", "usd"):
        csv = out / f"{name}-Dashboard.csv"
        assert csv.is_file(), f"LibreOffice wrote no {csv.name}:\n{stdout}\n{stderr}"
        result[name] = {"Dashboard": csv.read_text(encoding="utf-8")}
    return result


@pytest.mark.libreoffice
def test_libreoffice_shows_a_negative_net_value_in_parentheses_with_its_currency(shown):
    eur = next(line for line in shown["eur"]["Dashboard"].splitlines() if ",Net value," in line)
    assert '"(4,000 €)"' in eur  # the live formula, recalculated: 1,000 benefit less 5,000 cost
    usd = next(line for line in shown["usd"]["Dashboard"].splitlines() if ",Net value," in line)
    assert '"($4,000)"' in usd
    assert "-4,000" not in eur + usd
