"""The README and docs/ point only at files that exist, and docs/ names what the code has."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from xlportfolio.core.plan import GENERATED_SHEETS
from xlportfolio.schema import CHECKS_TABLE, CONFIG_TABLES, DATA_TABLES, STAGES

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
MD_NAME = re.compile(r"(?<![\w/.-])([\w./-]+\.md)\b")


def relative_links(doc: Path) -> list[str]:
    return [t for t in LINK.findall(doc.read_text(encoding="utf-8"))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def repo_files() -> set[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return set(listed)


def test_there_are_docs_and_the_readme_links_them():
    names = {d.name for d in DOCS}
    assert {"README.md", "design.md", "workbook.md", "scripting.md"} <= names
    links = relative_links(ROOT / "README.md")
    assert {"docs/design.md", "docs/workbook.md", "docs/scripting.md"} <= set(links)


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_relative_link_resolves_to_a_file(doc):
    for target in relative_links(doc):
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        assert path.exists(), f"{doc.relative_to(ROOT)} links {target}, which does not exist"
        assert ROOT in path.parents or path == ROOT, f"{doc.relative_to(ROOT)} links {target} outside the repo"


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_every_markdown_file_named_in_the_text_exists(doc):
    """A name like DESIGN.md in plain text sends a reader looking too; it must be in the repo."""
    files = repo_files()
    for name in MD_NAME.findall(doc.read_text(encoding="utf-8")):
        tail = re.sub(r"^(\.\.?/)+", "", name)  # ../README.md from docs/ is README.md
        assert any(f == tail or f.endswith("/" + tail) for f in files), \
            f"{doc.relative_to(ROOT)} names {name}, which is not in the repository"


def test_workbook_doc_names_every_table_and_generated_sheet():
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    tables = [*DATA_TABLES, *(c.table for c in CONFIG_TABLES), CHECKS_TABLE]
    missing = [t.sheet for t in tables if t.sheet not in text]
    missing += [t.name for t in tables if t.name not in text]  # the Excel Table's name, where it differs
    missing += [name for name in GENERATED_SHEETS if name not in text]
    assert not missing, f"docs/workbook.md does not mention {missing}"
    for table in DATA_TABLES:  # every column a person fills on a data table is named by its header
        required = [c.label for c in table.columns if c.required and not c.computed]
        assert all(label in text for label in required), (table.name, [x for x in required if x not in text])


def test_design_doc_names_every_stage():
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert all(stage in text for stage in STAGES)
