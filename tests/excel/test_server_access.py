"""Who may call `xlportfolio serve` and within which limits: the bearer token, the allowed
users, the body's size and nesting, the timeout, CORS, the call log, and the settings and CLI
that configure them. TestClient throughout; tests/test_server_http.py calls a real server."""
# ruff: noqa: F811 - test_server's fixtures are imported by name and requested as parameters
import json
import logging
import threading
import time
import types
import warnings

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx
    from fastapi.testclient import TestClient

from typer.testing import CliRunner  # noqa: E402

from tests.excel.test_server import CALL, TOKEN, demo, licensed, make_app, payload  # noqa: E402,F401 - fixtures
from xlportfolio import registry  # noqa: E402
from xlportfolio.commands.base import Outcome  # noqa: E402
from xlportfolio.errors import SettingsError  # noqa: E402
from xlportfolio.excel.server_guard import MAX_DEPTH, nesting_exceeds  # noqa: E402
from xlportfolio.excel.server_settings import (  # noqa: E402
    DEFAULT_MAX_BODY_MB,
    ServerSettings,
    parse_tokens,
    settings,
)
from xlportfolio.registry import Command  # noqa: E402

BOB = "tok-bob-fedcba9876543210"
ENV = ("XLPORTFOLIO_SERVER_TOKEN", "XLPORTFOLIO_SERVER_TOKEN_FILE", "XLPORTFOLIO_SERVER_USERS",
       "XLPORTFOLIO_SERVER_NO_AUTH", "XLPORTFOLIO_SERVER_MAX_BODY_MB", "XLPORTFOLIO_SERVER_TIMEOUT",
       "XLPORTFOLIO_SERVER_ORIGIN")


@pytest.fixture
def clean_env(monkeypatch):
    """No server setting from the machine's environment; whatever a test sets is undone."""
    for name in ENV:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


@pytest.fixture
def recorded(monkeypatch, add_commands):
    """A command that records each run and marks a cell; `slow` runs until it is stopped."""
    runs, stopped = [], threading.Event()

    def record(wb, options):
        runs.append(wb.book.name)
        wb.book.sheets[0]["A1"].color = "#FFC7CE"
        return Outcome(command="record", summary="Recorded.")

    def slow(wb, options):
        runs.append(wb.book.name)
        try:
            while True:  # a command that never ends on its own
                wb.book.sheets[0]["A1"].color = "#FFC7CE"
                time.sleep(0.01)
        finally:
            stopped.set()

    add_commands("xlp_fake_access_commands", {"record": record, "slow": slow},
                 Command("record", "Record", "Record.", "Rollups", "Bold", "xlp_fake_access_commands:record"),
                 Command("slow", "Slow", "Never ends.", "Rollups", "Bold", "xlp_fake_access_commands:slow"))
    return types.SimpleNamespace(runs=runs, stopped=stopped)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --- the token -------------------------------------------------------------------------------

@pytest.mark.parametrize("headers, outcome", [
    ({}, "needs an access token"),
    (bearer("tok-mallory-000000000000"), "not valid"),
    (bearer(TOKEN[:-1]), "not valid"),
    ({"Authorization": "Basic " + TOKEN}, "not valid"),
])
def test_no_token_or_a_wrong_one_is_a_401_and_nothing_runs(licensed, recorded, payload, headers, outcome):
    client = TestClient(make_app())
    response = client.post(CALL + "xlp_record", json=payload, headers=headers)
    assert response.status_code == 401 and outcome in response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert "task pane" in response.text and "Traceback" not in response.text
    assert recorded.runs == []


def test_an_unknown_script_needs_the_token_too(licensed):
    response = TestClient(make_app()).post(CALL + "xlp_nonsense", json={})
    assert response.status_code == 401 and "xlp_validate" not in response.text


def test_the_token_as_xlwings_auth_sends_it_bare_is_accepted(licensed, recorded, payload):
    response = TestClient(make_app()).post(CALL + "xlp_record", json=payload, headers={"Authorization": TOKEN})
    assert response.status_code == 200 and len(recorded.runs) == 1


def test_allowed_users_keep_out_other_token_holders(licensed, recorded, payload):
    app = make_app(tokens={TOKEN: "alice", BOB: "bob"}, allowed_users=frozenset({"alice"}))
    client = TestClient(app)
    refused = client.post(CALL + "xlp_record", json=payload, headers=bearer(BOB))
    assert refused.status_code == 403 and "'bob' is not among the users allowed" in refused.text
    assert recorded.runs == []
    assert client.post(CALL + "xlp_record", json=payload, headers=bearer(TOKEN)).status_code == 200
    assert len(recorded.runs) == 1


@pytest.mark.parametrize("command", [c.control_id for c in registry.ribbon_commands()])
def test_a_valid_token_runs_every_command(licensed, demo, command):
    """Each ribbon command answers with its message as the last action, never a refusal."""
    from tests.excel.test_server import book_payload

    client = TestClient(make_app(), headers=bearer(TOKEN))
    response = client.post(CALL + command, json=book_payload(demo[0]))
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    label = registry.BY_CONTROL[command].label
    assert actions[-1]["func"] == "alert" and actions[-1]["args"][1] == f"xlportfolio: {label}"
    assert [a["func"] for a in actions].count("alert") == 1


def test_no_auth_runs_without_a_token(licensed, recorded, payload):
    response = TestClient(make_app(tokens={}, auth=False)).post(CALL + "xlp_record", json=payload)
    assert response.status_code == 200 and len(recorded.runs) == 1


# --- size, shape and time --------------------------------------------------------------------

def test_a_body_over_the_limit_is_a_413_before_it_is_read(licensed, recorded, payload):
    client = TestClient(make_app(max_body=2000), headers=bearer(TOKEN))
    response = client.post(CALL + "xlp_record", json=payload)
    assert response.status_code == 413
    assert "over this server's limit" in response.text and "--max-body-mb" in response.text
    # without a declared length (chunked), counted while it streams in
    body = json.dumps(payload).encode()
    response = client.post(CALL + "xlp_record", content=(body[i:i + 1000] for i in range(0, len(body), 1000)))
    assert response.status_code == 413
    assert recorded.runs == []


def test_the_default_limit_holds_50000_rows(demo):
    """The demo's Intake rows, repeated to 50,000, with the rest of its workbook, fit the default."""
    from tests.excel.test_server import book_payload

    big = book_payload(demo[0])
    intake = next(s for s in big["sheets"] if s["name"] == "Intake")
    header, rows = intake["values"][0], intake["values"][1:]
    intake["values"] = [header] + [rows[i % len(rows)] for i in range(50_000)]
    size = len(json.dumps(big).encode())
    assert ServerSettings(tokens={TOKEN: "a"}).max_body == DEFAULT_MAX_BODY_MB * 2**20 > size


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,  # past Python's parser: a RecursionError, a 500 before
    json.dumps({"client": "Office.js", "version": "1", "book": {"name": "b"},
                "sheets": [{"name": "S", "values": [[json.loads("[" * 200 + "]" * 200)]]}]}).encode(),
])
def test_deeply_nested_json_is_a_clear_400(licensed, recorded, body):
    client = TestClient(make_app(), headers=bearer(TOKEN))
    response = client.post(CALL + "xlp_record", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and f"nests more than {MAX_DEPTH} levels" in response.text
    assert recorded.runs == []


def test_a_real_payload_is_not_too_deep(payload):
    assert not nesting_exceeds(payload, 8)
    assert nesting_exceeds({"a": [[[[[[[[[1]]]]]]]]]}, 8)


def test_a_command_past_the_timeout_is_stopped_with_a_504(licensed, recorded, payload):
    client = TestClient(make_app(timeout=0.5), headers=bearer(TOKEN))
    response = client.post(CALL + "xlp_slow", json=payload)
    assert response.status_code == 504
    assert "took longer than 0.5 s and was stopped" in response.text
    assert "nothing in the workbook was changed" in response.text
    assert recorded.stopped.wait(30), "the command's thread was not stopped"
    assert len(recorded.runs) == 1


def test_a_command_within_the_timeout_answers(licensed, recorded, payload):
    client = TestClient(make_app(timeout=60), headers=bearer(TOKEN))
    assert client.post(CALL + "xlp_record", json=payload).status_code == 200


# --- CORS ------------------------------------------------------------------------------------

ADDIN = "https://portfolio.example.com"


def preflight(client, origin):
    return client.options(CALL + "xlp_validate", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})


def test_cors_admits_the_addins_origin_only(licensed, recorded, payload):
    client = TestClient(make_app(origins=(ADDIN,)), headers=bearer(TOKEN))
    ok = preflight(client, ADDIN)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ADDIN
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    assert "POST" in ok.headers["access-control-allow-methods"]
    foreign = preflight(client, "https://elsewhere.example.net")
    assert foreign.status_code == 400 and "access-control-allow-origin" not in foreign.headers
    response = client.post(CALL + "xlp_record", json=payload, headers={"Origin": ADDIN})
    assert response.headers["access-control-allow-origin"] == ADDIN
    response = client.post(CALL + "xlp_record", json=payload, headers={"Origin": "https://elsewhere.example.net"})
    assert "access-control-allow-origin" not in response.headers


def test_a_401_is_readable_by_the_addin(licensed):
    response = TestClient(make_app(origins=(ADDIN,))).post(CALL + "xlp_validate", json={}, headers={"Origin": ADDIN})
    assert response.status_code == 401 and response.headers["access-control-allow-origin"] == ADDIN


# --- the call log ----------------------------------------------------------------------------

def test_each_call_is_logged_without_the_workbook_or_the_token(licensed, demo, caplog):
    from tests.excel.test_server import book_payload

    body = book_payload(demo[0])
    intake = next(s for s in body["sheets"] if s["name"] == "Intake")
    contents = [v for v in intake["values"][1] if isinstance(v, str) and len(v) > 3]
    client = TestClient(make_app())
    with caplog.at_level(logging.INFO, logger="xlportfolio.excel.server"):
        client.post(CALL + "xlp_validate", json=body, headers=bearer(TOKEN))
        client.post(CALL + "xlp_validate", json=body, headers=bearer("tok-mallory-000000000000"))
    lines = [r.getMessage() for r in caplog.records if r.name == "xlportfolio.excel.server"]
    assert len(lines) == 2
    rows = sum(len(s["values"]) for s in body["sheets"])
    assert lines[0].startswith(f"call who=alice command=xlp_validate rows={rows} duration=")
    assert lines[0].endswith("status=200 outcome=done with errors found")
    assert lines[1].startswith("call who=- command=xlp_validate rows=0 ")
    assert lines[1].endswith("status=401 outcome=wrong token")
    text = "\n".join(lines)
    assert contents and not any(c in text for c in contents)
    assert TOKEN not in text and "mallory" not in text


# --- settings --------------------------------------------------------------------------------

def test_no_token_no_server(clean_env):
    with pytest.raises(SettingsError, match="no access token is configured.*--no-auth"):
        settings()
    assert settings(no_auth=True).auth is False


def test_tokens_from_the_environment_and_a_file(clean_env, monkeypatch, tmp_path):
    monkeypatch.setenv("XLPORTFOLIO_SERVER_TOKEN", f"alice:{TOKEN}")
    path = tmp_path / "tokens"
    path.write_text(f"# the controllers\nbob:{BOB}  # since May\n\n", encoding="utf-8")
    monkeypatch.setenv("XLPORTFOLIO_SERVER_USERS", "alice, bob")
    config = settings(token_file=path, timeout=5, max_body_mb=1.5, origins=["https://Portfolio.example.com/"])
    assert dict(config.tokens) == {TOKEN: "alice", BOB: "bob"}
    assert config.allowed_users == {"alice", "bob"}
    assert (config.timeout, config.max_body, config.origins) == (5, 1.5 * 2**20, (ADDIN,))


@pytest.mark.parametrize("text, message", [
    ("alice", "not name:token"),
    ("alice:short", "shorter than 16 characters"),
    (f"alice:{TOKEN},bob:{TOKEN}", "share a token"),
    (f"al ice:{TOKEN}", "not name:token"),
])
def test_a_bad_token_entry_is_named(text, message):
    with pytest.raises(SettingsError, match=message):
        parse_tokens(text, "XLPORTFOLIO_SERVER_TOKEN")


def test_a_bad_token_file_line_is_named(clean_env, tmp_path):
    path = tmp_path / "tokens"
    path.write_text(f"alice:{TOKEN}\nbob:short\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"tokens, line 2: the token of 'bob'"):
        settings(token_file=path)
    with pytest.raises(SettingsError, match="cannot read the token file"):
        settings(token_file=tmp_path / "missing")


def test_an_allowed_user_without_a_token(clean_env):
    with pytest.raises(SettingsError, match="carol have no token"):
        settings(token_text=f"alice:{TOKEN}", users=["alice,carol"])


# --- `xlportfolio serve` ---------------------------------------------------------------------

@pytest.fixture
def served(monkeypatch, clean_env):
    """`serve` as the CLI runs it, with uvicorn.run recording its arguments instead of serving."""
    import typer
    import uvicorn

    from xlportfolio.excel.cli import serve

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    app = typer.Typer()
    app.command()(serve)

    def run(*args):
        return CliRunner().invoke(app, list(args)), calls
    return run


def test_serve_refuses_to_start_without_a_token(served):
    result, calls = served()
    assert result.exit_code == 2 and calls == []
    assert "XLPORTFOLIO_SERVER_TOKEN" in result.output and "--no-auth" in result.output


def test_serve_without_auth_says_so(served):
    result, calls = served("--no-auth")
    assert result.exit_code == 0, result.output
    assert "WARNING: --no-auth" in result.output and "no token needed" in result.output
    [(target, options)] = calls
    assert target == "xlportfolio.excel.server:create_app" and options["factory"] and options["workers"] == 1
    from xlportfolio.excel.server import create_app

    app = create_app()  # what uvicorn builds from the environment, one worker as several
    assert app.state.settings.auth is False
    assert app.state.settings.origins == ("http://127.0.0.1:8000",)
    assert options["log_config"]["loggers"]["xlportfolio"]["level"] == "INFO"


def test_serve_with_several_workers_hands_them_the_settings(served, tmp_path, monkeypatch):
    import os

    path = tmp_path / "tokens"
    path.write_text(f"alice:{TOKEN}\nbob:{BOB}\n", encoding="utf-8")
    result, calls = served("--token-file", str(path), "--allow-user", "alice", "--workers", "3",
                           "--timeout", "30", "--origin", ADDIN)
    assert result.exit_code == 0, result.output
    assert "2 token holder(s), 1 allowed, 3 worker(s)" in result.output
    [(target, options)] = calls
    assert target == "xlportfolio.excel.server:create_app" and options["factory"] and options["workers"] == 3
    assert TOKEN not in json.dumps({k: os.environ.get(k) for k in ENV})  # the file's name, not its tokens
    from xlportfolio.excel.server import create_app

    worker = create_app()  # what each worker builds from the environment
    assert worker.state.settings.allowed_users == {"alice"} and worker.state.settings.timeout == 30
    assert worker.state.settings.origins == (ADDIN,)
    assert dict(worker.state.settings.tokens) == {TOKEN: "alice", BOB: "bob"}


def test_an_unexpected_failure_outside_the_command_is_a_plain_500(licensed, recorded, payload, monkeypatch, caplog):
    from xlportfolio.excel import server

    def broken(command, body):
        raise MemoryError("out of memory")
    monkeypatch.setattr(server, "run_script", broken)
    with caplog.at_level(logging.INFO, logger="xlportfolio.excel.server"):
        response = TestClient(make_app(), headers=bearer(TOKEN)).post(CALL + "xlp_record", json=payload)
    assert response.status_code == 500 and "internal error (MemoryError: out of memory)" in response.text
    assert "Traceback" not in response.text
    assert caplog.records[-1].getMessage().endswith("status=500 outcome=internal error (MemoryError)")


def test_the_task_pane_sends_the_saved_token_as_xlwings_auth(licensed):
    html = TestClient(make_app()).get("/taskpane").text
    assert 'id="token"' in html and 'type="password"' in html
    assert 'localStorage.getItem(TOKEN_KEY)' in html and '{ auth: "Bearer " + token }' in html
    assert TOKEN not in html  # the page never carries a token
