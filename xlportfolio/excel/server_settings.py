"""Who may call `xlportfolio serve`, and its limits: read from the command line or the environment.

Authentication fits what xlwings' Office.js client can send: it puts its `auth` setting, as
is, into the request's Authorization header. The server's task pane asks each person once for
the access token they were given, keeps it in the browser's storage for the add-in (never in
the workbook) and sends it as "Bearer <token>".

Tokens are configured as `name:token` entries, one per person (or per team), so the server
knows who called: the name is the "who" of the call log and of the allowed-users list. The
client has no way to prove a person's identity beyond the token (Office's single sign-on would
need an identity provider this package does not assume), so a name is exactly as trustworthy
as its token is secret.

    XLPORTFOLIO_SERVER_TOKEN       entries "name:token", separated by commas or whitespace
    XLPORTFOLIO_SERVER_TOKEN_FILE  a file of entries, one a line ("#" starts a comment)
    XLPORTFOLIO_SERVER_USERS       allowed names, comma-separated (default: every token's name)
    XLPORTFOLIO_SERVER_NO_AUTH=1   no token needed: local development only
    XLPORTFOLIO_SERVER_MAX_BODY_MB, XLPORTFOLIO_SERVER_TIMEOUT, XLPORTFOLIO_SERVER_ORIGIN
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xlportfolio.env import server_env
from xlportfolio.errors import SettingsError

# A request's JSON is about 350 bytes per intake row of the demo data (bench/generate.py at
# 5,000 rows: 1.6 MiB for the Intake sheet); rows with long descriptions and notes reach about
# 1 KiB. 64 MiB holds 50,000 such rows with the other sheets beside them.
DEFAULT_MAX_BODY_MB = 64
DEFAULT_TIMEOUT = 120.0  # seconds; a click at 50,000 rows takes a few
MIN_TOKEN_LENGTH = 16
NEW_TOKEN_HINT = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
_NAME = re.compile(r"[A-Za-z0-9_.@+-]{1,64}")


@dataclass(frozen=True)
class ServerSettings:
    tokens: Mapping[str, str] = field(default_factory=dict)  # token -> the name of its holder
    allowed_users: frozenset[str] | None = None  # None: every token's holder
    auth: bool = True  # False only with --no-auth, for local development
    max_body: int = DEFAULT_MAX_BODY_MB * 2**20  # bytes
    timeout: float = DEFAULT_TIMEOUT  # seconds a command may run
    origins: tuple[str, ...] = ()  # origins allowed to call cross-origin (CORS)

    def __post_init__(self):
        if self.auth and not self.tokens:
            raise SettingsError(
                "no access token is configured, so the server would be open to anyone who can reach "
                "it. Set XLPORTFOLIO_SERVER_TOKEN to name:token entries (or --token-file FILE), "
                f"making each token with: {NEW_TOKEN_HINT}. For local development only, start it "
                "with --no-auth.")
        if self.max_body <= 0 or self.timeout <= 0:
            raise SettingsError("the body limit and the timeout must be positive.")
        if self.allowed_users is not None:
            unknown = sorted(self.allowed_users - set(self.tokens.values()))
            if unknown and self.auth:
                raise SettingsError(f"allowed user(s) {', '.join(unknown)} have no token; add "
                                    "name:token entries for them or leave them out.")


def parse_tokens(text: str, source: str) -> dict[str, str]:
    """`name:token` entries (commas, whitespace or new lines between them) -> {token: name}."""
    tokens: dict[str, str] = {}
    for line_no, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0]
        for entry in re.split(r"[,\s]+", line.strip()):
            if not entry:
                continue
            where = f"{source}, line {line_no}" if "\n" in text.strip() else source
            name, sep, token = entry.partition(":")
            if not sep or not _NAME.fullmatch(name):
                raise SettingsError(f"{where}: an entry is not name:token (a name of letters, digits "
                                    "and _.@+-, then a colon, then the token).")
            if len(token) < MIN_TOKEN_LENGTH:
                raise SettingsError(f"{where}: the token of {name!r} is shorter than {MIN_TOKEN_LENGTH} "
                                    f"characters; make one with: {NEW_TOKEN_HINT}")
            if token in tokens and tokens[token] != name:
                raise SettingsError(f"{where}: {name!r} and {tokens[token]!r} share a token; give each "
                                    "its own, or the log cannot tell them apart.")
            tokens[token] = name
    return tokens


def read_token_file(path: Path) -> dict[str, str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the token file ({exc.strerror or exc}).") from None
    return parse_tokens(text, str(path))


def parse_users(values: Iterable[str]) -> frozenset[str] | None:
    users = {u.strip() for v in values for u in v.split(",") if u.strip()}
    return frozenset(users) or None


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, as a browser sends it in the Origin header."""
    match = re.fullmatch(r"(https?://[^/\s?#]+)/?", url.strip().rstrip("/") + "/", flags=re.I)
    if not match:
        raise SettingsError(f"{url!r} is not an origin such as https://portfolio.example.com[:port].")
    return match.group(1).lower()


def settings(token_text: str | None = None, token_file: Path | None = None,
             users: Iterable[str] = (), no_auth: bool = False, max_body_mb: float | None = None,
             timeout: float | None = None, origins: Iterable[str] = ()) -> ServerSettings:
    """Settings from explicit values (the CLI's options); the environment fills what is not given."""
    env = server_env()
    token_text = token_text if token_text is not None else (env.token.get_secret_value() if env.token else "")
    token_file = token_file or env.token_file
    tokens = parse_tokens(token_text, "XLPORTFOLIO_SERVER_TOKEN")
    if token_file is not None:
        tokens.update(read_token_file(token_file))
    users = list(users) or [env.users or ""]
    no_auth = no_auth or env.no_auth
    origins = list(origins) or [o for o in (env.origin or "").split(",") if o.strip()]
    max_body_mb = max_body_mb if max_body_mb is not None else env.max_body_mb or DEFAULT_MAX_BODY_MB
    timeout = timeout if timeout is not None else env.timeout or DEFAULT_TIMEOUT
    return ServerSettings(tokens=tokens, allowed_users=parse_users(users), auth=not no_auth,
                          max_body=int(max_body_mb * 2**20), timeout=timeout,
                          origins=tuple(origin_of(o) for o in origins))
