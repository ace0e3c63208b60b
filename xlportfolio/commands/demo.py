"""demo: write a sample portfolio and an intake template, then run every command on them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from ..demo_data import sample_portfolio
from ..files.template import INTAKE_KIND, PORTFOLIO_KIND, build_workbook
from ..files.workbook import save_atomic
from .accept import accept_file
from .validate import validate_file


def run_demo(folder: Path, *, seed: int = 7, as_of: dt.date | None = None,
             console: Console | None = None) -> dict[str, Path]:
    console = console or Console()
    as_of = as_of or dt.date.today()
    folder.mkdir(parents=True, exist_ok=True)
    portfolio = folder / "portfolio.xlsx"
    template = folder / "intake-template.xlsx"
    with console.status("Writing the sample portfolio ...") as status:
        data = sample_portfolio(as_of, seed)
        save_atomic(build_workbook(PORTFOLIO_KIND, data), portfolio)
        save_atomic(build_workbook(INTAKE_KIND), template)
        status.update("Validating intake ...")
        result = validate_file(portfolio, as_of=as_of)
        status.update("Accepting requests marked Accept ...")
        accepted = accept_file(portfolio, as_of=as_of).summary
    report = result.report
    counts = {name: len(rows) for name, rows in data.items()}
    console.print(f"Wrote [bold]{portfolio}[/]: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + " rows.")
    console.print(f"Wrote [bold]{template}[/]: the intake template a PMO sends to business units.")
    console.print(f"validate: {result.rows} requests, [red]{report.errors} errors[/], "
                  f"[yellow]{report.warnings} warnings[/] "
                  f"({', '.join(f'{c} x{n}' for c, n in report.by_code().most_common())}).")
    console.print(f"accept: {len(accepted.created)} requests became items at DI1 Defined "
                  f"({', '.join(f'{r} -> {i}' for r, i in accepted.created[:3])}, ...); "
                  f"{len(accepted.refused)} marked requests refused because of errors.")
    console.print(f"Open {portfolio} and look at the Intake sheet's Validation column, the coloured cells "
                  "(hover for the note) and the Findings sheet (each cell is a link).")
    return {"portfolio": portfolio, "template": template}
