"""The chartbook's charts with plotly: each one a <div> drawn by the plotly.js bundle embedded once in the page,
so the file opens offline. Values arrive in percent (or index points) and are printed with the report's decimals.
Every chart has a fixed div id, so the same warehouse gives the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go
import plotly.offline

# FTSE Russell-like blues and greys first, then distinct hues for the eleven industries.
PALETTE = (
    "#1f3864", "#6d8fc7", "#2e75b6", "#a5a5a5", "#c55a11", "#70ad47",
    "#7030a0", "#ffc000", "#00b0a0", "#e377c2", "#8c564b", "#17becf",
)  # fmt: skip
_CONFIG = {"displayModeBar": False, "responsive": True}
_HEIGHT = 380


def plotly_js() -> str:
    """The plotly.js bundle that ships with the Python package (no network)."""
    return plotly.offline.get_plotlyjs()


def _layout(fig: go.Figure, *, y_title: str = "", x_title: str = "", height: int = _HEIGHT) -> None:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "y": -0.15, "x": 0},
        font={"family": "Arial, Helvetica, sans-serif", "size": 12},
        colorway=list(PALETTE),
        yaxis_title=y_title,
        xaxis_title=x_title,
    )


def _html(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG)


def grouped_bars(
    div_id: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], y_title: str
) -> str:
    fig = go.Figure()
    for name, values in series:
        fig.add_bar(
            name=name,
            x=list(categories),
            y=list(values),
            hovertemplate="%{x}: %{y:.1f}<extra>" + name + "</extra>",
        )
    _layout(fig, y_title=y_title)
    fig.update_layout(barmode="group", legend={"y": -0.12})
    return _html(fig, div_id)


def horizontal_bars(
    div_id: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], x_title: str
) -> str:
    """Industries down the page, first at the top."""
    fig = go.Figure()
    for name, values in series:
        fig.add_bar(
            name=name,
            y=list(categories),
            x=list(values),
            orientation="h",
            hovertemplate="%{y}: %{x:.1f}<extra>" + name + "</extra>",
        )
    # about 12 px per bar, so four quarters of eleven industries stay on one screen
    _layout(fig, x_title=x_title, height=max(_HEIGHT, 12 * len(categories) * len(series) + 120))
    fig.update_layout(barmode="group", showlegend=len(series) > 1, margin={"l": 170})
    fig.update_yaxes(autorange="reversed")
    return _html(fig, div_id)


def lines(div_id: str, series: Sequence[tuple[str, Sequence[date], Sequence[float]]], y_title: str) -> str:
    fig = go.Figure()
    for name, days, values in series:
        fig.add_scatter(
            name=name,
            x=list(days),
            y=list(values),
            mode="lines",
            hovertemplate="%{x}: %{y:,.0f}<extra>" + name + "</extra>",
        )
    _layout(fig, y_title=y_title)
    return _html(fig, div_id)


def stacked_area(
    div_id: str, days: Sequence[date], series: Sequence[tuple[str, Sequence[float]]], y_title: str
) -> str:
    fig = go.Figure()
    for name, values in series:
        fig.add_scatter(
            name=name,
            x=list(days),
            y=list(values),
            mode="lines",
            stackgroup="weights",
            line={"width": 0.5},
            hovertemplate="%{x}: %{y:.1f}<extra>" + name + "</extra>",
        )
    _layout(fig, y_title=y_title, height=440)
    fig.update_yaxes(range=[0, 100])
    fig.update_layout(legend={"y": -0.12})
    return _html(fig, div_id)
