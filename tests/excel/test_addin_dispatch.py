"""dispatch: the one function VBA calls. Progress in the status bar, the outcome in a message
box, a clear message for every failure, never a traceback."""
import pytest

from xlportfolio.commands.base import Outcome
from xlportfolio.errors import TemplateError
from xlportfolio.excel import ribbon


class App:
    def __init__(self):
        self.alerts = []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode})


class Book:
    def __init__(self):
        self.app = App()
        self.name = "portfolio.xlsx"


class Live:
    """Stands in for LiveWorkbook: records the status bar."""

    made = []

    def __init__(self, book):
        self.book = book
        self.source = book.name
        self.statuses = []
        Live.made.append(self)

    def status(self, text):
        self.statuses.append(text)


@pytest.fixture
def live(monkeypatch):
    Live.made = []
    monkeypatch.setattr(ribbon, "_live", Live)
    return Live


def test_runs_the_command_with_progress_and_reports_it(extra_command, live):
    import xlp_fake_commands

    book = Book()
    outcome = ribbon.dispatch("xlp_forecast", book)
    assert outcome.summary == "Forecast rolled forward: 3 items." and outcome.exit_code == 0
    [ran_on] = xlp_fake_commands.calls
    assert ran_on.workbook is live.made[0]  # the live wrapper, with the status bar's steps around it
    assert live.made[0].statuses == ["xlportfolio: Forecast…", ""]  # shown, then cleared
    [alert] = book.app.alerts
    assert alert["title"] == "xlportfolio: Forecast" and alert["mode"] == "info"
    assert alert["prompt"] == "Forecast rolled forward: 3 items.\n  P-001 moved\n  P-002 moved"


def test_errors_found_in_the_data_show_as_a_warning(extra_command, live, monkeypatch):
    import xlp_fake_commands

    monkeypatch.setattr(xlp_fake_commands, "forecast", lambda wb, options: Outcome(command="forecast", summary="2 errors found.", exit_code=1))
    book = Book()
    assert ribbon.dispatch("xlp_forecast", book).exit_code == 1
    assert book.app.alerts[0]["mode"] == "critical"


def test_a_workbook_problem_shows_its_message(extra_command, live, monkeypatch):
    import xlp_fake_commands

    def broken(wb, options):
        raise TemplateError("portfolio.xlsx", "there is no Intake table; start from the template.")
    monkeypatch.setattr(xlp_fake_commands, "forecast", broken)
    book = Book()
    outcome = ribbon.dispatch("xlp_forecast", book)
    assert outcome.exit_code == 2
    [alert] = book.app.alerts
    assert alert["prompt"] == "portfolio.xlsx: there is no Intake table; start from the template."
    assert live.made[0].statuses[-1] == ""  # the status bar is cleared on failure too


def test_anything_else_is_an_internal_error_without_traceback(extra_command, live, monkeypatch):
    import xlp_fake_commands

    monkeypatch.delenv("XLPORTFOLIO_DEBUG", raising=False)
    monkeypatch.setattr(xlp_fake_commands, "forecast", lambda wb, options: {}["missing"])
    book = Book()
    outcome = ribbon.dispatch("xlp_forecast", book)
    assert outcome.exit_code == 3
    prompt = book.app.alerts[0]["prompt"]
    assert prompt.startswith("internal error (KeyError: 'missing'). Nothing was saved")
    assert "Traceback" not in prompt and "XLPORTFOLIO_DEBUG" in prompt
    assert live.made[0].statuses[-1] == ""


def test_debug_lets_the_error_through(extra_command, live, monkeypatch):
    import xlp_fake_commands

    monkeypatch.setenv("XLPORTFOLIO_DEBUG", "1")
    monkeypatch.setattr(xlp_fake_commands, "forecast", lambda wb, options: {}["missing"])
    with pytest.raises(KeyError):
        ribbon.dispatch("xlp_forecast", Book())


def test_unknown_button(live):
    book = Book()
    assert ribbon.dispatch("xlp_nonsense", book) is None
    prompt = book.app.alerts[0]["prompt"]
    assert "'xlp_nonsense'" in prompt and "xlportfolio addin install" in prompt
    assert "xlp_validate" in prompt
    assert live.made == []


def test_off_ribbon_commands_cannot_be_dispatched(live):
    book = Book()
    assert ribbon.dispatch("xlp_consolidate", book) is None  # needs a folder, not the open book


def test_a_status_bar_that_fails_does_not_stop_the_command(extra_command, monkeypatch):
    class NoStatusBar(Live):
        def status(self, text):
            raise NotImplementedError("App.status_bar is not supported on this engine")
    monkeypatch.setattr(ribbon, "_live", NoStatusBar)
    book = Book()
    assert ribbon.dispatch("xlp_forecast", book).exit_code == 0
    assert book.app.alerts[0]["mode"] == "info"


def test_finds_the_callers_book_when_none_is_given(extra_command, live, monkeypatch):
    import xlwings as xw

    book = Book()
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
    assert ribbon.dispatch("xlp_forecast").exit_code == 0
    assert live.made[0].book is book and book.app.alerts


def test_long_reports_are_cut_for_the_message_box():
    outcome = Outcome(command="validate", summary="500 requests checked: 480 errors.", exit_code=1, details=[f"Intake!B{i}: Sponsor is required" for i in range(480)])
    text = ribbon.outcome_text(outcome)
    assert text.startswith("500 requests checked") and len(text) <= ribbon.PROMPT_LIMIT
    assert text.rstrip().endswith("Findings sheet.")
    assert text.count("\n  Intake!") == ribbon.DETAIL_LINES


def test_a_message_box_that_cannot_show_falls_back_to_stderr(extra_command, live, capsys):
    class Headless(Book):
        def __init__(self):
            super().__init__()
            self.app.alert = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no display"))
    ribbon.dispatch("xlp_forecast", Headless())
    assert "Forecast rolled forward" in capsys.readouterr().err


def test_validate_on_the_remote_engine(demo_book, monkeypatch):
    """The real thing: LiveWorkbook over xlwings' remote engine, the validate run function."""
    import xlwings as xw

    pytest.importorskip("xlportfolio.live.workbook")
    from tests.live.payload import Model, book_payload
    from xlportfolio.excel.server import ensure_remote_engine

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    assert ensure_remote_engine()
    book = xw.Book(json=book_payload(demo_book))
    try:
        outcome = ribbon.dispatch("xlp_validate", book)
        actions = book.json()["actions"]
    finally:
        book.close()
    assert outcome.exit_code == 1 and outcome.report.errors > 0
    alerts = [a for a in actions if a["func"] == "alert"]
    assert len(alerts) == 1 and alerts[0]["args"][0].startswith(outcome.summary)
    model = Model(demo_book).replay([a for a in actions if a["func"] != "alert"])
    assert model.unknown == []
    assert "Findings" in model.sheet_names


def test_no_caller_is_one_clear_line(monkeypatch, capsys):
    import xlwings as xw

    def nobody(cls):
        raise RuntimeError("no Excel here")
    monkeypatch.setattr(xw.Book, "caller", classmethod(nobody))
    with pytest.raises(SystemExit) as exit_:
        ribbon.dispatch("xlp_validate")
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("xlportfolio: cannot reach the workbook") and "Traceback" not in err
