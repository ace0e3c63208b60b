"""The ledger's anchor, its key and a copy kept outside the workbook, on real portfolio files
through the command line: exit codes, what a person reads, and files left byte-identical."""
import datetime as dt
import json
import shutil

import pytest
from openpyxl import load_workbook

from tests.support import AS_OF
from tests.test_cli import run
from xlportfolio.commands.files import on_file
from xlportfolio.commands.gates import Options as GatesOptions
from xlportfolio.core.gates.ledger import Entry, chain_head, entry_hash

NOW = dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC)
KEY = "steering-committee-2026"
ENV = ("XLPORTFOLIO_LEDGER_KEY", "XLPORTFOLIO_LEDGER_KEY_FILE", "XLPORTFOLIO_CONFIG_DIR")


@pytest.fixture(autouse=True)
def no_user_key(monkeypatch, tmp_path):
    """No key from the environment or the config of whoever runs the tests."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XLPORTFOLIO_CONFIG_DIR", str(tmp_path / "no-config"))


def _gated(folder, key):
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    data = sample_portfolio(AS_OF)
    # The ledger is what these tests are about: leave out the bulk (monthly financials, intake).
    asking = {i["item_id"] for i in data["Items"] if i.get("requested_stage")}
    data["Financials"] = [f for f in data["Financials"] if f["item_id"] in asking]
    data["Intake"], data["Capacity"] = [], []
    path = folder / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, data).save(path)
    with pytest.MonkeyPatch.context() as env:
        for name in ENV:
            env.delenv(name, raising=False)
        env.setenv("XLPORTFOLIO_CONFIG_DIR", str(folder / "no-config"))
        if key:
            env.setenv("XLPORTFOLIO_LEDGER_KEY", key)
        outcome = on_file("gates", path, GatesOptions(as_of=AS_OF, now=NOW))
    assert outcome.figures.ledger_rows > 5
    return path


@pytest.fixture(scope="module")
def gated_files(tmp_path_factory):
    """The demo portfolio after one gates run: its ledger unkeyed, and keyed."""
    return {key: _gated(tmp_path_factory.mktemp(f"key-{bool(key)}"), key) for key in (None, KEY)}


@pytest.fixture
def plain(gated_files, tmp_path):
    return shutil.copy(gated_files[None], tmp_path / "plain.xlsx")


@pytest.fixture
def keyed(gated_files, tmp_path):
    return shutil.copy(gated_files[KEY], tmp_path / "keyed.xlsx")


def ledger_of(path):
    return [r for r in load_workbook(path)["Ledger"].iter_rows(min_row=2, values_only=True) if any(r)]


def entry_of(row):
    """A Ledger row's fields as the hash reads them: a blank cell is empty text."""
    return Entry(*("" if v is None else str(v) for v in row[1:8]))


def remove_anchor(path, name=True, prop=True, keep_rows=None):
    wb = load_workbook(path)
    if name:
        del wb.defined_names["xlp_ledger_head"]
    if prop:
        wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != "xlportfolio.ledger_head"]
    if keep_rows is not None:
        ws = wb["Ledger"]
        ws.delete_rows(2 + keep_rows, ws.max_row)
    wb.save(path)


def test_plain_ledger_verifies_and_says_it_proves_order_not_authorship(plain):
    result = run("verify", plain)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output and "proves order and integrity, not authorship" in result.output
    assert "XLPORTFOLIO_LEDGER_KEY" in result.output and "[ledger]" in result.output


@pytest.mark.parametrize("name, prop", [(True, True), (True, False), (False, True)])
def test_truncated_ledger_with_its_anchor_removed_is_refused_and_left_as_it_is(plain, name, prop):
    rows = len(ledger_of(plain))
    remove_anchor(plain, name, prop, keep_rows=rows - 2)  # the last two moves cut off
    before = plain.read_bytes()
    result = run("verify", plain)
    gates = run("gates", plain, "--as-of", AS_OF)
    assert plain.read_bytes() == before
    assert result.exit_code == 1 and gates.exit_code == 2
    if name and prop:  # the whole anchor is gone
        assert "ledger-head-missing" in result.output and "xlp_ledger_head" in result.output
        assert "recorded head" in gates.output and "No gate was moved" in gates.output
    else:  # half of the anchor still tells where the ledger ended
        assert "ledger-head-mismatch" in result.output and f"Seq {rows - 1} to {rows}" in result.output


def test_anchor_removed_from_a_whole_ledger_is_refused_too(plain):
    remove_anchor(plain)
    before = plain.read_bytes()
    assert run("verify", plain).exit_code == 1 and run("gates", plain, "--as-of", AS_OF).exit_code == 2
    assert plain.read_bytes() == before


def test_workbook_without_a_ledger_says_so(tmp_path):
    assert run("new", "portfolio", tmp_path / "p.xlsx").exit_code == 0
    before = (tmp_path / "p.xlsx").read_bytes()
    result = run("verify", tmp_path / "p.xlsx")
    assert result.exit_code == 2 and "there is no ledger in this workbook" in result.output
    assert "intact" not in result.output and (tmp_path / "p.xlsx").read_bytes() == before


def test_keyed_ledger_with_the_right_key_a_wrong_key_and_no_key(keyed, monkeypatch):
    rows = ledger_of(keyed)
    assert all(r[9].startswith("hmac-sha256:") for r in rows)
    before = keyed.read_bytes()
    result = run("verify", keyed)
    assert result.exit_code == 2 and "The ledger is keyed" in result.output and "set XLPORTFOLIO_LEDGER_KEY" \
        in result.output and "tampered" not in result.output
    gates = run("gates", keyed, "--as-of", AS_OF)  # new rows without the key would break the proof
    assert gates.exit_code == 2 and "the ledger is keyed" in gates.output and keyed.read_bytes() == before
    monkeypatch.setenv("XLPORTFOLIO_LEDGER_KEY", "guessed")
    result = run("verify", keyed, "--json")
    payload = json.loads(result.stdout)
    assert result.exit_code == 1 and [f["code"] for f in payload["findings"]] == ["ledger-key-wrong"]
    monkeypatch.setenv("XLPORTFOLIO_LEDGER_KEY", KEY)
    result = run("verify", keyed)
    assert result.exit_code == 0 and "Every row matches the ledger key" in result.output
    assert keyed.read_bytes() == before


def test_key_from_a_key_file_named_in_the_user_config(keyed, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('[ledger]\nkey_file = "ledger.key"\n', encoding="utf-8")
    monkeypatch.setenv("XLPORTFOLIO_CONFIG_DIR", str(config))
    result = run("verify", keyed)
    assert result.exit_code == 2 and "ledger.key" in result.output and "cannot be read" in result.output
    (config / "ledger.key").write_text(KEY + "\n", encoding="utf-8")  # an editor's line break is not the key
    result = run("verify", keyed, "--json")
    assert result.exit_code == 0 and "ledger.key" in json.loads(result.stdout)["figures"]["key"]


def test_a_forged_chain_passes_the_chain_alone_but_not_the_key(keyed, monkeypatch):
    """Someone rewrites a keyed row and every Hash below it, and the head, with a key of their own."""
    wb = load_workbook(keyed)
    ws = wb["Ledger"]
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    rows[0][7] = "Approved by the sponsor"
    previous = rows[0][8]
    for row in rows:
        row[8], row[9] = previous, entry_hash(row[0], entry_of(row), previous, b"forger")
        previous = row[9]
    for excel, row in enumerate(rows, start=2):
        ws.cell(excel, 9, row[8]), ws.cell(excel, 10, row[9])
    wb.save(keyed)
    set_head(keyed, chain_head([tuple(r) for r in rows]))
    monkeypatch.setenv("XLPORTFOLIO_LEDGER_KEY", KEY)
    result = run("verify", keyed)
    assert result.exit_code == 1 and "ledger-key-wrong" in result.output


def set_head(path, head):
    from openpyxl.workbook.defined_name import DefinedName

    wb = load_workbook(path)
    wb.defined_names["xlp_ledger_head"] = DefinedName("xlp_ledger_head", attr_text=f'"{head}"')
    for prop in wb.custom_doc_props.props:
        if prop.name == "xlportfolio.ledger_head":
            prop.value = head
    wb.save(path)


def test_export_and_compare_a_copy(plain, tmp_path):
    copy = tmp_path / "ledger.jsonl"
    result = run("verify", plain, "--export", copy)
    assert result.exit_code == 0 and "Copy of the ledger written" in result.output
    lines = copy.read_text(encoding="utf-8").splitlines()
    rows = ledger_of(plain)
    assert [json.loads(line)["hash"] for line in lines] == [r[9] for r in rows]
    older = tmp_path / "older.jsonl"  # a copy taken three rows ago is the first lines of today's
    older.write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    result = run("verify", plain, "--against", older)
    assert result.exit_code == 0 and f"Every one of the {len(rows) - 3} rows" in result.output
    assert "3 rows were added since" in result.output

    # A consistent rewrite: row 3's Reason, every Hash below it and the head recomputed.
    wb = load_workbook(plain)
    ws = wb["Ledger"]
    cells = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    cells[1][7] = "Rewritten later"
    for i in range(1, len(cells)):
        cells[i][8] = cells[i - 1][9]
        cells[i][9] = entry_hash(cells[i][0], entry_of(cells[i]), cells[i][8])
        ws.cell(i + 2, 8, cells[i][7]), ws.cell(i + 2, 9, cells[i][8]), ws.cell(i + 2, 10, cells[i][9])
    wb.save(plain)
    set_head(plain, chain_head([tuple(r) for r in cells]))
    assert run("verify", plain).exit_code == 0  # the chain alone cannot tell
    result = run("verify", plain, "--against", copy, "--json")
    payload = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(f["code"], f["row"]) for f in payload["findings"]] == [("ledger-copy-changed", 3),
                                                                    ("ledger-copy-rechained", 4)]
    assert "Reason is 'Rewritten later'" in payload["findings"][0]["message"]


def test_no_copy_of_a_tampered_ledger_and_no_comparison_with_a_tampered_copy(plain, tmp_path):
    copy = tmp_path / "ledger.jsonl"
    assert run("verify", plain, "--export", copy).exit_code == 0
    lines = copy.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[1])
    edited["who"] = "Mallory"
    lines[1] = json.dumps(edited)
    (tmp_path / "edited.jsonl").write_text("\n".join(lines), encoding="utf-8")
    result = run("verify", plain, "--against", tmp_path / "edited.jsonl")
    assert result.exit_code == 2 and "not an intact ledger chain" in result.output
    (tmp_path / "junk.jsonl").write_text("{not json\n", encoding="utf-8")
    result = run("verify", plain, "--against", tmp_path / "junk.jsonl")
    assert result.exit_code == 2 and "line 1 is not JSON" in result.output
    wb = load_workbook(plain)
    wb["Ledger"].cell(3, 8, "edited")
    wb.save(plain)
    fresh = tmp_path / "fresh.jsonl"
    result = run("verify", plain, "--export", fresh)
    assert result.exit_code == 1 and not fresh.exists() and "No copy was written" in result.output


def test_a_copy_that_cannot_be_read_or_written_is_named_by_the_users_path(plain, tmp_path):
    cases = [("--against", tmp_path / "missing.jsonl", "cannot be read as a ledger copy (No such file"),
             ("--against", tmp_path, "cannot be read as a ledger copy (Is a directory"),
             ("--export", tmp_path / "nowhere" / "ledger.jsonl", "the folder"),
             ("--export", tmp_path, "is a folder")]
    before = sorted(p.name for p in tmp_path.iterdir())
    for option, target, said in cases:
        result = run("verify", plain, option, target)
        text = " ".join(result.output.split())
        assert result.exit_code == 2 and said in text and str(target) in text, (option, target, result.output)
        assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no copy, and no temporary one, left behind
