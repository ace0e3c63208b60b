"""The one jinja2 environment: the ribbon XML, the Office manifest, the task pane and the report pack.

The templates are package data in xlportfolio/excel/templates (pyproject.toml's
[tool.setuptools.package-data]), so a checkout, an editable install and an installed wheel all
find them beside this module; XLPORTFOLIO_TEMPLATES names a folder looked in first. xlwings' own
alert page, which the server hands the remote engine's message box, is "xlwings/xlwings-alert.html".

Every template is rendered with escaping on (XML and HTML alike), an undefined name is an error
rather than an empty string, and block tags leave no stray blank lines. This module imports
nothing of the front end, so the ribbon, the server, the add-in build and the report command all
use it without importing one another.
"""
from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

from xlportfolio.core.values import is_number
from xlportfolio.env import env

ENV = "XLPORTFOLIO_TEMPLATES"
XLWINGS = "xlwings"  # the prefix of xlwings' own templates (xlwings/html/ in its package)


def candidates() -> list[Path]:
    places = []
    if (chosen := env().templates) is not None:
        places.append(chosen)
    places.append(Path(__file__).resolve().parent / "templates")
    return places


def _missing(name: str) -> str:
    looked = ", ".join(str(p) for p in candidates())
    return (f"template {name!r} not found (looked in: {looked}); "
            f"reinstall xlportfolio or set {ENV} to the templates folder.")


def template_path(name: str) -> Path:
    """The first template called `name`; a clear error naming every place looked in."""
    for folder in candidates():
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(_missing(name))


def render(name: str, **context: Any) -> str:
    """Render template `name` through the one environment; FileNotFoundError, naming every place
    looked in, when there is no such template."""
    import jinja2

    try:
        template = environment().get_template(name)
    except jinja2.TemplateNotFound as exc:
        raise FileNotFoundError(_missing(name)) from exc
    return template.render(**context)


def environment():
    """The jinja2 Environment for the folders looked in now (a test may point XLPORTFOLIO_TEMPLATES
    elsewhere); built once per set of folders, so its template cache serves every click."""
    return _environment(tuple(candidates()))


@cache
def _environment(folders: tuple[Path, ...]):
    import jinja2

    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(f) for f in folders]),
        jinja2.PrefixLoader({XLWINGS: jinja2.FileSystemLoader(str(_xlwings_html()))}),
    ])
    environment = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                     keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    environment.filters["amount"] = amount
    environment.filters["money"] = money
    return environment


def _xlwings_html() -> Path:
    # find_spec locates the installed package without importing it: the ribbon XML and the
    # add-in build render through this environment and need none of xlwings.
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        return Path(__file__).resolve().parent / "templates"  # no xlwings: its alert page is simply not found
    return Path(next(iter(spec.submodule_search_locations))) / "html"


# --- filters: amounts as the report pack shows them ------------------------------------------

def amount(value: Any) -> str:
    if not is_number(value):
        return "" if value is None else str(value)
    return f"{value:,.0f}" if abs(value) >= 1 or value == 0 else f"{value:,.2f}"


def money(value: Any, currency: str) -> str:
    """An amount as the workbook's money cells show it: 1,200 €, a negative in parentheses."""
    if not is_number(value):
        return amount(value)
    text = amount(abs(value))
    signed = f"{text} {currency}"
    return f"({signed})" if value < 0 else signed
