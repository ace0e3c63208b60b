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

The command line is `xlportfolio addin install` (xlportfolio.excel.cli); install_addin.py runs
that same command. The steps themselves, and the record they keep, are in addin_steps.
"""
from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from xlportfolio.env import env
from xlportfolio.errors import InstallError
from xlportfolio.excel.addin_steps import (
    Layout,
    Runner,
    State,
    Step,
    make_dirs,
    put_file,
    read_or_none,
    remove_conf_key,
    set_conf,
    sha,
    write_atomic,
)

HOME_ENV = "XLPORTFOLIO_HOME"
PLATFORMS = ("windows", "mac")
MAC_STARTUP = ("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized",
               "Startup.localized", "Excel")
MAC_CONF = ("Library", "Containers", "com.microsoft.Excel", "Data", "xlwings.conf")
MAC_SCRIPTS = ("Library", "Application Scripts", "com.microsoft.Excel")


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
        make_dirs(where.state_dir, state, run)
        make_dirs(where.xlstart, state, run)
        put_file(where.xlstart / "xlwings.xlam", _bytes(xw["addin"]), "xlwings' add-in", state, run)
        put_file(where.xlstart / "xlportfolio.xlam", _bytes(ours) if ours else None, "our add-in",
                  state, run)
        if where.scripts is not None:
            make_dirs(where.scripts, state, run)
            put_file(where.scripts / xw["applescript"].name, _bytes(xw["applescript"]),
                      "xlwings' AppleScript (RunPython on macOS)", state, run)
        make_dirs(where.conf.parent, state, run)
        set_conf(where, sys.executable, state, run)
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
    current = read_or_none(path)
    original = state.original(path)
    if current is None:
        if original is not None:
            run(Step(f"restore {path} (it was replaced by the install and is now missing)",
                     lambda: write_atomic(path, original)))
        return
    if sha(current) == rec["written"]:
        if original is None:
            run(Step(f"delete {path}", path.unlink))
        else:
            run(Step(f"restore {path} as it was before the install",
                     lambda: write_atomic(path, original)))
        return
    if rec.get("kind") == "conf":
        text = current.decode("utf-8", errors="surrogateescape")
        orig_text = None if original is None else original.decode("utf-8", errors="surrogateescape")
        updated = remove_conf_key(text, rec["key"], rec["value"], orig_text)
        if updated != text:
            run(Step(f"take {rec['key']} out of {path} (edited since the install; the rest is kept)",
                     lambda: write_atomic(path, updated.encode("utf-8", errors="surrogateescape"))))
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
    current = read_or_none(where.conf)
    if current is not None:
        text = current.decode("utf-8", errors="surrogateescape")
        updated = remove_conf_key(text, where.conf_key, sys.executable, None)
        if updated != text:
            run(Step(f"take {where.conf_key} = {sys.executable} out of {where.conf}",
                     lambda: write_atomic(where.conf, updated.encode("utf-8", errors="surrogateescape"))))
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
