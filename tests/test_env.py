"""The environment variables, read in one module (xlportfolio.env), typed, afresh at each call."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import xlportfolio
from xlportfolio.env import Env, ServerEnv, env, server_env
from xlportfolio.errors import BadEnvironment
from xlportfolio.excel import addin_install as install
from xlportfolio.excel import templates
from xlportfolio.user_config import CONFIG_DIR_ENV, KEY_ENV, KEY_FILE_ENV, config_dir, ledger_key

PACKAGE = Path(xlportfolio.__file__).parent
ROOT = PACKAGE.parent
ALL = {f.validation_alias: (model, name) for model in (Env, ServerEnv) for name, f in model.model_fields.items()}


@pytest.fixture
def clean(monkeypatch):
    """None of the variables from the machine running the tests; whatever a test sets is undone."""
    for name in ALL:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return monkeypatch


def plain(value):
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


@pytest.mark.parametrize("variable", sorted(ALL))
def test_each_variable_is_read_through_the_module_at_each_call(clean, variable):
    model, field = ALL[variable]
    read = env if model is Env else server_env
    annotation = str(model.model_fields[field].annotation)
    value, expected = {"bool": ("yes", True), "float": ("2.5", 2.5),
                       "Path": ("/some/folder", Path("/some/folder"))}.get(
        next((t for t in ("bool", "float", "Path") if t in annotation), ""), ("some text", "some text"))
    assert plain(getattr(read(), field)) in (None, False)
    clean.setenv(variable, value)
    assert plain(getattr(read(), field)) == expected
    clean.setenv(variable, "")  # empty counts as unset, as it always did
    assert plain(getattr(read(), field)) in (None, False)
    assert model.model_fields[field].description, f"{variable} says what it does"


def test_the_modules_names_for_their_variables_are_the_ones_read():
    assert {KEY_ENV, KEY_FILE_ENV, CONFIG_DIR_ENV, install.HOME_ENV, templates.ENV} <= set(ALL)


def test_the_readers_follow_the_variables(clean, tmp_path):
    clean.setenv(CONFIG_DIR_ENV, str(tmp_path / "conf"))
    assert config_dir() == tmp_path / "conf"
    clean.setenv(KEY_ENV, "steering-key")
    key = ledger_key()
    assert key.secret == b"steering-key" and key.source == KEY_ENV and "steering" not in repr(env())
    clean.setenv(install.HOME_ENV, str(tmp_path))
    assert install.layout("mac").home == tmp_path.resolve()
    clean.setenv(templates.ENV, str(tmp_path / "tpl"))
    assert templates.candidates()[0] == tmp_path / "tpl"
    pytest.importorskip("xlwings")
    from xlportfolio.excel.server import xlwings_js_url

    clean.setenv("XLPORTFOLIO_XLWINGS_JS", "https://example.com/xlwings.min.js")
    assert xlwings_js_url() == "https://example.com/xlwings.min.js"


def test_server_variables_reach_the_server_settings(clean):
    from xlportfolio.excel.server_settings import settings

    clean.setenv("XLPORTFOLIO_SERVER_NO_AUTH", "1")
    clean.setenv("XLPORTFOLIO_SERVER_TIMEOUT", "30")
    clean.setenv("XLPORTFOLIO_SERVER_MAX_BODY_MB", "2")
    clean.setenv("XLPORTFOLIO_SERVER_ORIGIN", "https://a.example.com, https://b.example.com")
    chosen = settings()
    assert (chosen.auth, chosen.timeout, chosen.max_body) == (False, 30.0, 2 * 2**20)
    assert chosen.origins == ("https://a.example.com", "https://b.example.com")


@pytest.mark.parametrize(("value", "on"), [("1", True), ("yes", True), ("anything", True), ("0", False),
                                           ("false", False), ("OFF", False)])
def test_a_flag_takes_any_value_and_never_fails(clean, value, on):
    clean.setenv("XLPORTFOLIO_DEBUG", value)
    assert env().debug is on


def test_a_bad_value_names_the_variable_and_what_it_must_be(clean):
    from xlportfolio.excel.server_settings import settings

    clean.setenv("XLPORTFOLIO_SERVER_TIMEOUT", "soon")
    with pytest.raises(BadEnvironment) as error:
        settings(no_auth=True)
    assert str(error.value) == ("the environment variable XLPORTFOLIO_SERVER_TIMEOUT is 'soon', but it must be "
                                "a number (the seconds a command may run before it is stopped); fix or unset it.")
    assert env().debug is False  # a bad server variable stops only the server, no workbook command


def test_serve_with_a_bad_value_says_so_without_a_traceback(tmp_path):
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    run_env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
               "XLPORTFOLIO_SERVER_MAX_BODY_MB": "lots"}
    proc = subprocess.run([sys.executable, "-m", "xlportfolio", "serve", "--no-auth"], cwd=ROOT, env=run_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "error: the environment variable XLPORTFOLIO_SERVER_MAX_BODY_MB is 'lots', but it must be a number " \
           "(the largest request body, in MB)" in proc.stderr


def test_no_module_but_env_reads_the_environment():
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "env.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") \
                    and getattr(node.value, "id", "") == "os":
                readers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                    and {a.name for a in node.names} & {"environ", "getenv", "environb"}:
                readers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert readers == []
