"""Time a ribbon click on xlwings Server: `dispatch("xlp_validate", book)` on an Office.js payload.

What one click costs the server, end to end: the request's JSON text in, json.loads,
`xw.Book(json=...)` on xlwings' remote engine, `xlportfolio.ribbon.dispatch` (the live adapter
reads the tables, the core validates, the marks are queued as actions), json.dumps of
`book.json()` out. Excel's own work (collecting the payload, applying the actions) and the
network are not in it. The workbook and its payload are made once, untimed; each run starts
from the same JSON text.

    python bench/bench_dispatch.py [--rows 5000] [--repeat 5] [--command xlp_validate]

Needs xlwings' remote engine, so XLWINGS_LICENSE_KEY must be set ("noncommercial" for
noncommercial use), and tests/live/payload.py for the payload builder.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))


def one_click(text: str, control_id: str) -> tuple[dict[str, float], str, object]:
    """Run one request; return the time of each phase, the response text and the outcome."""
    import xlwings as xw

    from xlportfolio.ribbon import dispatch

    times = {}
    t0 = time.perf_counter()
    payload = json.loads(text)
    t1 = time.perf_counter()
    book = xw.Book(json=payload)
    t2 = time.perf_counter()
    try:
        outcome = dispatch(control_id, book)
        t3 = time.perf_counter()
        response = json.dumps(book.json())
        t4 = time.perf_counter()
    finally:
        book.close()
    times.update(loads=t1 - t0, book=t2 - t1, dispatch=t3 - t2, dumps=t4 - t3, total=t4 - t0)
    return times, response, outcome


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="intake requests (default 5,000)")
    parser.add_argument("--measures", type=int, default=300, help="measures in the hierarchy (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the median is reported (default 5)")
    parser.add_argument("--command", default="xlp_validate", help="ribbon control id (default xlp_validate)")
    args = parser.parse_args(argv)

    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        sys.exit("Set XLWINGS_LICENSE_KEY first (\"noncommercial\" for noncommercial use): "
                 "xlwings' remote engine needs it.")
    from generate import make_portfolio
    from live.payload import book_payload

    from xlportfolio.server import ensure_remote_engine

    if not ensure_remote_engine():
        sys.exit("xlwings' remote engine is not available: check XLWINGS_LICENSE_KEY.")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "portfolio.xlsx"
        started = time.perf_counter()
        counts = make_portfolio(path, args.measures, args.rows)
        text = json.dumps(book_payload(path))
        print(f"Workbook and payload made in {time.perf_counter() - started:.1f} s (not timed): "
              + ", ".join(f"{n:,} {name}" for name, n in counts.items()) + " rows; "
              f"payload {len(text.encode()) / 2**20:.2f} MiB of JSON.")

    runs = []
    for i in range(args.repeat):
        times, response, outcome = one_click(text, args.command)
        runs.append(times)
        print(f"  run {i + 1}: {times['total']:.2f} s (loads {times['loads']:.2f}, Book {times['book']:.2f}, "
              f"dispatch {times['dispatch']:.2f}, dumps {times['dumps']:.2f})")
    actions = json.loads(response)["actions"]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{args.command} on {args.rows:,} intake rows: median {median['total']:.2f} s of {args.repeat} "
          f"(dispatch {median['dispatch']:.2f} s); response {len(response.encode()) / 2**20:.2f} MiB, "
          f"{len(actions):,} actions.")
    print(f"Outcome: {getattr(outcome, 'summary', outcome)}")


if __name__ == "__main__":
    main()
