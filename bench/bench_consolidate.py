"""Measure `consolidate` on a folder of intake workbooks against only reading those files (issue #4).

Setup (not timed): N intake workbooks of M `sample_intake` rows, request IDs and titles unique per
file, plus an empty portfolio. Measured, each in a fresh process and interleaved: reading every
file's Intake sheet with python-calamine (the fastest reader available) and with openpyxl read-only,
and consolidate (`on_file`) into a fresh copy of the portfolio. Compare the ratio consolidate/calamine
between releases. Peak memory as in bench_validate.py (VmHWM after /proc/self/clear_refs).

    python bench/bench_consolidate.py [--files 500] [--rows 50] [--repeat 1] [--json OUT] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import importlib.util
import json
import multiprocessing
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from bench_validate import _peak, _start_peak, mib  # same directory: python puts it on sys.path

AS_OF = dt.date(2026, 6, 30)
HAVE_CALAMINE = importlib.util.find_spec("python_calamine") is not None
LABEL = {"calamine": "python-calamine read", "openpyxl": "openpyxl read-only read", "consolidate": "consolidate"}


def _write_form(job: tuple[Path, int, int, int, str]) -> None:
    from xlportfolio.demo.data import sample_intake
    from xlportfolio.demo.run import intake_form

    path, i, width, rows, as_of = job
    tag = f"F{i:0{width}d}"
    records = sample_intake(dt.date.fromisoformat(as_of), seed=i, count=rows)
    for r in records:
        r["request_id"], r["title"] = f"{tag}-{r['request_id']}", f"{r['title']} [{tag}]"
    intake_form(records).save(path)


def make_inbox(folder: Path, files: int, rows: int, as_of: dt.date) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(files - 1)))
    jobs = [(folder / f"intake-{i:0{width}d}.xlsx", i, width, rows, as_of.isoformat()) for i in range(files)]
    with multiprocessing.Pool(min(2, multiprocessing.cpu_count())) as pool:
        pool.map(_write_form, jobs, chunksize=10)
    return [j[0] for j in jobs]


def child(op: str, folder: str, portfolio: str, as_of: str) -> None:
    """Run one operation in this (fresh) process and print one JSON line about it."""
    import gc

    import openpyxl

    from xlportfolio.commands.consolidate import Options  # imported by every op: equal start
    from xlportfolio.commands.files import on_file
    if HAVE_CALAMINE:
        from python_calamine import CalamineWorkbook
    paths = sorted(Path(folder).glob("*.xlsx"))
    gc.collect()
    method, before = _start_peak()
    started = time.perf_counter()
    extra: dict = {}
    if op == "calamine":
        seen = data = 0
        for p in paths:  # like the openpyxl read below, each file's values are dropped once counted
            values = CalamineWorkbook.from_path(p).get_sheet_by_name("Intake").to_python()
            seen += len(values)
            data += sum(1 for r in values[1:] if any(v not in ("", None) for v in r))
        extra = {"rows_seen": seen, "data_rows": data}
    elif op == "openpyxl":
        seen = data = 0
        for p in paths:
            wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
            for n, r in enumerate(wb["Intake"].iter_rows(values_only=True)):
                seen += 1
                data += bool(n and any(v is not None for v in r))
            wb.close()
        extra = {"rows_seen": seen, "data_rows": data}
    elif op == "profile":
        prof = cProfile.Profile()
        res = prof.runcall(on_file, "consolidate", portfolio, Options(folder=folder, as_of=dt.date.fromisoformat(as_of)))
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(r"xlportfolio|openpyxl", 10)
    else:
        res = on_file("consolidate", portfolio, Options(folder=folder, as_of=dt.date.fromisoformat(as_of)))
    if op in ("consolidate", "profile"):
        o = res.figures.files
        extra = {"files_read": sum(1 for x in o if not x.error), "data_rows": sum(x.rows_read for x in o),
                 "new": sum(x.new for x in o), "updated": sum(x.updated for x in o),
                 "rejected": sum(len(x.rejected) for x in o), "not_read": [x.file for x in o if x.error],
                 "findings_after": len(res.report.findings)}
    seconds = time.perf_counter() - started
    peak = _peak(method)
    print(json.dumps({"seconds": seconds, "peak_mib": (peak - before) / 1024, "memory_method": method, **extra}))


def run_child(op: str, folder: Path, portfolio: Path, as_of: dt.date) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", op, str(folder),
                           str(portfolio), as_of.isoformat()], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{op} failed (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(args: argparse.Namespace, tmp: Path) -> dict:
    inbox, empty = tmp / "inbox", tmp / "portfolio-empty.xlsx"
    started = time.perf_counter()
    paths = make_inbox(inbox, args.files, args.rows, args.as_of)
    from xlportfolio.files.template import PORTFOLIO_KIND, build_workbook
    build_workbook(PORTFOLIO_KIND).save(empty)
    total = sum(p.stat().st_size for p in paths) / 2**20
    print(f"  generated {len(paths)} intake workbooks ({total:.1f} MiB) and an empty portfolio in "
          f"{time.perf_counter() - started:.1f} s (not timed)", flush=True)
    ops = ("calamine", "openpyxl", "consolidate") if HAVE_CALAMINE else ("openpyxl", "consolidate")
    runs: dict[str, list[dict]] = {op: [] for op in ops}
    for n in range(args.repeat):
        for op in ops:  # interleaved, so drift on the machine hits all alike
            target = tmp / f"portfolio-run{n}.xlsx"
            shutil.copyfile(empty, target)  # a fresh target for every run (not timed)
            run = run_child(op, inbox, target, args.as_of)
            target.unlink(missing_ok=True)
            runs[op].append(run)
            print(f"  run {n + 1}/{args.repeat} {LABEL[op]:<24} {run['seconds']:8.2f} s  "
                  f"peak +{mib(run['peak_mib'])} MiB", flush=True)
    res = {"files": args.files, "rows": args.rows, "inbox_mib": total, "repeat": args.repeat, "runs": runs,
           "baseline": ops[0], **{f"{op}_s": statistics.median(r["seconds"] for r in runs[op]) for op in ops},
           **{f"{op}_peak_mib": max(r["peak_mib"] for r in runs[op]) for op in ops}}
    for key in ("_s", "_peak_mib"):  # no calamine: its columns show the openpyxl fallback
        res.setdefault("calamine" + key, res["openpyxl" + key])
    res["ratio_calamine"] = res["consolidate_s"] / res["calamine_s"]
    res["ratio_openpyxl"] = res["consolidate_s"] / res["openpyxl_s"]
    res["consolidate"] = last = runs["consolidate"][-1]
    res["merged"] = last["new"]
    res["read_rows"] = {op: runs[op][-1]["data_rows"] for op in ops}
    return res


def profile(tmp: Path, args: argparse.Namespace) -> None:
    """consolidate under cProfile (fresh process) on the first --profile-files files: top package entries."""
    small, target = tmp / "profile-inbox", tmp / "portfolio-profile.xlsx"
    small.mkdir()
    for p in sorted((tmp / "inbox").glob("*.xlsx"))[: args.profile_files]:
        shutil.copyfile(p, small / p.name)
    shutil.copyfile(tmp / "portfolio-empty.xlsx", target)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", "profile", str(small),
                           str(target), args.as_of.isoformat()], capture_output=True, text=True)
    print(f"\ncProfile of consolidate on {args.profile_files} files, top 10 cumulative in xlportfolio|openpyxl:")
    print(proc.stdout.rsplit("\n", 2)[0] if proc.returncode == 0 else f"  FAILED:\n{proc.stderr}")


def table(r: dict) -> str:
    base = "calamine s" if r["baseline"] == "calamine" else "openpyxl s*"
    head = ("files", "rows/file", base, "openpyxl-ro s", "consolidate s", "cons/calamine", "cons/openpyxl",
            "cal peak MiB", "opx peak MiB", "cons peak MiB", "rows merged")
    cells = (f"{r['files']:,}", f"{r['rows']:,}", f"{r['calamine_s']:.2f}", f"{r['openpyxl_s']:.2f}",
             f"{r['consolidate_s']:.2f}", f"{r['ratio_calamine']:.1f}x", f"{r['ratio_openpyxl']:.1f}x",
             mib(r["calamine_peak_mib"]), mib(r["openpyxl_peak_mib"]), mib(r["consolidate_peak_mib"]),
             f"{r['merged']:,}")
    widths = [max(len(h), len(c)) for h, c in zip(head, cells)]
    line = lambda values: "  ".join(s.rjust(w) for s, w in zip(values, widths))  # noqa: E731
    return "\n".join((line(head), line("-" * w for w in widths), line(cells)))


def summary(r: dict) -> str:
    runs = f"median of {r['repeat']} runs" if r["repeat"] > 1 else "1 run"
    reader = "python-calamine" if r["baseline"] == "calamine" else "openpyxl read-only (python-calamine missing)"
    return (f"consolidate, {r['files']:,} intake workbooks x {r['rows']:,} rows: {r['consolidate_s']:.1f} s vs "
            f"{r['calamine_s']:.2f} s to only read them with {reader} ({r['ratio_calamine']:.0f}x) and "
            f"{r['openpyxl_s']:.1f} s with openpyxl read-only ({r['ratio_openpyxl']:.1f}x), {runs}; peak memory "
            f"+{mib(r['consolidate_peak_mib'])} MiB vs +{mib(r['calamine_peak_mib'])} / "
            f"+{mib(r['openpyxl_peak_mib'])} MiB; {r['merged']:,} rows merged.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500, help="intake workbooks in the folder (default 500)")
    parser.add_argument("--rows", type=int, default=50, help="requests per workbook (default 50)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per operation, median taken (default 1)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    parser.add_argument("--json", type=Path, help="also save the results as JSON")
    parser.add_argument("--profile", action="store_true", help="then run consolidate once under cProfile")
    parser.add_argument("--profile-files", type=int, default=50, help="files in the profiled folder (default 50)")
    args = parser.parse_args(argv)
    env = {"python": platform.python_version(), "openpyxl": version("openpyxl"), "pandas": version("pandas"),
           "python-calamine": version("python-calamine") if HAVE_CALAMINE else "not installed",
           "platform": platform.platform(), "cpu": platform.processor() or platform.machine()}
    print("consolidate benchmark: " + ", ".join(f"{k} {v}" for k, v in env.items()), flush=True)
    if not HAVE_CALAMINE:
        print("  NOTE: python-calamine is not installed (pip install python-calamine); the fastest reader "
              "falls back to openpyxl read-only, so both ratios are against openpyxl.", flush=True)
    print(f"\n== {args.files:,} intake workbooks x {args.rows:,} rows ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="xlp-bench-cons-") as tmp:
        try:
            r = measure(args, Path(tmp))
        except RuntimeError as exc:
            print(f"  FAILED: {exc}", flush=True)
            return 1
        c = r["consolidate"]
        print("\n" + table(r))
        print(f"  consolidate read {c['data_rows']:,} rows from {c['files_read']:,} files (not read: "
              f"{', '.join(c['not_read']) or 'none'}), merged {c['new']:,} new, rejected {c['rejected']:,} broken "
              "rows (sample_intake breaks ~1 in 8); the readers saw "
              + ", ".join(f"{op} {n:,}" for op, n in r["read_rows"].items()) + " non-blank data rows.")
        print("\nSummary (release-note line):\n  " + summary(r))
        if args.json:
            args.json.write_text(json.dumps({"env": env, "as_of": args.as_of.isoformat(), "result": r}, indent=2))
            print(f"\nSaved {args.json}")
        if args.profile:
            profile(Path(tmp), args)
    return 0

if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        sys.exit(main())
