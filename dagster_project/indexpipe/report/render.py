"""The chartbook as one self-contained HTML file: a Jinja2 template, the exhibits, and plotly.js inline."""

from __future__ import annotations

from pathlib import Path

import jinja2

from indexpipe.report import charts
from indexpipe.report.data import Chartbook
from indexpipe.report.exhibits import NOT_PRODUCED, Section
from indexpipe.report.formats import long_date

TEMPLATES = Path(__file__).parent / "templates"


def render_html(book: Chartbook, sections: list[Section], warehouse_name: str) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("chartbook.html.j2").render(
        book=book,
        sections=sections,
        not_produced=NOT_PRODUCED,
        as_of=long_date(book.as_of),
        warehouse=warehouse_name,
        plotly_js=jinja2.utils.markupsafe.Markup(charts.plotly_js()),
    )
