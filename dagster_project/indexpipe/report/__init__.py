"""`indexpipe report`: the quarterly chartbook of a size index, from the marts of a built warehouse.

data.py reads the figures (read-only), exhibits.py lays them out in the chartbook's order, charts.py draws them
with plotly, render.py writes one self-contained HTML file, browser.py drives headless Chromium (PDF, checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexpipe.report import data, exhibits, preview_page
from indexpipe.report.data import ReportError
from indexpipe.report.quarters import Quarter
from indexpipe.report.render import render_html
from indexpipe.warehouse import connect_read_only, require_relations

__all__ = ["Quarter", "ReportError", "ReportFile", "default_path", "write_report"]

MARTS = (
    "dim_index",
    "dim_security",
    "fct_index_levels",
    "fct_index_period_returns",
    "fct_style_box_returns",
    "fct_ipo_additions",
    "fct_industry_weights",
    "fct_industry_contribution",
    "fct_index_characteristics",
)


@dataclass(frozen=True)
class ReportFile:
    path: Path
    index_code: str
    index_name: str
    quarter: Quarter
    exhibits: int
    charts: int


def default_path(db: Path, index_code: str, quarter: Quarter) -> Path:
    """Next to the warehouse: data/reports/R2000_2026Q4.html for the default one."""
    return db.resolve().parent / "reports" / f"{index_code}_{quarter.code}.html"


def write_report(
    db: Path, index_code: str = "R2000", quarter: Quarter | None = None, out: Path | None = None
) -> ReportFile:
    with connect_read_only(db) as con:
        require_relations(con, MARTS)
        book = data.load(con, index_code, quarter)
        preview = preview_page.load(con, book.quarter, book.as_of)
    sections = exhibits.build(book)
    if preview is not None:
        sections.append(preview_page.section(preview))
    html = render_html(book, sections, db.name)
    path = out if out is not None else default_path(db, book.index_code, book.quarter)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    shown = [e for s in sections for e in s.exhibits]
    return ReportFile(
        path, book.index_code, book.index_name, book.quarter, len(shown), sum(1 for e in shown if e.chart)
    )
