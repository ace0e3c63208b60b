"""The user's own settings, kept outside every workbook: today, the ledger key.

The ledger key makes each new ledger row's Hash an HMAC (see core.ledger), so only someone who
holds the key can write rows that verify. It is looked up here, the first found wins:

1. XLPORTFOLIO_LEDGER_KEY: the key itself (its UTF-8 bytes);
2. XLPORTFOLIO_LEDGER_KEY_FILE: a file holding the key;
3. `key_file` under `[ledger]` in the user's config file, config.toml in XLPORTFOLIO_CONFIG_DIR, else
   %APPDATA%/xlportfolio on Windows, ~/Library/Application Support/xlportfolio on macOS and
   $XDG_CONFIG_HOME/xlportfolio (~/.config/xlportfolio) elsewhere. A relative path is taken from
   the config file's folder.

A key file's bytes are the key, less the line break an editor adds at the end. The key is never
read from a workbook: a key kept beside the ledger would prove nothing about who wrote it.
"""
from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from xlportfolio.env import env
from xlportfolio.errors import LedgerKeyError

KEY_ENV = "XLPORTFOLIO_LEDGER_KEY"
KEY_FILE_ENV = "XLPORTFOLIO_LEDGER_KEY_FILE"
CONFIG_DIR_ENV = "XLPORTFOLIO_CONFIG_DIR"
CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class LedgerKey:
    secret: bytes
    source: str  # where it came from, for messages: never the key itself

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return f"LedgerKey(source={self.source!r})"


def config_dir() -> Path:
    settings = env()
    if settings.config_dir:
        return settings.config_dir.expanduser()
    if sys.platform.startswith("win") and settings.appdata:
        return settings.appdata / "xlportfolio"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "xlportfolio"
    return (settings.xdg_config_home or Path.home() / ".config") / "xlportfolio"


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def how_to_set_key() -> str:
    return (f"set {KEY_ENV} (the key) or {KEY_FILE_ENV} (a file holding it), or name the file as "
            f"key_file under [ledger] in {config_path()}")


def ledger_key() -> LedgerKey | None:
    """The user's ledger key, or None when none is set; a key named but unreadable is an error."""
    settings = env()
    if settings.ledger_key:
        return LedgerKey(settings.ledger_key.get_secret_value().encode("utf-8"), KEY_ENV)
    if settings.ledger_key_file:
        path = settings.ledger_key_file.expanduser()
        return _read_key(path, f"the key file {path} (named by {KEY_FILE_ENV})")
    config = config_path()
    if not config.is_file():
        return None
    try:
        settings = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LedgerKeyError(config, f"the xlportfolio config file cannot be read ({exc}); fix or remove it.") from None
    section = settings.get("ledger")
    name = section.get("key_file") if isinstance(section, dict) else None
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip():
        raise LedgerKeyError(config, "key_file under [ledger] must be the path of the key file, in quotes.")
    path = Path(name).expanduser()
    path = path if path.is_absolute() else config.parent / path
    return _read_key(path, f"the key file {path} (named in {config})")


def _read_key(path: Path, source: str) -> LedgerKey:
    try:
        secret = path.read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise LedgerKeyError(None, f"{source} cannot be read ({exc.strerror or exc}); no command ran. "
                             "Fix the path, or unset it to work without a key.") from None
    if not secret.strip():
        raise LedgerKeyError(None, f"{source} is empty; put the key in it, or unset it to work without a key.")
    return LedgerKey(secret, source)
