"""The optional xlwings Server app: each ribbon command is a custom script the Office.js client
posts the workbook to; the answer is the actions that mark the workbook, plus the message."""
import copy
import warnings

import pytest
from lxml import etree

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx
    from fastapi.testclient import TestClient

from xlportfolio import registry
from xlportfolio.commands.base import Outcome  # noqa: E402
from xlportfolio.excel import server  # noqa: E402
from xlportfolio.excel.manifest import manifest_xml  # noqa: E402
from xlportfolio.registry import Command  # noqa: E402

CALL = "/xlwings/custom-scripts-call/"
OV = "{http://schemas.microsoft.com/office/taskpaneappversionoverrides}"
BT = "{http://schemas.microsoft.com/office/officeappbasictypes/1.0}"


@pytest.fixture
def licensed(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    assert server.ensure_remote_engine()


TOKEN = "tok-alice-0123456789abcdef"  # what the task pane sends as "Bearer <token>"


def make_app(**changes):
    """The app with a token for "alice" (and `changes` to the settings)."""
    from xlportfolio.excel.server_settings import ServerSettings

    return server.create_app(ServerSettings(**{"tokens": {TOKEN: "alice"}, **changes}))


@pytest.fixture
def client(licensed):
    return TestClient(make_app(), headers={"Authorization": f"Bearer {TOKEN}"})


def book_payload(path):
    """The request body xlwings' Office.js client posts (tests/live/payload.py when present)."""
    try:
        from tests.live.payload import book_payload as build
    except ImportError:
        build = _minimal_payload
    return build(path)


def _minimal_payload(path):
    import xlwings as xw
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] or [[""]]
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": [
            {"name": t.name, "range_address": t.ref, "header_row_range_address": None,
             "data_body_range_address": t.ref, "total_row_range_address": None, "show_headers": True,
             "show_totals": False, "table_style": "", "show_autofilter": True} for t in ws.tables.values()]})
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "names": [], "sheets": sheets}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo portfolio (100 intake requests) and its payload, built once for the module."""
    from tests.support import AS_OF
    from xlportfolio.demo.data import sample_portfolio
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    data = sample_portfolio(AS_OF)
    path = tmp_path_factory.mktemp("server") / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, {"Intake": data["Intake"], "Items": data["Items"]}).save(path)
    return path, book_payload(path)


@pytest.fixture
def payload(demo):
    return copy.deepcopy(demo[1])


@pytest.fixture
def marking_command(monkeypatch, add_commands):
    """A registry command that colours A1 of the first sheet: the plumbing without the engine."""
    def mark(wb, options):
        wb.book.sheets[0]["A1"].color = "#FFC7CE"
        return Outcome(command="mark", summary="Marked 1 cell.", exit_code=1, details=["Intake!A1: looks odd"])

    def explode(wb, options):
        wb.book.sheets[0]["A1"].color = "#FFC7CE"  # an edit made before the failure...
        raise ZeroDivisionError("division by zero")

    extra = (Command("mark", "Mark", "Mark a cell.", "Rollups", "Bold", "xlp_fake_server_commands:mark"),
             Command("explode", "Explode", "Fail.", "Rollups", "Bold", "xlp_fake_server_commands:explode"))
    add_commands("xlp_fake_server_commands", {"mark": mark, "explode": explode}, *extra)

    class Wrapper:
        def __init__(self, book):
            self.book, self.source = book, book.name

        def status(self, text):
            self.book.app.status_bar = text  # the remote engine has none: must not matter

    from xlportfolio.excel import ribbon
    monkeypatch.setattr(ribbon, "_live", Wrapper)
    return extra


def test_validate_returns_the_marks_and_the_message(client, demo, payload):
    demo_book = demo[0]
    response = client.post(CALL + "xlp_validate", json=payload)
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    funcs = [a["func"] for a in actions]
    assert "setRangeColor" in funcs and "addNote" in funcs  # the cells are marked
    assert "addSheet" in funcs  # the Findings sheet
    alert = actions[-1]
    assert alert["func"] == "alert"
    prompt, title = alert["args"][:2]
    assert title == "xlportfolio: Validate" and "100 requests checked" in prompt
    try:
        from tests.live.payload import Model
    except ImportError:
        return
    model = Model(demo_book).replay(actions[:-1])
    assert model.unknown == []
    assert "Findings" in model.sheet_names


def test_the_heap_is_frozen_only_while_a_command_runs(client, marking_command, payload, monkeypatch):
    """server.freeze_heap keeps the posted payload out of the garbage collector's full scans
    during the command; every request, finished or aborted, thaws it again."""
    import gc

    from xlportfolio.excel import ribbon

    monkeypatch.delenv("XLPORTFOLIO_DEBUG", raising=False)
    frozen, run = [], ribbon.run_command

    def watched(command, book):
        frozen.append(gc.get_freeze_count())
        return run(command, book)
    monkeypatch.setattr(ribbon, "run_command", watched)
    assert gc.get_freeze_count() == 0
    for script in ("mark", "xlp_explode"):
        assert client.post(CALL + script, json=payload).status_code == 200
        assert gc.get_freeze_count() == 0, script
    assert len(frozen) == 2 and all(n > 0 for n in frozen)


def test_a_script_by_its_cli_id_too(client, marking_command, payload):
    response = client.post(CALL + "mark", json=payload)
    assert response.status_code == 200
    funcs = [a["func"] for a in response.json()["actions"]]
    assert funcs == ["setRangeColor", "alert"]


def test_an_aborted_command_changes_nothing_and_says_why(client, marking_command, payload, monkeypatch):
    monkeypatch.delenv("XLPORTFOLIO_DEBUG", raising=False)
    response = client.post(CALL + "xlp_explode", json=payload)
    assert response.status_code == 200
    [alert] = response.json()["actions"]  # the half-made edit is dropped
    assert alert["func"] == "alert"
    assert alert["args"][0].startswith("internal error (ZeroDivisionError: division by zero)")
    assert "Traceback" not in alert["args"][0]


def test_unknown_script(client):
    response = client.post(CALL + "xlp_nonsense", json={})
    assert response.status_code == 404
    assert "no script 'xlp_nonsense'" in response.text and "xlp_validate" in response.text
    assert "Traceback" not in response.text


def test_off_ribbon_commands_are_not_scripts(client):
    assert client.post(CALL + "xlp_consolidate", json={}).status_code == 404


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"client": "Office.js"}', "lacks 'version', 'book', 'sheets'"),
    (b'{"client": "Office.js", "version": "1", "book": {}, "sheets": [{"name": "S", "values": [[1]]}]}',
     "'book' is not an object with the workbook's 'name'"),
    (b'{"client": "Office.js", "version": "1", "book": {"name": "b"}, "sheets": [{"name": "S"}]}',
     "sheet 0 has no 'name' or no 'values' rows"),
])
def test_a_broken_payload_is_a_clear_400(client, body, message):
    response = client.post(CALL + "xlp_validate", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert message in response.text and "Traceback" not in response.text


def test_a_version_mismatch_from_another_client_is_a_clear_400(client, payload):
    payload.update(client="VBA", version="0.0.1")
    response = client.post(CALL + "xlp_validate", json=payload)
    assert response.status_code == 400 and "cannot be read" in response.text


def test_without_a_licence_key(client, payload, monkeypatch):
    import xlwings as xw

    def no_licence(*args, **kwargs):
        raise xw.LicenseError("xlwings Server requires a license key.")
    monkeypatch.setattr(xw, "Book", no_licence)
    response = client.post(CALL + "xlp_validate", json=payload)
    assert response.status_code == 500 and "XLWINGS_LICENSE_KEY" in response.text


def test_scripts_meta_and_root(client):
    meta = client.get("/xlwings/custom-scripts-meta").json()
    assert [m["function_name"] for m in meta] == [c.control_id for c in registry.ribbon_commands()]
    assert client.get("/").json()["scripts"] == [c.control_id for c in registry.ribbon_commands()]


def test_alert_page_escapes_the_message(client):
    response = client.get("/xlwings/alert", params={"prompt": "line 1\n<script>", "title": "T",
                                                    "buttons": "ok", "mode": "info", "callback": ""})
    assert response.status_code == 200
    assert "line 1<br>&lt;script&gt;" in response.text and 'id="ok"' in response.text


def test_taskpane_binds_every_button(client):
    html = client.get("/taskpane").text
    for c in registry.ribbon_commands():
        assert f'data-script="{c.control_id}"' in html and f'"{c.control_id}"' in html
    assert "Office.actions.associate" in html and "xlwings.min.js" in html


def test_taskpane_registers_the_findings_callback_the_alert_names(client, demo, payload):
    """The remote engine's outcome alert names a callback (xlportfolio.excel.ribbon); xlwings' client
    looks it up by the function's own name, so the served pane must declare and register exactly
    that function, and it must go to the Findings sheet on "yes" only."""
    import re

    response = client.post(CALL + "xlp_validate", json=payload)
    assert response.status_code == 200, response.text
    [alert] = [a for a in response.json()["actions"] if a["func"] == "alert"]
    buttons, callback = alert["args"][2], alert["args"][4]
    assert buttons == "yes_no" and callback
    html = client.get("/taskpane").text
    assert re.findall(r"xlwings\.registerCallback\((\w+)\)", html) == [callback]
    declared = re.search(r"async function " + callback + r"\(button\) \{(.*?)\n    \}", html, re.S)
    assert declared, f"the task pane declares no function {callback}"
    body = declared.group(1)
    assert 'if (button !== "yes") { return; }' in body
    assert re.search(r'var FINDINGS = "Findings";', html) and "getItemOrNullObject(FINDINGS)" in body
    assert ".activate()" in body
    page = client.get("/xlwings/alert", params={"prompt": "Go?", "title": "T", "buttons": buttons,
                                               "mode": "critical", "callback": callback}).text
    assert 'id="yes"' in page and 'id="no"' in page and f'data-callback="{callback}"' in page


PANE_HARNESS = """
// Just enough of the browser, Office.js and xlwings' client to run the task pane's script.
var el = function () { return { addEventListener: function () {}, value: "", textContent: "" }; };
var document = { getElementById: el, querySelectorAll: function () { return []; } };
var window = { location: { origin: "https://x" } };
var localStorage = { getItem: function () { return null; } };
var Office = { onReady: function () {}, actions: { associate: function () {} } };
var callbacks = {}, activated = [];
var xlwings = { registerCallback: function (f) { callbacks[f.name] = f; } };
var Excel = { run: async function (f) {
  await f({ sync: async function () {}, workbook: { worksheets: { getItemOrNullObject: function (name) {
    return { isNullObject: false, activate: function () { activated.push(name); } }; } } } });
} };
"""


def test_the_findings_callback_goes_there_on_yes_only(client, tmp_path):
    """The served pane's script, run in Node against stand-ins for Office.js and xlwings' client,
    as the client does on an alert's button: by the callback's registered name."""
    import json
    import re
    import shutil
    import subprocess

    from xlportfolio.excel.ribbon import FINDINGS_CALLBACK

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    script = re.findall(r"<script>(.*?)</script>", client.get("/taskpane").text, re.S)[-1]
    run = (PANE_HARNESS + script + f"""
(async function () {{
  await callbacks[{FINDINGS_CALLBACK!r}]("no");
  var afterNo = activated.slice();
  await callbacks[{FINDINGS_CALLBACK!r}]("yes");
  console.log(JSON.stringify({{ registered: Object.keys(callbacks), afterNo: afterNo, afterYes: activated }}));
}})();""")
    (tmp_path / "pane.js").write_text(run, encoding="utf-8")
    done = subprocess.run([node, str(tmp_path / "pane.js")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"registered": [FINDINGS_CALLBACK], "afterNo": [],
                                       "afterYes": ["Findings"]}


def test_icons(client):
    response = client.get("/icons/xlportfolio-80.png")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    assert client.get("/icons/xlportfolio-7.png").status_code == 404


def test_manifest_route_needs_https(client):
    response = client.get("/manifest.xml")
    assert response.status_code == 400 and "HTTPS" in response.text
    https = TestClient(make_app(), base_url="https://testserver")
    assert https.get("/manifest.xml").status_code == 200


def manifest_buttons(text):
    root = etree.fromstring(text.encode("utf-8"))
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{BT}String")}
    out = []
    for control in root.iter(f"{OV}Control"):
        label = strings[control.find(f"{OV}Label").get("resid")]
        tip = strings[control.find(f"{OV}Supertip/{OV}Description").get("resid")]
        function = control.find(f"{OV}Action/{OV}FunctionName").text
        out.append((control.get("id"), label, tip, function))
    return root, strings, out


def test_manifest_has_one_button_per_ribbon_command():
    root, strings, buttons = manifest_buttons(manifest_xml("https://localhost:8000/"))
    assert buttons == [(c.control_id, c.label, c.tooltip, c.control_id) for c in registry.ribbon_commands()]
    groups = [strings[g.find(f"{OV}Label").get("resid")] for g in root.iter(f"{OV}Group")]
    assert groups == [g for g in registry.GROUPS if any(c.group == g for c in registry.ribbon_commands())]
    assert all(len(i) <= 32 for i in strings)  # resource ids are at most 32 characters
    assert all(len(v) <= 250 for v in strings.values())
    urls = [e.get("DefaultValue") for e in root.iter() if (e.get("DefaultValue") or "").startswith("http")]
    assert urls and all(u.startswith("https://localhost:8000/") for u in urls)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_manifest_refuses_plain_http():
    with pytest.raises(ValueError, match="HTTPS"):
        manifest_xml("http://localhost:8000")


def test_a_new_command_reaches_the_manifest_and_the_server(marking_command, client, payload):
    _, _, buttons = manifest_buttons(manifest_xml("https://localhost:8000"))
    assert [b[0] for b in buttons][-2:] == ["xlp_mark", "xlp_explode"]
    assert client.post(CALL + "xlp_mark", json=payload).status_code == 200
