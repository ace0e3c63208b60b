"""Where the jinja2 templates are found: xlportfolio/excel/templates, inside the package.

They are package data (pyproject.toml's [tool.setuptools.package-data]), so a checkout, an
editable install and an installed wheel all find them beside this module.
XLPORTFOLIO_TEMPLATES overrides that folder.
"""
from __future__ import annotations

from pathlib import Path

from xlportfolio.env import env

ENV = "XLPORTFOLIO_TEMPLATES"


def candidates() -> list[Path]:
    places = []
    if (chosen := env().templates) is not None:
        places.append(chosen)
    places.append(Path(__file__).resolve().parent / "templates")
    return places


def template_path(name: str) -> Path:
    """The first template called `name`; a clear error naming every place looked in."""
    for folder in candidates():
        if (folder / name).is_file():
            return folder / name
    looked = ", ".join(str(p) for p in candidates())
    raise FileNotFoundError(f"template {name!r} not found (looked in: {looked}); "
                            f"reinstall xlportfolio or set {ENV} to the templates folder.")


def render(name: str, **context) -> str:
    """Render a jinja2 template with XML/HTML escaping on, and no stray blank lines."""
    import jinja2

    path = template_path(name)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(path.parent)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template(name).render(**context)
