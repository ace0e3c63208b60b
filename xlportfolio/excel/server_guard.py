"""What stands between a request and a command on `xlportfolio serve`: the token, the body's
size and shape, the time a command may take, and the line each call leaves in the log.

Every check here answers before any work on the workbook starts, and none of them logs or
echoes the workbook's contents or the token.
"""
from __future__ import annotations

import asyncio
import ctypes
import hmac
import json
import logging
import threading
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from typing import Any

from xlportfolio.errors import CommandTimeout, Refusal
from xlportfolio.excel.server_settings import ServerSettings

log = logging.getLogger("xlportfolio.excel.server")

# A payload from xlwings' client nests about six deep (payload > sheets > sheet > values > row
# > cell); anything far deeper is not a workbook, and Python's parser gives up near 1,000.
MAX_DEPTH = 32
_SCALARS = frozenset({str, int, float, bool, type(None)})


def caller(settings: ServerSettings, authorization: str | None) -> str:
    """The name of the token's holder; Refusal(401/403) when the call may not run."""
    if not settings.auth:
        return "anonymous"
    scheme, _, credential = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":  # xlwings' `auth` setting is sent as is: take a bare token too
        credential = (authorization or "").strip()
    name = None
    for token, holder in settings.tokens.items():  # compare with every token, in constant time
        if hmac.compare_digest(credential.encode(), token.encode()):
            name = holder
    if not credential:
        raise Refusal(401, "xlportfolio: this server needs an access token. Open the xlportfolio task "
                           "pane, paste the token you were given and press Save.", "no token")
    if name is None:
        raise Refusal(401, "xlportfolio: the access token is not valid (mistyped, or withdrawn). Open "
                           "the xlportfolio task pane and paste the token you were given.", "wrong token")
    if settings.allowed_users is not None and name not in settings.allowed_users:
        raise Refusal(403, f"xlportfolio: {name!r} is not among the users allowed on this server; ask "
                           "its administrator.", "user not allowed")
    return name


def too_large(size: int, limit: int) -> Refusal:
    return Refusal(413, f"xlportfolio: the workbook sent is {size / 2**20:.1f} MB, over this server's "
                        f"limit of {limit / 2**20:.0f} MB (sized for about 50,000 rows). Send fewer "
                        "sheets (xlwings' include/exclude settings), or ask the administrator to raise "
                        "--max-body-mb.", "too large")


async def read_body(request, limit: int) -> bytes:
    """The body, read only while it stays within `limit` bytes (a declared length is checked first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_payload(body: bytes) -> Any:
    """The JSON of the body; Refusal(400) for text that is not JSON or nests too deeply."""
    try:
        payload = json.loads(body)
    except RecursionError:
        payload = None
        deep = True
    except ValueError as exc:
        raise Refusal(400, f"xlportfolio: the request body is not JSON ({exc}); post the workbook from "
                           "xlwings' Office.js client.", "not JSON") from None
    else:
        deep = nesting_exceeds(payload, MAX_DEPTH)
    if deep:
        raise Refusal(400, f"xlportfolio: the request body nests more than {MAX_DEPTH} levels deep, "
                           "which no workbook does; post the workbook from xlwings' Office.js client.",
                      "nested too deeply")
    return payload


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests lists/objects more than `limit` deep; without recursion, and a row
    of plain cells costs one pass in C (about 2 ms of CPU per 1,000 rows of 32 cells)."""
    level = [value]
    for _ in range(limit + 1):
        deeper = []
        for node in level:
            items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
            if items and not _SCALARS.issuperset(map(type, items)):
                deeper.extend(i for i in items if isinstance(i, (list, dict)))
        if not deeper:
            return False
        level = deeper
    return True


def posted_rows(payload: Any) -> int:
    """Rows posted, over every sheet: the size of a call in the log, never its contents."""
    try:
        return sum(len(s["values"]) for s in payload["sheets"])
    except (TypeError, KeyError):
        return 0


async def run_with_timeout(function, *args, timeout: float) -> Any:
    """Run `function(*args)` on a thread of its own; past `timeout` seconds raise TimeoutError here
    and stop the thread by raising CommandTimeout in it.

    Python cannot kill a thread; CPython's PyThreadState_SetAsyncExc makes it raise at its next
    Python step instead (a step inside a C library, such as one big parse, finishes first). The
    thread is ours alone, so the exception can reach nothing but the command it interrupts.
    """
    result: Future = Future()
    guard = threading.Lock()  # the stop is sent only while the command has not finished
    finished = False

    def work():
        nonlocal finished
        try:
            try:
                value, error = function(*args), None
            except CommandTimeout:
                raise
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting request
                value, error = None, exc
            with guard:
                finished = True
            # a stop sent just before `finished` surfaces here at the latest, still inside the try
            if error is not None:
                result.set_exception(error)
            else:
                result.set_result(value)
        except (CommandTimeout, InvalidStateError):  # stopped, or finished after the request gave up
            pass

    thread = threading.Thread(target=work, name="xlportfolio-command", daemon=True)
    thread.start()
    try:
        return await asyncio.wait_for(asyncio.wrap_future(result), timeout)
    except TimeoutError:
        with guard:
            if not finished:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                           ctypes.py_object(CommandTimeout))
        raise


@dataclass
class CallRecord:
    """One line of the call log: who, which command, how many rows, how long, what came of it."""
    who: str = "-"
    command: str = "-"
    rows: int = 0
    status: int = 0
    outcome: str = "-"

    def write(self, seconds: float) -> None:
        log.info("call who=%s command=%s rows=%d duration=%.3fs status=%d outcome=%s",
                 self.who, self.command, self.rows, seconds, self.status, self.outcome)
