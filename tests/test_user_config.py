"""Where the ledger key comes from: the environment or a key file named in the user's config, never a workbook."""
import pytest

from xlportfolio.errors import LedgerKeyError
from xlportfolio.user_config import config_path, ledger_key


@pytest.fixture
def config(monkeypatch, tmp_path):
    for name in ("XLPORTFOLIO_LEDGER_KEY", "XLPORTFOLIO_LEDGER_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("XLPORTFOLIO_CONFIG_DIR", str(folder))
    return folder


def test_no_key_anywhere(config):
    assert config_path() == config / "config.toml" and ledger_key() is None
    (config / "config.toml").write_text('[report]\ndays = 30\n', encoding="utf-8")
    assert ledger_key() is None


def test_the_environment_comes_first_then_the_key_file_then_the_config(config, monkeypatch, tmp_path):
    (tmp_path / "k1").write_bytes(b"from-env-file\r\n")
    (config / "ledger.key").write_bytes(b"from-config")
    (config / "config.toml").write_text('[ledger]\nkey_file = "ledger.key"\n', encoding="utf-8")
    assert (ledger_key().secret, ledger_key().source) == (b"from-config", f"the key file {config / 'ledger.key'} "
                                                                         f"(named in {config / 'config.toml'})")
    monkeypatch.setenv("XLPORTFOLIO_LEDGER_KEY_FILE", str(tmp_path / "k1"))
    assert ledger_key().secret == b"from-env-file"
    monkeypatch.setenv("XLPORTFOLIO_LEDGER_KEY", "from-env")
    key = ledger_key()
    assert (key.secret, key.source) == (b"from-env", "XLPORTFOLIO_LEDGER_KEY") and "from-env'" not in repr(key)


@pytest.mark.parametrize("toml, key_file, words", [
    ('[ledger]\nkey_file = "missing.key"\n', None, "missing.key (named in"),
    ('[ledger]\nkey_file = "empty.key"\n', b"\n", "is empty"),
    ('[ledger]\nkey_file = 7\n', None, "must be the path of the key file"),
    ('[ledger\nkey_file = "x"\n', None, "config file cannot be read"),
])
def test_a_key_named_but_unusable_is_an_error_not_no_key(config, toml, key_file, words):
    (config / "config.toml").write_text(toml, encoding="utf-8")
    if key_file is not None:
        (config / "empty.key").write_bytes(key_file)
    with pytest.raises(LedgerKeyError, match=words.replace("(", r"\(")) as error:
        ledger_key()
    assert error.value.exit_code == 2
