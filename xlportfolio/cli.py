"""The `xlportfolio` command line: options from the arguments, the command run on the file (on_file), its
Outcome printed in the words the ribbon's message box uses (commands.render), or as JSON, and its exit code."""
from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from xlportfolio import __version__
from xlportfolio.cli_help import HelpCommand, HelpGroup
from xlportfolio.env import env
from xlportfolio.errors import XlPortfolioError
from xlportfolio.registry import BY_ID, COMMANDS

app = typer.Typer(cls=HelpGroup, add_completion=False, no_args_is_help=True,
                  help="Governed Excel workbooks as the system of record of a project portfolio.")
new_app = typer.Typer(cls=HelpGroup, no_args_is_help=True, help="Write a standard workbook from the schema.")
app.add_typer(new_app, name="new")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def guarded(func):
    """Turn every abort into a clear message and exit code 2; never show a traceback."""
    import functools

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except XlPortfolioError as exc:
            fail(str(exc), exc.exit_code)
        except PermissionError as exc:
            fail(f"{exc.filename}: permission denied; close the file in Excel or check the folder's rights.")
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - the last line of defence for a person's screen
            if env().debug:
                raise
            fail(f"internal error ({type(exc).__name__}: {exc}). Nothing was saved. "
                 "Set XLPORTFOLIO_DEBUG=1 to see the details and please report them.", 3)

    return run


# The registry's commands, by id: registered with typer at the end of this module, in the
# registry's order, so the CLI and the ribbon can never list different commands.
REGISTERED: dict[str, object] = {}


def workbook_command(command_id: str):
    def register(func):
        REGISTERED[command_id] = guarded(func)
        return func

    return register


def _date(text: str | None, option: str = "--as-of") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date; write it as YYYY-MM-DD.")


def finish(command: str, book: Path, options, output: Path | None = None, as_json: bool = False,
           steps: int | None = None) -> None:
    """Run `command` on the file, print its Outcome (the ribbon's words, or JSON) and exit with its code.
    `steps`: how many steps the command names (run's commands, consolidate's files), for a progress line."""
    from xlportfolio.commands.files import on_file
    from xlportfolio.progress import Steps

    if steps is None:
        outcome = on_file(command, book, options, output)
    else:
        with Steps(err, command, steps + 1) as progress:  # the steps, then the save
            outcome = on_file(command, book, options, output, on_step=progress.start)
    if as_json:
        sys.stdout.write(outcome.model_dump_json(indent=2) + "\n")
    else:
        show(outcome)
    raise typer.Exit(outcome.exit_code)


def show(outcome) -> None:
    """The renderer's lines, word for word; colour only marks the summary's verdict and the first errors."""
    from xlportfolio.commands.render import FIRST_ERRORS, lines

    shown = lines(outcome)
    first = next((n for n, line in enumerate(shown) if line.startswith("First error")), len(shown))
    red = range(first, first + 1 + min(FIRST_ERRORS, sum(f.severity == "error" for f in outcome.findings)))
    for n, line in enumerate(shown):
        style = "bold " + {0: "green", 1: "red"}.get(outcome.exit_code, "yellow") if n == 0 else "red" * (n in red)
        text = escape(line)  # a workbook's text may hold brackets: never console markup
        out.print(f"[{style}]{text}[/]" if style else text, soft_wrap=True)


# Options every workbook command shares.
OUTPUT = typer.Option(None, "--output", "-o", help="Write the result here; the original stays as it is.")
JSON = typer.Option(False, "--json", help="Print the outcome as JSON (its schema: xlportfolio schema COMMAND).")
INTO = typer.Option(..., "--into", help="The portfolio workbook whose Intake table receives the rows.")
INTO_OUTPUT = typer.Option(None, "--output", "-o", help="Write the result here; the portfolio stays as it is.")


def as_of_option(what: str = "Judge dates against this day"):
    return typer.Option(None, "--as-of", help=f"{what} (YYYY-MM-DD); default today.")


@workbook_command("validate")
def validate(
    book: Path = typer.Argument(..., help="The workbook with an Intake table."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option("Judge due dates against this day"),
) -> None:
    """Check the Intake table and mark every problem in the workbook (exit 1 when errors exist)."""
    from xlportfolio.commands.validate import Options

    finish("validate", book, Options(as_of=_date(as_of)), output, as_json)


@workbook_command("accept")
def accept(
    book: Path = typer.Argument(..., help="The portfolio workbook with Intake and Items tables."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option("Judge due dates against this day"),
) -> None:
    """Turn valid requests marked Accept = Yes into portfolio items at DI1 Defined."""
    from xlportfolio.commands.accept import Options

    finish("accept", book, Options(as_of=_date(as_of)), output, as_json)


@workbook_command("consolidate")
def consolidate(
    folder: Path = typer.Argument(..., help="Folder with the intake workbooks business units sent back."),
    into: Path = INTO,
    output: Path | None = INTO_OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option("Judge due dates against this day"),
) -> None:
    """Validate every intake workbook in FOLDER and merge the valid rows into the portfolio."""
    from xlportfolio.commands.consolidate import Options, intake_files

    files = len(intake_files(folder, into)) if folder.is_dir() else 0
    finish("consolidate", into, Options(folder=folder, as_of=_date(as_of)), output, as_json, steps=files)


@workbook_command("import-crm")
def import_crm(
    export: Path = typer.Argument(..., help="The CRM export (CSV or XLSX)."),
    into: Path = INTO,
    mapping: Path | None = typer.Option(None, "--mapping", help="Column mapping (CSV, or XLSX with a Mapping sheet)."),
    preset: str | None = typer.Option(None, help="salesforce, hubspot or dynamics; default: recognised from the headers."),
    output: Path | None = INTO_OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option("Judge due dates against this day"),
) -> None:
    """Import opportunities from a CRM export as intake requests (re-importing updates them)."""
    from xlportfolio.commands.import_crm import Options

    finish("import-crm", into, Options(export=export, mapping=mapping, preset=preset, as_of=_date(as_of)),
           output, as_json)


@workbook_command("score")
def score(
    book: Path = typer.Argument(..., help="The portfolio workbook (Intake, Items and the Scoring sheet)."),
    method: str = typer.Option("weighted", help="weighted (0-100) or WSJF."),
    ahp: bool = typer.Option(False, "--ahp", help="Take the weights from the AHP pairwise table."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option("Urgency counts days from this day"),
) -> None:
    """Score, rank and explain intake requests and items with the Scoring sheet's criteria."""
    from xlportfolio.commands.score import Options

    if method.lower() not in ("weighted", "wsjf"):
        fail(f"--method {method!r}: choose weighted or WSJF.")
    finish("score", book, Options(method=method.lower(), ahp=ahp, as_of=_date(as_of)), output, as_json)


@workbook_command("select")
def select(
    book: Path = typer.Argument(..., help="The portfolio workbook (Intake, Items, Capacity, Dependencies)."),
    budget: str | None = typer.Option(None, help="Money available, as you would write it: 2000000, 2,000,000, "
                                      "2.000.000, 2m, 2.5m, 2k or €2m; default: no budget limit."),
    objective: str = typer.Option("score", help="Maximise total score, or total value (revenue, retention)."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option("Spread effort from this day"),
) -> None:
    """Choose the best candidates under budget and capacity (an exact MILP), onto a Scenario sheet."""
    from xlportfolio.commands.select import Options

    if objective not in ("score", "value"):
        fail(f"--objective {objective!r}: choose score or value.")
    # The text goes to the command: the workbook's decimal separator decides "2.000" (select.read_budget).
    finish("select", book, Options(budget=budget, last_budget=False, objective=objective, as_of=_date(as_of)), output,
           as_json)


@workbook_command("gates")
def gates(
    book: Path = typer.Argument(..., help="The portfolio workbook (Items with a Requested stage, Gates sheet)."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option(),
) -> None:
    """Check every requested stage move: apply and record the passing ones, undo and explain the others."""
    from xlportfolio.commands.gates import Options

    finish("gates", book, Options(as_of=_date(as_of)), output, as_json)


@workbook_command("verify")
def verify(
    book: Path = typer.Argument(..., help="The portfolio workbook with a Ledger sheet."),
    as_json: bool = JSON,
    against: Path | None = typer.Option(None, "--against", help="A copy written by --export earlier: every row "
                                        "it holds must still be in the ledger, unchanged and in order."),
    export: Path | None = typer.Option(None, "--export", help="Write the ledger's rows to this JSON Lines file "
                                       "(only when the ledger verifies), to keep outside the workbook."),
) -> None:
    """Check that no ledger row was edited, deleted, inserted or reordered, and that every Stage and State on
    Items is the ledger's (exit 1 if not).

    Exit 2 when there is no ledger, or its rows are keyed and no ledger key is set
    (XLPORTFOLIO_LEDGER_KEY, XLPORTFOLIO_LEDGER_KEY_FILE or key_file under \\[ledger] in config.toml).
    """
    from xlportfolio.commands.verify import Options

    finish("verify", book, Options(against=against, export=export), as_json=as_json)


@workbook_command("rollup")
def rollup(
    book: Path = typer.Argument(..., help="The portfolio workbook (Items, Financials, Capacity, Dependencies)."),
    values: bool = typer.Option(False, "--values", help="Write plain numbers (a frozen snapshot) instead of formulas."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option("Capacity and dates are judged from this day"),
) -> None:
    """Regenerate the rollup sheets, the portfolio checks and the Dashboard (live formulas, native charts)."""
    from xlportfolio.commands.rollup import Options

    finish("rollup", book, Options(values=values, as_of=_date(as_of)), output, as_json)


@workbook_command("run")
def run_all(
    book: Path = typer.Argument(..., help="The portfolio workbook."),
    output: Path | None = OUTPUT,
    as_json: bool = JSON,
    as_of: str | None = as_of_option(),
) -> None:
    """Run validate, accept, score, gates and rollup in order, and save once."""
    from xlportfolio.commands.run import STEPS, Options

    finish("run", book, Options(as_of=_date(as_of)), output, as_json, steps=len(STEPS))


@workbook_command("report")
def report(
    book: Path = typer.Argument(..., help="The portfolio workbook."),
    out_path: Path = typer.Option(..., "--out", help="The HTML file to write, e.g. pack.html."),
    as_json: bool = JSON,
    since: str | None = typer.Option(None, help="Gate moves and decisions since this day (YYYY-MM-DD); "
                                     "default 30 days ago."),
    as_of: str | None = typer.Option(None, help="The report's 'today' (YYYY-MM-DD); default today."),
) -> None:
    """Write a steering-committee pack (HTML with the dashboard charts); the workbook is only read."""
    from xlportfolio.commands.report import Options

    finish("report", book, Options(out=out_path, since=_date(since, "--since"), as_of=_date(as_of)),
           as_json=as_json)


@new_app.command("intake", cls=HelpCommand)
@guarded
def new_intake(
    output: Path = typer.Argument(..., help="Where to write the template (.xlsx)."),
    password: str | None = typer.Option(None, help="Protect the Intake sheet with this password."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write the intake template a PMO distributes."""
    _write_new("intake", output, password, force)


@new_app.command("portfolio", cls=HelpCommand)
@guarded
def new_portfolio(
    output: Path = typer.Argument(..., help="Where to write the workbook (.xlsx)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write the governed portfolio workbook with every table and the default configuration."""
    _write_new("portfolio", output, None, force)


def _write_new(kind: str, output: Path, password: str | None, force: bool) -> None:
    from xlportfolio.files.template import KINDS, build_workbook
    from xlportfolio.files.workbook import save_new

    if output.suffix.lower() != ".xlsx":
        fail(f"{output}: the file name must end in .xlsx.")
    if output.exists() and not force:
        fail(f"{output} exists already; choose another name or add --force to overwrite it.")
    save_new(build_workbook(KINDS[kind], password=password), output)
    out.print(f"Wrote the {KINDS[kind].title.lower()} to [bold]{output}[/].")


@app.command(cls=HelpCommand)
@guarded
def demo(
    folder: Path = typer.Argument(Path("xlportfolio-demo"), help="Folder for the sample workbooks."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives the same portfolio."),
    as_of: str | None = typer.Option(None, help="The sample's 'today' (YYYY-MM-DD); default today."),
) -> None:
    """Write a realistic sample portfolio, run every command on it, and say where to look."""
    from xlportfolio.demo.run import run_demo

    run_demo(folder, seed=seed, as_of=_date(as_of), console=out)


@app.command(cls=HelpCommand)
def version() -> None:
    """Print the version."""
    out.print(__version__)


def _register_commands() -> None:
    missing = [c.id for c in COMMANDS if c.id not in REGISTERED]
    extra = sorted(set(REGISTERED) - {c.id for c in COMMANDS})
    if missing or extra:  # a programming error, caught by the first test that imports the CLI
        raise RuntimeError(f"registry and CLI disagree: no CLI for {missing}, not in the registry: {extra}")
    for command in COMMANDS:
        app.command(command.id, short_help=command.tooltip, cls=HelpCommand)(REGISTERED[command.id])


_register_commands()


CommandId = StrEnum("CommandId", {c.id: c.id for c in COMMANDS})  # typer lists them and refuses others


@app.command(cls=HelpCommand)
@guarded
def schema(
    command: CommandId | None = typer.Argument(None, help="One command's schemas; default every command's."),
) -> None:
    """Print the JSON Schema of each command's options and of its --json outcome, for scripts."""
    from xlportfolio.commands.base import json_schemas

    chosen = [BY_ID[command.value]] if command else COMMANDS
    schemas = {c.id: json_schemas(c.module()) for c in chosen}
    sys.stdout.write(json.dumps(schemas, indent=2, ensure_ascii=False) + "\n")


def _mount_addin() -> None:
    from xlportfolio.excel.cli import addin_app, serve

    app.add_typer(addin_app, cls=HelpGroup, name="addin", help="Build, install or describe the Excel add-in (ribbon).")
    app.command(cls=HelpCommand)(serve)


_mount_addin()


def main() -> None:
    app()
