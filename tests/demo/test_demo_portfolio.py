"""The demo reads like a real portfolio: positive plan, Baseline filled, only its planted problems,
and the counts it prints are what the commands report when run again on the finished workbook."""
import io
import re
import shutil

import pytest
from openpyxl import load_workbook
from rich.console import Console

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.gates import Options as GatesOptions
from xlportfolio.commands.rollup import Options as RollupOptions
from xlportfolio.commands.validate import Options as ValidateOptions
from xlportfolio.demo.run import run_demo

# The column whose value names what a finding's row is about, by sheet, as a person reads the sheet.
KEY_HEADER = {"Intake": "Request ID", "Items": "Item ID", "Financials": "Item ID",
              "Dependencies": "Successor ID", "Capacity": "Function"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo run once: its result, what it printed, and validate, gates and rollup run again on a copy."""
    folder = tmp_path_factory.mktemp("demo")
    out = io.StringIO()
    result = run_demo(folder, as_of=AS_OF, console=Console(file=out, width=250))
    again = shutil.copy(result.paths["portfolio"], folder / "again.xlsx")
    reruns = {"validate": on_file("validate", again, ValidateOptions(as_of=AS_OF)).report,
              "gates": on_file("gates", again, GatesOptions(as_of=AS_OF)).report,
              "rollup": on_file("rollup", again, RollupOptions(as_of=AS_OF)).report}
    return result, out.getvalue(), reruns


def keys(path):
    """{(sheet, Excel row): the row's ID} for the sheets findings of the demo land on."""
    wb = load_workbook(path, read_only=True)
    out = {}
    for sheet, header in KEY_HEADER.items():
        rows = wb[sheet].iter_rows(values_only=True)
        column = list(next(rows)).index(header)
        for n, row in enumerate(rows, start=2):
            out[(sheet, n)] = row[column]
    wb.close()
    return out


def named(findings, ids):
    return {(f.code, f.sheet, ids.get((f.sheet, f.row))) for f in findings}


def test_the_plan_earns_more_than_it_costs_and_each_category_as_such_work_does(demo):
    result, _, _ = demo
    wb = load_workbook(result.paths["portfolio"], data_only=True)
    dashboard = {row[3]: row[4] for row in wb["Dashboard"].iter_rows(values_only=True) if len(row) > 4}
    assert dashboard["Net value"] > 1_000_000  # the Plan column, as the workbook caches it
    assert dashboard["Net value"] == pytest.approx(result.figures["net"])
    category = {r[0]: r[header(wb["Items"], "Category")] for r in wb["Items"].iter_rows(min_row=2, values_only=True)}
    fin = wb["Financials"]
    at = {h: header(fin, h) for h in ("Item ID", "Flow", "Plan")}
    money = {}
    for r in fin.iter_rows(min_row=2, values_only=True):
        key = (category[r[at["Item ID"]]], r[at["Flow"]])
        money[key] = money.get(key, 0) + r[at["Plan"]]
    ratio = {c: money[(c, "Benefit")] / money[(c, "Cost")] for c in ("Cost", "Customer value", "Compliance")}
    assert ratio["Cost"] > 1.5 and ratio["Customer value"] > 1.2 and ratio["Compliance"] < 1


def header(ws, text):
    return [c.value for c in ws[1]].index(text)


def test_estimated_value_and_planned_benefit_reconcile_on_the_dashboard(demo):
    result, printed, _ = demo
    wb = load_workbook(result.paths["portfolio"], data_only=True)
    figures = {row[0]: row[1] for row in wb["Dashboard"].iter_rows(values_only=True)}
    money = {row[3]: row[4] for row in wb["Dashboard"].iter_rows(values_only=True) if len(row) > 4}
    value, benefit = result.figures["estimated value"], result.figures["planned benefit"]
    assert figures["Estimated value per year (Measure level)"] == pytest.approx(value)
    assert money["Benefit"] == pytest.approx(benefit)
    assert f"({value:,.0f}, Measure level)" in printed and f"of all months ({benefit:,.0f})" in printed
    # Each measure's value per year is twelve months of the benefit it books once live.
    items, fin = wb["Items"], wb["Financials"]
    level, worth = header(items, "Level"), header(items, "Estimated value")
    monthly = {}
    for r in fin.iter_rows(min_row=2, values_only=True):
        if r[header(fin, "Flow")] == "Benefit" and r[header(fin, "Recurrence")] == "Recurring":
            monthly.setdefault(r[0], set()).add(r[header(fin, "Plan")])
    measures = [r for r in items.iter_rows(min_row=2, values_only=True) if r[level] == "Measure"]
    assert all(r[worth] in {12 * m for m in monthly[r[0]]} for r in measures)


def test_items_pass_di4_and_the_baseline_fills(demo):
    result, printed, _ = demo
    rows = list(load_workbook(result.paths["portfolio"])["Baseline"].iter_rows(min_row=2, values_only=True))
    frozen = {r[0] for r in rows if r[0]}
    assert len(frozen) >= 3 and "Plan" in {r[2] for r in rows}
    assert f"{len(frozen)} items passed DI4" in printed


def test_every_planted_problem_is_found_and_nothing_else(demo):
    result, printed, reruns = demo
    ids = keys(result.paths["portfolio"])
    found = set().union(*(named(r.findings, ids) for r in reruns.values()))
    planted = {(p.code, p.sheet, p.subject) for p, _ in result.problems}
    assert 4 <= len(planted) <= 8 and planted <= found
    # A planted problem's row may carry more than its code (a new CRM row lacks its sponsor too);
    # every other row is clean: no error and no warning anywhere else.
    rows = {(p.sheet, p.subject) for p, _ in result.problems}
    assert {(sheet, subject) for _, sheet, subject in found} <= rows
    assert result.others == [] and "NOT FOUND" not in printed and "Other errors" not in printed
    for problem, finding in result.problems:  # each explained where the PMO finds it
        assert finding is not None
        line = next(x for x in printed.splitlines() if f"at {finding.location()}, {problem.subject} " in x)
        assert problem.name in line and "The PMO would" in line


@pytest.mark.parametrize("command", ["validate", "gates", "rollup"])
def test_the_printed_counts_are_what_the_command_reports_when_run_again(demo, command):
    result, printed, reruns = demo
    line = next(x for x in printed.splitlines() if x.startswith(f"{command}:"))
    errors, warnings = map(int, re.search(r"(\d+) errors?, (\d+) warnings?", line).groups())
    assert (errors, warnings) == (reruns[command].errors, reruns[command].warnings)
    assert (errors, warnings) == (result.reports[command].errors, result.reports[command].warnings)
