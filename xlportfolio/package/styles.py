"""styles.xml as a book of looks: derive a cell's style with a new fill or number format, reusing
what is there.

A derived style is looked up among the workbook's existing cell formats by what it looks like
(number format, font, fill, border, alignment, protection; the apply* flags do not count), so a
mark removed again lands on the very style the cell had, and a second run appends nothing.
"""
from __future__ import annotations

import copy
from typing import Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

from xlportfolio.package.xml import MAIN, insert_in_order, q
from xlportfolio.surface.protocol import CellStyle

KEEP: Any = object()  # leave this aspect of the style as it is
_CUSTOM_FORMATS_FROM = 164
_XF_CHILDREN = ("alignment", "protection", "extLst")
_FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
               "name", "family", "charset", "scheme")
_STYLESHEET_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                     "tableStyles", "colors", "extLst")


def _c14n(el: etree._Element) -> tuple:
    """What an element says, as a hashable value (tag, attributes, text, children), whatever its
    prefixes (lxml's c14n of a subtree mislabels inherited default namespaces)."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_c14n(child) for child in el if isinstance(child.tag, str)))


def _argb(rgb: str) -> str:
    rgb = rgb.strip().lstrip("#").upper()
    return rgb if len(rgb) == 8 else "FF" + rgb[-6:]


class StyleBook:
    def __init__(self, root: etree._Element):
        self.root = root
        self.changed = False
        self.formats = {int(el.get("numFmtId", "0")): el.get("formatCode", "")
                        for el in self._list("numFmts")}
        self._xf_keys: dict[tuple, int] | None = None
        self._memo: dict[tuple, int] = {}
        self._fill_rgb: dict[int, str] = {}
        self._fill_keys: dict[tuple, int] | None = None
        self._font_keys: dict[tuple, int] | None = None

    # --- reading ----------------------------------------------------------------------------------
    def _list(self, local: str) -> etree._Element:
        el = self.root.find(q(MAIN, local))
        if el is None:
            el = insert_in_order(self.root, etree.Element(q(MAIN, local), count="0"), _STYLESHEET_ORDER)
        return el

    @property
    def xfs(self) -> etree._Element:
        return self._list("cellXfs")

    def _xf(self, index: int) -> etree._Element:
        xfs = self.xfs
        return xfs[index] if 0 <= index < len(xfs) else xfs[0]

    def format_code(self, index: int) -> str:
        xf = self._xf(index)
        fid = int(xf.get("numFmtId", "0") or 0)
        return self.formats.get(fid, BUILTIN_FORMATS.get(fid, "General"))

    def is_date(self, index: int) -> bool:
        return len(self.xfs) > 0 and is_date_format(self.format_code(index))

    def date_styles(self) -> set[int]:
        return {i for i in range(len(self.xfs)) if self.is_date(i)}

    def duration_styles(self) -> frozenset[int]:
        """Styles whose format counts elapsed time ([h]:mm): their numbers read as durations."""
        return frozenset(i for i in range(len(self.xfs)) if is_timedelta_format(self.format_code(i)))

    def fill_rgb(self, index: int) -> str:
        """The RGB of a cell's solid fill, '' when it has none (or a pattern the tool cannot name)."""
        if index not in self._fill_rgb:
            self._fill_rgb[index] = self._read_fill_rgb(index)
        return self._fill_rgb[index]

    def _read_fill_rgb(self, index: int) -> str:
        if not len(self.xfs):
            return ""
        fills = self._list("fills")
        fid = int(self._xf(index).get("fillId", "0") or 0)
        if not 0 <= fid < len(fills):
            return ""
        pattern = fills[fid].find(q(MAIN, "patternFill"))
        if pattern is None or pattern.get("patternType") != "solid":
            return ""
        color = pattern.find(q(MAIN, "fgColor"))
        rgb = color.get("rgb") if color is not None else None
        return rgb.upper() if rgb else ""

    # --- deriving ---------------------------------------------------------------------------------
    def derive(self, index: int, *, fill: Any = KEEP, number_format: Any = KEEP, font: Any = KEEP,
               alignment: Any = KEEP) -> int:
        """The style that looks like `index` with the given aspects replaced (found or appended).

        fill: RGB, or '' for none. number_format: a format code. font: a CellStyle's font aspects.
        alignment: (wrap, top).
        """
        memo = (index, fill, number_format, font, alignment)
        if memo in self._memo:
            return self._memo[memo]
        if not len(self.xfs):
            self._default_xf()
        xf = copy.deepcopy(self._xf(index))
        if fill is not KEEP:
            xf.set("fillId", str(self._fill(fill)))
            xf.set("applyFill", "1")
        if number_format is not KEEP:
            xf.set("numFmtId", str(self._number_format(number_format)))
            xf.set("applyNumberFormat", "1")
        if font is not KEEP:
            xf.set("fontId", str(self._font(int(xf.get("fontId", "0") or 0), font)))
            xf.set("applyFont", "1")
        if alignment is not KEEP:
            self._align(xf, *alignment)
            xf.set("applyAlignment", "1")
        found = self._find_xf(xf)
        if found is None:
            found = len(self.xfs)
            self.xfs.append(xf)
            self._xf_keys[self._look(xf)] = found
            self._count(self.xfs)
        self._memo[memo] = found
        return found

    def look(self, style: CellStyle, base: int = 0) -> int:
        """The style of a generated cell: the workbook's default look with `style`'s aspects."""
        font = (style.bold, style.font_color, style.font_size, style.underline)
        return self.derive(
            base,
            fill=style.fill if style.fill is not None else KEEP,
            number_format=style.number_format if style.number_format is not None else KEEP,
            font=font if any(v is not None for v in font) else KEEP,
            alignment=(style.wrap, style.top) if style.wrap is not None or style.top is not None else KEEP)

    def dxf_fill(self, rgb: str) -> int:
        """A differential format (for conditional formatting) that fills a cell with `rgb`."""
        dxfs = self._list("dxfs")
        dxf = etree.Element(q(MAIN, "dxf"))
        pattern = etree.SubElement(etree.SubElement(dxf, q(MAIN, "fill")), q(MAIN, "patternFill"), patternType="solid")
        etree.SubElement(pattern, q(MAIN, "fgColor"), rgb=_argb(rgb))
        etree.SubElement(pattern, q(MAIN, "bgColor"), rgb=_argb(rgb))
        key = _c14n(dxf)
        for i, existing in enumerate(dxfs):
            if _c14n(existing) == key:
                return i
        dxfs.append(dxf)
        self._count(dxfs)
        return len(dxfs) - 1

    def _default_xf(self) -> None:
        for local in ("fonts", "fills", "borders"):
            if not len(self._list(local)):
                child = {"fonts": "font", "fills": "fill", "borders": "border"}[local]
                el = etree.SubElement(self._list(local), q(MAIN, child))
                if child == "fill":
                    etree.SubElement(el, q(MAIN, "patternFill"), patternType="none")
                self._count(self._list(local))
        etree.SubElement(self.xfs, q(MAIN, "xf"), numFmtId="0", fontId="0", fillId="0", borderId="0")
        self._count(self.xfs)

    def _find_xf(self, xf: etree._Element) -> int | None:
        if self._xf_keys is None:
            self._xf_keys = {}
            for i, existing in enumerate(self.xfs):
                self._xf_keys.setdefault(self._look(existing), i)
        return self._xf_keys.get(self._look(xf))

    def _look(self, xf: etree._Element) -> tuple:
        """What a cell format looks like, whatever the indexes and apply flags say."""
        norm = copy.deepcopy(xf)
        for name in list(norm.attrib):
            if name.startswith("apply"):
                del norm.attrib[name]
        norm.set("numFmtId", self.formats.get(int(xf.get("numFmtId", "0") or 0),
                                              BUILTIN_FORMATS.get(int(xf.get("numFmtId", "0") or 0), "General")))
        for attr, local in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            items = self._list(local)
            i = int(xf.get(attr, "0") or 0)
            norm.set(attr, repr(_c14n(items[i])) if 0 <= i < len(items) else "")
        return _c14n(norm)

    def _fill(self, rgb: str) -> int:
        fills = self._list("fills")
        if not rgb:
            none = next((i for i, f in enumerate(fills) if (p := f.find(q(MAIN, "patternFill"))) is not None
                         and p.get("patternType", "none") == "none" and not len(p)), None)
            if none is not None:
                return none
            fill = etree.Element(q(MAIN, "fill"))
            etree.SubElement(fill, q(MAIN, "patternFill"), patternType="none")
        else:
            found = self._solid(fills, rgb)
            if found is not None:
                return found
            fill = etree.Element(q(MAIN, "fill"))
            pattern = etree.SubElement(fill, q(MAIN, "patternFill"), patternType="solid")
            etree.SubElement(pattern, q(MAIN, "fgColor"), rgb=_argb(rgb))
            etree.SubElement(pattern, q(MAIN, "bgColor"), indexed="64")
        return self._find_or_add(fills, fill, "_fill_keys")

    def _solid(self, fills: etree._Element, rgb: str) -> int | None:
        """An existing solid fill of this colour: the exact ARGB when given, else any alpha.

        Restoring a cell's fill from the register thus lands on the very fill it had.
        """
        wanted = rgb.strip().lstrip("#").upper()
        for i, fill in enumerate(fills):
            pattern = fill.find(q(MAIN, "patternFill"))
            color = pattern.find(q(MAIN, "fgColor")) if pattern is not None else None
            if pattern is None or pattern.get("patternType") != "solid" or color is None or len(color.attrib) != 1:
                continue
            have = (color.get("rgb") or "").upper()
            if have == wanted or (len(wanted) == 6 and have[-6:] == wanted and have[:2] in ("FF", "00")):
                return i
        return None

    def _font(self, base: int, aspects: tuple) -> int:
        bold, color, size, underline = aspects
        fonts = self._list("fonts")
        font = copy.deepcopy(fonts[base] if 0 <= base < len(fonts) else fonts[0])
        _toggle(font, "b", bold)
        _toggle(font, "u", underline)
        if size is not None:
            _set_child(font, "sz", val=f"{size:g}")
        if color is not None:
            for old in font.findall(q(MAIN, "color")):
                font.remove(old)
            _set_child(font, "color", rgb=_argb(color))
        return self._find_or_add(fonts, font, "_font_keys")

    def _find_or_add(self, items: etree._Element, el: etree._Element, cache: str) -> int:
        keys = getattr(self, cache)
        if keys is None:
            keys = {}
            for i, existing in enumerate(items):
                keys.setdefault(_c14n(existing), i)
            setattr(self, cache, keys)
        key = _c14n(el)
        if key not in keys:
            items.append(el)
            keys[key] = len(items) - 1
            self._count(items)
        return keys[key]

    def _number_format(self, code: str) -> int:
        for fid, known in BUILTIN_FORMATS.items():
            if known == code:
                return fid
        for fid, known in self.formats.items():
            if known == code:
                return fid
        fid = max([_CUSTOM_FORMATS_FROM - 1, *self.formats]) + 1
        self.formats[fid] = code
        numfmts = self._list("numFmts")
        etree.SubElement(numfmts, q(MAIN, "numFmt"), numFmtId=str(fid), formatCode=code)
        self._count(numfmts)
        return fid

    def _align(self, xf: etree._Element, wrap: bool | None, top: bool | None) -> None:
        align = xf.find(q(MAIN, "alignment"))
        if align is None:
            align = etree.Element(q(MAIN, "alignment"))
            xf.insert(0, align)
        if wrap is not None:
            align.set("wrapText", "1" if wrap else "0")
        if top is not None:
            align.set("vertical", "top")

    def _count(self, items: etree._Element) -> None:
        items.set("count", str(len(items)))
        self.changed = True


def _toggle(font: etree._Element, local: str, on: bool | None) -> None:
    if on is None:
        return
    for old in font.findall(q(MAIN, local)):
        font.remove(old)
    if on:
        _set_child(font, local)


def _set_child(font: etree._Element, local: str, **attrs: str) -> None:
    """A child of <font> in the order Excel writes them."""
    old = font.find(q(MAIN, local))
    if old is not None:
        font.remove(old)
    insert_in_order(font, etree.Element(q(MAIN, local), **attrs), _FONT_ORDER)
