"""The Excel front end has no import knots: read from the source, every import counted, also the
ones inside functions (a lazy import still ties two modules together)."""
import ast
from functools import cache
from pathlib import Path

import xlportfolio

PACKAGE = Path(xlportfolio.__file__).resolve().parent
FRONT_END = "xlportfolio.excel"
ENTRY_MODULES = {"xlportfolio.excel.cli": {"xlportfolio.cli"}, "xlportfolio.excel.server": set()}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


@cache
def imports(name: str) -> frozenset[str]:
    """The package's modules that module `name` imports, anywhere in its source."""
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(known[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from xlportfolio.excel import templates` imports the module templates
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return frozenset(found)


def reachable(name: str) -> set[str]:
    seen, todo = set(), list(imports(name))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(imports(current))
    return seen


def front_end() -> list[str]:
    return sorted(m for m in modules() if m.startswith(FRONT_END + "."))


def test_the_reader_sees_the_imports_it_is_meant_to():
    """The reader itself: a lazy import inside a function counts, and so does `from package import module`."""
    assert "xlportfolio.excel.manifest" in imports("xlportfolio.excel.addin_build")  # inside build_addin
    assert "xlportfolio.excel.templates" in imports("xlportfolio.commands.report")  # from xlportfolio.excel import templates
    assert "xlportfolio.excel.cli" in imports("xlportfolio.cli")


def test_no_front_end_module_imports_a_module_that_imports_it_back():
    knots = {m: sorted(i for i in imports(m) if m in reachable(i)) for m in front_end()}
    assert {m: back for m, back in knots.items() if back} == {}


def test_the_templates_module_is_a_leaf_of_the_front_end():
    assert not [m for m in reachable("xlportfolio.excel.templates") if m.startswith(FRONT_END)]


def test_the_ribbon_xml_and_the_manifest_need_no_command_machinery():
    """Rendering what Excel is told about the buttons (the add-in build does) pulls in neither the
    ribbon's dispatch nor a command."""
    pulled = reachable("xlportfolio.excel.manifest")
    assert "xlportfolio.excel.ribbon" not in pulled
    assert not [m for m in pulled if m.startswith("xlportfolio.commands")]


def test_entry_modules_are_imported_only_by_what_mounts_them():
    for entry, allowed in ENTRY_MODULES.items():
        importers = {m for m in modules() if entry in imports(m)}
        assert importers == allowed, entry
