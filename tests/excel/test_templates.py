"""The one jinja2 environment: where templates are found, escaping on, undefined names refused,
and no other environment anywhere in the package."""
import ast
from pathlib import Path

import jinja2
import pytest

import xlportfolio
from xlportfolio.excel import manifest, templates

PACKAGE = Path(xlportfolio.__file__).resolve().parent


@pytest.fixture
def own_folder(monkeypatch, tmp_path):
    """XLPORTFOLIO_TEMPLATES pointing at an empty folder of the test's own."""
    monkeypatch.setenv(templates.ENV, str(tmp_path))
    return tmp_path


def test_templates_are_found_or_the_error_says_where_it_looked(own_folder):
    (own_folder / "customUI.xml.j2").write_text("<customUI/>", encoding="utf-8")
    assert templates.template_path("customUI.xml.j2") == own_folder / "customUI.xml.j2"
    assert templates.template_path("manifest.xml.j2").parent == PACKAGE / "excel" / "templates"
    for missing in (lambda: templates.template_path("missing.j2"), lambda: templates.render("missing.j2")):
        with pytest.raises(FileNotFoundError) as error:
            missing()
        assert str(own_folder) in str(error.value) and str(Path("xlportfolio", "excel", "templates")) in str(error.value)


def test_a_folder_of_ones_own_comes_before_the_packages(own_folder):
    (own_folder / "customUI.xml.j2").write_text('<customUI tab="{{ tab_id }}"/>\n', encoding="utf-8")
    assert manifest.ribbon_xml() == f'<customUI tab="{manifest.TAB_ID}"/>\n'


def test_every_value_is_escaped_and_an_undefined_name_is_an_error(own_folder):
    (own_folder / "probe.html.j2").write_text("<p>{{ text }}</p>", encoding="utf-8")
    assert templates.render("probe.html.j2", text="<script>x</script> & Co") == \
        "<p>&lt;script&gt;x&lt;/script&gt; &amp; Co</p>"
    with pytest.raises(jinja2.UndefinedError, match="text"):
        templates.render("probe.html.j2")


def test_one_environment_serves_every_render():
    first = templates.environment()
    manifest.ribbon_xml()
    manifest.manifest_xml("https://xlp.example.com")
    assert templates.environment() is first
    assert {"customUI.xml.j2", "manifest.xml.j2"} <= {name for _, name in first.cache.keys()}


def test_no_other_module_makes_a_jinja2_environment_or_template():
    makers = {"Environment", "Template", "from_string", "FileSystemLoader", "PackageLoader"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path == Path(templates.__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in makers:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {name}")
    assert found == []


def test_the_report_filters_show_amounts_as_the_workbook_does():
    assert templates.amount(1234567.4) == "1,234,567" and templates.amount(0.25) == "0.25"
    assert templates.amount(None) == "" and templates.amount("n/a") == "n/a"
    assert templates.money(-1200, "€") == "(1,200 €)" and templates.money(0, "€") == "0 €"
