"""Benchmark: score 50,000 items with the Scoring sheet's criteria, against bare numpy arithmetic.

The baseline is the irreducible work (min-max normalise and weight seven float columns that
are already arrays), measured in the same run; the ratio shows what reading cell values of
mixed types, urgency from dates, list positions, ranks and 'why' texts cost on top.
Run: python bench/bench_score.py [--rows 50000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

import numpy as np
import pandas as pd

from xlportfolio.core.prioritise.score import read_criteria, score
from xlportfolio.schema import LISTS_BY_NAME

AS_OF = dt.date(2026, 6, 30)


def items(n: int, seed: int = 7) -> pd.DataFrame:
    rnd = random.Random(seed)
    risks = LISTS_BY_NAME["Risk"].values
    rows = [{"item_id": f"M-{i:06d}", "strategic_fit": rnd.randint(1, 5), "confidence": rnd.randint(1, 5),
             "estimated_value": rnd.randrange(0, 900) * 1000, "cost_estimate": rnd.randrange(1, 400) * 1000,
             "risk": rnd.choice(risks), "end_date": AS_OF + dt.timedelta(days=rnd.randint(-30, 700)),
             "retention_effect": rnd.randrange(0, 200) * 1000} for i in range(n)]
    return pd.DataFrame(rows, index=pd.RangeIndex(2, n + 2), dtype=object)


def baseline(arrays: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    points = [(a - a.min()) / (a.max() - a.min()) for a in arrays]
    return 100 * (np.vstack(points).T @ weights) / weights.sum()


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    frame = items(args.rows)
    criteria, _ = read_criteria(None)
    aliases = {"expected_revenue": "estimated_value", "due_date": "end_date"}
    from dataclasses import replace

    criteria = [replace(c, source=aliases.get(c.source, c.source)) for c in criteria]
    arrays = [frame[c].astype(float).to_numpy() for c in ("strategic_fit", "confidence", "estimated_value",
                                                          "cost_estimate", "retention_effect")]
    arrays.append(np.array([(d - AS_OF).days for d in frame["end_date"]], dtype=float))
    arrays.append(np.array([LISTS_BY_NAME["Risk"].values.index(r) for r in frame["risk"]], dtype=float))
    weights = np.array([c.weight for c in criteria], dtype=float)[:len(arrays)]
    base = timed(lambda: baseline(arrays, weights), args.repeat)
    weighted = timed(lambda: score(frame, criteria, as_of=AS_OF, key="item_id"), args.repeat)
    wsjf = timed(lambda: score(frame, criteria, method="WSJF", as_of=AS_OF, key="item_id"), args.repeat)
    print(f"score benchmark: {args.rows:,} items x {len(criteria)} criteria, median of {args.repeat}")
    print(f"  baseline (numpy on ready float arrays) {base * 1000:8.1f} ms")
    print(f"  score, weighted 0-100                   {weighted * 1000:8.1f} ms  ({weighted / base:,.0f}x baseline)")
    print(f"  score, WSJF                             {wsjf * 1000:8.1f} ms  ({wsjf / base:,.0f}x baseline)")


if __name__ == "__main__":
    main()
