"""Reading a CRM CSV export (decode, split, runaway-quote checks, header and footer), against the floor:
decoding the bytes and splitting them with a bare csv.reader.

    python bench/bench_crm_read.py                  # 100,000 rows, with and without multi-line notes
    python bench/bench_crm_read.py --rows 20000 --repeat 5

Every multi-line record is checked for a runaway quote (xlportfolio/crm/quotes.py); the "multi-line"
export gives every row a three-line note, the worst case. The ratio is read_export / baseline, CPU
seconds, the median of --repeat runs, interleaved.
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xlportfolio.crm.source import read_export  # noqa: E402

HEAD = "Opportunity ID,Opportunity Name,Account Name,Amount,Close Date,Description\r\n"


def export(rows: int, multi_line: bool) -> str:
    note = '"Call the CFO, then the CIO.\r\nShe wants SSO, MFA and logs\r\nby Q3."' if multi_line else \
        '"Call the CFO, then the CIO. She wants SSO, MFA and logs by Q3."'
    return HEAD + "".join(f"006{i:07d},Deal {i},Acme Corp,{i * 10},12/31/2026,{note}\r\n" for i in range(rows))


def baseline(path: Path) -> int:
    text = path.read_bytes().decode("utf-8")
    return len(list(csv.reader(io.StringIO(text, newline=""))))


def timed(func, path: Path) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    func(path)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'export':<12}{'rows':>9}{'baseline cpu s':>16}{'read cpu s':>12}{'read wall s':>13}{'ratio':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for multi_line in (False, True):
            path = Path(folder) / "opps.csv"
            path.write_text(export(args.rows, multi_line), encoding="utf-8", newline="")
            base, read, wall = [], [], []
            for _ in range(args.repeat):
                base.append(timed(baseline, path)[0])
                cpu, seconds = timed(read_export, path)
                read.append(cpu)
                wall.append(seconds)
            b, r = statistics.median(base), statistics.median(read)
            print(f"{'multi-line' if multi_line else 'one-line':<12}{args.rows:>9,}{b:>16.2f}{r:>12.2f}"
                  f"{statistics.median(wall):>13.2f}{r / b:>7.1f}")


if __name__ == "__main__":
    main()
