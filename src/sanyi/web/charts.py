"""ECharts options built on the server and handed to the page as JSON (see static/js/charts.js)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def bar_chart(
    title: str, categories: Sequence[str], values: Sequence[int | float], *, horizontal: bool = True
) -> str:
    """A bar chart option as JSON, for a ``data-chart`` attribute."""
    category_axis: dict[str, Any] = {"type": "category", "data": list(categories), "inverse": horizontal}
    value_axis: dict[str, Any] = {"type": "value", "minInterval": 1}
    option: dict[str, Any] = {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [{"type": "bar", "data": list(values), "itemStyle": {"color": "#0b6e4f"}}],
    }
    return json.dumps(option, ensure_ascii=False)
