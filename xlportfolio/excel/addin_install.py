"""Install the ribbon: xlwings' add-in and ours into Excel's startup folder, plus the setting
xlwings needs to find this Python.

    python install_addin.py                 # or: xlportfolio addin install
    python install_addin.py --dry-run       # print every step, change nothing
    python install_addin.py --uninstall     # put everything back as it was

What it does, on Windows and macOS:

1. builds xlportfolio.xlam from the command registry (or takes --addin PATH);
2. copies xlwings' own add-in (xlwings/addin/xlwings.xlam, which provides RunPython) and
   ours into Excel's startup folder XLSTART, where Excel opens them at every start;
3. on macOS, copies xlwings' AppleScript into ~/Library/Application Scripts/com.microsoft.Excel
   (what `xlwings runpython install` does: RunPython needs it there);
4. sets INTERPRETER_WIN / INTERPRETER_MAC = this Python in xlwings' user settings file
   (~/.xlwings/xlwings.conf on Windows, ~/Library/Containers/com.microsoft.Excel/Data/xlwings.conf
   on macOS), in the `"KEY","value"` lines that xlwings' VBA reads.

Every file it replaces is backed up under ~/.xlportfolio/, and the steps are recorded there,
so `--uninstall` removes only what this script put there and restores what it replaced (the
settings file byte for byte, unless it was edited since; then only our key is taken out).
It never touches Excel's Trust Center: what a script must not do silently is printed instead.

--home PATH (or XLPORTFOLIO_HOME) points it at another home folder and --platform simulates
Windows or macOS, for tests and for a look at what would happen on another machine.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xlportfolio.env import env
from xlportfolio.errors import InstallError

HOME_ENV = "XLPORTFOLIO_HOME"
PLATFORMS = ("windows", "mac")
STATE_DIR = ".xlportfolio"
STATE_FILE = "addin-install.json"
MAC_STARTUP = ("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized",
               "Startup.localized", "Excel")
MAC_CONF = ("Library", "Containers", "com.microsoft.Excel", "Data", "xlwings.conf")
MAC_SCRIPTS = ("Library", "Application Scripts", "com.microsoft.Excel")


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


def current_platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "mac"
    return "linux"


def layout(platform: str, home: Path | str | None = None) -> Layout:
    """The folders for `platform`; `home` defaults to XLPORTFOLIO_HOME, then the user's home."""
    settings = env()
    explicit = home is not None or settings.home is not None
    home = Path(home or settings.home or Path.home()).expanduser().resolve()
    if platform == "windows":
        appdata = settings.appdata
        roaming = Path(appdata) if appdata and not explicit else home / "AppData" / "Roaming"
        return Layout("windows", home, roaming / "Microsoft" / "Excel" / "XLSTART",
                      home / ".xlwings" / "xlwings.conf", "INTERPRETER_WIN", None)
    if platform == "mac":
        return Layout("mac", home, home.joinpath(*MAC_STARTUP), home.joinpath(*MAC_CONF),
                      "INTERPRETER_MAC", home.joinpath(*MAC_SCRIPTS))
    raise InstallError(f"unknown platform {platform!r}: use windows or mac")


def xlwings_files() -> dict[str, Path]:
    """xlwings' own add-in and (for macOS) its AppleScript, from the installed xlwings."""
    import xlwings

    folder = Path(xlwings.__file__).resolve().parent
    return {"addin": folder / "addin" / "xlwings.xlam",
            "applescript": folder / f"xlwings-{xlwings.__version__}.applescript"}


# --- the state kept between install and uninstall -------------------------------------------

def _sha(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
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
        data = _read(where.state_file)
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


def _make_dirs(path: Path, state: State, run: Runner) -> None:
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


def _put_file(target: Path, data: bytes | None, what: str, state: State, run: Runner) -> None:
    """Copy `data` to `target` (None: not built yet, in a dry run), keeping the original."""
    current = _read(target)
    if current is not None and current == data:
        run(Step(f"keep {target} ({what} already there, identical)"))
        return

    def put():
        if str(target) not in state.files:  # keep the very first original across reinstalls
            state.files[str(target)] = {
                "original": None if current is None else base64.b64encode(current).decode("ascii"),
                "written": None, "kind": "file"}
        _write_atomic(target, data)
        state.files[str(target)]["written"] = _sha(data)

    verb = "copy" if current is None else "replace"
    note = "" if current is None or str(target) in state.files else " (the old one is kept for --uninstall)"
    run(Step(f"{verb} {what} -> {target}{note}", put))


def _write_atomic(target: Path, data: bytes) -> None:
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


def _set_conf(where: Layout, value: str, state: State, run: Runner) -> None:
    path = where.conf
    current = _read(path)
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
        _write_atomic(path, data)
        state.files[str(path)]["written"] = _sha(data)
        state.files[str(path)]["value"] = value

    verb = "create" if current is None else "update"
    run(Step(f"{verb} {path}: {conf_line(where.conf_key, value)}", put))


# --- install / uninstall --------------------------------------------------------------------

def manual_steps(where: Layout) -> list[str]:
    """What a script must not do behind a person's back; printed after an install."""
    common = [
        "Trust access to the VBA project object model is NOT needed: leave it off.",
        "Both add-ins run from Excel's startup folder, which Excel trusts by default. If Excel "
        "still blocks their macros, ask IT whether add-ins must be signed (Trust Center > Add-ins) "
        f"or add {where.xlstart} under Trust Center > Trusted Locations.",
    ]
    if where.platform == "windows":
        return [
            "Close every Excel window and start Excel again: the xlportfolio tab appears.",
            *common,
            "If a copied add-in was downloaded, right-click it > Properties > Unblock.",
        ]
    return [
        "Quit Excel (Cmd-Q) and start it again: the xlportfolio tab appears.",
        "When Excel asks about macros in xlwings.xlam and xlportfolio.xlam, choose Enable Macros.",
        *common,
        "On the first click macOS asks whether Python may control Microsoft Excel: choose OK "
        "(System Settings > Privacy & Security > Automation, if you declined).",
    ]


def install(*, dry_run: bool = False, platform: str | None = None, home: Path | str | None = None,
            addin: Path | str | None = None, out: Callable[[str], None] = print) -> int:
    """Install both add-ins and the interpreter setting; return an exit code."""
    platform = platform or current_platform()
    if platform == "linux":
        return _linux(out, home, addin, uninstalling=False)
    where = layout(platform, home)
    xw = xlwings_files()
    state = State.load(where) or State(where.platform)
    run = Runner(dry_run, out, after=lambda: where.state_dir.is_dir() and state.save(where))
    out(f"{'Dry run: nothing is changed. ' if dry_run else ''}Installing the xlportfolio ribbon "
        f"for Excel on {where.platform} (home {where.home}):")

    with tempfile.TemporaryDirectory(prefix="xlp-addin-") as tmp:
        ours = _our_addin(addin, Path(tmp), run)
        _make_dirs(where.state_dir, state, run)
        _make_dirs(where.xlstart, state, run)
        _put_file(where.xlstart / "xlwings.xlam", _bytes(xw["addin"]), "xlwings' add-in", state, run)
        _put_file(where.xlstart / "xlportfolio.xlam", _bytes(ours) if ours else None, "our add-in",
                  state, run)
        if where.scripts is not None:
            _make_dirs(where.scripts, state, run)
            _put_file(where.scripts / xw["applescript"].name, _bytes(xw["applescript"]),
                      "xlwings' AppleScript (RunPython on macOS)", state, run)
        _make_dirs(where.conf.parent, state, run)
        _set_conf(where, sys.executable, state, run)
        run(Step(f"record these steps in {where.state_file} for --uninstall", lambda: None))
    out("Then, by hand:" if not dry_run else "Then, by hand (after a real install):")
    for i, line in enumerate(manual_steps(where), 1):
        out(f"  {i}. {line}")
    return 0


def uninstall(*, dry_run: bool = False, platform: str | None = None, home: Path | str | None = None,
              out: Callable[[str], None] = print) -> int:
    """Undo install: remove what it put there, restore what it replaced; return an exit code."""
    platform = platform or current_platform()
    if platform == "linux":
        return _linux(out, home, None, uninstalling=True)
    where = layout(platform, home)
    run = Runner(dry_run, out)
    state = State.load(where)
    out(f"{'Dry run: nothing is changed. ' if dry_run else ''}Removing the xlportfolio ribbon "
        f"from Excel on {where.platform} (home {where.home}):")
    if state is None:
        return _uninstall_unrecorded(where, run, out)
    for name in reversed(list(state.files)):
        _undo_file(Path(name), state, run)
    run(Step(f"delete {where.state_file} (the record, with the backups)", lambda: _drop_state(where)))
    for d in sorted(state.dirs, key=lambda p: len(Path(p).parts), reverse=True):
        path = Path(d)
        if dry_run:
            run(Step(f"remove folder {path} (created by the install) if it is empty"))
        elif path.is_dir() and not any(path.iterdir()):
            run(Step(f"remove folder {path} (created by the install)", path.rmdir))
        elif path.is_dir():
            out(f"  keep folder {path}: it holds files the install did not put there")
    if not dry_run:
        out("Restart Excel to drop the xlportfolio tab.")
    return 0


def _undo_file(path: Path, state: State, run: Runner) -> None:
    rec = state.files[str(path)]
    current = _read(path)
    original = state.original(path)
    if current is None:
        if original is not None:
            run(Step(f"restore {path} (it was replaced by the install and is now missing)",
                     lambda: _write_atomic(path, original)))
        return
    if _sha(current) == rec["written"]:
        if original is None:
            run(Step(f"delete {path}", path.unlink))
        else:
            run(Step(f"restore {path} as it was before the install",
                     lambda: _write_atomic(path, original)))
        return
    if rec.get("kind") == "conf":
        text = current.decode("utf-8", errors="surrogateescape")
        orig_text = None if original is None else original.decode("utf-8", errors="surrogateescape")
        updated = remove_conf_key(text, rec["key"], rec["value"], orig_text)
        if updated != text:
            run(Step(f"take {rec['key']} out of {path} (edited since the install; the rest is kept)",
                     lambda: _write_atomic(path, updated.encode("utf-8", errors="surrogateescape"))))
            return
    run(Step(f"leave {path} as it is: it changed after the install"))


def _drop_state(where: Layout) -> None:
    if where.state_file.exists():
        where.state_file.unlink()


def _uninstall_unrecorded(where: Layout, run: Runner, out: Callable[[str], None]) -> int:
    """No record of an install: remove only what is certainly ours."""
    ours = where.xlstart / "xlportfolio.xlam"
    if ours.exists():
        run(Step(f"delete {ours}", ours.unlink))
    current = _read(where.conf)
    if current is not None:
        text = current.decode("utf-8", errors="surrogateescape")
        updated = remove_conf_key(text, where.conf_key, sys.executable, None)
        if updated != text:
            run(Step(f"take {where.conf_key} = {sys.executable} out of {where.conf}",
                     lambda: _write_atomic(where.conf, updated.encode("utf-8", errors="surrogateescape"))))
    out(f"  (no record of an install in {where.state_file}: xlwings' add-in in {where.xlstart} "
        "is left alone; remove it with `xlwings addin remove` if nothing else needs it.)")
    return 0


def _our_addin(addin: Path | str | None, tmp: Path, run: Runner) -> Path | None:
    if addin is not None:
        addin = Path(addin)
        if not addin.is_file():
            raise InstallError(f"{addin}: no such add-in file; build one with `xlportfolio addin build`.")
        run(Step(f"take our add-in from {addin}"))
        return addin
    from xlportfolio.registry import ribbon_commands

    built: list[Path] = []

    def build():
        from xlportfolio.excel.addin_build import build_addin

        built.append(build_addin(tmp))
    run(Step(f"build xlportfolio.xlam from the command registry ({len(ribbon_commands())} buttons)",
             build))
    return built[0] if built else None


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InstallError(f"{path}: cannot read it ({exc.strerror or exc}); reinstall xlwings.") from exc


def _linux(out: Callable[[str], None], home, addin, uninstalling: bool) -> int:
    out("Excel runs on Windows and macOS only, so there is nothing to "
        f"{'remove' if uninstalling else 'install'} on this machine. Here is what it would do:")
    for platform in PLATFORMS:
        out("")
        if uninstalling:
            uninstall(dry_run=True, platform=platform, home=home, out=out)
        else:
            install(dry_run=True, platform=platform, home=home, addin=addin, out=out)
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="install_addin.py",
        description="Install the xlportfolio ribbon (and xlwings' add-in) into Excel's startup folder.")
    parser.add_argument("--dry-run", action="store_true", help="print every step and change nothing")
    parser.add_argument("--uninstall", action="store_true", help="undo a previous install")
    parser.add_argument("--home", help=f"home folder to install into (default: ${HOME_ENV} or ~)")
    parser.add_argument("--platform", choices=(*PLATFORMS, "linux"),
                        help="act as on this platform (default: this machine's)")
    parser.add_argument("--addin", help="install this .xlam instead of building one")
    args = parser.parse_args(argv)
    try:
        if args.uninstall:
            code = uninstall(dry_run=args.dry_run, platform=args.platform, home=args.home)
        else:
            code = install(dry_run=args.dry_run, platform=args.platform, home=args.home, addin=args.addin)
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    except PermissionError as exc:
        print(f"error: {exc.filename}: permission denied; quit Excel and check the folder's rights.",
              file=sys.stderr)
        code = 2
    sys.exit(code)
