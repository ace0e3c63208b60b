"""The `xlportfolio` command line: thin wrappers that call commands and print their results."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from xlportfolio import __version__
from xlportfolio.cli_help import HelpCommand, HelpGroup
from xlportfolio.core.findings import counted
from xlportfolio.env import env
from xlportfolio.errors import XlPortfolioError

app = typer.Typer(cls=HelpGroup, add_completion=False, no_args_is_help=True,
                  help="Governed Excel workbooks as the system of record of a project portfolio.")
new_app = typer.Typer(cls=HelpGroup, no_args_is_help=True, help="Write a standard workbook from the schema.")
app.add_typer(new_app, name="new")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


# Every command that edits a workbook takes the same --output option.
OUTPUT = typer.Option(None, "--output", "-o", help="Write the result here; the original stays as it is.")


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


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of {text!r} is not a date; write it as YYYY-MM-DD.")


@workbook_command("validate")
def validate(
    book: Path = typer.Argument(..., help="The workbook with an Intake table."),
    output: Path | None = OUTPUT,
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
    as_of: str | None = typer.Option(None, help="Judge due dates against this day (YYYY-MM-DD); default today."),
) -> None:
    """Check the Intake table and mark every problem in the workbook (exit 1 when errors exist)."""
    from xlportfolio.commands.validate import validate_file

    result = validate_file(book, output=output, as_of=_date(as_of))
    report = result.report
    if as_json:
        payload = {"file": str(book), "written": str(result.written), "rows": result.rows,
                   "errors": report.errors, "warnings": report.warnings,
                   "findings": [f.to_dict() for f in report.leading]}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        print_report(book, result.rows, report, result.written)
    raise typer.Exit(1 if report.errors else 0)


def print_report(book: Path, rows: int, report, written: Path, limit: int = 15) -> None:
    out.print(f"[bold]{book}[/]: {rows} requests checked, "
              f"[red]{counted(report.errors, 'error')}[/], [yellow]{counted(report.warnings, 'warning')}[/].")
    if report.findings:
        counts = RichTable("finding", "count", box=None, padding=(0, 2))
        for code, n in report.code_counts():
            counts.add_row(code, str(n))
        out.print(counts)
        _print_lines(report, limit)
    out.print(f"Marks, status column and Findings sheet written to [bold]{written}[/].")


@workbook_command("accept")
def accept(
    book: Path = typer.Argument(..., help="The portfolio workbook with Intake and Items tables."),
    output: Path | None = OUTPUT,
    as_of: str | None = typer.Option(None, help="Judge due dates against this day (YYYY-MM-DD); default today."),
) -> None:
    """Turn valid requests marked Accept = Yes into portfolio items at DI1 Defined."""
    from xlportfolio.commands.accept import accept_file

    result = accept_file(book, output=output, as_of=_date(as_of))
    s, report = result.summary, result.report
    out.print(f"[bold]{book}[/]: {len(s.created)} items created, {len(s.linked)} re-linked, "
              f"{s.already} accepted before, [red]{len(s.refused)} refused[/].")
    for rid, item in s.created[:20]:
        out.print(f"  {rid} -> {item} (DI1 Defined)")
    for row, why in s.refused[:20]:
        out.print(f"  [red]Intake!row {row}[/]: {why}; see the marked cells and the Findings sheet.")
    if report.errors:
        out.print(f"Intake has [red]{counted(report.errors, 'error')}[/] and {counted(report.warnings, 'warning')} (Findings sheet).")
    out.print(f"Written to [bold]{result.written}[/].")
    raise typer.Exit(1 if report.errors or s.refused else 0)


@workbook_command("consolidate")
def consolidate(
    folder: Path = typer.Argument(..., help="Folder with the intake workbooks business units sent back."),
    into: Path = typer.Option(..., "--into", help="The portfolio workbook whose Intake table receives the rows."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the result here; the portfolio stays as it is."),
    as_of: str | None = typer.Option(None, help="Judge due dates against this day (YYYY-MM-DD); default today."),
) -> None:
    """Validate every intake workbook in FOLDER and merge the valid rows into the portfolio."""
    from xlportfolio.commands.consolidate import consolidate_folder, intake_files
    from xlportfolio.progress import Steps

    total = len(intake_files(folder, into)) if folder.is_dir() else 0
    with Steps(err, "consolidate", total) as steps:
        result = consolidate_folder(folder, into, output=output, as_of=_date(as_of),
                                    on_file=lambda p: steps.start(p.name))
    table = RichTable(box=None, padding=(0, 1))
    table.add_column("file", no_wrap=True)
    for name in ("ver", "status", "rows", "new", "changed", "same", "rejected"):
        table.add_column(name, no_wrap=True)
    for o in result.outcomes:
        colour = {"merged": "green", "not read": "red", "rejected": "red"}.get(o.status, "yellow")
        table.add_row(o.file, o.template, f"[{colour}]{o.status}[/]", str(o.rows_read), str(o.new),
                      str(o.updated), str(o.unchanged), str(len(o.rejected)))
    out.print(table)
    for o in result.outcomes:
        for line in ([o.error] if o.error else []) + o.notes:
            out.print(f"  {o.file}: {line}", soft_wrap=True)
    new = sum(o.new for o in result.outcomes)
    out.print(f"{len(result.outcomes)} files, {new} new requests merged into [bold]{result.written}[/]; "
              "details on its Consolidation sheet.")
    report = result.report
    if report.findings:
        out.print(f"Intake now has [red]{counted(report.errors, 'error')}[/] and [yellow]{counted(report.warnings, 'warning')}[/] "
                  "(Findings sheet).")
    raise typer.Exit(1 if report.errors else 0)


@workbook_command("import-crm")
def import_crm(
    export: Path = typer.Argument(..., help="The CRM export (CSV or XLSX)."),
    into: Path = typer.Option(..., "--into", help="The portfolio workbook whose Intake table receives the rows."),
    mapping: Path | None = typer.Option(None, "--mapping", help="Column mapping (CSV, or XLSX with a Mapping sheet)."),
    preset: str | None = typer.Option(None, help="salesforce, hubspot or dynamics; default: recognised from the headers."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the result here; the portfolio stays as it is."),
    as_of: str | None = typer.Option(None, help="Judge due dates against this day (YYYY-MM-DD); default today."),
) -> None:
    """Import opportunities from a CRM export as intake requests (re-importing updates them)."""
    from xlportfolio.commands.import_crm import import_crm_file

    result = import_crm_file(export, into, mapping=mapping, preset=preset, output=output, as_of=_date(as_of))
    crm, o = result.crm, result.outcome
    out.print(f"[bold]{export}[/] ({crm.preset or 'custom mapping'}): {o.rows_read} rows, {o.new} new, "
              f"{o.updated} changed, {o.unchanged} unchanged, [red]{len(o.rejected)} rejected[/].")
    if crm.unmapped:
        out.print("  not used: " + ", ".join(crm.unmapped), soft_wrap=True)
    if crm.missing:
        out.print("  [yellow]the export does not fill[/]: " + ", ".join(crm.missing), soft_wrap=True)
    for f in crm.findings[:10]:  # errors first; an export's text may hold brackets: escaped, never markup
        colour = "red" if f.severity == "error" else "yellow"
        out.print(f"  [{colour}]{f.severity} {escape(f.location())}[/]: {escape(f.message)}", soft_wrap=True)
    for why in o.rejected[:10]:
        out.print(f"  [red]{escape(why)}[/]", soft_wrap=True)
    out.print(f"Intake now has {counted(result.report.errors, 'error')} and {counted(result.report.warnings, 'warning')}; "
              f"written to [bold]{result.written}[/] (see its CRM Import and Findings sheets).")
    # Errors left in Intake or in reading the export: exit 1 either way.
    raise typer.Exit(1 if result.report.errors or any(f.severity == "error" for f in crm.findings) else 0)


@workbook_command("score")
def score(
    book: Path = typer.Argument(..., help="The portfolio workbook (Intake, Items and the Scoring sheet)."),
    method: str = typer.Option("weighted", help="weighted (0-100) or WSJF."),
    ahp: bool = typer.Option(False, "--ahp", help="Take the weights from the AHP pairwise table."),
    output: Path | None = OUTPUT,
    as_of: str | None = typer.Option(None, help="Urgency counts days from this day (YYYY-MM-DD); default today."),
) -> None:
    """Score, rank and explain intake requests and items with the Scoring sheet's criteria."""
    from xlportfolio.commands.score import score_file
    from xlportfolio.core.prioritise.score import WSJF_SCALE

    if method.lower() not in ("weighted", "wsjf"):
        fail(f"--method {method!r}: choose weighted or WSJF.")
    result = score_file(book, output=output, as_of=_date(as_of), method=method, ahp=ahp)
    if result.consistency is not None:
        ok = "[green]consistent[/]" if result.consistency <= 0.10 else "[red]inconsistent, above 0.10[/]"
        out.print(f"AHP consistency ratio {result.consistency:.3f} ({ok}).")
    for table, n in result.scored.items():
        out.print(f"[bold]{table}[/]: {n} rows scored ({WSJF_SCALE if method.lower() == 'wsjf' else method}).")
        for rid, value, why in result.top[table]:
            out.print(f"  {rid:<14} {value:>10.4g}  {why}")
        if result.skipped[table]:
            out.print(f"  [yellow]not scored on[/] {', '.join(result.skipped[table])} (no such column in {table}).")
    _print_lines(result.report, limit=len(result.report.findings))
    out.print(f"Score, Rank and Why written to [bold]{result.written}[/].")
    raise typer.Exit(1 if result.report.errors else 0)


@workbook_command("select")
def select(
    book: Path = typer.Argument(..., help="The portfolio workbook (Intake, Items, Capacity, Dependencies)."),
    budget: str | None = typer.Option(None, help="Money available, as you would write it: 2000000, 2,000,000, "
                                      "2.000.000, 2m, 2.5m, 2k or €2m; default: no budget limit."),
    objective: str = typer.Option("score", help="Maximise total score, or total value (revenue, retention)."),
    output: Path | None = OUTPUT,
    as_of: str | None = typer.Option(None, help="Spread effort from this day (YYYY-MM-DD); default today."),
) -> None:
    """Choose the best candidates under budget and capacity (an exact MILP), onto a Scenario sheet."""
    from xlportfolio.commands.select import select_file

    if objective not in ("score", "value"):
        fail(f"--objective {objective!r}: choose score or value.")
    # The text goes to the command: the workbook's decimal separator decides "2.000" (select.read_budget).
    outcome = select_file(book, budget=budget, objective=objective, output=output, as_of=_date(as_of))
    s, budget = outcome.selection, outcome.budget
    if not s.optimal:
        out.print(f"[bold red]No selection[/] ({s.status}): {s.explanation}", soft_wrap=True)
        out.print(f"The Scenario sheet in [bold]{outcome.written}[/] shows the candidates and this explanation.")
        raise typer.Exit(1)
    out.print(f"[bold]{book}[/]: {len(s.chosen)} of {len(outcome.candidates)} candidates selected, "
              f"total {objective} {s.value:,.1f}, cost {s.cost:,.0f}"
              + (f" of {budget:,.0f}" if budget is not None else "") + ".")
    out.print("  limits that keep more out: " + (", ".join(s.binding[:10]) or "none"), soft_wrap=True)
    if outcome.left_out:
        out.print(f"  {len(outcome.left_out)} rows could not compete, e.g. {outcome.left_out[0]}", soft_wrap=True)
    out.print(f"Scenario sheet (selection, cut line, efficient frontier chart) written to [bold]{outcome.written}[/].")


@workbook_command("gates")
def gates(
    book: Path = typer.Argument(..., help="The portfolio workbook (Items with a Requested stage, Gates sheet)."),
    output: Path | None = OUTPUT,
    as_of: str | None = typer.Option(None, help="Judge dates against this day (YYYY-MM-DD); default today."),
) -> None:
    """Check every requested stage move: apply and record the passing ones, undo and explain the others."""
    from xlportfolio.commands.gates import gates_file, move_line, refusal_line

    outcome = gates_file(book, output=output, as_of=_date(as_of))
    result, report = outcome.result, outcome.report
    out.print(f"[bold]{book}[/]: {len(result.applied)} moves applied, [red]{len(result.refused)} refused[/].")
    for m in result.applied[:20]:
        out.print(f"  [green]{move_line(m)}[/]", soft_wrap=True)
    for r in list(result.refusals.values())[:20]:
        out.print(f"  [red]{refusal_line(r)}[/]", soft_wrap=True)
    others = [f for f in report.findings if f.severity == "error" and f.code != "gate-refused"]
    for f in others[:20]:
        out.print(f"  [red]error[/] {f.location()}: {f.message}", soft_wrap=True)
    counts = report.code_counts()
    if counts:
        out.print("  findings: " + ", ".join(f"{c} x{n}" for c, n in counts))
    out.print(f"Ledger now {outcome.ledger_rows} rows; written to [bold]{outcome.written}[/].")
    raise typer.Exit(1 if report.errors else 0)


@workbook_command("verify")
def verify(
    book: Path = typer.Argument(..., help="The portfolio workbook with a Ledger sheet."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
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
    from xlportfolio.commands.verify import check_file

    check = check_file(book, against=against, export=export)
    if as_json:
        sys.stdout.write(json.dumps({"file": str(book), **check.to_dict()}, indent=2, ensure_ascii=False) + "\n")
        raise typer.Exit(check.exit_code)
    colour = {0: "green", 1: "bold red", 2: "yellow"}[check.exit_code]
    out.print(f"[{colour}]{escape(str(book))}[/]: {escape(check.summary())}", soft_wrap=True)
    for line in check.details():
        out.print(f"  [red]{escape(line)}[/]", soft_wrap=True)
    if check.exported:
        out.print(f"Copy of the ledger written to [bold]{check.exported}[/]; keep it outside the workbook and "
                  f"check later with --against {check.exported}.", soft_wrap=True)
    elif export is not None:
        out.print(f"No copy was written to {export}: only a ledger that verifies in full is exported.",
                  soft_wrap=True)
    raise typer.Exit(check.exit_code)


@workbook_command("rollup")
def rollup(
    book: Path = typer.Argument(..., help="The portfolio workbook (Items, Financials, Capacity, Dependencies)."),
    values: bool = typer.Option(False, "--values", help="Write plain numbers (a frozen snapshot) instead of formulas."),
    output: Path | None = OUTPUT,
    as_of: str | None = typer.Option(None, help="Capacity and dates are judged from this day (YYYY-MM-DD); default today."),
) -> None:
    """Regenerate the rollup sheets, the portfolio checks and the Dashboard (live formulas, native charts)."""
    from xlportfolio.commands.rollup import rollup_file

    result = rollup_file(book, output=output, values=values, as_of=_date(as_of))
    out.print(f"[bold]{book}[/]: {result.headline}.")
    _print_findings(result.report)
    out.print(f"Rollup, Rollup by month, Breakdown and Dashboard written to [bold]{result.written}[/]"
              + (" as plain numbers." if values else " as formulas over the source tables."))
    raise typer.Exit(1 if result.report.errors else 0)


@workbook_command("run")
def run_all(
    book: Path = typer.Argument(..., help="The portfolio workbook."),
    output: Path | None = OUTPUT,
    as_of: str | None = typer.Option(None, help="Judge dates against this day (YYYY-MM-DD); default today."),
) -> None:
    """Run validate, accept, score, gates and rollup in order, and save once."""
    from xlportfolio.commands.run import STEPS, run_file
    from xlportfolio.progress import Steps

    with Steps(err, "run", len(STEPS) + 1) as steps:  # the steps, then the save
        result = run_file(book, output=output, as_of=_date(as_of), on_step=steps.start)
    summary = RichTable("command", "result", "errors", "warnings", box=None, padding=(0, 2))
    for s in result.steps:
        summary.add_row(s.command, s.summary, f"[red]{s.errors}[/]" if s.errors else "0",
                        f"[yellow]{s.warnings}[/]" if s.warnings else "0")
    out.print(summary)
    out.print(f"Written to [bold]{result.written}[/]; details on its Findings sheet.")
    raise typer.Exit(1 if result.errors else 0)


@workbook_command("report")
def report(
    book: Path = typer.Argument(..., help="The portfolio workbook."),
    out_path: Path = typer.Option(..., "--out", help="The HTML file to write, e.g. pack.html."),
    since: str | None = typer.Option(None, help="Gate moves and decisions since this day (YYYY-MM-DD); "
                                     "default 30 days ago."),
    as_of: str | None = typer.Option(None, help="The report's 'today' (YYYY-MM-DD); default today."),
) -> None:
    """Write a steering-committee pack (HTML with the dashboard charts); the workbook is only read."""
    from xlportfolio.commands.report import report_file

    result = report_file(book, out_path, since=_date(since), as_of=_date(as_of))
    out.print(f"Steering-committee pack written to [bold]{result.written}[/].")


def _print_findings(report, limit: int = 15) -> None:
    counts = report.code_counts()
    if counts:
        out.print("  findings: " + ", ".join(f"{c} x{n}" for c, n in counts), soft_wrap=True)
    _print_lines(report, limit)


def _print_lines(report, limit: int) -> None:
    """The first findings, errors before warnings, each by its item and cell."""
    for f in report.leading[:limit]:
        colour = "red" if f.severity == "error" else "yellow"
        item = f"{escape(f.item)}, " if f.item else ""
        out.print(f"  [{colour}]{f.severity}[/] {item}{escape(f.location())}: {escape(f.message)}", soft_wrap=True)
    if len(report.findings) > limit:
        out.print(f"  ... {len(report.findings) - limit} more on the Findings sheet.")


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
    from xlportfolio.registry import COMMANDS

    missing = [c.id for c in COMMANDS if c.id not in REGISTERED]
    extra = sorted(set(REGISTERED) - {c.id for c in COMMANDS})
    if missing or extra:  # a programming error, caught by the first test that imports the CLI
        raise RuntimeError(f"registry and CLI disagree: no CLI for {missing}, not in the registry: {extra}")
    for command in COMMANDS:
        app.command(command.id, short_help=command.tooltip, cls=HelpCommand)(REGISTERED[command.id])


_register_commands()


def _mount_addin() -> None:
    from xlportfolio.excel.cli import addin_app, serve

    app.add_typer(addin_app, cls=HelpGroup, name="addin", help="Build, install or describe the Excel add-in (ribbon).")
    app.command(cls=HelpCommand)(serve)


_mount_addin()


def main() -> None:
    app()
