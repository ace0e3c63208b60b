"""Temporaries a killed run left beside a workbook: the next save of that workbook removes its own
stale ones and touches nothing else. Real processes, killed for real.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.support.saves import LEDGER, leftovers, posix_only, spawn, writer
from xlportfolio.files import temps
from xlportfolio.files.save import save_atomic

KILLED_MID_SAVE = """
import sys
from pathlib import Path
from xlportfolio.files.save import save_atomic
def write(fh):
    fh.write(b"PK half a workbook")
    fh.flush()
    print("writing", flush=True)
    sys.stdin.readline()
save_atomic(Path(sys.argv[1]), write)
"""


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not temps._alive(proc.pid)
    return proc.pid


@posix_only
def test_run_killed_mid_save_leaves_the_original_and_the_next_save_removes_its_temp(book):
    run = spawn(KILLED_MID_SAVE, book)
    assert run.stdout.readline() == "writing\n"
    run.kill()
    run.wait()
    run.stdin.close()
    run.stdout.close()
    assert book.read_bytes() == LEDGER
    [stray] = leftovers(book.parent)
    assert stray.startswith(f".BOOK.xlsx.xlportfolio-{temps.HOST}-{run.pid}-") and stray.endswith(".tmp")
    save_atomic(book, writer(b"new"))
    assert leftovers(book.parent) == [] and book.read_bytes() == b"new"


@posix_only
def test_only_stale_temporaries_of_the_same_workbook_are_removed(tmp_path, book):
    def temp(pid, host=temps.HOST, name="BOOK.xlsx", age_days=0.0):
        path = tmp_path / temps.temp_name(name, pid, host, token="0123abcd")
        path.write_bytes(b"half")
        then = time.time() - age_days * 86400
        os.utime(path, (then, then))
        return path

    dead, live = dead_pid(), os.getppid()
    removed = [temp(dead), temp(live, host="otherpc", age_days=2)]
    kept = [temp(live), temp(dead, host="otherpc"), temp(dead, name="OTHER.xlsx"),
            tmp_path / ".BOOK.xlsx.swp", tmp_path / ".BOOK.xlsx.xlportfolio-notes.txt"]
    for path in kept[-2:]:
        path.write_bytes(b"someone else's")
    save_atomic(book, writer(b"new"))
    assert [p.exists() for p in removed] == [False, False]
    assert [p.exists() for p in kept] == [True] * len(kept)
