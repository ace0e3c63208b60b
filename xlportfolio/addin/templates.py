"""Where the jinja2 templates (templates/ at the top of the repository) are found.

In a source checkout or an editable install they sit beside the package; an installed wheel
carries them as data files under <prefix>/share/xlportfolio/templates (see pyproject.toml's
[tool.setuptools.data-files]). XLPORTFOLIO_TEMPLATES overrides both.
"""
from __future__ import annotations

import site
import sys
from pathlib import Path

from xlportfolio.env import env

ENV = "XLPORTFOLIO_TEMPLATES"


def candidates() -> list[Path]:
    places = []
    if (chosen := env().templates) is not None:
        places.append(chosen)
    places.append(Path(__file__).resolve().parents[2] / "templates")  # checkout / editable
    places.append(Path(sys.prefix) / "share" / "xlportfolio" / "templates")  # wheel
    user_base = getattr(site, "USER_BASE", None)
    if user_base:
        places.append(Path(user_base) / "share" / "xlportfolio" / "templates")  # pip --user
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
