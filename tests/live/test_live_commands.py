"""score and accept through the live adapter write what the file adapter writes."""
import pytest

from tests.live.payload import Model, book_payload, differences, file_state, model_state
from tests.live.remote import open_remote
from tests.support import AS_OF
from xlportfolio.commands import score
from xlportfolio.commands.validate import BOOK_TABLES
from xlportfolio.core.intake.accept import accept_requests
from xlportfolio.files.workbook import open_book
from xlportfolio.live import LiveWorkbook
from xlportfolio.schema import ITEMS


def run_both(path, command):
    """`command(workbook)` on the remote engine (replayed onto a model) and on the file; both states."""
    book = open_remote(book_payload(path))
    result = command(LiveWorkbook(book))
    model = Model(path).replay(book.json()["actions"])
    assert model.unknown == []
    with open_book(path) as file:
        command(file)
        file.save()
    return result, model


@pytest.mark.parametrize("ahp", [False, True])
def test_score(portfolio, ahp):
    outcome, model = run_both(portfolio, lambda wb: score.run(wb, score.Options(as_of=AS_OF, ahp=ahp)))
    assert outcome.figures.scored == {"Intake": 100, "Items": 431}
    assert (outcome.figures.consistency is not None) == ahp  # AHP weights from the table_grid read
    for sheet in ("Intake", "Items", "Findings"):
        assert differences(file_state(portfolio, sheet), model_state(model, sheet)) == [], sheet


def test_accept(portfolio):
    def accept(wb):
        report, plan, summary = accept_requests(wb.read([*BOOK_TABLES, ITEMS]), AS_OF)
        wb.apply(plan)
        return summary

    summary, model = run_both(portfolio, accept)
    assert summary.created  # new items were added below the Items table
    assert differences(file_state(portfolio, "Intake"), model_state(model, "Intake")) == []
    # New Items rows copy formats from another row than the file writer's: compare what they hold.
    assert differences(file_state(portfolio, "Items"), model_state(model, "Items"), skip=("fills",)) == []
    assert model.tables["Items"][1] == __import__("openpyxl").load_workbook(portfolio)["Items"].tables["Items"].ref


def test_the_gates_and_verify_buttons_report_what_the_file_commands_report(portfolio):
    from openpyxl import load_workbook

    from xlportfolio.commands import gates, verify
    from xlportfolio.files.workbook import read_book_file

    book = open_remote(book_payload(portfolio))
    live = gates.run(LiveWorkbook(book), gates.Options())
    model = Model(portfolio).replay(book.json()["actions"])
    with open_book(portfolio) as file:
        filed = gates.run(file, gates.Options())
        file.save()
    assert (live.summary, live.details, live.exit_code) == (filed.summary, filed.details, 1)
    refusals = [d for d in live.details if "refused since" in d]
    assert refusals and all(d.split(" (Items!")[0].count(" ") >= 1 for d in refusals)  # ID and name, then the cell
    for sheet in ("Items", "Findings"):
        assert differences(file_state(portfolio, sheet), model_state(model, sheet)) == [], sheet

    # A stage typed over after the gates ran: both Verify buttons name the item.
    wb = load_workbook(portfolio)
    ws = wb["Items"]
    head = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, head["Stage"]).value == "DI2 Identified")
    ws.cell(row, head["Stage"], "DI5 Implemented")
    wb.save(portfolio)
    label = f"{ws.cell(row, head['Item ID']).value} {ws.cell(row, head['Name']).value}"
    live = verify.run(LiveWorkbook(open_remote(book_payload(portfolio))), verify.Options())
    with read_book_file(portfolio) as file:
        filed = verify.run(file, verify.Options())
    assert (live.summary, live.details, live.exit_code) == (filed.summary, filed.details, 1)
    assert label in live.summary and any(d.startswith("Items!") and label in d for d in live.details)
