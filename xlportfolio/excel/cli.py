"""`xlportfolio addin ...` and `xlportfolio serve`, ready for the main CLI to mount:

    from xlportfolio.excel.cli import addin_app, serve
    app.add_typer(addin_app, name="addin")
    app.command()(serve)

An entry module: only xlportfolio/cli.py imports it (and the repo's install_addin.py, which runs
`addin install` through it). It imports no other entry module either: uvicorn is handed the
server's app factory by name, xlportfolio.excel.server:create_app.
"""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from xlportfolio.cli_help import HelpCommand

APP_FACTORY = "xlportfolio.excel.server:create_app"  # by name: uvicorn imports it in each worker

addin_app = typer.Typer(no_args_is_help=True, add_completion=False,
                        help="The Excel add-in: build it, install it into Excel, or write the Office manifest.")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@addin_app.command(cls=HelpCommand)
def build(
    out: Path = typer.Option(Path("."), "--out", "-o",
                             help="Folder (or .xlam path) to write xlportfolio.xlam to."),
) -> None:
    """Build xlportfolio.xlam: its ribbon has one button per ribbon command of the registry."""
    from xlportfolio.errors import AddinBuildError
    from xlportfolio.excel.addin_build import build_addin
    from xlportfolio.registry import ribbon_commands

    try:
        path = build_addin(out)
    except (AddinBuildError, FileNotFoundError) as exc:
        _fail(str(exc))
    except PermissionError as exc:
        _fail(f"{exc.filename}: permission denied; close the file in Excel or check the folder's rights.")
    typer.echo(f"Wrote {path} ({len(ribbon_commands())} buttons). Install it with: xlportfolio addin install")


@addin_app.command(cls=HelpCommand)
def install(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print every step and change nothing."),
    uninstall: bool = typer.Option(False, "--uninstall", help="Undo a previous install."),
    home: Path | None = typer.Option(None, "--home", help="Home folder to install into (default: $XLPORTFOLIO_HOME or ~)."),
    platform: str | None = typer.Option(None, "--platform", help="Act as on windows or mac (default: this machine)."),
    addin: Path | None = typer.Option(None, "--addin", help="Install this .xlam instead of building one."),
) -> None:
    """Put xlwings' add-in and ours into Excel's startup folder and point xlwings at this Python."""
    from xlportfolio.errors import InstallError
    from xlportfolio.excel import addin_install as inst

    if platform is not None and platform not in (*inst.PLATFORMS, "linux"):
        _fail(f"--platform {platform!r}: use windows or mac.")
    try:
        if uninstall:
            code = inst.uninstall(dry_run=dry_run, platform=platform, home=home, out=typer.echo)
        else:
            code = inst.install(dry_run=dry_run, platform=platform, home=home, addin=addin, out=typer.echo)
    except InstallError as exc:
        _fail(str(exc))
    except PermissionError as exc:
        _fail(f"{exc.filename}: permission denied; quit Excel and check the folder's rights.")
    raise typer.Exit(code)


@addin_app.command(cls=HelpCommand)
def manifest(
    url: str = typer.Option(..., "--url", help="The server's address, https://host[:port]."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the manifest here (default: print it)."),
) -> None:
    """Write the Office add-in manifest for an `xlportfolio serve` server (Excel on the web)."""
    from xlportfolio.excel.manifest import manifest_xml

    try:
        text = manifest_xml(url)
    except ValueError as exc:
        _fail(str(exc))
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {out}. Sideload it in Excel (Insert > Add-ins > Upload My Add-in).")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    cert: Path | None = typer.Option(None, "--cert", help="TLS certificate (PEM); Office add-ins need HTTPS."),
    key: Path | None = typer.Option(None, "--key", help="TLS private key (PEM)."),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="File of name:token lines, one per user (also: $XLPORTFOLIO_SERVER_TOKEN)."),
    allow_user: list[str] = typer.Option(
        [], "--allow-user", help="Only these token names may call (repeat; default: every token's name)."),
    no_auth: bool = typer.Option(False, "--no-auth", help="Need no token: local development only."),
    max_body_mb: float | None = typer.Option(
        None, "--max-body-mb", help="Largest request in MB (default 64, about 50,000 rows)."),
    timeout: float | None = typer.Option(None, "--timeout", help="Seconds a command may run (default 120)."),
    origin: list[str] = typer.Option(
        [], "--origin", help="Origin allowed cross-origin (repeat; default: this server's own address)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes (each runs commands on its own)."),
) -> None:
    """Serve the ribbon commands to Excel on the web through xlwings Server (needs the server extra).

    Every call needs a bearer token from configuration (see README, "Running the server")."""
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        _fail("the server needs FastAPI and uvicorn: pip install 'xlportfolio[server]'")
    from xlportfolio.env import env, export, server_env
    from xlportfolio.errors import BadEnvironment, SettingsError
    from xlportfolio.excel.server_settings import settings

    if (cert is None) != (key is None):
        _fail("give both --cert and --key, or neither.")
    for path in (cert, key):
        if path is not None and not path.is_file():
            _fail(f"{path}: no such file.")
    scheme = "https" if cert else "http"
    try:
        if not origin and not server_env().origin:
            origin = [f"{scheme}://{host}:{port}"]
        config = settings(token_file=token_file, users=allow_user, no_auth=no_auth, max_body_mb=max_body_mb,
                          timeout=timeout, origins=origin)
    except (SettingsError, BadEnvironment) as exc:
        _fail(str(exc))
    # Each worker (one or several) builds its app from the environment: hand it the options
    # there (never a token itself, which stays in the environment or the file it came from).
    export({"XLPORTFOLIO_SERVER_TOKEN_FILE": str(token_file) if token_file else None,
            "XLPORTFOLIO_SERVER_USERS": ",".join(allow_user) or None,
            "XLPORTFOLIO_SERVER_NO_AUTH": "1" if no_auth else None,
            "XLPORTFOLIO_SERVER_MAX_BODY_MB": None if max_body_mb is None else str(max_body_mb),
            "XLPORTFOLIO_SERVER_TIMEOUT": None if timeout is None else str(timeout),
            "XLPORTFOLIO_SERVER_ORIGIN": ",".join(origin) or None})
    if not config.auth:
        typer.echo("WARNING: --no-auth: anyone who can reach this server can run every command on the "
                   "workbooks they send. Use it for local development only.", err=True)
    if cert is None:
        loopback = host in ("127.0.0.1", "localhost", "::1")
        typer.echo("warning: serving plain HTTP; Office add-ins load only over HTTPS, so put a "
                   "TLS-terminating proxy in front, or give --cert/--key (e.g. mkcert localhost)"
                   + ("." if loopback else ", or tokens cross the network in clear text."), err=True)
    if not env().xlwings_license_key:
        typer.echo("note: xlwings Server is under xlwings' PRO licence (PolyForm Noncommercial: free for "
                   "noncommercial use, paid otherwise) and needs XLWINGS_LICENSE_KEY set, unless a key "
                   "is installed with `xlwings license update`.", err=True)
    who = "no token needed" if not config.auth else f"{len(set(config.tokens.values()))} token holder(s)" + (
        f", {len(config.allowed_users)} allowed" if config.allowed_users else "")
    typer.echo(f"xlportfolio serving on {scheme}://{host}:{port} ({who}, {workers} worker(s)); "
               f"manifest at {scheme}://{host}:{port}/manifest.xml")
    uvicorn.run(APP_FACTORY, factory=True, workers=workers, host=host, port=port, log_config=_log_config(),
                ssl_certfile=str(cert) if cert else None, ssl_keyfile=str(key) if key else None)


def _log_config() -> dict:
    """uvicorn's logging, plus the call log (logger xlportfolio.excel.server) on stderr in every worker."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["xlportfolio"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
