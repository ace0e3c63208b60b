"""consolidate on a real folder: good, outdated, wrong, encrypted, damaged and stray files."""
from openpyxl import load_workbook

from tests.support import AS_OF
from xlportfolio.commands.consolidate import Options as ConsolidateOptions
from xlportfolio.commands.files import on_file
from xlportfolio.demo.run import write_inbox


def intake_rows(path):
    ws = load_workbook(path)["Intake"]
    head = [c.value for c in ws[1]]
    return head, [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def test_one_broken_file_never_stops_the_batch(demo_book, tmp_path):
    inbox = tmp_path / "inbox"
    files = write_inbox(inbox, AS_OF)
    sources = {p: p.read_bytes() for p in files}
    result = on_file("consolidate", demo_book, ConsolidateOptions(folder=inbox, as_of=AS_OF))
    by_file = {o.file: o for o in result.figures.files}

    assert set(by_file) == {p.name for p in files}
    sales, ops = by_file["sales.xlsx"], by_file["operations.xlsx"]
    assert (sales.rows_read, sales.new + len(sales.rejected)) == (20, 20) and sales.new > 0
    assert all("row " in r and "Intake!" not in r for r in sales.rejected)
    assert ops.template == "1.0" and "read as v1.1" in ops.notes[0] and ops.new > 0
    assert "wrong template" in by_file["finance-portfolio.xlsx"].error
    assert "damaged" in by_file["hr-damaged.xlsx"].error
    assert "password" in by_file["legal-protected.xlsx"].error
    assert "not an Excel workbook" in by_file["notes.csv"].error
    assert all(p.read_bytes() == data for p, data in sources.items())  # sources are only read

    head, rows = intake_rows(demo_book)
    merged = [r for r in rows if r["Submitted in"] == "sales.xlsx"]
    assert len(merged) == sales.new and all(r["Request ID"].startswith("SAL-") for r in merged)
    sheet = load_workbook(demo_book)["Consolidation"]
    listed = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert listed["sales.xlsx"][4] == sales.new and listed["hr-damaged.xlsx"][2] == "not read"


def test_rerun_duplicates_nothing_and_updates_what_changed(demo_book, tmp_path):
    inbox = tmp_path / "inbox"
    write_inbox(inbox, AS_OF)
    first = on_file("consolidate", demo_book, ConsolidateOptions(folder=inbox, as_of=AS_OF))
    _, rows_before = intake_rows(demo_book)

    sales = inbox / "sales.xlsx"
    wb = load_workbook(sales)
    ws = wb["Intake"]
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("Title") + 1).value = "Renamed by the business unit"
    wb.save(sales)

    second = on_file("consolidate", demo_book, ConsolidateOptions(folder=inbox, as_of=AS_OF))
    s1 = next(o for o in first.figures.files if o.file == "sales.xlsx")
    s2 = next(o for o in second.figures.files if o.file == "sales.xlsx")
    assert (s2.new, s2.updated, s2.unchanged) == (0, 1, s1.new - 1)
    _, rows_after = intake_rows(demo_book)
    assert len(rows_after) == len(rows_before)
    assert [r["Title"] for r in rows_after if r["Request ID"] == "SAL-001"] == ["Renamed by the business unit"]


def test_an_id_already_in_the_portfolio_is_rejected_not_overwritten(demo_book, tmp_path):
    from xlportfolio.demo.data import sample_intake
    from xlportfolio.demo.run import intake_form

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = sample_intake(AS_OF, seed=99, count=3)  # REQ-0001..3 are the portfolio's own IDs
    intake_form(rows).save(inbox / "clash.xlsx")
    _, before = intake_rows(demo_book)
    result = on_file("consolidate", demo_book, ConsolidateOptions(folder=inbox, as_of=AS_OF))
    (outcome,) = result.figures.files
    assert outcome.new == 0 and len(outcome.rejected) == 3
    assert "already used by the portfolio itself" in outcome.rejected[0]
    _, after = intake_rows(demo_book)
    assert [r["Title"] for r in after[:3]] == [r["Title"] for r in before[:3]]
