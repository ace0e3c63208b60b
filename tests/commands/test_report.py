"""The steering-committee pack: one HTML file a committee reads, drawn from the workbook it only reads."""
import base64
import datetime as dt
import html
import re

import markupsafe
import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.gates import Options as GatesOptions
from xlportfolio.commands.report import Options as ReportOptions
from xlportfolio.core.rollup.dashboard.figures import dashboard_data
from xlportfolio.core.rollup.dashboard.formulas import value_of
from xlportfolio.demo.data import sample_portfolio
from xlportfolio.errors import XlPortfolioError
from xlportfolio.files.template import INTAKE_KIND, PORTFOLIO_KIND, build_workbook
from xlportfolio.files.workbook import read_tables
from xlportfolio.schema import DATA_TABLES

GATES_RUN = dt.datetime(2026, 6, 23, 9, 0)  # a week before AS_OF
HOSTILE = "<script>alert('x')</script> & Co"


def small_portfolio():
    """The sample portfolio with the money of its first 40 measures only: the same story, read faster."""
    data = sample_portfolio(AS_OF)
    data["Financials"] = [r for r in data["Financials"] if r["item_id"] <= "M-0040"]
    return data


def column(ws, header):
    return next(c.column for c in ws[1] if c.value == header)


STANDING = {}  # requests the gates run a week ago refused: they stand until they pass or change


@pytest.fixture(scope="module")
def book_path(tmp_path_factory):
    """The sample portfolio after a gates run a week ago, with new stage requests since."""
    path = tmp_path_factory.mktemp("report") / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, small_portfolio()).save(path)
    gated = on_file("gates", path, GatesOptions(as_of=GATES_RUN.date(), now=GATES_RUN))
    STANDING["refused"] = len(gated.figures.refused)
    wb = load_workbook(path)
    ws = wb["Items"]
    level, stage, asked, name = (column(ws, h) for h in ("Level", "Stage", "Requested stage", "Name"))
    asking = [r for r in range(2, ws.max_row + 1)
              if ws.cell(r, level).value == "Project" and ws.cell(r, stage).value == "DI3 Detailed"][:3]
    for r in asking:
        ws.cell(r, asked).value = "DI4 Decided"
    ws.cell(asking[0], name).value = HOSTILE
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def report(book_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "pack.html"
    result = on_file("report", book_path, ReportOptions(out=out, as_of=AS_OF))
    return result, out.read_text(encoding="utf-8")


def section(text, anchor):
    start = text.index(f'<section id="{anchor}"')
    return text[start:text.index("</section>", start)]


def test_the_pack_is_one_self_contained_html_file(report):
    result, text = report
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"<link|<script|src=\"(?!data:)|url\(", text)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == result.figures.charts == 5
    assert all(base64.b64decode(i).startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    assert "@media print" in text and "@page" in text
    assert "Traceback" not in text


def test_workbook_values_are_escaped(report):
    _, text = report
    assert HOSTILE not in text
    assert str(markupsafe.escape(HOSTILE)) in text


def test_the_summary_and_charts_show_the_dashboards_figures(book_path, report):
    _, text = report
    data = dashboard_data(read_tables(book_path, list(DATA_TABLES)), AS_OF)
    summary = section(text, "summary")
    for label, cell in data.key_figures:
        assert f'<div class="value">{value_of(cell):,.0f}</div>\n      <div class="label">{label}</div>' in summary
    net = data.net("plan")  # money in the workbook's currency, a negative in parentheses
    assert (f"({-net:,.0f} EUR)" if net < 0 else f"{net:,.0f} EUR") in summary
    charts = html.unescape(section(text, "charts"))
    for s in data.stages:
        assert f"{s.stage}: {value_of(s.value):,.0f}" in charts  # the chart's alt text lists what it draws
    for c in data.capacity:
        assert f"{c.function}: {value_of(c.available):,.0f} available, {c.demand:,.0f} demanded" in charts


def test_gate_moves_and_decisions_in_the_period(book_path, report, tmp_path):
    result, text = report
    moves = section(text, "moves")
    assert result.figures.gate_moves == moves.count("<td class=\"nowrap\">2026-06-23</td>") > 0
    assert "The ledger’s" in moves and "entries verify" in moves
    approvals = sample_portfolio(AS_OF)["Approvals"]
    expected = [a for a in approvals if AS_OF - dt.timedelta(days=30) <= a["decided_on"] <= AS_OF]
    assert result.figures.decisions == len(expected) > 0
    later = on_file("report", book_path, ReportOptions(out=tmp_path / "later.html", since=dt.date(2026, 6, 24),
                                                       as_of=AS_OF))
    assert later.figures.gate_moves == 0
    assert "No gate move was recorded in the ledger in this period." in (tmp_path / "later.html").read_text()


def test_decisions_needed_say_what_each_request_still_lacks(report):
    result, text = report
    needed = html.unescape(section(text, "decisions-needed"))
    assert STANDING["refused"] > 0 and result.figures.decisions_needed == 3 + STANDING["refused"]
    assert needed.count("DI3 Detailed → <strong>DI4 Decided</strong>") == 3
    assert "Missing for DI4 Decided" in needed or "Ready" in needed
    assert "Sponsor, Controller" in needed  # nobody approved these requests yet


def test_top_risks_are_the_ten_highest_probability_times_impact(report):
    result, text = report
    risks = sample_portfolio(AS_OF)["Risks"]
    best = sorted((r["probability"] * r["impact"] for r in risks), reverse=True)[:10]
    shown = [int(s) for s in re.findall(r'<td class="num"><strong>(\d+)</strong></td>', section(text, "risks"))]
    assert result.figures.risks == 10 and shown == best


def test_the_workbook_is_only_read(book_path, tmp_path):
    before = book_path.read_bytes()
    on_file("report", book_path, ReportOptions(out=tmp_path / "pack.html", as_of=AS_OF))
    assert book_path.read_bytes() == before


def test_a_tampered_ledger_is_flagged(book_path, tmp_path):
    wb = load_workbook(book_path)
    wb["Ledger"]["H3"] = "edited afterwards"
    path = tmp_path / "tampered.xlsx"
    wb.save(path)
    on_file("report", path, ReportOptions(out=tmp_path / "pack.html", as_of=AS_OF))
    assert "The ledger does not verify" in (tmp_path / "pack.html").read_text()


def test_a_bare_portfolio_still_gives_a_pack(tmp_path):
    data = sample_portfolio(AS_OF)
    path = tmp_path / "bare.xlsx"
    build_workbook(PORTFOLIO_KIND, {"Items": data["Items"]}).save(path)
    result = on_file("report", path, ReportOptions(out=tmp_path / "pack.html", as_of=AS_OF))
    text = (tmp_path / "pack.html").read_text()
    assert result.figures.gate_moves == result.figures.decisions == result.figures.risks == 0
    assert "No risk with both a probability and an impact is recorded." in text
    assert result.figures.charts == 3  # stage, category, capacity (demand only); no money by month


# --- bad inputs: a clear message naming the file, and no pack ---------------------------------------------------

def test_a_file_that_is_no_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(XlPortfolioError, match="notes.xlsx"):
        on_file("report", path, ReportOptions(out=tmp_path / "pack.html", as_of=AS_OF))
    assert not (tmp_path / "pack.html").exists()


def test_a_workbook_without_items(tmp_path):
    path = tmp_path / "intake.xlsx"
    build_workbook(INTAKE_KIND).save(path)
    with pytest.raises(XlPortfolioError, match=r"intake\.xlsx.*no Items table"):
        on_file("report", path, ReportOptions(out=tmp_path / "pack.html", as_of=AS_OF))
    assert not (tmp_path / "pack.html").exists()


def test_a_period_that_runs_backwards(book_path, tmp_path):
    with pytest.raises(XlPortfolioError, match="backwards"):
        on_file("report", book_path, ReportOptions(out=tmp_path / "pack.html", since=AS_OF + dt.timedelta(days=1),
                                                   as_of=AS_OF))


def test_an_output_folder_that_does_not_exist(book_path, tmp_path):
    with pytest.raises(XlPortfolioError, match="does not exist"):
        on_file("report", book_path, ReportOptions(out=tmp_path / "nowhere" / "pack.html", as_of=AS_OF))
