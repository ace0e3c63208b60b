"""What the add-in install records and does, step by step: the layout of one platform's folders,
the state file kept for --uninstall, each step printed (and run unless it is a dry run), copying a
file with its original kept, and the `"KEY","value"` lines of xlwings.conf.

xlportfolio.excel.addin_install puts these steps together into install and uninstall.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xlportfolio.errors import InstallError

STATE_DIR = ".xlportfolio"
STATE_FILE = "addin-install.json"


@dataclass(frozen=True)
class Layout:
    """Where everything goes on one platform, for one home folder."""

    platform: str  # "windows" or "mac"
    home: Path
    xlstart: Path
    conf: Path
    conf_key: str
    scripts: Path | None  # macOS: where xlwings' AppleScript must be

    @property
    def state_dir(self) -> Path:
        return self.home / STATE_DIR

    @property
    def state_file(self) -> Path:
        return self.state_dir / STATE_FILE


# --- the state kept between install and uninstall -------------------------------------------

def sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


@dataclass
class State:
    """What install changed: per file, its original bytes (None: it was not there) and a hash
    of what we wrote; the folders we created; for the settings file, our key and value."""

    platform: str
    files: dict[str, dict] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, where: Layout) -> State | None:
        data = read_or_none(where.state_file)
        if data is None:
            return None
        try:
            raw = json.loads(data)
            return cls(raw["platform"], raw["files"], raw["dirs"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InstallError(f"{where.state_file} is damaged ({exc}); remove the add-ins from "
                               f"{where.xlstart} by hand and delete that file.") from exc

    def save(self, where: Layout) -> None:
        where.state_file.write_text(json.dumps(
            {"platform": self.platform, "files": self.files, "dirs": self.dirs}, indent=1),
            encoding="utf-8")

    def original(self, path: Path) -> bytes | None:
        rec = self.files[str(path)]
        return None if rec["original"] is None else base64.b64decode(rec["original"])


# --- steps ----------------------------------------------------------------------------------

@dataclass
class Step:
    text: str
    action: Callable[[], None] | None = None


class Runner:
    """Prints each step; runs it unless this is a dry run, then calls `after` (which saves the
    state, so that a failure half-way still leaves a record --uninstall can follow)."""

    def __init__(self, dry_run: bool, out: Callable[[str], None], after: Callable[[], None] | None = None):
        self.dry_run = dry_run
        self.out = out
        self.after = after
        self.planned: set[Path] = set()

    def __call__(self, step: Step) -> None:
        self.out(("  would " if self.dry_run else "  ") + step.text)
        if step.action and not self.dry_run:
            step.action()
            if self.after:
                self.after()


def make_dirs(path: Path, state: State, run: Runner) -> None:
    missing = []
    p = path
    while not p.exists() and p not in run.planned:
        missing.append(p)
        p = p.parent
    run.planned.update(missing)  # a dry run creates nothing, but says so once
    for d in reversed(missing):
        def make(d=d):
            d.mkdir()
            state.dirs.append(str(d))
        run(Step(f"create folder {d}", make))


def put_file(target: Path, data: bytes | None, what: str, state: State, run: Runner) -> None:
    """Copy `data` to `target` (None: not built yet, in a dry run), keeping the original."""
    current = read_or_none(target)
    if current is not None and current == data:
        run(Step(f"keep {target} ({what} already there, identical)"))
        return

    def put():
        if str(target) not in state.files:  # keep the very first original across reinstalls
            state.files[str(target)] = {
                "original": None if current is None else base64.b64encode(current).decode("ascii"),
                "written": None, "kind": "file"}
        write_atomic(target, data)
        state.files[str(target)]["written"] = sha(data)

    verb = "copy" if current is None else "replace"
    note = "" if current is None or str(target) in state.files else " (the old one is kept for --uninstall)"
    run(Step(f"{verb} {what} -> {target}{note}", put))


def write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".xlp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise InstallError(f"{target} is in use: quit Excel and run this again.") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def conf_line(key: str, value: str) -> str:
    """A line of xlwings.conf as xlwings writes it (VBA's Write #): "KEY","value"."""
    if '"' in value:
        raise InstallError(f'the interpreter path {value!r} contains a double quote, which '
                           "xlwings.conf cannot hold; install Python in a folder without one.")
    return f'"{key}","{value}"'


def _is_key_line(line: str, key: str) -> bool:
    return line.strip().lower().startswith(f'"{key.lower()}",')


def set_conf_key(text: str, key: str, value: str, newline: str) -> str:
    """`text` with KEY's line set to `value`: replaced where it is, else appended."""
    lines = text.splitlines(keepends=True)
    new = conf_line(key, value)
    for i, line in enumerate(lines):
        if _is_key_line(line, key):
            ending = line[len(line.rstrip("\r\n")):] or newline
            lines[i] = new + ending
            return "".join(lines)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    lines.append(new + newline)
    return "".join(lines)


def remove_conf_key(text: str, key: str, value: str, original: str | None) -> str:
    """`text` without our KEY line (only if it still holds `value`); the original line, if
    install replaced one, goes back in its place."""
    lines = text.splitlines(keepends=True)
    old = None
    if original is not None:
        old = next((ln for ln in original.splitlines(keepends=True) if _is_key_line(ln, key)), None)
    out = []
    for line in lines:
        if _is_key_line(line, key) and line.strip() == conf_line(key, value):
            if old is not None:
                out.append(old)
            continue
        out.append(line)
    return "".join(out)


def set_conf(where: Layout, value: str, state: State, run: Runner) -> None:
    path = where.conf
    current = read_or_none(path)
    text = "" if current is None else current.decode("utf-8", errors="surrogateescape")
    newline = "\r\n" if ("\r\n" in text or (not text and where.platform == "windows")) else "\n"
    updated = set_conf_key(text, where.conf_key, value, newline)
    if current is not None and updated == text:
        run(Step(f"keep {path} ({where.conf_key} is already {value})"))
        return
    data = updated.encode("utf-8", errors="surrogateescape")

    def put():
        if str(path) not in state.files:
            state.files[str(path)] = {
                "original": None if current is None else base64.b64encode(current).decode("ascii"),
                "written": None, "kind": "conf", "key": where.conf_key, "value": value}
        write_atomic(path, data)
        state.files[str(path)]["written"] = sha(data)
        state.files[str(path)]["value"] = value

    verb = "create" if current is None else "update"
    run(Step(f"{verb} {path}: {conf_line(where.conf_key, value)}", put))
