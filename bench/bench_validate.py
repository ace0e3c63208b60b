"""Measure `validate` speed and peak memory against a plain openpyxl load+save measured in the same run.

Absolute seconds depend on the machine; the ratio validate/baseline is what to compare between
releases. Every measured operation runs in a fresh Python process that reports its own wall time
and how far its peak RSS rose above its RSS after imports. On Linux the peak is VmHWM, reset after
imports through /proc/self/clear_refs: a child's ru_maxrss starts at its parent's high-water mark
(it is carried over the fork/exec), which would hide anything smaller than the parent's peak.
Elsewhere it falls back to ru_maxrss deltas.

    python bench/bench_validate.py [--sizes 2000,50000] [--measures 300] [--repeat N] [--json OUT]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2026, 6, 30)
BIG = 20_000  # above this many rows the default is a single run per operation
OPS = ("baseline", "validate")


def _proc_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _start_peak() -> tuple[str, int]:
    """Reset the peak to the current RSS where Linux allows it; return (method, starting KiB)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return "VmHWM", _proc_kib("VmRSS")
    except (OSError, KeyError):
        return "ru_maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _peak(method: str) -> int:
    return _proc_kib("VmHWM") if method == "VmHWM" else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(op: str, src: str, out: str, as_of: str) -> None:
    """Run one operation in this (fresh) process and print one JSON line about it."""
    import gc

    import openpyxl

    from xlportfolio.commands.files import on_file  # imported by both ops: equal starting points
    from xlportfolio.commands.validate import Options as ValidateOptions

    gc.collect()
    method, before = _start_peak()
    started = time.perf_counter()
    extra = {}
    if op == "baseline":
        wb = openpyxl.load_workbook(src)
        wb.save(out)
    else:
        result = on_file("validate", src, ValidateOptions(as_of=dt.date.fromisoformat(as_of)), output=out)
        report = result.report
        extra = {"rows": result.figures.rows, "findings": len(report.findings), "errors": report.errors,
                 "warnings": report.warnings, "by_code": dict(report.by_code().most_common())}
    seconds = time.perf_counter() - started
    peak = _peak(method)
    print(json.dumps({"seconds": seconds, "peak_mib": (peak - before) / 1024, "memory_method": method,
                      "rss_after_imports_mib": before / 1024, "peak_total_mib": peak / 1024, **extra}))


def run_child(op: str, src: Path, out: Path, as_of: dt.date) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", op, str(src), str(out),
                           as_of.isoformat()], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{op} failed on {src.name} (exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(rows: int, args: argparse.Namespace, folder: Path) -> dict:
    src = folder / f"portfolio-{rows}.xlsx"
    started = time.perf_counter()  # generated in its own process, so this one stays small
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(src), "--measures", str(args.measures),
                    "--intake", str(rows), "--seed", str(args.seed), "--as-of", args.as_of.isoformat()],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"  generated {src.name} ({src.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s"
          " (not timed)", flush=True)
    repeat = args.repeat or (1 if rows > BIG else 3)
    runs: dict[str, list[dict]] = {op: [] for op in OPS}
    for n in range(repeat):
        for op in OPS:  # interleaved, so drift on the machine hits both alike
            out = folder / f"out-{op}-{rows}.xlsx"
            run = run_child(op, src, out, args.as_of)
            out.unlink(missing_ok=True)
            runs[op].append(run)
            print(f"  run {n + 1}/{repeat} {op:<8} {run['seconds']:8.2f} s  peak +{mib(run['peak_mib'])} MiB",
                  flush=True)
    b, v = runs["baseline"], runs["validate"]
    res = {
        "rows": rows, "measures": args.measures, "file_mib": src.stat().st_size / 2**20, "repeat": repeat,
        "baseline_s": statistics.median(r["seconds"] for r in b),
        "validate_s": statistics.median(r["seconds"] for r in v),
        "baseline_peak_mib": max(r["peak_mib"] for r in b),
        "validate_peak_mib": max(r["peak_mib"] for r in v),
        "findings": v[-1]["findings"], "errors": v[-1]["errors"], "warnings": v[-1]["warnings"],
        "validated_rows": v[-1]["rows"], "by_code": v[-1]["by_code"], "runs": runs,
    }
    res["time_ratio"] = res["validate_s"] / res["baseline_s"]
    res["memory_ratio"] = res["validate_peak_mib"] / res["baseline_peak_mib"]
    src.unlink()
    return res


def mib(x: float) -> str:
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def table(r: dict) -> str:
    head = ("rows", "file MiB", "baseline s", "validate s", "ratio", "base peak MiB", "val peak MiB",
            "mem ratio", "findings")
    cells = (f"{r['rows']:,}", f"{r['file_mib']:.1f}", f"{r['baseline_s']:.2f}", f"{r['validate_s']:.2f}",
             f"{r['time_ratio']:.2f}x", mib(r["baseline_peak_mib"]), mib(r["validate_peak_mib"]),
             f"{r['memory_ratio']:.2f}x", f"{r['findings']:,}")
    widths = [max(len(h), len(c)) for h, c in zip(head, cells)]
    line = lambda values: "  ".join(s.rjust(w) for s, w in zip(values, widths))  # noqa: E731
    return "\n".join((line(head), line("-" * w for w in widths), line(cells)))


def summary(r: dict) -> str:
    runs = "median of 3 runs" if r["repeat"] == 3 else f"{r['repeat']} run{'s' if r['repeat'] > 1 else ''}"
    return (f"validate, {r['rows']:,} intake rows ({r['file_mib']:.1f} MiB workbook, {r['measures']:,} measures): "
            f"{r['validate_s']:.1f} s vs {r['baseline_s']:.1f} s for a plain openpyxl load+save "
            f"({r['time_ratio']:.2f}x, {runs}); peak memory +{mib(r['validate_peak_mib'])} MiB vs "
            f"+{mib(r['baseline_peak_mib'])} MiB ({r['memory_ratio']:.2f}x); {r['findings']:,} findings.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,50000", help="intake rows per workbook, comma-separated")
    parser.add_argument("--measures", type=int, default=300, help="measures in the Items hierarchy")
    parser.add_argument("--repeat", type=int, default=None,
                        help=f"runs per operation, median taken (default 3, or 1 above {BIG:,} rows)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    parser.add_argument("--json", type=Path, help="also save the results as JSON")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    import openpyxl
    import pandas

    env = {"python": platform.python_version(), "openpyxl": openpyxl.__version__, "pandas": pandas.__version__,
           "platform": platform.platform(), "cpu": platform.processor() or platform.machine()}
    print("validate benchmark: " + ", ".join(f"{k} {v}" for k, v in env.items()), flush=True)
    results, failures = [], []
    with tempfile.TemporaryDirectory(prefix="xlp-bench-") as tmp:
        for rows in sizes:
            print(f"\n== {rows:,} intake rows, {args.measures:,} measures ==", flush=True)
            try:
                results.append(measure(rows, args, Path(tmp)))
            except RuntimeError as exc:
                print(f"  FAILED: {exc}", flush=True)
                failures.append({"rows": rows, "error": str(exc)})
                continue
            r = results[-1]
            print("\n" + table(r))
            print("  findings by code: " + ", ".join(f"{c} x{n}" for c, n in r["by_code"].items()))
            if r["validated_rows"] != rows:
                print(f"  note: validate read {r['validated_rows']:,} rows, expected {rows:,}")
    print("\nSummary (release-note lines):")
    for r in results:
        print("  " + summary(r))
    if args.json:
        args.json.write_text(json.dumps({"env": env, "as_of": args.as_of.isoformat(), "results": results,
                                         "failures": failures}, indent=2))
        print(f"\nSaved {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        sys.exit(main())
