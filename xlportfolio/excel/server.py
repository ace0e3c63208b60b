"""Optional: the ribbon for Excel on the web (and Office.js on the desktop), via xlwings Server.

    pip install 'xlportfolio[server]'
    export XLPORTFOLIO_SERVER_TOKEN="alice:<token>"         # one name:token per person
    xlportfolio serve --cert cert.pem --key key.pem        # https://127.0.0.1:8000
    xlportfolio addin manifest --url https://127.0.0.1:8000 --out manifest.xml

Sideload manifest.xml in Excel and an "xlportfolio" tab appears with the same buttons as the
desktop add-in, generated from the same registry. A click runs xlwings' Office.js client: it
posts the workbook as JSON to POST /xlwings/custom-scripts-call/{script} (the route shape
xlwings Server uses) with the person's token, this app checks the token and the request's size
(xlportfolio.excel.server_guard, configured by xlportfolio.excel.server_settings), opens the workbook on an
xlwings remote-engine App of the request's own (so concurrent requests never share one), runs the command through the ribbon's own logic (xlportfolio.excel.ribbon.run_command, on the live
adapter) and answers with `book.json()`: the actions the client then applies in Excel, the
message box being one more action (an alert, shown through GET /xlwings/alert; its Yes/No
answer goes to the task pane's JavaScript callback, which can open the Findings sheet).

Errors: a command that aborts (a workbook problem, or an internal error) still answers 200,
with its edits dropped and only the alert left, so Excel shows the message and nothing
changes. A request that cannot be run at all (unknown script, a body that is not an xlwings
workbook payload, no or a wrong token, too large, too slow, no xlwings licence) answers
4xx/5xx with a plain-text message, which the client shows in its error alert. Never a traceback.

Licences and requirements, please read before deploying:
- xlwings' server side (xlwings.pro, the remote engine behind `xw.Book(json=...)`) is under
  xlwings' PRO licence, PolyForm Noncommercial 1.0.0: free for noncommercial use, a paid
  licence otherwise (https://www.xlwings.org). It needs a licence key in the environment
  variable XLWINGS_LICENSE_KEY ("noncommercial" for noncommercial use); xlportfolio never
  sets one.
- Office add-ins load only over HTTPS with a certificate the machine trusts, even on
  localhost (e.g. mkcert for development).
- The task pane loads Microsoft's office.js and xlwings' Office.js client (xlwings.min.js)
  from their CDNs; the client's version should match the xlwings package on the server
  (XLPORTFOLIO_XLWINGS_JS overrides the URL, e.g. for a copy served in-house).
"""
# No `from __future__ import annotations`: FastAPI reads the route functions' annotations
# (Request) at runtime, and fastapi is imported lazily inside create_app.
import struct
import threading
import time
import zlib
from functools import cache
from typing import Any

from xlportfolio import registry
from xlportfolio.env import env
from xlportfolio.errors import Refusal
from xlportfolio.excel import server_guard as guard
from xlportfolio.excel import server_settings
from xlportfolio.excel.manifest import manifest_xml, ribbon_groups
from xlportfolio.excel.server_settings import ServerSettings
from xlportfolio.excel.templates import XLWINGS, render
from xlportfolio.registry import Command

SCRIPTS_PATH = "/xlwings/custom-scripts-call"
OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
ICON_SIZES = (16, 32, 64, 80)
ICON_RGB = (0x21, 0x73, 0x46)  # Excel green


def scripts() -> dict[str, Command]:
    """The custom scripts: every ribbon command, by control id (as the buttons call them) and
    by its CLI id."""
    out: dict[str, Command] = {}
    for c in registry.ribbon_commands():
        out[c.control_id] = c
        out.setdefault(c.id, c)
    return out


def xlwings_js_url() -> str:
    import xlwings as xw

    return env().xlwings_js or \
        f"https://cdn.jsdelivr.net/gh/xlwings/xlwings@{xw.__version__}/xlwingsjs/dist/xlwings.min.js"


@cache
def icon_png(size: int) -> bytes:
    """A plain square PNG icon (Office add-in buttons need image URLs, not imageMso names)."""
    row = b"\x00" + bytes(ICON_RGB) * size
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * size)) + chunk(b"IEND", b""))


def payload_problem(payload: Any) -> str | None:
    """Why `payload` is not what xlwings' Office.js client posts; None when it looks right."""
    if not isinstance(payload, dict):
        return "the request body is not a JSON object"
    missing = [k for k in ("client", "version", "book", "sheets") if k not in payload]
    if missing:
        return "the request body lacks " + ", ".join(repr(k) for k in missing)
    sheets = payload["sheets"]
    if not isinstance(sheets, list) or not sheets:
        return "'sheets' is not a list of sheets"
    for i, sheet in enumerate(sheets):
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str) \
                or not isinstance(sheet.get("values"), list) \
                or not all(isinstance(row, list) for row in sheet["values"]):
            return f"sheet {i} has no 'name' or no 'values' rows"
    if not isinstance(payload["book"], dict) or not isinstance(payload["book"].get("name"), str):
        return "'book' is not an object with the workbook's 'name'"
    if not isinstance(payload.get("names", []), list):
        return "'names' is not a list"
    return None


_ENGINE_LOCK = threading.Lock()  # two first requests must not register the engine twice
OUTCOMES = {0: "ok", 1: "done with errors found", 2: "workbook problem", 3: "internal error"}


def ensure_remote_engine() -> bool:
    """Make sure xlwings' remote engine is registered; False without a valid licence key.

    xlwings registers it when it is first imported, and only if a licence key is set by then;
    a key set later (a .env loaded after start-up, a test) would otherwise go unseen.
    """
    import xlwings as xw

    with _ENGINE_LOCK:
        if "remote" in [engine.name for engine in xw.engines]:
            return True
        try:
            from xlwings.main import Engine
            from xlwings.pro import _xlremote
        except (ImportError, xw.LicenseError):
            return False
        xw.engines.add(Engine(impl=_xlremote.engine))
        return True


def open_book(payload: dict):
    """The posted workbook, on a remote-engine App of its own.

    `xw.Book(json=...)` opens every book in the remote engine's one shared App, and that App's
    alert (like calculate) queues its action on the App's most recently opened book
    (xlwings/pro/_xlremote.py: App.alert -> self.books.active). With requests running in
    parallel threads, one request's message then lands in another's reply. An App per request
    makes `book.app.books.active` this request's book, whatever else runs.
    """
    import xlwings as xw
    from xlwings.pro import _xlremote

    app = _xlremote.App(apps=None, add_book=False)  # in no engine's list: nobody else sees it
    return xw.Book(impl=app.books.open(json=payload))


def freeze_heap() -> None:
    """Move every object alive now (the posted payload and its book above all) out of the cyclic
    garbage collector's reach until `thaw_heap`: the command allocates enough to trigger full
    collections, and each would walk the whole payload again (bench/bench_dispatch.py).

    Safe with concurrent requests because nothing depends on the calls pairing up: both are
    atomic under the GIL, frozen objects are still freed by reference counting, and the only
    effect of one request thawing while another runs is that the other's payload is scanned
    again, as without the freeze. A request that never thaws (stopped by its timeout between
    the two) leaves its objects frozen only until any later request thaws. A host process that
    froze its own heap (e.g. before forking workers) sees it thawed by the first request.
    """
    import gc

    gc.freeze()


def thaw_heap() -> None:
    import gc

    gc.unfreeze()


def run_script(command: Command, payload: dict) -> tuple[int, Any, str]:
    """Run `command` on the posted workbook; (HTTP status, JSON actions or a message, the outcome
    for the call log)."""
    import xlwings as xw

    from xlportfolio.excel.ribbon import run_command

    problem = payload_problem(payload)
    if problem:
        return 400, f"xlportfolio: {problem}; post the workbook from xlwings' Office.js client.", "not a workbook"
    try:
        if not ensure_remote_engine():
            raise xw.LicenseError("no licence key")
        book = open_book(payload)
    except xw.LicenseError:
        return 500, ("xlportfolio: xlwings Server needs a licence key: set XLWINGS_LICENSE_KEY on the "
                     "server (\"noncommercial\" for noncommercial use; a paid licence otherwise)."), "no licence"
    except Exception as exc:  # noqa: BLE001 - a request xlwings cannot read is the caller's error
        return 400, (f"xlportfolio: the workbook in the request cannot be read ({type(exc).__name__}: "
                     f"{exc}); post it from xlwings' Office.js client."), "unreadable workbook"
    freeze_heap()
    try:
        outcome = run_command(command, book)
        actions = book.json()
        if outcome.exit_code >= 2:  # aborted: drop the half-made edits, keep the message
            actions = {**actions, "actions": [a for a in actions["actions"] if a.get("func") == "alert"]}
        return 200, actions, OUTCOMES.get(outcome.exit_code, f"exit {outcome.exit_code}")
    finally:
        thaw_heap()
        try:
            book.close()
        except Exception:  # noqa: BLE001 - closing a remote book only frees memory
            pass


def taskpane_html() -> str:
    """The task pane (and the ribbon's function file): a button per ribbon command, the token
    form, and the JavaScript that runs a script and takes the outcome alert's Yes to Findings."""
    from xlportfolio.excel.ribbon import FINDINGS, FINDINGS_CALLBACK

    groups = ribbon_groups()
    names = [c.control_id for g in groups for c in g["commands"]]
    return render("taskpane.html.j2", groups=groups, names=names, office_js=OFFICE_JS,
                  xlwings_js=xlwings_js_url(), scripts_path=SCRIPTS_PATH,
                  findings=FINDINGS, findings_callback=FINDINGS_CALLBACK)


def alert_html(prompt: str, title: str, buttons: str, mode: str, callback: str) -> str:
    """xlwings' own alert page (xlwings/html/xlwings-alert.html), which book.app.alert needs."""
    return render(f"{XLWINGS}/xlwings-alert.html", prompt=prompt, title=title, buttons=buttons,
                  mode=mode, callback=callback)


def create_app(settings: ServerSettings | None = None):
    """The FastAPI app: the custom-script endpoint per ribbon command, the alert page, the task
    pane / function file, the icons and the manifest.

    `settings` default to the environment's (xlportfolio.excel.server_settings), which is also how
    `uvicorn --factory xlportfolio.excel.server:create_app --workers N` builds each worker's app;
    SettingsError when no token is configured and auth is not explicitly off.
    """
    try:
        from fastapi import FastAPI, Request
        from fastapi.middleware.cors import CORSMiddleware
        from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("the xlportfolio server needs FastAPI: pip install 'xlportfolio[server]'") from exc

    from xlportfolio import __version__
    from xlportfolio.excel.ribbon import internal_error as ribbon_internal_error

    settings = settings or server_settings.settings()
    app = FastAPI(title="xlportfolio", version=__version__,
                  description="xlportfolio's ribbon commands as xlwings Server custom scripts.")
    app.state.settings = settings
    # The task pane and the ribbon's function file are served from this origin, so their calls
    # need no CORS; other origins get none unless configured (e.g. the proxy's public address).
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.origins), allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type"], max_age=600)

    @app.get("/")
    def root() -> dict:
        return {"app": "xlportfolio", "version": __version__,
                "scripts": [c.control_id for c in registry.ribbon_commands()]}

    @app.post(SCRIPTS_PATH + "/{script_name}")
    async def custom_scripts_call(script_name: str, request: Request):
        record, started = guard.CallRecord(command=script_name), time.perf_counter()
        try:
            record.who = guard.caller(settings, request.headers.get("authorization"))
            command = scripts().get(script_name)
            if command is None:
                known = ", ".join(c.control_id for c in registry.ribbon_commands())
                raise Refusal(404, f"xlportfolio has no script {script_name!r}; the scripts are: "
                                         f"{known}. Reload the add-in if its buttons are out of date.",
                                    "unknown script")
            payload = guard.parse_payload(await guard.read_body(request, settings.max_body))
            record.rows = guard.posted_rows(payload)
            status, content, record.outcome = await guard.run_with_timeout(
                run_script, command, payload, timeout=settings.timeout)
        except Refusal as refusal:
            status, content, record.outcome = refusal.status, refusal.message, refusal.outcome
        except TimeoutError:
            status, record.outcome = 504, "timed out"
            content = (f"xlportfolio: {script_name} took longer than {settings.timeout:g} s and was stopped; "
                       "nothing in the workbook was changed. Try again later, or ask the administrator "
                       "to raise --timeout.")
        except Exception as exc:  # noqa: BLE001 - the server's last line of defence: a message, logged
            status, record.outcome = 500, f"internal error ({type(exc).__name__})"
            content = "xlportfolio: " + ribbon_internal_error(exc)
        record.status = status
        record.write(time.perf_counter() - started)
        if status == 200:
            return JSONResponse(content)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return PlainTextResponse(content, status_code=status, headers=headers)

    @app.get("/xlwings/custom-scripts-meta")
    def custom_scripts_meta() -> list[dict]:
        return [{"function_name": c.control_id, "name": c.label, "description": c.tooltip}
                for c in registry.ribbon_commands()]

    @app.get("/xlwings/alert", response_class=HTMLResponse)
    def alert(prompt: str = "", title: str = "", buttons: str = "ok", mode: str = "", callback: str = ""):
        return HTMLResponse(alert_html(prompt, title, buttons, mode, callback))

    @app.get("/taskpane", response_class=HTMLResponse)
    def taskpane():
        return HTMLResponse(taskpane_html())

    @app.get("/icons/xlportfolio-{size}.png")
    def icon(size: int):
        if size not in ICON_SIZES:
            return PlainTextResponse(f"no {size}px icon; sizes: {ICON_SIZES}", status_code=404)
        return Response(icon_png(size), media_type="image/png")

    @app.get("/manifest.xml")
    def manifest(request: Request):
        try:
            return Response(manifest_xml(str(request.base_url)), media_type="application/xml")
        except ValueError as exc:
            return PlainTextResponse(f"{exc} Start the server with --cert and --key.", status_code=400)

    return app
