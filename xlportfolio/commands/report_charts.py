"""The Dashboard's charts as PNG images for the report pack, drawn with matplotlib.

They draw the very figures of `core.dashboard.dashboard_data`, so the report and the Dashboard
sheet cannot disagree. Only the object-oriented API with the Agg canvas is used: no pyplot, no
global backend, no display needed.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from xlportfolio.core.rollup.dashboard.figures import MEASURES, DashboardData
from xlportfolio.core.rollup.dashboard.formulas import number, value_of
from xlportfolio.core.rollup.dashboard.layout import month_label

COLOURS = {"plan": "#1F4E78", "forecast": "#ED7D31", "actual": "#70AD47"}
VALUE, WEIGHTED, AVAILABLE, DEMAND = "#1F4E78", "#9DC3E6", "#70AD47", "#C00000"
SIZE = (8.0, 3.6)  # inches: wide and low, two fit on a printed A4 page
DPI = 110


@dataclass(frozen=True)
class ChartImage:
    title: str
    png: bytes
    alt: str  # what the chart shows, for a reader who cannot see it

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _thousands(x: float, _pos: object = None) -> str:
    return f"{x:,.0f}"


def _figure(title: str) -> tuple[Figure, object]:
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=11, fontweight="bold", loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    # No metadata: the same figures give the same bytes.
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def stage_chart(data: DashboardData) -> ChartImage | None:
    if not data.stages:
        return None
    title = "Estimated value per year by DI stage" + (f" ({data.value_level} level)" if data.value_level else "")
    fig, ax = _figure(title)
    labels = [s.stage for s in data.stages]
    values = [number(s.value) for s in data.stages]
    x = range(len(labels))
    width = 0.4 if data.weighted else 0.6
    ax.bar([i - width / 2 if data.weighted else i for i in x], values, width, color=VALUE, label="Estimated value")
    if data.weighted:
        ax.bar([i + width / 2 for i in x], [s.weighted or 0.0 for s in data.stages], width, color=WEIGHTED,
               label="Stage-weighted value")
        ax.legend(fontsize=8, frameon=False)
    ax.set_xticks(list(x), labels)
    ax.set_xlabel("DI stage", fontsize=9)
    ax.set_ylabel("Value per year", fontsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    alt = "; ".join(f"{label}: {v:,.0f}" for label, v in zip(labels, values))
    return ChartImage(title, _png(fig), alt)


def category_chart(data: DashboardData) -> ChartImage | None:
    if not data.categories:
        return None
    title = "Estimated value per year by category" + (f" ({data.value_level} level)" if data.value_level else "")
    fig, ax = _figure(title)
    labels = [c for c, _, _ in data.categories]
    values = [number(v) for _, _, v in data.categories]
    ax.barh(labels, values, color=VALUE, height=0.6)
    ax.invert_yaxis()  # the list's order, top down
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_xlabel("Value per year", fontsize=9)
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    alt = "; ".join(f"{label}: {v:,.0f}" for label, v in zip(labels, values))
    return ChartImage(title, _png(fig), alt)


def capacity_chart(data: DashboardData) -> ChartImage | None:
    if not data.capacity:
        return None
    first, last = data.capacity_months
    title = f"Capacity vs demand by function, {_month(first)} to {_month(last)}"
    fig, ax = _figure(title)
    labels = [c.function for c in data.capacity]
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], [number(c.available) for c in data.capacity], 0.4, color=AVAILABLE,
           label="Available (days)")
    ax.bar([i + 0.2 for i in x], [c.demand for c in data.capacity], 0.4, color=DEMAND, label="Demand (days)")
    ax.set_xticks(list(x), labels, rotation=30, ha="right")
    ax.set_ylabel("Person-days", fontsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.legend(fontsize=8, frameon=False)
    alt = "; ".join(f"{c.function}: {number(c.available):,.0f} available, {c.demand:,.0f} demanded"
                    for c in data.capacity)
    return ChartImage(title, _png(fig), alt)


def _month(key: str) -> str:
    return month_label(dt.date(int(key[:4]), int(key[5:7]), 1))


def month_chart(data: DashboardData, flow: str) -> ChartImage | None:
    if not data.months:
        return None
    title = f"{flow} by month: plan, forecast and actual"
    fig, ax = _figure(title)
    labels = [month_label(day) for day, _ in data.months]
    x = list(range(len(labels)))
    for m in MEASURES:
        cells_of = [cells.get((m, flow)) for _, cells in data.months]
        if all(value_of(c) is None for c in cells_of):
            continue
        ys = [number(c) if value_of(c) is not None else float("nan") for c in cells_of]  # no actual yet: a gap
        ax.plot(x, ys, color=COLOURS[m], linewidth=2 if m == "actual" else 1.6,
                linestyle="--" if m == "forecast" else "-", label=data.measures[m], marker="o", markersize=2.5)
    step = max(1, len(labels) // 12)
    ax.set_xticks(x[::step], labels[::step], rotation=30, ha="right")
    ax.set_ylabel(flow, fontsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.legend(fontsize=8, frameon=False)
    totals = {data.measures[m]: sum(number(cells.get((m, flow))) for _, cells in data.months) for m in MEASURES}
    alt = f"{flow} per month from {labels[0]} to {labels[-1]}; totals " + \
        ", ".join(f"{k} {v:,.0f}" for k, v in totals.items())
    return ChartImage(title, _png(fig), alt)


def chart_images(data: DashboardData) -> list[ChartImage]:
    """The Dashboard sheet's charts, in its order."""
    cost, benefit = data.flows
    charts = [stage_chart(data), category_chart(data), capacity_chart(data),
              month_chart(data, cost), month_chart(data, benefit)]
    return [c for c in charts if c is not None]
