"""Progress off a terminal is one plain line per step, sent when the step starts; on a terminal a bar.

The pipe tests prove "as it happens" by order, never by the clock: the child prints its first
step and then waits for the test to answer, so the test can only read that line if it was
flushed while the child was still running.
"""
from __future__ import annotations

import io
import os
import selectors
import subprocess
import sys
import textwrap
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from tests.support import AS_OF
from xlportfolio.cli import app
from xlportfolio.progress import Steps

ROOT = Path(__file__).resolve().parents[1]
HANG_GUARD = 120  # seconds; only a broken flush ever waits this long, a passing run never does


def test_off_a_terminal_each_step_is_one_plain_line_in_order():
    text = io.StringIO()
    console = Console(file=text)
    with Steps(console, "run", 3) as steps:
        for name in ("validate", "accept", "save"):
            steps.start(name)
    assert not console.is_interactive
    assert text.getvalue() == "run 1/3: validate\nrun 2/3: accept\nrun 3/3: save\n"


def test_a_name_is_printed_as_it_is_without_markup_or_emoji():
    text = io.StringIO()
    with Steps(Console(file=text), "consolidate", 0) as steps:
        steps.start("[bold]sales:smile:.xlsx")
    assert text.getvalue() == "consolidate: [bold]sales:smile:.xlsx\n"


def test_on_a_terminal_the_bar_replaces_the_lines():
    text = io.StringIO()
    console = Console(file=text, force_terminal=True, force_interactive=True, width=80)
    with Steps(console, "run", 2) as steps:
        steps.start("validate")
        steps.start("save")
    assert steps.interactive
    assert "run 1/2: validate" not in text.getvalue()  # the bar is transient: it leaves no step lines


CHILD = textwrap.dedent("""
    import sys
    from rich.console import Console
    from xlportfolio.progress import Steps

    with Steps(Console(), "job", 2) as steps:
        steps.start("first")
        sys.stdin.readline()  # wait until the test has read the first line
        steps.start("second")
""")


def read_line(proc: subprocess.Popen) -> str:
    """The next line from the child's stdout; an empty string if none came before the hang guard."""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=HANG_GUARD):
            return ""
    return proc.stdout.readline()


def test_through_a_pipe_a_line_arrives_while_the_process_still_runs():
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_INTERACTIVE")}
    proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = read_line(proc)
        assert first == "job 1/2: first\n"
        assert proc.poll() is None  # it cannot have ended: it waits for our answer
        proc.stdin.write("go on\n")
        proc.stdin.flush()
        rest, errors = proc.communicate(timeout=HANG_GUARD)
    finally:
        proc.kill()
    assert proc.returncode == 0, errors
    assert rest == "job 2/2: second\n"


def test_run_through_a_pipe_names_each_step_before_the_summary(demo_book, tmp_path):
    result = tmp_path / "ran.xlsx"
    proc = subprocess.run([sys.executable, "-m", "xlportfolio", "run", str(demo_book), "-o", str(result),
                           "--as-of", AS_OF.isoformat()], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stderr.splitlines() == ["run 1/6: validate", "run 2/6: accept", "run 3/6: score", "run 4/6: gates",
                                        "run 5/6: rollup", "run 6/6: save"]
    assert "\x1b[" not in proc.stderr + proc.stdout  # no terminal codes in a log
    assert "Written to" in proc.stdout and result.exists()


def test_consolidate_names_each_file_as_it_reads_it(demo_book, tmp_path):
    from xlportfolio.demo.run import write_inbox

    files = write_inbox(tmp_path / "inbox", AS_OF)
    result = CliRunner().invoke(app, ["consolidate", str(tmp_path / "inbox"), "--into", str(demo_book),
                                      "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1, result.output  # the sample's Intake holds errors: consolidate says so
    steps = [line for line in result.output.splitlines() if line.startswith("consolidate ")]
    total = len(files) + 1  # every file, then the save
    assert steps == [f"consolidate {n}/{total}: {p.name}"
                     for n, p in enumerate(sorted(files, key=lambda p: p.name), start=1)] + [
                         f"consolidate {total}/{total}: save"]
