"""XML of the package's small parts: one safe parser, namespaces, and text escaping for cells.

Every part the engine parses (workbook, relationships, content types, styles, tables, notes)
goes through `parse`: no DTD, no entities, no network, so a billion-laughs or external-entity
part is refused with a message instead of eating memory or reaching out. Sheets are never
parsed whole; see `sheet_edit` and `reading`.
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from xlportfolio.errors import WorkbookUnusable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_blank_text=False)
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY")


def parse(data: bytes, source: Path | str, part: str) -> etree._Element:
    """The root of a small part; a DTD or malformed XML is refused naming the part."""
    if _DTD.search(data[:4096]) or b"<!ENTITY" in data:
        raise WorkbookUnusable(source, f"part {part} declares a DTD or entities, which no Excel workbook does; "
                               "the file is hostile or damaged - ask for a fresh copy")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkbookUnusable(source, f"part {part} is not well-formed XML ({exc}); open the file in Excel, "
                               "let it repair the workbook, and save it again") from None


def has_dtd(head: bytes) -> bool:
    """Whether the prolog of a part (its first bytes) declares a DTD: sheets are checked this way."""
    return bool(_DTD.search(head))


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def insert_in_order(parent: etree._Element, el: etree._Element, order: tuple[str, ...]) -> etree._Element:
    """Put `el` among `parent`'s children where the schema's sequence `order` puts it."""
    rank = order.index(local(el.tag))
    for i, child in enumerate(parent):
        name = local(child.tag)
        if name in order and order.index(name) > rank:
            parent.insert(i, el)
            return el
    parent.append(el)
    return el


def q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


# --- text in cells -------------------------------------------------------------------------

# XML 1.0 cannot hold these characters; OOXML spells them _xHHHH_ (ST_Xstring), as Excel does.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _escape_char(m: re.Match) -> str:
    ch = m.group(0)
    return "_x005F_" if ch == "_" else f"_x{ord(ch):04X}_"


NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x")


def cell_text(text: str) -> str:
    """Text as it goes inside <t>: XML-escaped, illegal characters spelled as Excel spells them,
    and a carriage return as a character reference (a parser would read a raw one as a newline)."""
    if NEEDS_ESCAPE.search(text) is None:
        return text
    text = _ILLEGAL.sub(_escape_char, text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def attr(text: str) -> str:
    """Text as it goes inside an attribute value in double quotes."""
    text = _ILLEGAL.sub(_escape_char, str(text))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))
