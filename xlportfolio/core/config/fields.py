"""How a configuration cell is read: the value types of the configuration models.

Each reader takes the raw cell value (None for a blank cell) and either returns what the
commands use or raises `Problem` (errors.ConfigProblem) with the end of a sentence that starts with the column's
header: "Weight" + " must be a number, not 'high'". The reader in reader.py puts the header,
the row's name and the cell together into a finding.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from xlportfolio.core.values import CellError, is_blank, is_number, show, yes
from xlportfolio.errors import ConfigProblem


def shown(value: Any) -> str:
    """A cell's value as a message quotes it: 'high', or blank."""
    if is_blank(value):
        return "blank"
    return f"the error {value.code}" if isinstance(value, CellError) else f"'{show(value)}'"


def _text(value: Any) -> str:
    if is_blank(value):
        raise ConfigProblem("is blank; fill it in")
    return str(value).strip()


def _optional_text(value: Any) -> str | None:
    return None if is_blank(value) else str(value).strip()


def _number(value: Any) -> float:
    if is_blank(value):
        raise ConfigProblem("is blank; type a number")
    if not is_number(value):  # text that looks like a number is not one: Excel would not add it
        raise ConfigProblem(f"must be a number, not {shown(value)}")
    return float(value)


def _optional_number(value: Any) -> float | None:
    return None if is_blank(value) else _number(value)


def _choice(value: Any) -> str | None:
    """A choice compares ignoring case and repeated spaces: 'Higher  is Better' is 'higher is better'."""
    return None if is_blank(value) else " ".join(str(value).split()).casefold()


def _switch(value: Any) -> bool:
    """A Yes/No cell that must say one or the other (an Enabled column)."""
    if yes(value):
        return True
    if str(value or "").strip().casefold() in {"no", "n", "false", "0"}:
        return False
    raise ConfigProblem(f"must be 'Yes' or 'No', not {shown(value)}")


Text = Annotated[str, BeforeValidator(_text)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
Number = Annotated[float, BeforeValidator(_number)]
AtLeastZero = Annotated[float, BeforeValidator(_number), Field(ge=0)]
OptionalNumber = Annotated[float | None, BeforeValidator(_optional_number)]
Switch = Annotated[bool, BeforeValidator(_switch)]


def choice(allowed: Any) -> Any:
    """A Literal of allowed words, read ignoring case and repeated spaces."""
    return Annotated[allowed, BeforeValidator(_choice)]
