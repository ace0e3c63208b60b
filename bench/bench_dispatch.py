"""Time a ribbon click on xlwings Server: `dispatch("xlp_validate", book)` on an Office.js payload.

What one click costs the server, end to end: the request's JSON text in, json.loads,
`xw.Book(json=...)` on xlwings' remote engine, the heap frozen as the server freezes it
(xlportfolio.excel.server.freeze_heap; --no-freeze to compare), `xlportfolio.excel.ribbon.dispatch` (the live adapter
reads the tables, the core validates, the marks are queued as actions), json.dumps of
`book.json()` out. Excel's own work (collecting the payload, applying the actions) and the
network are not in it. The workbook and its payload are made once, untimed; each run starts
from the same JSON text.

    python bench/bench_dispatch.py [--rows 5000] [--repeat 5] [--command xlp_validate]
    python bench/bench_dispatch.py --findings 300,3000,10000 [--rows 5000] [--repeat 5]

Without --findings the intake is the generator's, whose findings depend on today's date.
With --findings each count gets a workbook of its own: the generator's clean intake (nothing
to find as of today), then exactly that many required text cells blanked (Sponsor, Business
reason, Title, spread over all rows), so validate finds that many errors, one mark each. Two
clicks are timed per count: the first (no marks yet) and a second on the workbook as the first
left it (every mark and note already there, the register full). Work time is CPU seconds
(time.process_time) and wall seconds of the whole request; the cost per finding shows whether
it grows linearly.

Needs xlwings' remote engine, so XLWINGS_LICENSE_KEY must be set ("noncommercial" for
noncommercial use), and tests/live/payload.py for the payload builder.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

BLANKED = ("Sponsor", "Business reason", "Title")  # required text: one error each when blank


FREEZE = True  # as the server does (xlportfolio.excel.server.freeze_heap); --no-freeze for the baseline


def one_click(text: str, control_id: str) -> tuple[dict[str, float], str, object]:
    """Run one request; return the time of each phase, the response text and the outcome."""
    import xlwings as xw

    from xlportfolio.excel.ribbon import dispatch
    from xlportfolio.excel.server import freeze_heap, thaw_heap

    times = {}
    cpu = time.process_time()
    t0 = time.perf_counter()
    payload = json.loads(text)
    t1 = time.perf_counter()
    book = xw.Book(json=payload)
    if FREEZE:
        freeze_heap()
    t2 = time.perf_counter()
    try:
        outcome = dispatch(control_id, book)
        t3 = time.perf_counter()
        response = json.dumps(book.json())
        t4 = time.perf_counter()
    finally:
        if FREEZE:
            thaw_heap()
        book.close()
    times.update(loads=t1 - t0, book=t2 - t1, dispatch=t3 - t2, dumps=t4 - t3, total=t4 - t0,
                 cpu=time.process_time() - cpu)
    return times, response, outcome


def blank_cells(path: Path, count: int) -> int:
    """Blank `count` required cells of the Intake table, spread row by row over BLANKED's columns."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Intake"]
    header = {c.value: c.column for c in ws[1]}
    rows = ws.max_row - 1
    if count > rows * len(BLANKED):
        sys.exit(f"--findings {count} needs more than {rows:,} rows x {len(BLANKED)} columns")
    for k in range(count):
        ws.cell(2 + k % rows, header[BLANKED[k // rows]]).value = None
    wb.save(path)
    return rows


def clicks_for(text: str, control_id: str, repeat: int) -> list[tuple[dict[str, float], str, object]]:
    out = []
    for _ in range(repeat):
        gc.collect()
        out.append(one_click(text, control_id))
    return out


def by_findings(args: argparse.Namespace) -> None:
    """A click at a fixed number of rows and a controlled number of findings, first and again."""
    from generate import make_portfolio

    from tests.live.payload import Model, book_payload

    counts = [int(n) for n in args.findings.split(",")]
    print(f"{args.command} on {args.rows:,} intake rows; CPU and wall seconds of the whole request, "
          f"median of {args.repeat}")
    print(f"{'findings':>8} {'click':>6} {'cpu s':>7} {'wall s':>7} {'us/finding':>10} {'request MiB':>11} "
          f"{'response MiB':>12} {'actions':>8}")
    with tempfile.TemporaryDirectory(prefix="xlp-bench-dispatch-") as tmp:
        clean = Path(tmp) / "clean.xlsx"
        make_portfolio(clean, args.measures, args.rows, as_of=dt.date.today(), clean_intake=True)
        for count in counts:
            path = Path(tmp) / f"findings-{count}.xlsx"
            path.write_bytes(clean.read_bytes())
            blank_cells(path, count)
            first = json.dumps(book_payload(path))
            if count == counts[0]:
                one_click(first, args.command)  # untimed: the imports a server does once
            runs = clicks_for(first, args.command, args.repeat)
            again = json.dumps(Model(path).replay(json.loads(runs[-1][1])["actions"]).payload(path.name))
            for label, request, done in (("first", first, runs),
                                         ("again", again, clicks_for(again, args.command, args.repeat))):
                outcome = done[-1][2]
                found = outcome.report.errors + outcome.report.warnings if getattr(outcome, "report", None) else 0
                cpu = statistics.median(t["cpu"] for t, _, _ in done)
                wall = statistics.median(t["total"] for t, _, _ in done)
                response = done[-1][1]
                print(f"{found:>8,} {label:>6} {cpu:7.3f} {wall:7.3f} {cpu / max(found, 1) * 1e6:10.1f} "
                      f"{len(request.encode()) / 2**20:11.2f} {len(response.encode()) / 2**20:12.2f} "
                      f"{len(json.loads(response)['actions']):>8,}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="intake requests (default 5,000)")
    parser.add_argument("--measures", type=int, default=300, help="measures in the hierarchy (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the median is reported (default 5)")
    parser.add_argument("--command", default="xlp_validate", help="ribbon control id (default xlp_validate)")
    parser.add_argument("--findings", help="comma-separated finding counts, e.g. 300,3000,10000")
    parser.add_argument("--no-freeze", action="store_true",
                        help="leave the heap to the garbage collector (the server freezes it during a command)")
    args = parser.parse_args(argv)
    global FREEZE
    FREEZE = not args.no_freeze

    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        sys.exit("Set XLWINGS_LICENSE_KEY first (\"noncommercial\" for noncommercial use): "
                 "xlwings' remote engine needs it.")
    from xlportfolio.excel.server import ensure_remote_engine

    if not ensure_remote_engine():
        sys.exit("xlwings' remote engine is not available: check XLWINGS_LICENSE_KEY.")
    if args.findings:
        by_findings(args)
        return

    from generate import make_portfolio

    from tests.live.payload import book_payload

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
              f"dispatch {times['dispatch']:.2f}, dumps {times['dumps']:.2f}; CPU {times['cpu']:.2f} s)")
    actions = json.loads(response)["actions"]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{args.command} on {args.rows:,} intake rows: median {median['total']:.2f} s of {args.repeat} "
          f"(dispatch {median['dispatch']:.2f} s, CPU {median['cpu']:.2f} s); response "
          f"{len(response.encode()) / 2**20:.2f} MiB, {len(actions):,} actions.")
    print(f"Outcome: {getattr(outcome, 'summary', outcome)}")


if __name__ == "__main__":
    main()
