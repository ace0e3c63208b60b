"""Every command first checks that it was given the kind of workbook it works on: otherwise it exits 2
with a message naming what is missing, and the file is left byte for byte as it was (the CLI and the
ribbon alike)."""
import hashlib

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from tests.support import AS_OF
from xlportfolio import registry
from xlportfolio.cli import app
from xlportfolio.commands.needs import NEEDS
from xlportfolio.files.template import INTAKE_KIND, PORTFOLIO_KIND, build_workbook

runner = CliRunner()
PORTFOLIO_COMMANDS = ("accept", "select", "gates", "verify", "rollup", "run", "report")
ITEMS_MISSING = "no Items table (an Excel Table named 'Items', or a sheet 'Items' with headers in row 1)"
INTAKE_MISSING = "no Intake table (an Excel Table named 'Intake', or a sheet 'Intake' with headers in row 1)"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The wrong workbooks, each in a folder of its own: an intake form, a portfolio that lost its
    Items sheet, one that lost its Intake sheet, and somebody's unrelated workbook."""
    from xlportfolio.demo.data import sample_intake

    root = tmp_path_factory.mktemp("wrong")
    made = {}

    def save(name, wb):
        folder = root / name
        folder.mkdir()
        wb.save(folder / f"{name}.xlsx")
        made[name] = folder / f"{name}.xlsx"

    save("intake", build_workbook(INTAKE_KIND, {"Intake": sample_intake(AS_OF)[:5]}))
    for lost in ("Items", "Intake"):
        wb = build_workbook(PORTFOLIO_KIND)
        del wb[lost]
        save(f"no-{lost.lower()}", wb)
    other = Workbook()
    other.active.title = "Sheet1"
    other.active.append(["Month", "Spend"])
    other.active.append(["2026-01", 1200])
    save("other", other)
    (root / "inbox").mkdir()
    from xlportfolio.demo.run import write_crm_export

    write_crm_export(root / "export.csv", AS_OF)
    return made


def args_for(command, book):
    """The command line that runs `command` on `book`, with whatever else the command needs."""
    folder = book.parent
    if command == "consolidate":
        return [command, folder.parent / "inbox", "--into", book]
    if command == "import-crm":
        return [command, folder.parent / "export.csv", "--into", book]
    if command == "report":
        return [command, book, "--out", folder / "pack.html", "--as-of", AS_OF]
    if command == "verify":
        return [command, book]
    return [command, book, "--as-of", AS_OF]


def state(book):
    """The workbook's bytes (as a digest) and every file beside it: nothing may be written or left."""
    return hashlib.sha256(book.read_bytes()).hexdigest(), sorted(p.name for p in book.parent.iterdir())


def refused(command, book):
    """Run `command` on `book` through the CLI; it must refuse with exit 2 and change nothing."""
    before = state(book)
    result = runner.invoke(app, [str(a) for a in args_for(command, book)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert state(book) == before
    return " ".join(result.output.split())  # the message as one line, whatever the console's width


def test_every_command_declares_what_it_works_on():
    assert set(NEEDS) == {c.id for c in registry.COMMANDS}


@pytest.mark.parametrize("command", PORTFOLIO_COMMANDS)
def test_an_intake_workbook_is_refused_by_portfolio_commands(books, command):
    message = refused(command, books["intake"])
    assert f"{books['intake']}: {command} works on a governed portfolio workbook" in message
    assert ITEMS_MISSING in message and "It is an intake workbook" in message
    assert "Nothing was changed" in message and "xlportfolio new portfolio" in message


@pytest.mark.parametrize("command", ("select", "gates", "verify", "rollup", "report"))
def test_a_portfolio_without_its_items_table_is_refused(books, command):
    message = refused(command, books["no-items"])
    assert f"{command} works on a governed portfolio workbook, and this workbook has {ITEMS_MISSING}" in message
    assert "Intake table" not in message  # only what is missing is named


@pytest.mark.parametrize("command", ("validate", "accept", "run", "consolidate", "import-crm"))
def test_a_portfolio_without_its_intake_table_is_refused(books, command):
    message = refused(command, books["no-intake"])
    assert f"{command} works on" in message and INTAKE_MISSING in message
    assert "Items table" not in message


@pytest.mark.parametrize("command", [c.id for c in registry.COMMANDS])
def test_an_unrelated_workbook_is_refused_by_every_command(books, command):
    message = refused(command, books["other"])
    needs = NEEDS[command]
    missing = (" and ".join(f"no {t.name} table" for t in needs.tables) if not needs.any_of
               else "neither " + " nor ".join(f"an {t.name} table" for t in needs.any_of))
    assert f"{books['other']}: {command} works on {needs.kind.what}, and this workbook has {missing}" in message
    assert "Its sheets are: Sheet1." in message and needs.kind.start in message


def test_intake_commands_name_the_intake_template(books):
    message = refused("validate", books["other"])
    assert "an intake workbook or a governed portfolio" in message
    assert "xlportfolio new intake TEMPLATE.xlsx" in message


def test_the_right_workbook_still_runs(books, tmp_path):
    """The check lets through what a command needs and no more: validate takes the intake form."""
    result = runner.invoke(app, ["validate", str(books["intake"]), "--output", str(tmp_path / "checked.xlsx"),
                                 "--as-of", str(AS_OF)])
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "checked.xlsx").is_file()


def test_score_ranks_the_requests_of_an_intake_form(books, tmp_path):
    """The intake template carries Score, Rank and Why: score works there (and on a portfolio without
    Items, on its requests); only a workbook with neither table is refused."""
    from openpyxl import load_workbook

    for book in (books["intake"], books["no-items"]):
        out = tmp_path / f"scored-{book.name}"
        result = runner.invoke(app, ["score", str(book), "--output", str(out), "--as-of", str(AS_OF)])
        assert result.exit_code in (0, 1), result.output
        assert "works on" not in result.output and out.is_file()
    intake = load_workbook(tmp_path / f"scored-{books['intake'].name}")["Intake"]
    header = [c.value for c in intake[1]]
    ranks = [row[header.index("Rank")] for row in intake.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sorted(ranks) == [1, 2, 3, 4, 5]


# --- the ribbon: the same check and message on a workbook open in Excel --------------------------------------------

@pytest.fixture
def remote(monkeypatch):
    from xlportfolio.excel.server import ensure_remote_engine

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    assert ensure_remote_engine()


@pytest.mark.parametrize(("command", "book"), [
    (c, book) for book in ("intake", "other") for c in registry.ribbon_commands()
    # validate and score work on an intake form
    if c.id != "validate" and not (book == "intake" and c.id == "score")], ids=lambda v: getattr(v, "id", v))
def test_the_ribbon_refuses_with_the_same_message_and_changes_nothing(books, remote, command, book):
    import xlwings as xw

    from tests.live.payload import book_payload
    from xlportfolio.excel import ribbon

    path = books[book]
    cli_message = refused(command.id, path)
    live = xw.Book(json=book_payload(path))
    try:
        outcome = ribbon.dispatch(command.control_id, live)
        actions = live.json()["actions"]
    finally:
        live.close()
    assert outcome.exit_code == 2
    # The live source is the book's name, the CLI's the file's path: the rest is the very same text.
    assert outcome.summary.startswith(f"{path.name}: {command.id} works on ")
    assert outcome.summary.split(": ", 1)[1] in cli_message
    assert [a["func"] for a in actions] == ["alert"]  # the message box, and not one change to the book
    assert actions[0]["args"][0] == outcome.summary
