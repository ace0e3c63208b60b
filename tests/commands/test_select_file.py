"""select on a real portfolio file: an exact choice under budget, a Scenario sheet with a frontier chart."""
from openpyxl import load_workbook

from tests.support import AS_OF
from xlportfolio.commands.files import on_file
from xlportfolio.commands.select import Options as SelectOptions


def test_selection_under_budget_with_scenario_and_chart(demo_book, tmp_path):
    out = tmp_path / "scenario.xlsx"
    outcome = on_file("select", demo_book, SelectOptions(budget=1_000_000, as_of=AS_OF), output=out)
    s = outcome.figures
    assert s.optimal and 0 < s.cost <= 1_000_000 and s.chosen
    assert any("validation errors" in why for why in outcome.figures.left_out)  # broken requests do not compete
    ws = load_workbook(out)["Scenario"]
    ids = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    cut = next(i for i, v in enumerate(ids) if v and "cut line" in str(v).lower())
    assert set(ids[:cut]) == set(s.chosen)
    assert len(ws._charts) == 1  # the efficient frontier, a native chart


def test_mandatory_items_over_budget_are_explained(demo_book, tmp_path):
    wb = load_workbook(demo_book)
    ws = wb["Intake"]
    head = [c.value for c in ws[1]]
    for row in (2, 3, 4):
        ws.cell(row, head.index("Selection") + 1).value = "Mandatory"
    wb.save(demo_book)
    outcome = on_file("select", demo_book, SelectOptions(budget=1, as_of=AS_OF), output=tmp_path / "x.xlsx")
    assert not outcome.figures.optimal
    text = outcome.figures.explanation
    assert "over the budget" in text and "REQ-0001" in text


def test_duplicate_candidate_ids_get_a_clear_message(demo_book, tmp_path):
    import pytest

    from xlportfolio.errors import TemplateError

    wb = load_workbook(demo_book)
    ws = wb["Items"]
    head = [c.value for c in ws[1]]
    stage, state = head.index("Stage"), head.index("State")
    open_rows = [r for r in ws.iter_rows(min_row=2) if r[stage].value in ("DI1 Defined", "DI2 Identified")
                 and r[state].value == "Active" and r[0].value.startswith("M-")]
    first, second = open_rows[:2]
    second[0].value = first[0].value  # two undecided items typed with the same ID
    wb.save(demo_book)
    with pytest.raises(TemplateError, match=first[0].value):
        on_file("select", demo_book, SelectOptions(as_of=AS_OF), output=tmp_path / "x.xlsx")
