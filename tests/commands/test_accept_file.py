"""accept on a real portfolio file: items appended to the Items table, twice changes nothing."""
import pytest
from openpyxl import load_workbook

from tests.support import AS_OF, parts
from xlportfolio.commands.accept import Options as AcceptOptions
from xlportfolio.commands.files import on_file
from xlportfolio.core.formats import money_format
from xlportfolio.errors import TemplateError


def test_accept_appends_items_and_links_requests(demo_book, tmp_path):
    before = load_workbook(demo_book)["Items"]
    items_before = before.max_row
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    result = on_file("accept", demo_book, AcceptOptions(as_of=AS_OF), output=first)
    created = result.figures.created
    assert created and result.figures.refused  # the demo marks some broken requests too

    wb = load_workbook(first)
    items = wb["Items"]
    last_col = items.tables["Items"].ref.split(":")[1].rstrip("0123456789")
    assert items.tables["Items"].ref == f"A1:{last_col}{items_before + len(created)}"
    new_rows = list(items.iter_rows(min_row=items_before + 1, values_only=True))
    header = [c.value for c in items[1]]
    assert [r[header.index("Request ID")] for r in new_rows] == [rid for rid, _ in created]
    assert {r[header.index("Stage")] for r in new_rows} == {"DI1 Defined"}
    value_cell = items.cell(items_before + 1, header.index("Estimated value") + 1)
    assert value_cell.number_format == money_format("")  # formats of the rows a person typed

    intake = wb["Intake"]
    head = [c.value for c in intake[1]]
    linked = {r[0]: (r[head.index("Intake status")], r[head.index("Item ID")])
              for r in intake.iter_rows(min_row=2, values_only=True) if r[0]}
    for rid, item in created:
        assert linked[rid] == ("Accepted", item)

    again = on_file("accept", first, AcceptOptions(as_of=AS_OF), output=second)
    assert again.figures.created == [] and again.figures.already == len(created)
    assert parts(first) == parts(second)


def test_accept_needs_a_portfolio(tmp_path):
    from xlportfolio.files.template import INTAKE_KIND, build_workbook

    path = tmp_path / "form.xlsx"
    build_workbook(INTAKE_KIND).save(path)
    with pytest.raises(TemplateError, match="no Items table"):
        on_file("accept", path, AcceptOptions())
