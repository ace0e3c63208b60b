"""Real-world files from another reader's test suite: each is read or refused cleanly, never a traceback.

(tests/package/test_corpus_kept.py gives each an Intake table and checks every part is kept.)
"""
import pytest
from typer.testing import CliRunner

from tests.support import SHARED
from xlportfolio.cli import app

CORPUS = SHARED / "corpus" / "calamine"
FILES = sorted(CORPUS.glob("*.xls*")) if CORPUS.is_dir() else []
runner = CliRunner()


@pytest.mark.skipif(not FILES, reason="../shared/corpus/calamine is not present")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_read_or_refused_cleanly(path, tmp_path):
    before = path.read_bytes()
    out = tmp_path / ("out" + path.suffix)
    result = runner.invoke(app, ["validate", str(path), "--output", str(out)])
    assert isinstance(result.exception, SystemExit) or result.exception is None, repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert str(path) in result.output  # the refusal names the file
    assert path.read_bytes() == before
