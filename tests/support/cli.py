"""The command line run in-process, as the tests drive it: never a traceback on the screen."""
from typer.testing import CliRunner

from xlportfolio.cli import app

runner = CliRunner()


def run(*args):
    """`xlportfolio ARGS...` (paths and dates as text); a result whose exception is only its exit."""
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result
