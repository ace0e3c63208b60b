"""Text from an export that Excel cannot hold as it is, or that a person cannot see.

Excel keeps at most 32,767 characters in a cell; longer text is cut here, where the import can
say so, rather than by whoever opens the file. An ID is compared by what a person sees, so the
characters nobody sees (a tab, a carriage return, a zero-width space) and the signs that make a
spreadsheet read text as a formula ('=', '+', '@', and Excel's ="00123" form) are taken off it;
the caller reports every ID it changed.
"""
from __future__ import annotations

import re
import unicodedata

EXCEL_TEXT_LIMIT = 32_767  # characters in one cell

_NAMES = {"\t": "tab", "\r": "CR", "\n": "line break", " ": "space", "\u00a0": "no-break space",
          "\ufeff": "byte order mark", "\u200b": "zero-width space"}
_FORMULA_SIGNS = "=+@"  # not '-': a leading minus is ordinary in IDs such as '-0042' far more than in formulas
_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)  # ="00123": how exports keep leading zeros


def cut(text: str) -> str:
    """The text as an Excel cell can hold it."""
    return text if len(text) <= EXCEL_TEXT_LIMIT else text[:EXCEL_TEXT_LIMIT]


def fit(value: object, note: str = " … [cut]") -> object:
    """A value for a generated sheet's cell: text over the limit ends with a note that it was cut."""
    if isinstance(value, str) and len(value) > EXCEL_TEXT_LIMIT:
        return value[:EXCEL_TEXT_LIMIT - len(note)] + note
    return value


def invisible(ch: str) -> bool:
    """A character a person does not see in a cell: white space other than a plain space, control and
    format characters (zero-width space, byte order mark, direction marks, soft hyphen)."""
    return ch != " " and (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"))


def name_of(ch: str) -> str:
    """'tab', 'CR', 'zero-width space', 'U+200E (left-to-right mark)'."""
    if ch in _NAMES:
        return _NAMES[ch]
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed').lower()})"


def visible(text: str, limit: int = 60) -> str:
    """The text with each invisible character written as its name in brackets: '[tab]006F'."""
    shown = "".join(f"[{name_of(ch)}]" if invisible(ch) else ch for ch in text)
    return shown if len(shown) <= limit else shown[:limit - 3] + "..."


def clean_id(text: str) -> tuple[str, list[str]]:
    """The ID as a person sees it, and what was taken off ('a leading tab', "a leading '='")."""
    removed: list[str] = []
    if m := _EXCEL_TEXT_FORMULA.match(text.strip()):
        text = m[1]
        removed.append('the formula form ="..."')
    start = 0
    while start < len(text) and (invisible(text[start]) or text[start] == " " or text[start] in _FORMULA_SIGNS):
        start += 1
    end = len(text)
    while end > start and (invisible(text[end - 1]) or text[end - 1] == " "):
        end -= 1
    for ch in dict.fromkeys(text[:start]):
        if ch != " ":
            removed.append(f"a leading {_quoted(ch)}")
    for ch in dict.fromkeys(text[end:]):
        if ch != " ":
            removed.append(f"a trailing {_quoted(ch)}")
    inner = text[start:end]
    hidden = dict.fromkeys(ch for ch in inner if invisible(ch) and not ch.isspace())
    for ch in hidden:  # format characters inside an ID: nobody can see or type them
        removed.append(f"a {name_of(ch)} inside")
    return "".join(ch for ch in inner if ch not in hidden), removed


def _quoted(ch: str) -> str:
    return f"'{ch}'" if ch in _FORMULA_SIGNS else name_of(ch)
