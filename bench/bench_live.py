"""Measure `validate` through the live adapter on xlwings' remote engine, as xlwings Server runs it.

One request as the server sees it: the Office.js client's JSON text in, `json.loads`,
`xw.Book(json=...)`, read the tables, validate, apply the plan, the actions JSON out. The
baseline, measured in the same run, is the least any server command pays on that request:
`json.loads` + `xw.Book(json=...)` + one `.value` read of the Intake table's range.

The payload is made from a generated portfolio workbook (bench/generate.py) by the tests'
Office.js stand-in (tests/live/payload.py); the remote engine is set up as the tests set it up
(tests/live/remote.py, which also provides xlwings' noncommercial key for them).

    python bench/bench_live.py [--intake 5000] [--measures 300] [--repeat 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.live.payload import book_payload  # noqa: E402
from tests.live.remote import open_remote  # noqa: E402  (sets up the remote engine first)
from xlportfolio.commands.validate import BOOK_TABLES  # noqa: E402
from xlportfolio.core.intake.validate import validate_intake  # noqa: E402
from xlportfolio.live import LiveWorkbook  # noqa: E402
from xlportfolio.live.values import table_bounds  # noqa: E402

AS_OF = dt.date(2026, 6, 30)


def baseline(text: str) -> dict:
    """Parse the request, open the book, read the Intake table's range once."""
    started = time.perf_counter()
    book = open_remote(json.loads(text))
    sheet, table = next((s, t) for s in book.sheets for t in s.tables if t.name == "Intake")
    first_row, first_col, last_row, last_col = table_bounds(table)
    values = sheet.range((first_row, first_col), (last_row, last_col)).options(ndim=2).value
    seconds = time.perf_counter() - started
    book.close()
    return {"seconds": seconds, "cells": len(values) * len(values[0])}


def validate(text: str) -> dict:
    """The whole server round: request in, actions out."""
    times = {}
    started = mark = time.perf_counter()
    book = open_remote(json.loads(text))
    times["open"], mark = time.perf_counter() - mark, time.perf_counter()
    workbook = LiveWorkbook(book)
    tables = workbook.read(BOOK_TABLES)
    times["read"], mark = time.perf_counter() - mark, time.perf_counter()
    report, plan = validate_intake(tables, as_of=AS_OF)
    times["validate"], mark = time.perf_counter() - mark, time.perf_counter()
    workbook.apply(plan)
    times["apply"], mark = time.perf_counter() - mark, time.perf_counter()
    out = json.dumps(book.json(), default=str)
    times["json out"] = time.perf_counter() - mark
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "steps": times, "findings": len(report.findings),
              "actions": len(book.json()["actions"]), "response_bytes": len(out)}
    book.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intake", type=int, default=5000, help="intake rows")
    parser.add_argument("--measures", type=int, default=300, help="measures in the Items hierarchy")
    parser.add_argument("--repeat", type=int, default=5, help="runs per operation, median taken")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xlp-bench-live-") as tmp:
        src = Path(tmp) / f"portfolio-{args.intake}.xlsx"
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(src), "--measures", str(args.measures),
                        "--intake", str(args.intake), "--seed", str(args.seed), "--as-of", AS_OF.isoformat()],
                       check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent),
                                                                                      os.environ.get("PYTHONPATH")]))})
        started = time.perf_counter()
        text = json.dumps(book_payload(src))
    print(f"payload: {args.intake:,} intake rows, {args.measures:,} measures: {len(text):,} bytes "
          f"({len(text) / 2**20:.1f} MiB), made in {time.perf_counter() - started:.1f} s (not timed)", flush=True)
    runs: dict[str, list[dict]] = {"baseline": [], "validate": []}
    for n in range(args.repeat):
        for name, op in (("baseline", baseline), ("validate", validate)):  # interleaved: drift hits both
            gc.collect()
            runs[name].append(op(text))
            print(f"  run {n + 1}/{args.repeat} {name:<8} {runs[name][-1]['seconds']:7.3f} s", flush=True)
    base = statistics.median(r["seconds"] for r in runs["baseline"])
    full = statistics.median(r["seconds"] for r in runs["validate"])
    last = runs["validate"][-1]
    steps = {k: statistics.median(r["steps"][k] for r in runs["validate"]) for k in last["steps"]}
    print(f"\nbaseline (json.loads + xw.Book(json=...) + one .value read of Intake, "
          f"{runs['baseline'][-1]['cells']:,} cells): {base:.3f} s (median of {args.repeat})")
    print(f"validate (json.loads .. read .. validate .. apply .. actions JSON): {full:.3f} s "
          f"(median of {args.repeat}), {full / base:.1f}x the baseline")
    print("  steps: " + ", ".join(f"{k} {v:.3f} s" for k, v in steps.items()))
    print(f"  {last['findings']:,} findings, {last['actions']:,} actions, "
          f"response {last['response_bytes']:,} bytes ({last['response_bytes'] / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
