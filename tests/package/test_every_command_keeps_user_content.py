"""Every command, run in place on a governed workbook that carries a controller's own content,
keeps every part it had no reason to touch byte for byte, keeps the user's elements in the parts
it rewrote, writes parts that pass the ECMA-376 schemas, and leaves a workbook LibreOffice opens.

The workbook (tests/package/userbooks.py) holds a user's chart on a user sheet and one on Items
pointing at Items data, a picture, sparklines, a threaded comment, an x14 validation on Items,
printer settings, a pivot table with its cache, a slicer, a custom XML part, a thumbnail, a
user-defined name and (as .xlsm) a VBA project.
"""
from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.package.userbooks import CORPUS, governed_with_user_content, missing_user_content
from tests.support import AS_OF, SHARED, parts
from xlportfolio.commands.accept import Options as AcceptOptions
from xlportfolio.commands.consolidate import Options as ConsolidateOptions
from xlportfolio.commands.files import on_file
from xlportfolio.commands.gates import Options as GatesOptions
from xlportfolio.commands.import_crm import Options as ImportCrmOptions
from xlportfolio.commands.report import Options as ReportOptions
from xlportfolio.commands.rollup import Options as RollupOptions
from xlportfolio.commands.run import Options as RunOptions
from xlportfolio.commands.score import Options as ScoreOptions
from xlportfolio.commands.select import Options as SelectOptions
from xlportfolio.commands.validate import Options as ValidateOptions

if not CORPUS.is_dir():
    pytest.skip(f"the corpus is not at {CORPUS}", allow_module_level=True)

CRM_EXPORT = (
    "Opportunity ID,Opportunity Name,Account Name,Account ID,Amount,Close Date,Created Date,Description,"
    "Opportunity Owner,Opportunity Currency\n"
    "006A1,Fleet telematics,Initech Banking,C-10111,125000,09/30/2026,01/15/2026,Renewal at risk,Anna Berger,EUR\n"
    "006A2,Branch refit,Globex,C-20222,80000,10/31/2026,02/01/2026,New site,Ben Ortiz,EUR\n"
)


def _commands(folder: Path):
    (folder / "inbox").mkdir(exist_ok=True)
    export = folder / "export.csv"
    export.write_text(CRM_EXPORT, encoding="utf-8")
    return {
        "validate": lambda p: on_file("validate", p, ValidateOptions(as_of=AS_OF)),
        "accept": lambda p: on_file("accept", p, AcceptOptions(as_of=AS_OF)),
        "score": lambda p: on_file("score", p, ScoreOptions(as_of=AS_OF)),
        "select": lambda p: on_file("select", p, SelectOptions(budget=2_000_000, as_of=AS_OF, levels=2)),
        "gates": lambda p: on_file("gates", p, GatesOptions(as_of=AS_OF)),
        "rollup": lambda p: on_file("rollup", p, RollupOptions(as_of=AS_OF)),
        "run": lambda p: on_file("run", p, RunOptions(as_of=AS_OF)),
        "consolidate": lambda p: on_file("consolidate", p, ConsolidateOptions(folder=folder / "inbox", as_of=AS_OF)),
        "import-crm": lambda p: on_file("import-crm", p, ImportCrmOptions(export=export, preset="salesforce", as_of=AS_OF)),
    }


COMMANDS = ("validate", "accept", "score", "select", "gates", "rollup", "run", "consolidate", "import-crm")
# What a command may change besides the sheets it writes: the parts that list or style them.
BOOKKEEPING = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
               "docProps/custom.xml", "_rels/.rels")


@pytest.fixture(scope="module", params=[False, True], ids=["xlsx", "xlsm"])
def books(request, tmp_path_factory):
    """The user's workbook, and each command's result on a copy of it: name -> (before, after, path)."""
    folder = tmp_path_factory.mktemp("xlsm" if request.param else "xlsx")
    source = folder / ("user.xlsm" if request.param else "user.xlsx")
    content = governed_with_user_content(source, macros=request.param)
    original = parts(source)
    commands = _commands(folder)
    results = {}
    for name in COMMANDS:
        path = Path(shutil.copy(source, folder / f"{name}{source.suffix}"))
        commands[name](path)
        results[name] = path
    return content, original, results


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {n for n in set(before) | set(after) if before.get(n) != after.get(n)}


@pytest.mark.parametrize("command", COMMANDS)
def test_the_users_parts_and_elements_are_kept(books, command):
    content, original, results = books
    assert missing_user_content(results[command], content, original) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_only_what_the_command_writes_changes(books, command):
    """Every changed part is a sheet the command writes, its notes, tables or drawings, or the
    bookkeeping that lists them; every other part is byte-identical."""
    content, original, results = books
    after = parts(results[command])
    with zipfile.ZipFile(results[command]) as zf:
        sheets = _sheet_parts(zf)
    user_parts = set(content.parts)
    written = {part for name, part in sheets.items() if name not in content.sheets}
    owned = _reachable(after, written) | _reachable(original, written)
    for part in _changed(original, after):
        assert part not in user_parts, f"{command} changed the user's part {part}"
        owner = part.replace("_rels/", "").removesuffix(".rels")
        allowed = part in BOOKKEEPING or owner in written or owner in owned or part.startswith("xl/calcChain")
        assert allowed, f"{command} changed {part}, which it has no reason to touch"


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    import re

    rels = dict(re.findall(rb'Id="(rId\d+)"[^>]*Target="([^"]+)"', zf.read("xl/_rels/workbook.xml.rels")))
    rels.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="(rId\d+)"',
                                               zf.read("xl/_rels/workbook.xml.rels"))})
    found = re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="(rId\d+)"', zf.read("xl/workbook.xml"))
    return {name.decode(): "xl/" + rels[rid].decode().lstrip("/").removeprefix("xl/") for name, rid in found}


def _reachable(package: dict[str, bytes], roots: set[str]) -> set[str]:
    """The parts the given sheets use (notes, tables, drawings and their charts), in one package."""
    from tests.package.userbooks import relationships

    seen, todo = set(), list(roots)
    while todo:
        part = todo.pop()
        for _, _, child, external in relationships(package, part):
            if not external and child not in seen and child in package and not child.startswith("xl/worksheets/"):
                seen.add(child)
                todo.append(child)
    return seen


@pytest.mark.parametrize("command", COMMANDS)
def test_the_parts_written_pass_the_schemas(books, command):
    if not (SHARED / "ooxml" / "check_ooxml.py").is_file():
        pytest.skip("the OOXML checker is not in shared/")
    sys.path.insert(0, str(SHARED / "ooxml"))
    from check_ooxml import invalid_parts

    content, original, results = books
    written = _changed(original, parts(results[command])) - set(content.edited)
    bad = [(p, msg) for p, msg in invalid_parts(results[command]) if p in written]
    assert bad == []


def test_running_again_changes_nothing(books, tmp_path):
    """After a run and one more (gates clears a refused request on its first run: issue #11),
    running again leaves every part as it was, and the file is not even rewritten."""
    content, original, results = books
    again = Path(shutil.copy(results["run"], tmp_path / f"again{results['run'].suffix}"))
    on_file("run", again, RunOptions(as_of=AS_OF))
    before, stamp = parts(again), again.stat().st_mtime_ns
    on_file("run", again, RunOptions(as_of=AS_OF))
    assert parts(again) == before
    assert again.stat().st_mtime_ns == stamp


def test_commands_that_only_read_leave_the_file_as_it_was(books, tmp_path):
    content, original, results = books
    path = results["run"]
    before = path.read_bytes()
    on_file("verify", path)
    on_file("report", path, ReportOptions(out=tmp_path / "pack.html", as_of=AS_OF))
    assert path.read_bytes() == before


def test_the_vba_project_stays_and_the_workbook_stays_macro_enabled(books):
    content, original, results = books
    if not content.macros:
        pytest.skip("the .xlsx variant has no macros")
    for path in results.values():
        with zipfile.ZipFile(path) as zf:
            assert zf.read("xl/vbaProject.bin") == original["xl/vbaProject.bin"]
            assert b"macroEnabled" in zf.read("[Content_Types].xml")


@pytest.mark.libreoffice
def test_libreoffice_opens_every_result_with_the_users_charts_and_pivot(books, tmp_path):
    from tests.support import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice is not installed")
    content, original, results = books
    converted = lo.convert_to_xlsx(list(results.values()), tmp_path / "lo", lo.make_profile(tmp_path / "profile"))
    for path in results.values():
        wb = load_workbook(converted[path.resolve()])
        assert wb["My analysis"]._charts and wb["Items"]._charts, path.name
        assert "Pivot" in wb.sheetnames
