"""Open Packaging Conventions: content types and relationships, edited rather than regenerated.

Whatever these parts list for the user (a pivot cache, a custom XML part, a printer setting)
stays listed: the engine only adds entries for parts it creates and drops entries for parts
it removes.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import quote, unquote

from lxml import etree

from xlportfolio.package.xml import CT, PKG_REL, q, serialize

# Content types and relationship types of the parts the engine writes.
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
WORKSHEET_TYPE = SML + "worksheet+xml"
COMMENTS_TYPE = SML + "comments+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CUSTOM_PROPS_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"

OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
R_WORKSHEET = OFFICE_REL + "worksheet"
R_COMMENTS = OFFICE_REL + "comments"
R_VML = OFFICE_REL + "vmlDrawing"
R_DRAWING = OFFICE_REL + "drawing"
R_CHART = OFFICE_REL + "chart"
R_CALC_CHAIN = OFFICE_REL + "calcChain"
R_CUSTOM_PROPS = OFFICE_REL + "custom-properties"
R_TABLE = OFFICE_REL + "table"


def rels_name(part: str) -> str:
    """The relationships part of `part` (package rels for the empty name)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(base_part: str, target: str) -> str:
    """The part name a relationship of `base_part` points at (absolute or relative target)."""
    target = unquote(target)
    joined = target if target.startswith("/") else posixpath.join("/" + posixpath.dirname(base_part), target)
    return posixpath.normpath(joined).lstrip("/")


def relative(base_part: str, target_part: str) -> str:
    """A relative relationship target from `base_part` to `target_part`."""
    return quote(posixpath.relpath("/" + target_part, "/" + posixpath.dirname(base_part)))


@dataclass
class Relationship:
    id: str
    type: str
    target: str  # as written
    external: bool

    def part(self, base_part: str) -> str | None:
        return None if self.external else resolve(base_part, self.target)


class Relationships:
    """One .rels part: read, add, remove; serialized only when changed."""

    def __init__(self, base_part: str, root: etree._Element | None = None):
        self.base = base_part
        self.root = root if root is not None else etree.Element(q(PKG_REL, "Relationships"), nsmap={None: PKG_REL})
        self.changed = False

    def __iter__(self):
        for el in self.root:
            if isinstance(el.tag, str) and el.tag.endswith("Relationship"):
                yield Relationship(el.get("Id", ""), el.get("Type", ""), el.get("Target", ""),
                                   el.get("TargetMode", "").lower() == "external")

    def by_id(self, rid: str) -> Relationship | None:
        return next((r for r in self if r.id == rid), None)

    def of_type(self, rel_type: str) -> list[Relationship]:
        return [r for r in self if r.type == rel_type]

    def add(self, rel_type: str, target_part: str) -> str:
        """Add a relationship to `target_part`; return its new id."""
        taken = {r.id for r in self}
        n = len(taken) + 1
        while f"rId{n}" in taken:
            n += 1
        rid = f"rId{n}"
        etree.SubElement(self.root, q(PKG_REL, "Relationship"), Id=rid, Type=rel_type,
                         Target=relative(self.base, target_part))
        self.changed = True
        return rid

    def remove(self, rid: str) -> None:
        for el in list(self.root):
            if el.get("Id") == rid:
                self.root.remove(el)
                self.changed = True

    def bytes(self) -> bytes:
        return serialize(self.root)


class ContentTypes:
    """[Content_Types].xml: defaults by extension and overrides by part name."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.changed = False

    def of(self, part: str) -> str:
        for el in self.root:
            if el.tag == q(CT, "Override") and el.get("PartName", "").lstrip("/") == part:
                return el.get("ContentType", "")
        ext = part.rpartition(".")[2].lower()
        for el in self.root:
            if el.tag == q(CT, "Default") and el.get("Extension", "").lower() == ext:
                return el.get("ContentType", "")
        return ""

    def parts_of_type(self, content_type: str) -> list[str]:
        return [el.get("PartName", "").lstrip("/") for el in self.root
                if el.tag == q(CT, "Override") and el.get("ContentType") == content_type]

    def override(self, part: str, content_type: str) -> None:
        self.remove(part)
        etree.SubElement(self.root, q(CT, "Override"), PartName="/" + part, ContentType=content_type)
        self.changed = True

    def default(self, extension: str, content_type: str) -> None:
        if any(el.tag == q(CT, "Default") and el.get("Extension", "").lower() == extension for el in self.root):
            return
        # Defaults come before overrides, as Excel writes them.
        index = next((i for i, el in enumerate(self.root) if el.tag == q(CT, "Override")), len(self.root))
        el = etree.Element(q(CT, "Default"), Extension=extension, ContentType=content_type)
        self.root.insert(index, el)
        self.changed = True

    def remove(self, part: str) -> None:
        for el in list(self.root):
            if el.tag == q(CT, "Override") and el.get("PartName", "").lstrip("/") == part:
                self.root.remove(el)
                self.changed = True

    def bytes(self) -> bytes:
        return serialize(self.root)
