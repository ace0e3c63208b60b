"""The tests' own layout, read from their source: conftest files hold fixtures only, helpers are imported
by package name, and every package the tests import is one README's `pip install -e ".[test]"` installs."""
import ast
import importlib.metadata
import re
import sys
import tomllib

from tests.support import ROOT

TESTS = ROOT / "tests"
SOURCES = sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)
# Imported by the tests but no distribution: the OOXML checker in ../shared, and a module a fixture makes.
NOT_DISTRIBUTIONS = {"check_ooxml", "xlp_fake_commands"}


def imports(path):
    """(line, dotted name, level) of every import in a source file; `from a import b` gives a and a.b."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            yield node.lineno, base, node.level
            yield from ((node.lineno, f"{base}.{alias.name}".lstrip("."), node.level) for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "importorskip" and node.args:
            yield node.lineno, node.args[0].value, 0


def where(path, line):
    return f"{path.relative_to(ROOT)}:{line}"


def test_no_test_imports_a_conftest():
    found = [f"{where(p, line)} imports {name}" for p in SOURCES for line, name, _ in imports(p)
             if "conftest" in name.split(".")]
    assert found == []


def test_no_conftest_edits_sys_path():
    found = []
    for path in (p for p in SOURCES if p.name == "conftest.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                    (node.value.id, node.attr) in {("sys", "path"), ("site", "addsitedir")}):
                found.append(f"{where(path, node.lineno)} uses {node.value.id}.{node.attr}")
    assert found == []


def test_helpers_are_imported_by_package_name():
    """A bare `import lo` only works with tests/ on sys.path; `from tests.support import lo` works from the root."""
    local = {p.stem for p in SOURCES} | {p.name for p in TESTS.rglob("*") if p.is_dir()}
    found = [f"{where(p, line)} imports {name}" for p in SOURCES for line, name, level in imports(p)
             if level == 0 and name.split(".")[0] in local - {"tests"}]
    assert found == []


def test_every_test_folder_is_a_package():
    folders = {p.parent for p in SOURCES}
    assert sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").is_file()) == []


def test_every_package_the_tests_import_is_declared_for_the_test_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {normalise(re.match(r"[A-Za-z0-9._-]+", r)[0])
                for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    providers = importlib.metadata.packages_distributions()
    top = {name.split(".")[0]: where(p, line) for p in SOURCES for line, name, level in imports(p) if level == 0}
    third_party = sorted(set(top) - set(sys.stdlib_module_names) - NOT_DISTRIBUTIONS - {"tests", "xlportfolio"})
    assert "pytest" in third_party  # the scan saw the imports
    undeclared = [f"{top[name]} imports {name} ({', '.join(providers.get(name, ['not installed']))})"
                  for name in third_party if not declared & {normalise(d) for d in providers.get(name, [])}]
    assert undeclared == []


def normalise(distribution):
    return re.sub(r"[-_.]+", "-", distribution).lower()
