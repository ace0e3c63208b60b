"""score on a real portfolio file: Score, Rank and Why per row, AHP from the workbook's table."""
from openpyxl import load_workbook

from tests.support import AS_OF, parts
from xlportfolio.commands.files import on_file
from xlportfolio.commands.score import Options as ScoreOptions


def column(ws, header):
    head = [c.value for c in ws[1]]
    i = head.index(header)
    return [r[i] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def test_scores_ranks_and_reasons_for_requests_and_items(demo_book, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    result = on_file("score", demo_book, ScoreOptions(as_of=AS_OF), output=first)
    assert result.figures.scored["Intake"] == 100 and result.figures.scored["Items"] > 400
    wb = load_workbook(first)
    for sheet in ("Intake", "Items"):
        ranks = column(wb[sheet], "Rank")
        assert sorted(ranks) == list(range(1, len(ranks) + 1))
        scores = column(wb[sheet], "Score")
        assert all(0 <= s <= 100 for s in scores)
        best = scores[ranks.index(1)]
        assert best == max(scores)
        whys = column(wb[sheet], "Why")
        assert all(whys) and "%" in whys[ranks.index(1)]
    assert "Urgency" not in result.figures.skipped["Items"]  # items are urgent by their end date
    on_file("score", first, ScoreOptions(as_of=AS_OF), output=second)
    assert parts(first) == parts(second)


def test_ahp_weights_and_an_inconsistent_matrix(demo_book):
    wb = load_workbook(demo_book)
    ws = wb["Scoring"]
    header = {c.value: c.column for c in ws[2] if c.value}
    row_of = {ws.cell(r, header["Criterion"]).value: r for r in range(3, 10)}

    def judge(a, b, value):
        ws.cell(row_of[a], header[b]).value = value

    judge("Strategic fit", "Value", 5)
    judge("Strategic fit", "Cost", 0.2)
    judge("Value", "Cost", 9)
    wb.save(demo_book)
    result = on_file("score", demo_book, ScoreOptions(ahp=True, as_of=AS_OF))
    assert result.figures.consistency > 0.10
    assert [f.code for f in result.report.findings] == ["ahp-inconsistent"]
    findings = load_workbook(demo_book)["Findings"]
    assert ("score", "warning", "ahp-inconsistent") in {r[:3] for r in findings.iter_rows(values_only=True)}


def test_a_bad_criterion_is_marked_on_the_scoring_sheet(demo_book):
    wb = load_workbook(demo_book)
    ws = wb["Scoring"]
    ws["C3"] = "lots"  # the first criterion's weight
    wb.save(demo_book)
    result = on_file("score", demo_book, ScoreOptions(as_of=AS_OF))
    (bad,) = result.report.findings
    assert (bad.code, bad.sheet, bad.cell) == ("bad-criterion", "Scoring", "C3")
    assert "cannot be used" in load_workbook(demo_book)["Scoring"]["C3"].comment.text


def test_an_ahp_table_that_is_not_square_is_named(demo_book):
    import pytest

    from xlportfolio.errors import TemplateError

    wb = load_workbook(demo_book)
    table = wb["Scoring"].tables["AHP"]
    first, last = table.ref.split(":")
    table.ref = f"{first}:{last[0]}{int(last[1:]) - 1}"  # one criterion row cut off
    wb.save(demo_book)
    with pytest.raises(TemplateError, match="same criteria both ways"):
        on_file("score", demo_book, ScoreOptions(ahp=True, as_of=AS_OF))
