"""Write governed portfolio workbooks of any size, so `validate` can be benchmarked at scale.

The demo portfolio has a fixed ~300 measures and 100 intake requests. This module scales both:
the Items hierarchy keeps the demo's shape (4 measures per package, 2 packages per project,
5 projects per program, 4 programs per portfolio) and grows with the number of measures; the
Intake table repeats blocks of 100 `sample_intake` rows, each block with its own seed, its
request IDs re-numbered and its titles tagged with the block number, so every block holds the
demo's deliberately broken rows (including its in-block duplicate ID and duplicate request)
without turning the whole table into cross-block duplicates.

    python bench/generate.py OUT.xlsx --measures 300 --intake 2000 [--financials]
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import time
from pathlib import Path
from typing import Any

from xlportfolio.demo_data import THEMES, _financials, _item, month, sample_intake
from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

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


def scaled_intake(count: int, parents: list[str], seed: int = 7, as_of: dt.date = AS_OF) -> list[Row]:
    """`count` requests from blocks of `sample_intake`, IDs unique except the deliberate duplicates."""
    width = _width(count + BLOCK, 4)
    rows: list[Row] = []
    for b in range(math.ceil(count / BLOCK)):
        block = sample_intake(as_of, seed + b, parents, count=BLOCK)
        for row in block:
            # Keep the number the row had inside its block: the "same ID twice" row keeps its twin.
            number = b * BLOCK + int(str(row["request_id"]).rsplit("-", 1)[1])
            row["request_id"] = f"REQ-{number:0{width}d}"
            if b:
                row["title"] = f"{row['title']} (lot {b + 1})"
        rows.extend(block[: count - len(rows)])
    return rows


def make_portfolio(path: str | Path, measures: int, intake_rows: int, seed: int = 7,
                   as_of: dt.date = AS_OF, financials: bool = False) -> dict[str, int]:
    """Write the workbook to `path`; return the number of rows per table written."""
    items = scaled_hierarchy(measures, seed, as_of)
    projects = [i["item_id"] for i in items if i["level"] == "Project"]
    data: dict[str, list[Row]] = {"Items": items, "Intake": scaled_intake(intake_rows, projects, seed, as_of)}
    if financials:
        start = month(dt.date(as_of.year, as_of.month, 1), -6)
        data["Financials"] = _financials(random.Random(seed + 1), [i for i in items if i["level"] == "Measure"],
                                         start)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook(PORTFOLIO_KIND, data).save(path)
    return {name: len(rows) for name, rows in data.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="workbook to write (.xlsx)")
    parser.add_argument("--measures", type=int, default=300, help="measures in the hierarchy (default 300)")
    parser.add_argument("--intake", type=int, default=100, help="intake requests (default 100)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF, help="day the data is for")
    parser.add_argument("--financials", action="store_true",
                        help="also write 24 months of financials per measure (48 rows each: large)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = make_portfolio(args.out, args.measures, args.intake, args.seed, args.as_of, args.financials)
    size = args.out.stat().st_size / 2**20
    print(f"Wrote {args.out} ({size:.1f} MiB) in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{n:,} {name}" for name, n in counts.items()) + " rows.")


if __name__ == "__main__":
    main()
