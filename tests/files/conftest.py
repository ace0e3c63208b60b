"""Fixtures of the files tests."""
import pytest

from tests.support.saves import LEDGER


@pytest.fixture
def book(tmp_path):
    """A 'workbook' of a few ledger lines of bytes: the save and the locks never look inside one."""
    path = tmp_path / "BOOK.xlsx"
    path.write_bytes(LEDGER)
    return path
