"""Turn a surface's collected edits into parts: what changed is rewritten, nothing else is touched.

Order matters for one reason: styles.xml gains the looks the rewritten sheets ask for, so it
is serialized last, after every sheet part is rendered.
"""
from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from lxml import etree

from xlportfolio.core.book import column_letter, split_cell
from xlportfolio.errors import WorkbookUnusable
from xlportfolio.package import opc
from xlportfolio.package.cell_edit import SheetContext
from xlportfolio.package.charts import chart_parts
from xlportfolio.package.generated import Generated, sheet_xml
from xlportfolio.package.notes import vml_block
from xlportfolio.package.parts import Spool
from xlportfolio.package.sheet_edit import rewrite_pieces
from xlportfolio.package.xml import MAIN, q, serialize

if TYPE_CHECKING:
    from xlportfolio.package.surface import PackageSurface

_DRAWING_RID = "rId1"


def commit(surface: PackageSurface) -> None:
    package = surface.package
    sheets_changed = False
    formulas = False
    for gen in surface.generated.values():
        sheets_changed |= _generated(surface, gen)
        formulas |= gen.has_formulas()
    for sheet in sorted(set(surface.edits) | set(surface.notes) | set(surface.grown)):
        sheets_changed |= _user_sheet(surface, sheet)
    if package.activated:
        _unselect_others(package, {g.name for g in surface.generated.values()})
    for key, (info, headers) in surface.resized.items():
        _resize(package, key, info, headers)
    if surface._styles is not None and surface._styles.changed:
        package.put(surface._styles_part, serialize(surface._styles.root))
        surface._styles.changed = False
    if sheets_changed:
        package.drop_calc_chain()
    if formulas:
        package.full_calc_on_load()
    surface.generated.clear()
    surface.edits.clear()
    surface.notes.clear()
    surface.resized.clear()
    surface.grown.clear()


# --- generated sheets --------------------------------------------------------------------------

def _generated(surface: PackageSurface, gen: Generated) -> bool:
    """Render a generated sheet; replace its part and its own drawings only if they differ."""
    package = surface.package
    ref = package.sheet(gen.name)
    charts = chart_parts(gen.name, gen.charts) if gen.charts else None
    selected = package.sheets.index(ref) == package.active_index and not gen.hidden
    body = Spool(sheet_xml(gen, surface.styles, package.date1904, _DRAWING_RID if charts else None, selected))
    if ref.part in package.archive and _same_as_before(package, ref.part, body, charts):
        body.close()
        return False
    _drop_owned(package, ref.part)
    package.put(ref.part, body)
    if charts:
        drawing_xml, chart_xmls = charts
        drawing = package.unused("xl/drawings/drawing{}.xml")
        package.put(drawing, drawing_xml)
        package.types.override(drawing, opc.DRAWING_TYPE)
        rid = package.rels(ref.part).add(opc.R_DRAWING, drawing)
        assert rid == _DRAWING_RID, rid
        for xml in chart_xmls:
            chart = package.unused("xl/charts/chart{}.xml")
            package.put(chart, xml)
            package.types.override(chart, opc.CHART_TYPE)
            package.rels(drawing).add(opc.R_CHART, chart)
    return True


def _same_as_before(package, part: str, body: Spool, charts) -> bool:
    if part in package.new or package.archive.size(part) != body.size or not body.same_as(package.archive.chunks(part)):
        return False
    drawings = package.rels(part).of_type(opc.R_DRAWING)
    if charts is None:
        return not list(package.rels(part))
    if len(list(package.rels(part))) != 1 or not drawings:
        return False
    drawing = drawings[0].part(part)
    if drawing is None or not package.has(drawing) or package.read(drawing) != charts[0]:
        return False
    chart_rels = list(package.rels(drawing))
    if len(chart_rels) != len(charts[1]):
        return False
    for i, xml in enumerate(charts[1], start=1):
        rel = package.rels(drawing).by_id(f"rId{i}")
        target = rel.part(drawing) if rel else None
        if target is None or not package.has(target) or package.read(target) != xml:
            return False
    return True


def _drop_owned(package, part: str) -> None:
    """Remove the parts a generated sheet's old part used (its drawings and their charts, ...),
    unless another part refers to them too; the sheet's relationships start empty."""
    owned: set[str] = set()
    todo = [r.part(part) for r in package.rels(part) if not r.external]
    while todo:
        target = todo.pop()
        if target and target not in owned and package.has(target):
            owned.add(target)
            todo += [r.part(target) for r in package.rels(target) if not r.external]
    shared = set()
    for base in _bases(package):
        if base != part and base not in owned:
            shared |= {r.part(base) for r in package.rels(base) if not r.external}
    for target in owned - shared:
        package.remove(target)
    rels = package.rels(part)
    for rel in list(rels):
        rels.remove(rel.id)


def _bases(package) -> list[str]:
    """Every part that has a relationships part (the package itself as '')."""
    out = []
    for name in [*package.archive.order, *package.new]:
        folder, file = posixpath.split(name)
        if file.endswith(".rels") and posixpath.basename(folder) == "_rels" and package.has(name):
            out.append(posixpath.join(posixpath.dirname(folder), file[:-5]).lstrip("/"))
    return out


# --- user sheets -------------------------------------------------------------------------------

_TAB_SELECTED = re.compile(rb'(<(?:\w+:)?sheetView\b[^>]*?)\s+tabSelected="(?:1|true)"')
_VIEWS_END = re.compile(rb"</(?:\w+:)?sheetViews>|<(?:\w+:)?sheetData\b")


def _unselect_others(package, generated: set[str]) -> None:
    """Only the sheet the workbook opens on is selected: two selected tabs open as a group, where
    typing on one sheet types on both. Other sheets lose their tabSelected, and nothing else."""
    for ref in package.sheets:
        if ref.name == package.activated or ref.name in generated or not package.has(ref.part):
            continue
        source = _source_chunks(package, ref.part)
        head, _ = _head(source())
        if not _TAB_SELECTED.search(head):
            continue
        package.put(ref.part, lambda source=source: _unselected(source()))


def _source_chunks(package, part: str):
    """A callable giving the part's current content as chunks (a new version if one is pending)."""
    if part in package.new:
        content, _ = package.new[part]
        if isinstance(content, Spool):
            return content.chunks
        if isinstance(content, bytes):
            return lambda: iter((content,))
        if content is None:
            data = package.read(part)
            return lambda: iter((data,))
        return content
    return lambda: package.archive.chunks(part)


def _head(chunks) -> tuple[bytes, object]:
    """The part's bytes up to the end of its sheet views (where tabSelected lives), and the rest."""
    chunks = iter(chunks)
    head = b""
    for chunk in chunks:
        head += chunk
        if _VIEWS_END.search(head):
            break
    return head, chunks


def _unselected(chunks):
    head, rest = _head(chunks)
    yield _TAB_SELECTED.sub(rb"\1", head)
    yield from rest


def _user_sheet(surface: PackageSurface, sheet: str) -> bool:
    package = surface.package
    ref = package.worksheet(sheet)
    if ref is None:
        return False
    legacy = _notes(surface, sheet, ref)
    edits = surface.edits.get(sheet, {})
    grown = surface.grown.get(sheet, [])
    if not edits and not grown and legacy is None:
        return False
    data = surface.sheet_bytes(ref)
    try:
        new = rewrite_pieces(data, edits, SheetContext(surface.styles, package.date1904, legacy),
                             surface.shape(ref).regular, grown)
    except (ValueError, IndexError, AttributeError) as exc:  # XML no spreadsheet program writes
        raise unreadable(surface.source, sheet, exc) from None
    if new is None:
        return False
    package.put(ref.part, Spool(new))
    return True


def unreadable(source: str, sheet: str, exc: Exception) -> WorkbookUnusable:
    return WorkbookUnusable(source, f"sheet '{sheet}' cannot be updated: its XML is not laid out as Excel writes "
                            f"it ({exc}). Nothing was changed; open the workbook in Excel, save it and try again.")


def _notes(surface: PackageSurface, sheet: str, ref) -> tuple[str, str] | None:
    """Write the sheet's notes parts; return the <legacyDrawing> change the sheet needs, if any."""
    notes = surface.notes.get(sheet)
    if notes is None or not notes.changed:
        return None
    package = surface.package
    rels = package.rels(ref.part)
    comments = notes.comments_xml()
    old_vml = package.read(notes.vml_part) if notes.vml_part else None
    block = vml_block([package.read(p) for p in package.types.parts_of_type(opc.VML_TYPE) if package.has(p)]
                      + _default_vmls(package)) if old_vml is None else 1
    vml = notes.vml(old_vml, block)
    legacy = None
    if comments is None:
        if notes.comments_part:
            _unlink(package, rels, ref.part, notes.comments_part)
    elif notes.comments_part:
        package.put(notes.comments_part, Spool(comments))
    else:
        part = package.unused("xl/comments{}.xml")
        package.put(part, Spool(comments))
        package.types.override(part, opc.COMMENTS_TYPE)
        rels.add(opc.R_COMMENTS, part)
    if vml is None:
        if notes.vml_part:
            rid = next(r.id for r in rels.of_type(opc.R_VML) if r.part(ref.part) == notes.vml_part)
            _unlink(package, rels, ref.part, notes.vml_part)
            legacy = ("remove", rid)
    elif notes.vml_part:
        package.put(notes.vml_part, Spool(vml))
    else:
        part = package.unused("xl/drawings/vmlDrawing{}.vml")
        package.put(part, Spool(vml))
        package.types.default("vml", opc.VML_TYPE)
        legacy = ("add", rels.add(opc.R_VML, part))
    return legacy


def _default_vmls(package) -> list[bytes]:
    """VML parts typed by their extension's default rather than an override."""
    return [package.read(n) for n in package.archive.order
            if n.lower().endswith(".vml") and package.has(n) and n not in package.types.parts_of_type(opc.VML_TYPE)]


def _unlink(package, rels, base: str, part: str) -> None:
    for rel in rels:
        if rel.part(base) == part:
            rels.remove(rel.id)
    package.remove(part)


# --- tables ----------------------------------------------------------------------------------

def _resize(package, key: str, info, headers: list[str]) -> None:
    part = next((t for t in package.tables() if t.name.casefold() == key), None)
    if part is None:
        return
    root = part.root
    first, _, _ = part.ref.partition(":")
    top, left = split_cell(first)
    ref = f"{column_letter(left)}{top}:{column_letter(info.last_col)}{info.last_row + part.totals}"
    if ref == part.ref and not headers:
        return
    root.set("ref", ref)
    part.ref = ref
    auto = root.find(q(MAIN, "autoFilter"))
    if auto is not None:
        auto.set("ref", f"{column_letter(left)}{top}:{column_letter(info.last_col)}{info.last_row}")
    columns = root.find(q(MAIN, "tableColumns"))
    if columns is not None and headers:
        ids = [int(c.get("id", "0")) for c in columns if c.get("id", "").isdigit()]
        for i, header in enumerate(headers, start=max(ids, default=0) + 1):
            etree.SubElement(columns, q(MAIN, "tableColumn"), id=str(i), name=_column_name(header))
        columns.set("count", str(len(columns)))
    package.touch(part.part)


def _column_name(header: str) -> str:
    """A table column's name as Excel stores it: the header text, line breaks as _x000a_."""
    return re.sub(r"\r?\n", "_x000a_", header)
