"""ECharts options built on the server and handed to the page as JSON (see static/js/charts.js)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def bar_chart(
    title: str,
    categories: Sequence[str],
    values: Sequence[int | float | None],
    *,
    horizontal: bool = True,
    colours: Sequence[str] | None = None,
) -> str:
    """A bar chart option as JSON, for a ``data-chart`` attribute."""
    category_axis: dict[str, Any] = {"type": "category", "data": list(categories), "inverse": horizontal}
    value_axis: dict[str, Any] = {"type": "value"}
    if all(isinstance(v, int) for v in values):
        value_axis["minInterval"] = 1  # counts: no tick at 0.5
    option: dict[str, Any] = {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [{"type": "bar", "data": _bars(values, colours), "itemStyle": {"color": "#0b6e4f"}}],
    }
    return json.dumps(option, ensure_ascii=False)


def _bars(values: Sequence[int | float | None], colours: Sequence[str] | None) -> list[Any]:
    # A bar may carry its own colour (a legend band): ECharts takes {value, itemStyle} per item.
    if colours is None:
        return list(values)
    return [{"value": v, "itemStyle": {"color": c}} for v, c in zip(values, colours, strict=True)]


def line_chart(
    title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """A line chart with one line per named series (gaps where a value is None), as JSON."""
    option: dict[str, Any] = {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": [name for name, _ in series]},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "category", "data": list(categories)},
        "yAxis": {"type": "value", "scale": True},
        "series": [
            {"type": "line", "name": name, "data": list(values), "connectNulls": False}
            for name, values in series
        ],
    }
    return json.dumps(option, ensure_ascii=False)
