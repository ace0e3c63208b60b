"""Measure `rollup` speed and peak memory against a plain openpyxl load+save measured in the same run.

The workbook: the Items hierarchy of bench/generate.py (4 measures per package, 2 packages per
project, 5 projects per program, 4 programs per portfolio) and one Financials row per measure and
month: cost (one-time) until the measure goes live, benefit (recurring) after, with plan,
forecast and, for the first months, actual. 50,000 measures x 24 months is 1.2 million rows:
more than an Excel sheet holds (1,048,576 rows), and large for openpyxl, so the size is an
argument; every run prints what it measured.

Each operation runs in a fresh Python process that reports its wall time and how far its peak
RSS rose above its RSS after imports (VmHWM after /proc/self/clear_refs, as bench_validate.py):

- **baseline**: `openpyxl.load_workbook(path)` then `wb.save(other)`;
- **rollup**: `on_file("rollup", path, RollupOptions(), output=other)`: load, read Items/Financials/Stage weights, the
  engine, the three generated sheets with their formulas (and the Findings sheet), atomic save.

    python bench/bench_rollup.py [--measures 50000] [--months 24] [--repeat N] [--values] [--json OUT]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_validate import _peak, _start_peak, mib  # same directory: python puts it on sys.path

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2026, 6, 30)
EXCEL_ROWS = 1_048_576
OPS = ("baseline", "rollup")


def financials(items: list[dict], months: int, seed: int, as_of: dt.date) -> list[dict]:
    """One row per measure and month: cost before the measure goes live, benefit after."""
    from xlportfolio.demo.data import month

    rnd = random.Random(seed)
    start = month(dt.date(as_of.year, as_of.month, 1), -6)
    rows = []
    for item in items:
        if item["level"] != "Measure":
            continue
        cost, benefit, live = rnd.randrange(2, 40) * 1000, rnd.randrange(1, 15) * 1000, rnd.randint(4, 12)
        for offset in range(months):
            benefit_month = offset >= live
            plan = benefit if benefit_month else cost
            rows.append({"item_id": item["item_id"], "period": month(start, offset),
                         "flow": "Benefit" if benefit_month else "Cost",
                         "recurrence": "Recurring" if benefit_month else "One-time",
                         "plan": plan, "forecast": round(plan * rnd.uniform(0.8, 1.2), -2),
                         "actual": round(plan * rnd.uniform(0.7, 1.3), -2) if offset < 6 else None})
    return rows


def generate(path: Path, measures: int, months: int, seed: int, as_of: dt.date) -> dict[str, int]:
    from generate import scaled_hierarchy

    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook

    items = scaled_hierarchy(measures, seed, as_of)
    data = {"Items": items, "Financials": financials(items, months, seed + 1, as_of)}
    build_workbook(PORTFOLIO_KIND, data).save(path)
    return {name: len(rows) for name, rows in data.items()}


def child(op: str, src: str, out: str, values: str) -> None:
    """Run one operation in this (fresh) process and print one JSON line about it."""
    import gc

    import openpyxl

    from xlportfolio.commands.files import on_file  # imported by both ops: equal starting points
    from xlportfolio.commands.rollup import Options as RollupOptions

    gc.collect()
    method, before = _start_peak()
    started = time.perf_counter()
    extra = {}
    if op == "baseline":
        wb = openpyxl.load_workbook(src)
        wb.save(out)
    else:
        result = on_file("rollup", src, RollupOptions(values=values == "values"), output=out)
        extra = {"items": result.figures.items, "upper": result.figures.upper, "months": len(result.figures.months),
                 "findings": len(result.report.findings)}
    seconds = time.perf_counter() - started
    peak = _peak(method)
    print(json.dumps({"seconds": seconds, "peak_mib": (peak - before) / 1024, "memory_method": method,
                      "rss_after_imports_mib": before / 1024, "peak_total_mib": peak / 1024, **extra}))


def run_child(op: str, src: Path, out: Path, values: bool) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", op, str(src), str(out),
                           "values" if values else "formulas"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{op} failed on {src.name} (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace, folder: Path) -> dict:
    src = folder / f"rollup-{args.measures}x{args.months}.xlsx"
    started = time.perf_counter()  # generated in its own process, so this one stays small
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--generate", str(src), str(args.measures),
                           str(args.months), str(args.seed), args.as_of.isoformat()],
                          capture_output=True, text=True, check=True)
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"  generated {src.name} ({src.stat().st_size / 2**20:.1f} MiB: {counts['Items']:,} items, "
          f"{counts['Financials']:,} Financials rows) in {time.perf_counter() - started:.1f} s (not timed)", flush=True)
    if counts["Financials"] >= EXCEL_ROWS:
        print(f"  note: {counts['Financials']:,} Financials rows exceed an Excel sheet ({EXCEL_ROWS - 1:,} data rows); "
              "Excel could not open this workbook", flush=True)
    runs: dict[str, list[dict]] = {op: [] for op in OPS}
    for n in range(args.repeat):
        for op in OPS:  # interleaved, so drift on the machine hits both alike
            out = folder / f"out-{op}.xlsx"
            run = run_child(op, src, out, args.values)
            if op == "rollup":
                run["output_mib"] = out.stat().st_size / 2**20
            out.unlink(missing_ok=True)
            runs[op].append(run)
            print(f"  run {n + 1}/{args.repeat} {op:<8} {run['seconds']:8.2f} s  peak +{mib(run['peak_mib'])} MiB",
                  flush=True)
    b, r = runs["baseline"], runs["rollup"]
    res = {"measures": args.measures, "months": args.months, "items": counts["Items"],
           "financial_rows": counts["Financials"], "file_mib": src.stat().st_size / 2**20,
           "output_mib": r[-1]["output_mib"], "repeat": args.repeat, "values": args.values,
           "baseline_s": statistics.median(x["seconds"] for x in b),
           "rollup_s": statistics.median(x["seconds"] for x in r),
           "baseline_peak_mib": max(x["peak_mib"] for x in b), "rollup_peak_mib": max(x["peak_mib"] for x in r),
           "upper": r[-1]["upper"], "findings": r[-1]["findings"], "runs": runs}
    res["time_ratio"] = res["rollup_s"] / res["baseline_s"]
    res["memory_ratio"] = res["rollup_peak_mib"] / res["baseline_peak_mib"]
    src.unlink()
    return res


def summary(r: dict) -> str:
    mode = "values" if r["values"] else "formulas"
    return (f"rollup ({mode}), {r['measures']:,} measures x {r['months']} months = {r['financial_rows']:,} Financials "
            f"rows, {r['items']:,} items ({r['file_mib']:.1f} MiB in, {r['output_mib']:.1f} MiB out): "
            f"{r['rollup_s']:.1f} s vs {r['baseline_s']:.1f} s for a plain openpyxl load+save "
            f"({r['time_ratio']:.2f}x, median of {r['repeat']}); peak memory +{mib(r['rollup_peak_mib'])} MiB vs "
            f"+{mib(r['baseline_peak_mib'])} MiB ({r['memory_ratio']:.2f}x); {r['upper']:,} items by month; "
            f"{r['findings']:,} findings.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=50_000, help="measures in the Items hierarchy")
    parser.add_argument("--months", type=int, default=24, help="Financials rows per measure (one per month)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per operation, median taken")
    parser.add_argument("--values", action="store_true", help="time rollup --values (plain numbers) instead")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    parser.add_argument("--json", type=Path, help="also save the results as JSON")
    args = parser.parse_args(argv)
    import openpyxl
    import pandas

    env = {"python": platform.python_version(), "openpyxl": openpyxl.__version__, "pandas": pandas.__version__,
           "platform": platform.platform(), "cpu": platform.processor() or platform.machine()}
    print("rollup benchmark: " + ", ".join(f"{k} {v}" for k, v in env.items()), flush=True)
    print(f"\n== {args.measures:,} measures x {args.months} months ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="xlp-bench-") as tmp:
        try:
            r = measure(args, Path(tmp))
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"  FAILED: {exc}", flush=True)
            return 1
    print("\nSummary (release-note line):\n  " + summary(r))
    if args.json:
        args.json.write_text(json.dumps({"env": env, "as_of": args.as_of.isoformat(), "result": r}, indent=2))
        print(f"\nSaved {args.json}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "--generate":
        _, _, out, measures, months, seed, as_of = sys.argv
        print(json.dumps(generate(Path(out), int(measures), int(months), int(seed), dt.date.fromisoformat(as_of))))
    else:
        sys.exit(main())
