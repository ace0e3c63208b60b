"""The ribbon's Verify ledger and Gates buttons on a book open in Excel (xlwings' remote engine)
report what the command line reports: a keyed ledger, a wrong key, an anchor that was removed."""
import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.live.payload import book_payload
from tests.live.remote import open_remote
from xlportfolio.commands import gates, verify
from xlportfolio.core.gates.ledger import Entry, append, chain_head, ledger_sheet, stamp
from xlportfolio.core.plan import EditPlan
from xlportfolio.errors import LedgerTampered
from xlportfolio.files.workbook import open_book, read_book_file
from xlportfolio.live import LiveWorkbook

KEY = "steering-committee-2026"
MOVES = [("Anna", "PR-001", "DI1 Defined", "DI2 Planned", "Go", "Budget agreed"),
         ("Ben", "PR-002", "DI2 Planned", "DI3 Approved", "Go", "Board 2026-06"),
         ("Anna", "PR-001", "DI2 Planned", "DI3 Approved", "Go", "Sponsor back")]


@pytest.fixture(autouse=True)
def no_user_key(monkeypatch, tmp_path):
    for name in ("XLPORTFOLIO_LEDGER_KEY", "XLPORTFOLIO_LEDGER_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XLPORTFOLIO_CONFIG_DIR", str(tmp_path / "no-config"))


def with_ledger(path, key):
    """The portfolio with a three-row ledger (keyed with `key`) and its head, written by the file adapter."""
    rows = append([], [Entry(stamp(dt.datetime(2026, 6, d, 9)), *m) for d, m in enumerate(MOVES, 1)], key)
    with open_book(path) as wb:
        wb.apply(EditPlan(sheets=[ledger_sheet(rows)]))
        wb.set_property(verify.HEAD_PROPERTY, chain_head(rows))
        wb.save()
    return path


def both(path):
    """The Verify button's outcome on the live book and on the file."""
    live = verify.run(LiveWorkbook(open_remote(book_payload(path))), verify.Options())
    with read_book_file(path) as file:
        on_file = verify.run(file, verify.Options())
    return live, on_file


@pytest.mark.parametrize("key, code, words", [
    (None, 2, "The ledger is keyed (3 of 3 rows)"),
    ("guessed", 1, "tampered with in 1 places"),
    (KEY, 0, "Every row matches the ledger key (XLPORTFOLIO_LEDGER_KEY)"),
])
def test_verify_button_on_a_keyed_ledger(portfolio, monkeypatch, key, code, words):
    with_ledger(portfolio, KEY.encode())
    if key:
        monkeypatch.setenv("XLPORTFOLIO_LEDGER_KEY", key)
    live, on_file = both(portfolio)
    assert (live.summary, live.exit_code, live.details) == (on_file.summary, on_file.exit_code, on_file.details)
    assert live.exit_code == code and words in live.summary
    assert [f.code for f in live.report.findings] == (["ledger-key-wrong"] if code == 1 else [])


def test_verify_and_gates_buttons_refuse_a_cut_ledger_whose_anchor_was_removed(portfolio):
    with_ledger(portfolio, None)
    wb = load_workbook(portfolio)
    del wb.defined_names["xlp_ledger_head"]
    wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != verify.HEAD_PROPERTY]
    wb["Ledger"].delete_rows(4)
    wb.save(portfolio)
    live, on_file = both(portfolio)
    assert (live.summary, live.exit_code, live.details) == (on_file.summary, on_file.exit_code, on_file.details)
    assert live.exit_code == 1 and [f.code for f in live.report.findings] == ["ledger-head-missing"]
    book = open_remote(book_payload(portfolio))
    with pytest.raises(LedgerTampered, match="recorded head"):
        gates.run(LiveWorkbook(book), gates.Options())
    assert book.json()["actions"] == []  # nothing was written to the open book
