"""The core engine never imports openpyxl, xlwings or fastapi: the same rules run anywhere."""
import ast
import subprocess
import sys
from pathlib import Path

import xlportfolio.core

CORE = Path(xlportfolio.core.__file__).parent
FORBIDDEN = ("openpyxl", "xlwings", "fastapi")


def test_no_forbidden_import_statements():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_and_running_the_core_loads_none_of_them():
    code = (
        "import sys, datetime as dt\n"
        "import xlportfolio.core.intake.validate as v\n"
        "from xlportfolio.core.book import Book\n"
        "v.validate_intake\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""
