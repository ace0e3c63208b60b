"""No module of the package is over 400 lines: a newcomer reads each in one sitting.

A module that grows past the limit is split by what it does (see docs/design.md for where things
live), not wrapped or compressed to fit.
"""
from __future__ import annotations

from tests.support import ROOT

LIMIT = 400


def sizes() -> dict[str, int]:
    return {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
            for path in sorted((ROOT / "xlportfolio").rglob("*.py"))}


def test_no_module_is_over_the_limit():
    found = sizes()
    assert len(found) > 100  # the package was found, not an empty folder
    over = {name: lines for name, lines in found.items() if lines > LIMIT}
    assert over == {}, f"split these by what they do: {over}"
