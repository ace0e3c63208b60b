"""Every environment variable xlportfolio reads, in one place, typed (pydantic-settings).

No other module reads os.environ (a test checks it). The models are built afresh at each call of
`env()` or `server_env()`, never kept: a variable set or changed after import (a test's
monkeypatch, `serve --workers` handing its options to the workers) is what the next call sees.
An empty variable counts as unset, as it always has.

The server's variables are a model of their own so that a bad one stops only `serve`, never a
command on a workbook; the general model's fields are text, paths and flags, which every value
fits. A value that does not fit its field is a BadEnvironment naming the variable and what it
must be, never a pydantic traceback.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from xlportfolio.errors import BadEnvironment

_OFF = ("", "0", "false", "no", "off")


def _flag(value: object) -> object:
    """Any value but 0/false/no/off turns a flag on, so a flag never fails to parse (the CLI's
    last line of defence reads XLPORTFOLIO_DEBUG and must not raise in its turn)."""
    return value.strip().lower() not in _OFF if isinstance(value, str) else value


Flag = Annotated[bool, BeforeValidator(_flag)]
_CONFIG = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True, use_attribute_docstrings=True)


class Env(BaseSettings):
    """The variables any command may read."""

    model_config = _CONFIG

    debug: Flag = Field(False, validation_alias="XLPORTFOLIO_DEBUG")
    """Let an unexpected error's traceback through (CLI and ribbon) instead of the short message."""
    ledger_key: SecretStr | None = Field(None, validation_alias="XLPORTFOLIO_LEDGER_KEY")
    """The ledger key itself (its UTF-8 bytes): new ledger rows are HMACs with it (user_config)."""
    ledger_key_file: Path | None = Field(None, validation_alias="XLPORTFOLIO_LEDGER_KEY_FILE")
    """A file holding the ledger key; read when XLPORTFOLIO_LEDGER_KEY is not set."""
    config_dir: Path | None = Field(None, validation_alias="XLPORTFOLIO_CONFIG_DIR")
    """The folder of the user's config.toml, instead of the platform's usual place."""
    home: Path | None = Field(None, validation_alias="XLPORTFOLIO_HOME")
    """The home folder `xlportfolio addin install` installs into, instead of the user's."""
    templates: Path | None = Field(None, validation_alias="XLPORTFOLIO_TEMPLATES")
    """The folder of the jinja2 templates, looked in before the checkout's and the wheel's."""
    xlwings_js: str | None = Field(None, validation_alias="XLPORTFOLIO_XLWINGS_JS")
    """The URL of xlwings.min.js for the task pane, instead of the CDN's for this xlwings."""
    xlwings_license_key: SecretStr | None = Field(None, validation_alias="XLWINGS_LICENSE_KEY")
    """xlwings' licence key (xlwings reads it itself; `serve` only notes when it is missing)."""
    appdata: Path | None = Field(None, validation_alias="APPDATA")
    """Windows' roaming application-data folder: the config folder and Excel's XLSTART are under it."""
    xdg_config_home: Path | None = Field(None, validation_alias="XDG_CONFIG_HOME")
    """The user's config folder on Linux and other Unix systems (default ~/.config)."""


class ServerEnv(BaseSettings):
    """The variables of `xlportfolio serve` (see server_settings); its options override them."""

    model_config = _CONFIG

    token: SecretStr | None = Field(None, validation_alias="XLPORTFOLIO_SERVER_TOKEN")
    """Access tokens: "name:token" entries separated by commas or whitespace."""
    token_file: Path | None = Field(None, validation_alias="XLPORTFOLIO_SERVER_TOKEN_FILE")
    """A file of "name:token" entries, one a line ("#" starts a comment)."""
    users: str | None = Field(None, validation_alias="XLPORTFOLIO_SERVER_USERS")
    """The names allowed to call, comma-separated (default: every token's holder)."""
    no_auth: Flag = Field(False, validation_alias="XLPORTFOLIO_SERVER_NO_AUTH")
    """No token needed: local development only."""
    max_body_mb: float | None = Field(None, validation_alias="XLPORTFOLIO_SERVER_MAX_BODY_MB")
    """The largest request body, in MB."""
    timeout: float | None = Field(None, validation_alias="XLPORTFOLIO_SERVER_TIMEOUT")
    """The seconds a command may run before it is stopped."""
    origin: str | None = Field(None, validation_alias="XLPORTFOLIO_SERVER_ORIGIN")
    """Origins allowed to call cross-origin (CORS), comma-separated."""


_EXPECTED = {"float_parsing": "a number", "float_type": "a number", "bool_parsing": "on or off (1 or 0)"}


def _read(model: type[BaseSettings]) -> BaseSettings:
    try:
        return model()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0])
        field = next((f for f in model.model_fields.values() if f.validation_alias == name), None)
        about = field.description.rstrip(".") if field and field.description else ""
        what = f" ({about[:1].lower()}{about[1:]})" if about else ""
        expected = _EXPECTED.get(error["type"], error["msg"].lower())
        raise BadEnvironment(None, f"the environment variable {name} is {error['input']!r}, but it must be "
                                   f"{expected}{what}; fix or unset it.") from None


def env() -> Env:
    """The general variables as they are now."""
    return _read(Env)


def server_env() -> ServerEnv:
    """The server's variables as they are now; BadEnvironment names one that does not fit."""
    return _read(ServerEnv)


def export(values: dict[str, str | None]) -> None:
    """Set variables for processes started from here (serve's workers read their options so)."""
    os.environ.update({k: v for k, v in values.items() if v is not None})
