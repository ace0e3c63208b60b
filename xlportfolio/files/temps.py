"""The save's temporary files: their names, and removing those that killed runs left behind.

Temporary files are named `.{name}.xlportfolio-{host}-{pid}-{random}.tmp`. A run killed in
the middle of a save leaves one beside the untouched original; the next save of the same
target removes its own kind: from this host with a pid no longer alive, or from any host if
older than a day. Other files, and temporaries of other workbooks, are never touched. On
Windows the pid of a stale temporary is not probed (os.kill would end the process); only its
age counts.
"""
from __future__ import annotations

import os
import re
import secrets
import socket
import stat
import time
from contextlib import suppress
from pathlib import Path

STALE_AFTER = 24 * 3600  # seconds: no save takes a day, and a day covers clock skew on a share


def _host_tag() -> str:
    return re.sub(r"[^A-Za-z0-9]", "", socket.gethostname().split(".")[0])[:24] or "host"


HOST = _host_tag()


def temp_name(name: str, pid: int | None = None, host: str = HOST, token: str | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f".{name}.xlportfolio-{host}-{pid}-{token or secrets.token_hex(4)}.tmp"


def remove_stale_temps(real: Path) -> None:
    """Remove this target's temporaries left by killed runs; nothing else."""
    own = re.compile(rf"\.{re.escape(real.name)}\.xlportfolio-(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-[0-9a-f]+\.tmp")
    try:
        entries = list(os.scandir(real.parent))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        found = own.fullmatch(entry.name)
        if not found:
            continue
        with suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            pid = int(found["pid"])
            dead = found["host"] == HOST and pid != os.getpid() and not _alive(pid)
            if dead or now - info.st_mtime > STALE_AFTER:
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # os.kill on Windows would end the process: only the age rule applies there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, someone else's; anything odd: assume alive
        return True
    return True
