"""Every exception class of the package is defined in xlportfolio/errors.py, where a reader finds them all."""
import ast
import builtins
from pathlib import Path

import xlportfolio

PACKAGE = Path(xlportfolio.__file__).parent
BUILTIN_EXCEPTIONS = {name for name, value in vars(builtins).items()
                      if isinstance(value, type) and issubclass(value, BaseException)}


def classes(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(name, the last part of each base's name) of every class in a module, nested ones too."""
    def base_name(node: ast.expr) -> str:
        return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return [(n.name, [base_name(b) for b in n.bases]) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]


def test_no_module_but_errors_defines_an_exception_class():
    found = {path: classes(ast.parse(path.read_text(encoding="utf-8"))) for path in PACKAGE.rglob("*.py")}
    exceptions = set(BUILTIN_EXCEPTIONS)
    while True:  # a class is an exception when one of its bases is: follow the package's own chains
        more = {name for defined in found.values() for name, bases in defined if exceptions & set(bases)}
        if more <= exceptions:
            break
        exceptions |= more
    outside = sorted(f"{path.relative_to(PACKAGE)}: {name}" for path, defined in found.items()
                     if path != PACKAGE / "errors.py" for name, bases in defined if exceptions & set(bases))
    assert outside == []
    in_errors = {name for name, bases in found[PACKAGE / "errors.py"] if exceptions & set(bases)}
    assert {"XlPortfolioError", "LedgerTampered", "InstallError", "AddinBuildError", "CommandTimeout"} <= in_errors
