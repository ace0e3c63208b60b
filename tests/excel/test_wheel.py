"""The templates ship in the wheel: build it as pip does, unpack it as an installer would, and
render every template from that installed layout, with the source checkout out of reach."""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import AS_OF
from xlportfolio.demo.data import sample_portfolio
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path("xlportfolio", "excel", "templates")
TEMPLATE_NAME = re.compile(r"[A-Za-z][\w.-]*\.(?:j2|bas)")  # a file name, not a suffix or a message

# Renders every template the front end has, through the installed package's own functions, and
# says where each template was found and where xlportfolio was imported from.
RENDER_ALL = """
import json, sys
import xlportfolio
from xlportfolio.excel import addin_build, manifest, server, templates
rendered = {
    "customUI.xml.j2": manifest.ribbon_xml(),
    "manifest.xml.j2": manifest.manifest_xml("https://xlp.example.com"),
    "taskpane.html.j2": server.taskpane_html(),
    "xlportfolio.bas": addin_build.vba_source(),
    "xlwings/xlwings-alert.html": server.alert_html("Done", "xlportfolio", "ok", "info", ""),
}
found = {name: str(templates.template_path(name)) for name in sys.argv[1:]}
print(json.dumps({"package": xlportfolio.__file__, "rendered": rendered, "found": found}))
"""


def wheel_tools_missing() -> str | None:
    for module in ("setuptools", "wheel"):
        try:
            __import__(module)
        except ImportError:
            return (f"building the wheel offline (--no-build-isolation) needs {module}: "
                    f"pip install setuptools wheel (both are in the test extra)")
    return None


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel, built from a copy of the checkout (setuptools writes build/ and *.egg-info
    beside pyproject.toml), unpacked into a folder of its own: (the wheel, that folder)."""
    if (reason := wheel_tools_missing()) is not None:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "xlportfolio", source / "xlportfolio", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(work / "dist")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = (work / "dist").glob("xlportfolio-*.whl")
    site = work / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    shutil.rmtree(source)  # nothing can fall back to the copy the wheel was built from
    return wheel, site


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """python3 ARGS with only the unpacked wheel to import xlportfolio from (not the checkout,
    nor its editable install), and no XLPORTFOLIO_TEMPLATES to point elsewhere."""
    env = {k: v for k, v in os.environ.items() if k not in ("XLPORTFOLIO_TEMPLATES", "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def template_names_in_code(package: Path) -> set[str]:
    """Every template file name the package's code spells out (a string constant such as \"report.html.j2\")."""
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and TEMPLATE_NAME.fullmatch(node.value):
                names.add(node.value)
    return names


def test_the_wheel_holds_every_template_of_the_source_and_every_one_the_code_names(installed):
    wheel, site = installed
    with zipfile.ZipFile(wheel) as zf:
        shipped = {Path(n).name for n in zf.namelist() if Path(n).parent == TEMPLATES}
    in_source = {p.name for p in (ROOT / TEMPLATES).iterdir() if p.is_file()}
    named = template_names_in_code(site / "xlportfolio")
    assert in_source <= shipped, f"not in the wheel: {sorted(in_source - shipped)}"
    assert named <= shipped, f"named in the code, not in the wheel: {sorted(named - shipped)}"
    assert named == in_source, "a template the code never names, or one it names that is not in the source"


def test_every_template_renders_from_the_installed_layout(installed, tmp_path):
    wheel, site = installed
    names = sorted(template_names_in_code(site / "xlportfolio"))
    done = run_installed(site, tmp_path, "-c", RENDER_ALL, *names)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert Path(answer["package"]).resolve().is_relative_to(site.resolve())
    assert {name: Path(path).parent for name, path in answer["found"].items()} == \
        {name: site / TEMPLATES for name in names}
    rendered = answer["rendered"]
    # every template the code names is rendered above, but the report pack: the next test runs the report command
    assert set(names) - {"report.html.j2"} <= set(rendered)
    assert "<customUI" in rendered["customUI.xml.j2"] and "xlp_validate" in rendered["customUI.xml.j2"]
    assert "<OfficeApp" in rendered["manifest.xml.j2"] and "https://xlp.example.com/taskpane" in rendered["manifest.xml.j2"]
    assert 'data-script="xlp_validate"' in rendered["taskpane.html.j2"]
    assert "Attribute VB_Name" in rendered["xlportfolio.bas"]
    assert "Done" in rendered["xlwings/xlwings-alert.html"]


def test_the_report_pack_renders_from_the_installed_layout(installed, tmp_path):
    wheel, site = installed
    book = tmp_path / "portfolio.xlsx"
    build_workbook(PORTFOLIO_KIND, {"Items": sample_portfolio(AS_OF)["Items"]}).save(book)
    out = tmp_path / "pack.html"
    done = run_installed(site, tmp_path, "-m", "xlportfolio", "report", str(book), "--out", str(out),
                         "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Steering-committee pack from ") and f"Written to {out}." in done.stdout
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert f"<title>Steering committee report – {book.name} – {AS_OF.isoformat()}</title>" in text
    assert text.count('<img src="data:image/png;base64,') >= 3  # the charts, drawn from the workbook's items
