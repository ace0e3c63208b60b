"""The ribbon XML lists exactly the registered ribbon commands, and the VBA callback it names
is the one xlportfolio/excel/templates/xlportfolio.bas defines, calling the one function Python offers."""
import re

from lxml import etree

from xlportfolio import registry
from xlportfolio.excel import manifest, ribbon
from xlportfolio.excel.addin_build import vba_source

NS = "http://schemas.microsoft.com/office/2009/07/customui"
Q = {"ui": NS}


def parse(text):
    return etree.fromstring(text.encode("utf-8"))


def buttons(root):
    return root.findall(".//ui:button", Q)


def test_one_tab_and_the_groups_in_registry_order():
    root = parse(manifest.ribbon_xml())
    assert root.tag == f"{{{NS}}}customUI"
    tabs = root.findall("./ui:ribbon/ui:tabs/ui:tab", Q)
    assert [t.get("label") for t in tabs] == ["xlportfolio"]
    used = {c.group for c in registry.ribbon_commands()}
    assert [g.get("label") for g in tabs[0].findall("ui:group", Q)] == [g for g in registry.GROUPS if g in used]


def test_one_button_per_ribbon_command_and_none_else():
    root = parse(manifest.ribbon_xml())
    got = [(b.get("id"), b.get("label"), b.get("imageMso"), b.get("supertip"), b.get("screentip"))
           for b in buttons(root)]
    want = [(c.control_id, c.label, c.image, c.tooltip, c.label) for c in registry.ribbon_commands()]
    assert got == want
    assert {b.get("onAction") for b in buttons(root)} == {manifest.ON_ACTION}
    assert {b.get("size") for b in buttons(root)} == {"large"}
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    off_ribbon = {c.control_id for c in registry.COMMANDS if not c.ribbon}
    assert off_ribbon and not off_ribbon & {b.get("id") for b in buttons(root)}


def test_buttons_sit_in_their_groups():
    root = parse(manifest.ribbon_xml())
    for group in root.findall(".//ui:group", Q):
        for b in group.findall("ui:button", Q):
            assert registry.BY_CONTROL[b.get("id")].group == group.get("label")


def test_text_is_escaped():
    """Tooltips with quotes or ampersands stay well-formed XML and read back unchanged."""
    root = parse(manifest.ribbon_xml())
    score = next(b for b in buttons(root) if b.get("id") == "xlp_score")
    assert score.get("supertip") == registry.BY_ID["score"].tooltip  # has an apostrophe


def test_a_new_command_appears_with_no_other_change(extra_command):
    root = parse(manifest.ribbon_xml())
    new = [b for b in buttons(root) if b.get("id") == "xlp_forecast"]
    assert len(new) == 1
    assert new[0].get("label") == "Forecast" and new[0].get("imageMso") == "ChartTrendline"
    assert new[0].getparent().get("label") == "Rollups"
    assert [b.get("id") for b in buttons(root)] == [c.control_id for c in registry.ribbon_commands()]


def test_the_vba_callback_is_the_one_the_ribbon_names():
    source = vba_source()
    subs = re.findall(r"^Sub (\w+)\((\w+) As IRibbonControl\)", source, re.M)
    assert subs == [(manifest.ON_ACTION, "control")]
    assert source.count("Sub ") == 1 and source.count("End Sub") == 1


def test_the_python_line_vba_sends_calls_dispatch(monkeypatch):
    """Rebuild the command string the way VBA does and run it: it must call dispatch(id)."""
    match = re.search(r'"(import [^"]*)" & control\.Id & "([^"]*)"', vba_source())
    assert match, "the .bas must build the Python line around control.Id"
    calls = []
    monkeypatch.setattr(ribbon, "dispatch", lambda control_id, book=None: calls.append(control_id))
    exec(match[1] + "xlp_validate" + match[2], {})
    assert calls == ["xlp_validate"]


def test_the_vba_runs_xlwings_runpython_without_a_project_reference():
    source = vba_source()
    assert "Application.Run \"'xlwings.xlam'!RunPython\"" in source
