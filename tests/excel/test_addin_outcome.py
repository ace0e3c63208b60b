"""What a click tells the person: the steps in the status bar, the outcome with its counts and
first errors by item and cell, and a way to the Findings sheet. Real commands on real files."""
import pytest
from openpyxl import load_workbook

from xlportfolio.commands.base import Outcome
from xlportfolio.core.findings import Finding, Report, Severity
from xlportfolio.excel import ribbon
from xlportfolio.files.workbook import open_book


class Sheet:
    def __init__(self, name, book):
        self.name, self.book = name, book

    def activate(self):
        self.book.active = self.name


class App:
    """Desktop Excel's message box: records each call, answers with `answer`."""

    def __init__(self, answer):
        self.answer, self.alerts = answer, []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return self.answer if buttons == "yes_no" else "ok"


class Book:
    """An xlwings Book on a desktop engine, whose sheets are those of the workbook the command changes."""

    def __init__(self, workbook, answer="no"):
        self.workbook, self.app, self.name, self.active = workbook, App(answer), "portfolio.xlsx", "Intake"

    @property
    def sheets(self):
        return [Sheet(name, self) for name in self.workbook.surface.sheet_names()]


@pytest.fixture
def clicked(demo_book, monkeypatch):
    """dispatch(control) on the demo portfolio as a file, recording the status bar; the file is
    saved after the command, as Excel would hold it."""
    monkeypatch.delenv("XLPORTFOLIO_DEBUG", raising=False)

    def click(control, answer="no"):
        statuses = []
        with open_book(demo_book, on_status=statuses.append) as wb:
            book = Book(wb, answer)
            monkeypatch.setattr(ribbon, "_live", lambda _: wb)
            outcome = ribbon.dispatch(control, book)
            wb.save()
        return outcome, statuses, book
    return click


def test_the_status_bar_follows_the_steps(clicked):
    _, statuses, _ = clicked("xlp_validate")
    assert statuses == ["xlportfolio: Validate…", "xlportfolio: Validate: reading the workbook…",
                        "xlportfolio: Validate: checking…", "xlportfolio: Validate: writing the results…", ""]


def test_run_all_names_each_step(clicked):
    _, statuses, book = clicked("xlp_run")
    steps = [s for s in statuses if s.endswith(": reading the workbook…")]
    for name in ("validate", "accept", "score", "gates", "rollup"):
        assert f"xlportfolio: Run all – {name}: reading the workbook…" in steps
    assert statuses[-1] == ""
    assert "First errors:" in book.app.alerts[0]["prompt"]  # the chain's findings reach the message


def test_the_outcome_names_the_first_three_errors_by_item_and_cell(clicked, demo_book):
    outcome, _, book = clicked("xlp_validate")
    [alert] = book.app.alerts
    lines = alert["prompt"].split("\n")
    assert lines[0] == outcome.summary and f"{outcome.report.errors} errors" in lines[0]
    first = [f for f in outcome.report.findings if f.severity is Severity.ERROR][:3]
    at = lines.index("First errors:")
    ws = load_workbook(demo_book)["Intake"]
    header = {c.value: c.column_letter for c in ws[1]}
    for line, finding in zip(lines[at + 1:at + 4], first, strict=True):
        request, title = (ws[f"{header[h]}{finding.row}"].value for h in ("Request ID", "Title"))
        assert line.startswith(f'  {request} "{title}", Intake!{finding.cell} ({finding.header}): ')
        assert finding.message[:60] in line
    assert lines[at + 4] == ""  # then the question, after a blank line
    assert "Traceback" not in alert["prompt"]


def test_yes_goes_to_the_findings_sheet(clicked):
    _, _, book = clicked("xlp_validate", answer="yes")
    [alert] = book.app.alerts
    assert alert["buttons"] == "yes_no" and alert["prompt"].endswith("\n\nGo to the Findings sheet?")
    assert alert["mode"] == "critical"  # errors were found
    assert book.active == "Findings"


def test_no_stays_where_the_person_was(clicked):
    _, _, book = clicked("xlp_validate", answer="no")
    assert book.app.alerts[0]["buttons"] == "yes_no" and book.active == "Intake"


def test_nothing_found_asks_nothing(clicked):
    clicked("xlp_gates")  # the items join the ledger as an opening balance, so verify has a chain to check
    outcome, _, book = clicked("xlp_verify")
    assert not outcome.report.findings
    [alert] = book.app.alerts
    assert alert["buttons"] == "ok" and "Findings" not in alert["prompt"] and alert["mode"] == "info"


def test_counts_are_added_when_the_summary_lacks_them():
    report = Report.of([Finding("missing-value", Severity.ERROR, "Sponsor is required.", "Items", 7, "F", "Sponsor"),
                        Finding("late", Severity.WARNING, "Past due.", "Items", 9, "H", "Due"),
                        Finding("late", Severity.WARNING, "Past due.", "Items", 8, "H", "Due")])
    text = ribbon.outcome_text(Outcome.of("rollup", "Rollups refreshed.", 1, report), items={("Items", 7): 'P-7 "Portal"'})
    assert text.split("\n") == ["Rollups refreshed.", "Found 1 error, 2 warnings.", "First error:",
                                '  P-7 "Portal", Items!F7 (Sponsor): Sponsor is required.']
    said = ribbon.outcome_text(Outcome.of("validate", "9 rows checked: 1 error, 2 warnings.", 1, report))
    assert "Found" not in said and "  Items!F7 (Sponsor): Sponsor is required." in said.split("\n")


def test_a_findings_sheet_that_cannot_be_reached_still_shows_the_outcome(clicked, monkeypatch):
    def broken(self):
        raise RuntimeError("sheet is gone")
    monkeypatch.setattr(Sheet, "activate", broken)
    outcome, _, book = clicked("xlp_validate", answer="yes")
    assert outcome.exit_code == 1 and book.app.alerts[0]["prompt"].startswith(outcome.summary)


def remote_click(demo_book, monkeypatch, control):
    """dispatch(control) on xlwings' remote engine: the outcome and the actions it answers."""
    from tests.live.payload import book_payload
    from xlportfolio.excel.server import ensure_remote_engine

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    monkeypatch.delenv("XLPORTFOLIO_DEBUG", raising=False)
    assert ensure_remote_engine()
    import xlwings as xw

    book = xw.Book(json=book_payload(demo_book))
    try:
        outcome = ribbon.dispatch(control, book)
        return outcome, book.json()["actions"]
    finally:
        book.close()


def test_on_the_remote_engine_the_task_pane_answers_the_offer(demo_book, monkeypatch):
    """xlwings' remote engine queues the alert and cannot answer back to Python: the alert's
    Yes/No goes to the task pane's callback, named in the action; the sheet stays where it was."""
    from tests.live.payload import Model

    outcome, actions = remote_click(demo_book, monkeypatch, "xlp_validate")
    assert outcome.report.errors
    [alert] = [a for a in actions if a["func"] == "alert"]
    prompt, title, buttons, mode, callback = alert["args"]
    assert prompt.endswith("\n\nGo to the Findings sheet?") and "First errors:" in prompt
    assert (title, buttons, mode) == ("xlportfolio: Validate", "yes_no", "critical")
    assert callback == ribbon.FINDINGS_CALLBACK == "xlpGoToFindings"
    model = Model(demo_book).replay([a for a in actions if a["func"] != "alert"])
    assert model.sheet_names[model.active] != "Findings"  # not opened behind the person's back


def test_on_the_remote_engine_nothing_found_is_a_plain_ok(demo_book, monkeypatch, tmp_path):
    import shutil

    from openpyxl import load_workbook

    from xlportfolio.files.workbook import open_book as open_file

    path = tmp_path / "gated.xlsx"  # gates first, so verify has a chain to check and finds nothing
    shutil.copy(demo_book, path)
    with open_file(path) as wb, monkeypatch.context() as m:
        m.setattr(ribbon, "_live", lambda _: wb)
        ribbon.dispatch("xlp_gates", Book(wb))
        wb.save()
    assert "Ledger" in load_workbook(path).sheetnames
    outcome, actions = remote_click(path, monkeypatch, "xlp_verify")
    assert not outcome.report.findings
    [alert] = [a for a in actions if a["func"] == "alert"]
    assert alert["args"][2:] == ["ok", "info", ""] and "Findings" not in alert["args"][0]
