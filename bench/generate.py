"""Write governed portfolio workbooks of any size, so `validate` can be benchmarked at scale.

The demo portfolio has a fixed ~300 measures and 100 intake requests. This module scales both:
the Items hierarchy keeps the demo's shape (4 measures per package, 2 packages per project,
5 projects per program, 4 programs per portfolio) and grows with the number of measures; the
Intake table repeats blocks of 100 `sample_intake` rows, each block with its own seed, its
request IDs re-numbered and its titles tagged with the block number, so every block holds the
demo's deliberately broken rows (including its in-block duplicate ID and duplicate request)
without turning the whole table into cross-block duplicates.

Options for bench/bench_package.py: `--clean-intake` keeps only requests that validate finds
nothing wrong with; `--user-sheet N` adds an ordinary sheet of N ledger rows that no command
reads; `--writer stream` writes the same workbook fast: openpyxl builds it with the first rows
of each large sheet (so styles, tables, lists and data validations are exactly the template's),
then the rest of the rows are streamed into those sheets' XML, cell for cell as openpyxl writes
them, and the table and validation ranges are stretched to match. `--check-writers` writes a
(small!) workbook both ways and compares them part by part and with openpyxl.

    python bench/generate.py OUT.xlsx --measures 300 --intake 2000 [--financials] [--writer stream]
    python bench/generate.py /tmp/check.xlsx --measures 50 --intake 700 --financials --user-sheet 500 --check-writers
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import math
import os
import random
import re
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from xlportfolio.demo.data import CUSTOMERS, PEOPLE, THEMES, _financials, _item, month, sample_intake
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook
from xlportfolio.schema import TABLES_BY_NAME

Row = dict[str, Any]
AS_OF = dt.date(2026, 6, 30)
BLOCK = 100  # sample_intake breaks rows at fixed places up to index 91: always make whole blocks
MEASURES_PER_PACKAGE, PACKAGES_PER_PROJECT, PROJECTS_PER_PROGRAM, PROGRAMS_PER_PORTFOLIO = 4, 2, 5, 4


def _width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


def scaled_hierarchy(measures: int, seed: int = 7, as_of: dt.date = AS_OF) -> list[Row]:
    """Items rows: one organization and exactly `measures` measures, parents before children."""
    rnd = random.Random(seed)
    start = month(dt.date(as_of.year, as_of.month, 1), -6)
    n_pkg = math.ceil(measures / MEASURES_PER_PACKAGE)
    n_prj = math.ceil(n_pkg / PACKAGES_PER_PROJECT)
    n_prg = math.ceil(n_prj / PROJECTS_PER_PROGRAM)
    n_pf = math.ceil(n_prg / PROGRAMS_PER_PORTFOLIO)
    # sample_intake's broken row points at "PR-999", which must stay unknown: never write PR-999.
    w_prj = 3 if n_prj < 999 else _width(n_prj, 4)
    w_prg, w_m = _width(n_prg, 2), _width(measures, 4)
    items: list[Row] = [{"item_id": "ORG", "level": "Organization", "name": "Contoso Group", "state": "Active"}]
    prg = prj = pkg = m = 0
    for f in range(n_pf):
        pf_id = f"PF-{f + 1}"
        items.append(_item(rnd, pf_id, "ORG", "Portfolio", f"Portfolio {f + 1}", start))
        for _ in range(PROGRAMS_PER_PORTFOLIO):
            if prg == n_prg:
                break
            prg += 1
            pg_id = f"PG-{prg:0{w_prg}d}"
            items.append(_item(rnd, pg_id, pf_id, "Program", f"{THEMES[prg % len(THEMES)]} programme {prg}", start))
            for _ in range(PROJECTS_PER_PROGRAM):
                if prj == n_prj:
                    break
                prj += 1
                pr_id = f"PR-{prj:0{w_prj}d}"
                items.append(_item(rnd, pr_id, pg_id, "Project", f"{rnd.choice(THEMES)} {prj}", start))
                for k in range(PACKAGES_PER_PROJECT):
                    if pkg == n_pkg:
                        break
                    pkg += 1
                    mp_id = f"MP-{prj:0{w_prj}d}-{k + 1}"
                    items.append(_item(rnd, mp_id, pr_id, "Measure Package", f"Package {k + 1} of {pr_id}", start))
                    for _ in range(MEASURES_PER_PACKAGE):
                        if m == measures:
                            break
                        m += 1
                        items.append(_item(rnd, f"M-{m:0{w_m}d}", mp_id, "Measure",
                                           f"Measure {m}: {rnd.choice(THEMES).lower()}", start))
    return items


def scaled_intake(count: int, parents: list[str], seed: int = 7, as_of: dt.date = AS_OF,
                  clean: bool = False) -> list[Row]:
    """`count` requests from blocks of `sample_intake`, IDs unique except the deliberate duplicates.

    clean: leave out the rows `sample_intake` breaks on purpose (every 6th from the 4th on: its
    duplicates are of these rows, so they go too) and the ones whose due date is not after `as_of`,
    so validate finds nothing; the blocks then hold ~83 rows, and more blocks are drawn.
    """
    width = _width(count * (2 if clean else 1) + BLOCK, 4)
    rows: list[Row] = []
    for b in itertools.count() if clean else range(math.ceil(count / BLOCK)):
        if len(rows) >= count:
            break
        block = sample_intake(as_of, seed + b, parents, count=BLOCK)
        for row in block:
            # Keep the number the row had inside its block: the "same ID twice" row keeps its twin.
            number = b * BLOCK + int(str(row["request_id"]).rsplit("-", 1)[1])
            row["request_id"] = f"REQ-{number:0{width}d}"
            if b:
                row["title"] = f"{row['title']} (lot {b + 1})"
        if clean:
            block = [r for i, r in enumerate(block) if (i < 3 or (i - 3) % 6)
                     and isinstance(r["due_date"], dt.date) and r["due_date"] > as_of]
        rows.extend(block[: count - len(rows)])
    return rows


def financial_rows(measures: Iterable[Row], seed: int = 7, as_of: dt.date = AS_OF) -> Iterator[Row]:
    """The Financials rows `make_portfolio` writes (48 per measure), one measure at a time."""
    rnd = random.Random(seed + 1)
    start = month(dt.date(as_of.year, as_of.month, 1), -6)
    for m in measures:  # one shared generator: the same rows as _financials(rnd, measures, start)
        yield from _financials(rnd, [m], start)


USER_SHEET = "GL export"
USER_HEADER = ("Posting date", "Document", "Account", "Cost center", "Vendor", "Text", "Quantity", "Amount")
_ACCOUNTS = (400100, 400200, 410000, 420500, 430000, 470100, 480000, 610000, 620300, 650000)
_TEXTS = ("Licence renewal", "Consulting services", "Travel expenses", "Hardware", "Cloud subscription",
          "Training", "Maintenance contract", "Freight", "Office supplies", "Recruiting fee")


def user_sheet_rows(count: int, seed: int = 7, as_of: dt.date = AS_OF) -> Iterator[tuple]:
    """Rows of a general-ledger export a controller pastes next to the portfolio: no table, never read."""
    rnd = random.Random(seed + 2)
    first = dt.date(as_of.year - 1, 1, 1)
    vendors = CUSTOMERS + tuple(f"{p.split()[1]} GmbH" for p in PEOPLE)
    for n in range(count):
        qty = rnd.randint(1, 40)
        text = rnd.choice(_TEXTS) if rnd.random() < 0.8 else None  # some postings carry no text
        yield (first + dt.timedelta(days=rnd.randrange(540)), f"DOC-{n + 1:07d}", rnd.choice(_ACCOUNTS),
               f"CC-{rnd.randrange(100, 999)}", rnd.choice(vendors), text, qty,
               round(qty * rnd.uniform(5, 5000), 2))


WRITERS = ("openpyxl", "stream")
PREFIX = 2 * BLOCK  # rows openpyxl writes itself per streamed sheet: every kind of value shows up in them


def make_portfolio(path: str | Path, measures: int, intake_rows: int, seed: int = 7,
                   as_of: dt.date = AS_OF, financials: bool = False, *, clean_intake: bool = False,
                   user_sheet: int = 0, writer: str = "openpyxl") -> dict[str, int]:
    """Write the workbook to `path`; return the number of rows per table (and user sheet) written.

    writer "openpyxl" builds the whole workbook with openpyxl (slow and memory hungry above a few
    hundred thousand cells); "stream" writes the same workbook (see the module's docstring).
    """
    if writer not in WRITERS:
        raise ValueError(f"writer must be one of {', '.join(WRITERS)}, not {writer!r}")
    items = scaled_hierarchy(measures, seed, as_of)
    projects = [i["item_id"] for i in items if i["level"] == "Project"]
    intake = scaled_intake(intake_rows, projects, seed, as_of, clean=clean_intake)
    data: dict[str, Iterable[Row]] = {"Items": items, "Intake": intake}
    counts = {"Items": len(items), "Intake": len(intake)}
    if financials:
        measure_rows = [i for i in items if i["level"] == "Measure"]
        counts["Financials"] = 48 * len(measure_rows)  # _financials: 24 months x (cost, benefit)
        if writer == "openpyxl":
            start = month(dt.date(as_of.year, as_of.month, 1), -6)
            data["Financials"] = _financials(random.Random(seed + 1), measure_rows, start)
        else:
            data["Financials"] = financial_rows(measure_rows, seed, as_of)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = user_sheet_rows(user_sheet, seed, as_of)
    if user_sheet:
        counts[USER_SHEET] = user_sheet
    if writer == "openpyxl":
        wb = build_workbook(PORTFOLIO_KIND, data)
        if user_sheet:
            _add_user_sheet(wb, extra)
        wb.save(path)
        return counts
    # stream: openpyxl writes the template with the first PREFIX rows of every sheet; the rest follow.
    heads = {name: list(itertools.islice(iter(rows), PREFIX)) for name, rows in data.items()}
    rests: dict[str, tuple[Sequence[str], Iterator[Any], int]] = {}
    for name, rows in data.items():
        if counts[name] > PREFIX:
            columns = [c.name for c in TABLES_BY_NAME[name].columns]
            rest = itertools.islice(rows, PREFIX, None) if isinstance(rows, list) else iter(rows)
            rests[TABLES_BY_NAME[name].sheet] = (columns, rest, counts[name])
    wb = build_workbook(PORTFOLIO_KIND, heads)
    if user_sheet:
        _add_user_sheet(wb, itertools.islice(extra, PREFIX))
        if user_sheet > PREFIX:
            rests[USER_SHEET] = ((), extra, user_sheet)
    template = io.BytesIO()
    wb.save(template)
    del wb
    _stream_into(template, path, rests)
    return counts


def _add_user_sheet(wb: Any, rows: Iterable[tuple]) -> None:
    ws = wb.create_sheet(USER_SHEET)
    ws.append(USER_HEADER)
    for row in rows:
        ws.append(row)


# ---- the stream writer: rows appended to a sheet openpyxl wrote, as openpyxl would have written them

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_EPOCH = dt.date(1899, 12, 30)  # openpyxl's to_excel for a date: days since this day


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part path, for `part`."""
    folder, name = part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in z.namelist():
        return {}
    out = {}
    for rel in ElementTree.fromstring(z.read(rels)):
        target = rel.get("Target", "")
        out[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else \
            os.path.normpath(f"{folder}/{target}").replace(os.sep, "/")
    return out


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part path."""
    rels = _rels(z, "xl/workbook.xml")
    sheets = ElementTree.fromstring(z.read("xl/workbook.xml")).find(f"{_MAIN}sheets")
    return {s.get("name", ""): rels[s.get(_REL, "")] for s in sheets} if sheets is not None else {}


def _column_styles(xml: str, first_row: int) -> dict[str, str]:
    """Column letters -> ' s="N"' (or '') as openpyxl wrote the data rows of the template."""
    styles: dict[str, str] = {}
    for letters, row, style in re.findall(r'<c r="([A-Z]+)(\d+)"( s="\d+")?', xml):
        if int(row) >= first_row:
            styles.setdefault(letters, style)
    return styles


def _cell(ref: str, style: str, value: Any) -> str:
    """One <c> element, as openpyxl's lxml cell writer puts it (inline strings, dates as serials)."""
    kind = type(value)
    if value is None:
        return f'<c r="{ref}"{style} t="n"></c>' if style else ""
    if kind is str:
        if value == "":
            return f'<c r="{ref}"{style} t="inlineStr"></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{value.translate(_ESCAPE)}</t></is></c>'
    if kind is bool:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if kind is dt.date:
        return f'<c r="{ref}"{style} t="n"><v>{(value - _EPOCH).days}</v></c>'
    if kind is dt.datetime:
        from openpyxl.utils.datetime import to_excel

        value = to_excel(value)
    elif kind not in (int, float):
        raise TypeError(f"the stream writer does not write {kind.__name__} values ({value!r})")
    text = "" if value != value or value in (math.inf, -math.inf) else f"{value:.16g}"
    return f'<c r="{ref}"{style} t="n"><v>{text}</v></c>'


def _stream_sheet(xml: str, out: Any, columns: Sequence[str], rows: Iterable[Any]) -> int:
    """Write `xml` (a worksheet openpyxl wrote) to `out` with `rows` appended; return the last row.

    columns: the table's column names (rows are dicts), or () for a plain sheet (rows are tuples
    as wide as its header). Each column's style is the one openpyxl gave the template's data rows.
    """
    from openpyxl.utils import column_index_from_string, get_column_letter

    body, tail = xml.split("</sheetData>", 1)
    last = max(int(n) for n in re.findall(r'<row r="(\d+)"', body))
    styles = _column_styles(body, 2)
    width = len(columns) or max(column_index_from_string(c) for c in re.findall(r'<c r="([A-Z]+)\d', body))
    cols = [(get_column_letter(i + 1), styles.get(get_column_letter(i + 1), "")) for i in range(width)]
    out.write(body.encode())
    chunk: list[str] = []
    for row in rows:
        last += 1
        values = [row.get(c) for c in columns] if columns else row
        chunk.append(f'<row r="{last}">' + "".join(_cell(f"{letter}{last}", style, v)
                                                   for (letter, style), v in zip(cols, values)) + "</row>")
        if len(chunk) == 5000:
            out.write("".join(chunk).encode())
            chunk = []
    out.write("".join(chunk).encode())
    out.write(("</sheetData>" + tail).encode())
    return last


def _stretch(xml: str, old_last: int, new_last: int) -> str:
    """Ranges that end on the template's last row (dimension, table, autofilter, validations) end on the new one."""
    return re.sub(rf'((?:ref|sqref)="[A-Z]+\d+:[A-Z]+){old_last}"', rf'\g<1>{new_last}"', xml)


def _stream_into(template: io.BytesIO, path: Path,
                 rests: dict[str, tuple[Sequence[str], Iterator[Any], int]]) -> None:
    """Copy the template package to `path` part by part, in order, appending `rests` to their sheets.

    rests: sheet name -> (table column names, or () for a plain sheet; the remaining rows; the
    sheet's total number of data rows). Written to a temporary file, then renamed.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with zipfile.ZipFile(template) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            parts = {part: sheet for sheet, part in _sheet_parts(zin).items() if sheet in rests}
            lasts: dict[str, tuple[int, int]] = {}  # sheet or table part -> (template's last row, new last row)
            for part, sheet in parts.items():
                body = zin.read(part).decode().split("</sheetData>", 1)[0]
                lasts[part] = (max(int(n) for n in re.findall(r'<row r="(\d+)"', body)), rests[sheet][2] + 1)
                for target in _rels(zin, part).values():
                    if "/tables/" in target:
                        lasts[target] = lasts[part]
            for info in zin.infolist():
                if info.filename in parts:
                    columns, rows, _ = rests[parts[info.filename]]
                    xml = _stretch(zin.read(info).decode(), *lasts[info.filename])
                    target = zipfile.ZipInfo(info.filename, info.date_time)
                    target.compress_type = zipfile.ZIP_DEFLATED
                    with zout.open(target, "w") as out:
                        last = _stream_sheet(xml, out, columns, rows)
                    if last != lasts[info.filename][1]:
                        raise RuntimeError(f"{parts[info.filename]}: wrote up to row {last}, "
                                           f"expected {lasts[info.filename][1]}")
                    continue
                data = zin.read(info)
                if info.filename in lasts:
                    data = _stretch(data.decode(), *lasts[info.filename]).encode()
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def compare_workbooks(a: Path, b: Path) -> list[str]:
    """What differs between two workbooks: package parts byte for byte, then as openpyxl reads them.

    Only docProps/core.xml's modification time may differ (openpyxl stamps each save).
    """
    from openpyxl import load_workbook

    found: list[str] = []
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        if za.namelist() != zb.namelist():
            found.append(f"parts: {za.namelist()} vs {zb.namelist()}")
        for name in set(za.namelist()) & set(zb.namelist()):
            x, y = za.read(name), zb.read(name)
            if name == "docProps/core.xml":
                x, y = (re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", v) for v in (x, y))
            if x != y:
                found.append(f"part {name} differs ({len(x):,} vs {len(y):,} bytes)")
    wa, wb = load_workbook(a), load_workbook(b)
    if wa.sheetnames != wb.sheetnames:
        found.append(f"sheets: {wa.sheetnames} vs {wb.sheetnames}")
    if sorted(wa.defined_names.items()) != sorted(wb.defined_names.items()):
        found.append("defined names differ")
    if [(p.name, p.value) for p in wa.custom_doc_props] != [(p.name, p.value) for p in wb.custom_doc_props]:
        found.append("custom document properties differ")
    for name in wa.sheetnames:
        if name not in wb.sheetnames:
            continue
        x, y = wa[name], wb[name]
        tables = [{t.name: (t.displayName, t.ref, [c.name for c in t.tableColumns], t.tableStyleInfo.name)
                   for t in ws.tables.values()} for ws in (x, y)]
        if tables[0] != tables[1]:
            found.append(f"{name}: tables {tables[0]} vs {tables[1]}")
        dvs = [sorted((str(d.sqref), d.type, d.operator, d.formula1, d.formula2, d.allow_blank, d.promptTitle,
                       d.prompt, d.errorTitle, d.error) for d in ws.data_validations.dataValidation)
               for ws in (x, y)]
        if dvs[0] != dvs[1]:
            found.append(f"{name}: data validations differ")
        for what, f in (("dimensions", lambda ws: ws.dimensions), ("freeze panes", lambda ws: ws.freeze_panes),
                        ("column widths", lambda ws: {k: v.width for k, v in ws.column_dimensions.items()}),
                        ("protection", lambda ws: ws.protection.sheet)):
            if f(x) != f(y):
                found.append(f"{name}: {what} {f(x)} vs {f(y)}")
        cells = 0
        for rx, ry in itertools.zip_longest(x.iter_rows(), y.iter_rows(), fillvalue=()):
            for cx, cy in itertools.zip_longest(rx, ry):
                cells += 1
                vx = None if cx is None else (cx.value, cx.data_type, cx.number_format, cx.style, tuple(cx._style))
                vy = None if cy is None else (cy.value, cy.data_type, cy.number_format, cy.style, tuple(cy._style))
                if vx != vy:
                    found.append(f"{name}!{getattr(cx, 'coordinate', None) or cy.coordinate}: {vx} vs {vy}")
                    break
            if len(found) > 20:
                return found
    return found


def check_writers(out: Path, **options: Any) -> int:
    """Write OUT both ways (keep it small: openpyxl is slow) and compare; 0 when they are the same."""
    paths = {w: out.with_name(f"{out.stem}.{w}{out.suffix or '.xlsx'}") for w in WRITERS}
    for w, path in paths.items():
        started = time.perf_counter()
        counts = make_portfolio(path, writer=w, **options)
        print(f"{w:>8}: {path} ({path.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{n:,} {name}" for name, n in counts.items()) + " rows")
    found = compare_workbooks(paths["openpyxl"], paths["stream"])
    for line in found:
        print("  DIFFERENT: " + line)
    print("same workbook: every part byte for byte (docProps/core.xml but its modified time), and every sheet, "
          "table, data validation, name and cell as openpyxl reads them" if not found else
          f"{len(found)} difference(s)")
    return 1 if found else 0


def _peak_mib() -> float | None:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="workbook to write (.xlsx)")
    parser.add_argument("--measures", type=int, default=300, help="measures in the hierarchy (default 300)")
    parser.add_argument("--intake", type=int, default=100, help="intake requests (default 100)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF, help="day the data is for")
    parser.add_argument("--financials", action="store_true",
                        help="also write 24 months of financials per measure (48 rows each: large)")
    parser.add_argument("--clean-intake", action="store_true",
                        help="only requests validate finds nothing wrong with (no deliberately broken rows, "
                             "no passed due dates)")
    parser.add_argument("--user-sheet", type=int, default=0, metavar="ROWS",
                        help=f"add a plain sheet '{USER_SHEET}' of ROWS ledger rows (no table; no command reads it)")
    parser.add_argument("--writer", choices=WRITERS, default="openpyxl",
                        help="openpyxl: build it all with openpyxl (default); stream: the same workbook, written "
                             "fast and in little memory (large workbooks)")
    parser.add_argument("--check-writers", action="store_true",
                        help="write OUT with both writers (as OUT-stem.openpyxl.xlsx and .stream.xlsx) and compare "
                             "them; keep the sizes small")
    args = parser.parse_args(argv)
    options = dict(measures=args.measures, intake_rows=args.intake, seed=args.seed, as_of=args.as_of,
                   financials=args.financials, clean_intake=args.clean_intake, user_sheet=args.user_sheet)
    if args.check_writers:
        return check_writers(args.out, **options)
    started = time.perf_counter()
    counts = make_portfolio(args.out, writer=args.writer, **options)
    size = args.out.stat().st_size / 2**20
    peak = _peak_mib()
    print(f"Wrote {args.out} ({size:.1f} MiB) in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{n:,} {name}" for name, n in counts.items()) + " rows."
          + (f" Peak memory {peak:,.0f} MiB." if peak else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
