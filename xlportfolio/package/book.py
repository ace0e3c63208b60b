"""A workbook file as a package: its workbook part (sheets, tables, defined names, document
properties, calculation settings) over the store of parts in `xlportfolio.package.parts`.

The workbook part, relationships and content types are parsed with lxml and edited in place,
so whatever they list for the user survives. Parts are replaced or added as bytes (or as a
stream of chunks for big sheets); every other part is copied raw on writing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from xlportfolio.errors import WorkbookUnusable
from xlportfolio.package import opc
from xlportfolio.package.parts import Parts
from xlportfolio.package.xml import MAIN, REL, insert_in_order, q

CUSTOM_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
# The order of <workbook>'s children (CT_Workbook): new elements go where the schema puts them.
_WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "AlternateContent", "workbookProtection",
                   "bookViews", "sheets", "functionGroups", "externalReferences", "definedNames", "calcPr",
                   "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                   "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


_MAIN_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ".xltm": "application/vnd.ms-excel.template.macroEnabled.main+xml",
}


@dataclass
class SheetRef:
    name: str
    part: str
    element: etree._Element  # its <sheet> in workbook.xml

    @property
    def hidden(self) -> bool:
        return self.element.get("state", "visible") != "visible"


@dataclass
class TablePart:
    """An Excel Table (ListObject) and the part that defines it."""

    name: str
    sheet: str
    part: str
    ref: str
    totals: int
    root: etree._Element



class Package(Parts):
    def __init__(self, path: Path):
        super().__init__(path)
        office = next((r for r in self.rels("") if r.type.endswith("/officeDocument")), None)
        self.workbook_part = office.part("") if office else "xl/workbook.xml"
        self.workbook = self.xml(self.workbook_part)
        self.workbook_changed = False
        self.sheets = self._sheets()
        self._tables: list[TablePart] | None = None
        self.activated: str | None = None  # the sheet a command asked the workbook to open on

    # --- sheets ---------------------------------------------------------------------------------
    def _sheets(self) -> list[SheetRef]:
        rels = self.rels(self.workbook_part)
        out = []
        sheets = self.workbook.find(q(MAIN, "sheets"))
        for el in (sheets if sheets is not None else []):
            rel = rels.by_id(el.get(q(REL, "id"), ""))
            part = rel.part(self.workbook_part) if rel else None
            if part is None or not self.has(part):
                raise WorkbookUnusable(self.path, f"sheet '{el.get('name')}' has no part in the package; the file "
                                       "is damaged - open it in Excel, let Excel repair it, and save it again")
            out.append(SheetRef(el.get("name", ""), part, el))
        return out

    def sheet(self, name: str) -> SheetRef | None:
        return next((s for s in self.sheets if s.name.casefold() == name.casefold()), None)

    def worksheet(self, name: str) -> SheetRef | None:
        """A sheet that holds cells (not a chart sheet or macro sheet)."""
        ref = self.sheet(name)
        return ref if ref is not None and self.types.of(ref.part) == opc.WORKSHEET_TYPE else None

    def add_sheet(self, name: str, hidden: bool, before: str | None = None) -> SheetRef:
        """A new, empty worksheet before the tab `before` (after the last tab when None)."""
        part = self.unused("xl/worksheets/sheet{}.xml")
        rid = self.rels(self.workbook_part).add(opc.R_WORKSHEET, part)
        sheets = self._child("sheets")
        ids = [int(s.get("sheetId", "0")) for s in sheets if s.get("sheetId", "").isdigit()]
        el = etree.Element(q(MAIN, "sheet"), name=name, sheetId=str(max(ids, default=0) + 1))
        if hidden:
            el.set("state", "hidden")
        el.set(q(REL, "id"), rid)
        follower = self.sheet(before) if before else None
        at = self.sheets.index(follower) if follower is not None else len(self.sheets)
        if follower is not None:
            follower.element.addprevious(el)
            self._shift_indexes(at)
        else:
            sheets.append(el)
        self.types.override(part, opc.WORKSHEET_TYPE)
        self.workbook_changed = True
        ref = SheetRef(name, part, el)
        self.sheets.insert(at, ref)
        return ref

    def _shift_indexes(self, at: int) -> None:
        """A tab was inserted at position `at`: what names a tab by position (a sheet's own names,
        the active and first visible tab) moves one on from there, so it names the same sheet."""
        names = self.workbook.find(q(MAIN, "definedNames"))
        for el in (names if names is not None else []):
            local_id = el.get("localSheetId", "")
            if local_id.isdigit() and int(local_id) >= at:
                el.set("localSheetId", str(int(local_id) + 1))
        views = self.workbook.find(q(MAIN, "bookViews"))
        for view in (views if views is not None else []):
            for key in ("activeTab", "firstSheet"):
                value = view.get(key, "")
                if value.isdigit() and int(value) >= at and (key == "activeTab" or int(value) > at):
                    view.set(key, str(int(value) + 1))

    @property
    def active_index(self) -> int:
        """The position of the tab the workbook opens on (Excel's bookViews activeTab)."""
        views = self.workbook.find(q(MAIN, "bookViews"))
        view = views[0] if views is not None and len(views) else None
        value = view.get("activeTab", "0") if view is not None else "0"
        return int(value) if value.isdigit() else 0

    def activate(self, name: str) -> None:
        """Open the workbook on sheet `name`: the active tab, scrolled into the tab bar."""
        ref = self.sheet(name)
        if ref is None:
            return
        at = self.sheets.index(ref)
        views = self._child("bookViews")
        view = views[0] if len(views) else etree.SubElement(views, q(MAIN, "workbookView"))
        if view.get("activeTab") != str(at):
            view.set("activeTab", str(at))
            self.workbook_changed = True
        first = view.get("firstSheet", "0")
        if first.isdigit() and int(first) > at:
            view.set("firstSheet", str(at))
        self.activated = ref.name

    def set_sheet_name(self, sheet: str, name: str, text: str | None) -> None:
        """A defined name local to `sheet` (e.g. _xlnm.Print_Titles); None removes it."""
        ref = self.sheet(sheet)
        if ref is None:
            return
        local_id = str(self.sheets.index(ref))
        names = self.workbook.find(q(MAIN, "definedNames"))
        found = next((el for el in (names if names is not None else [])
                      if el.get("name", "").casefold() == name.casefold() and el.get("localSheetId") == local_id), None)
        if text is None:
            if found is not None:
                names.remove(found)
                if not len(names):
                    self.workbook.remove(names)
                self.workbook_changed = True
            return
        if found is None:
            found = etree.SubElement(self._child("definedNames"), q(MAIN, "definedName"), name=name,
                                     localSheetId=local_id)
        if found.text != text:
            found.text = text
            self.workbook_changed = True

    def set_hidden(self, ref: SheetRef, hidden: bool) -> None:
        if ref.hidden == hidden:
            return
        if hidden:
            ref.element.set("state", "hidden")
        else:
            ref.element.attrib.pop("state", None)
        self.workbook_changed = True

    def match_kind(self, suffix: str) -> None:
        """Give the workbook part the content type its file name promises (.xlsx, .xlsm, .xltx,
        .xltm): Excel refuses a file whose name and main content type disagree."""
        wanted = _MAIN_TYPES.get(suffix.lower())
        if wanted and self.types.of(self.workbook_part) != wanted:
            self.types.override(self.workbook_part, wanted)

    @property
    def date1904(self) -> bool:
        pr = self.workbook.find(q(MAIN, "workbookPr"))
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")

    # --- tables ---------------------------------------------------------------------------------
    def tables(self) -> list[TablePart]:
        if self._tables is None:
            self._tables = []
            for ref in self.sheets:
                for part in self.related(ref.part, opc.R_TABLE):
                    root = self.xml(part)
                    self._tables.append(TablePart(root.get("name") or root.get("displayName") or "", ref.name, part,
                                                  root.get("ref", ""), int(root.get("totalsRowCount", "0") or 0),
                                                  root))
        return self._tables

    # --- names and properties -----------------------------------------------------------------
    def defined_name(self, name: str) -> str | None:
        names = self.workbook.find(q(MAIN, "definedNames"))
        for el in (names if names is not None else []):
            if el.get("name", "").casefold() == name.casefold() and el.get("localSheetId") is None:
                return el.text or ""
        return None

    def set_defined_name(self, name: str, text: str) -> None:
        names = self._child("definedNames")
        for el in names:
            if el.get("name", "").casefold() == name.casefold() and el.get("localSheetId") is None:
                if el.text == text:
                    return
                el.text = text
                break
        else:
            etree.SubElement(names, q(MAIN, "definedName"), name=name, hidden="1").text = text
        self.workbook_changed = True

    def _custom_part(self) -> str | None:
        found = [r.part("") for r in self.rels("").of_type(opc.R_CUSTOM_PROPS)]
        return next((p for p in found if p and self.has(p)), None)

    def doc_property(self, name: str) -> str | None:
        part = self._custom_part()
        if part is None:
            return None
        for prop in self.xml(part):
            if prop.get("name") == name:
                return "".join(prop.itertext())
        return None

    def set_doc_property(self, name: str, value: str) -> None:
        part = self._custom_part()
        if part is None:
            part = "docProps/custom.xml"
            root = etree.Element(q(CUSTOM_PROPS, "Properties"), nsmap={None: CUSTOM_PROPS, "vt": VT})
            self._xml[part] = root
            self.rels("").add(opc.R_CUSTOM_PROPS, part)
            self.types.override(part, opc.CUSTOM_PROPS_TYPE)
        root = self.xml(part)
        for prop in root:
            if prop.get("name") == name:
                if "".join(prop.itertext()) == value and len(prop) == 1 and etree.QName(prop[0]).localname == "lpwstr":
                    return
                root.remove(prop)
                break
        pids = [int(p.get("pid", "1")) for p in root if p.get("pid", "").isdigit()]
        prop = etree.SubElement(root, q(CUSTOM_PROPS, "property"), fmtid=_PROPERTY_FMTID,
                                pid=str(max(pids, default=1) + 1), name=name)
        etree.SubElement(prop, q(VT, "lpwstr")).text = value
        self.touch(part)

    def full_calc_on_load(self) -> None:
        """Excel and LibreOffice compute every formula when they open the file."""
        calc = self._child("calcPr")
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self.workbook_changed = True

    def drop_calc_chain(self) -> None:
        """The calculation chain lists formula cells; after a sheet changes Excel rebuilds it."""
        rels = self.rels(self.workbook_part)
        for rel in rels.of_type(opc.R_CALC_CHAIN):
            part = rel.part(self.workbook_part)
            rels.remove(rel.id)
            if part:
                self.remove(part)

    def _child(self, local: str) -> etree._Element:
        """workbook.xml's child `local`, created where the schema puts it if missing."""
        found = self.workbook.find(q(MAIN, local))
        if found is not None:
            return found
        el = insert_in_order(self.workbook, etree.Element(q(MAIN, local)), _WORKBOOK_ORDER)
        self.workbook_changed = True
        return el

    # --- writing ------------------------------------------------------------------------------
    def write(self, out: BinaryIO) -> None:
        """The new package, the edited workbook part among its changed parts."""
        if self.workbook_changed:
            self.touch(self.workbook_part)
        super().write(out)

    def changed(self) -> bool:
        return self.workbook_changed or super().changed()
