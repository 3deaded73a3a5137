"""Reading the chartbook's HTML back in tests: the exhibits with their titles, tables and chart <div>s, and, from
the DOM headless Chromium dumps after the scripts ran, what each chart actually drew."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

# HTML elements without an end tag; everything inside a plotly chart (SVG) is closed explicitly
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class TableBack:
    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def row(self, first_cell: str) -> list[str]:
        return next(r for r in self.rows if r[0] == first_cell)

    def data_rows(self) -> list[list[str]]:
        return [r for r, kind in zip(self.rows, self.kinds, strict=True) if kind == "data"]


@dataclass
class ExhibitBack:
    number: str
    label: str = ""
    title: str = ""
    subtitle: str = ""
    empty: str = ""
    charts: list[str] = field(default_factory=list)  # ids of the plotly <div>s
    tables: list[TableBack] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _ReportParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.exhibits: dict[str, ExhibitBack] = {}
        self.not_produced: list[str] = []
        self._exhibit: ExhibitBack | None = None
        self._section_depth = 0
        self._exhibit_depth = 0
        self._field: str | None = None
        self._text: list[str] = []
        self._table: TableBack | None = None
        self._row: list[str] | None = None
        self._row_kind = "data"
        self._in_header = False
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "script":
            self._script = True
        if tag == "section":
            self._section_depth += 1
            if "exhibit" in classes:
                self._exhibit = ExhibitBack(a["data-exhibit"] or "")
                self.exhibits[self._exhibit.number] = self._exhibit
                self._exhibit_depth = self._section_depth
        if tag == "dt" and a.get("data-exhibit"):
            self.not_produced.append(a["data-exhibit"] or "")
        if self._exhibit is None:
            return
        if tag == "div" and "plotly-graph-div" in classes:
            self._exhibit.charts.append(a.get("id") or "")
        elif tag == "table":
            self._table = TableBack()
            self._exhibit.tables.append(self._table)
        elif tag == "thead":
            self._in_header = True
        elif tag == "tbody":
            self._in_header = False
        elif tag == "tr" and self._table is not None:
            self._row, self._row_kind = [], (classes[0] if classes else "data")
        elif tag in ("td", "th", "caption") or (tag in ("p", "h3") and classes):
            self._field = tag if tag in ("td", "th", "caption") else classes[0]
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False
        if tag == "section":
            if self._exhibit is not None and self._section_depth == self._exhibit_depth:
                self._exhibit = None
            self._section_depth -= 1
            return
        if self._exhibit is None:
            return
        if self._field is not None and tag in ("td", "th", "caption", "p", "h3"):
            text = " ".join("".join(self._text).split())
            if self._field in ("td", "th") and self._row is not None:
                self._row.append(text)
            elif self._field == "caption" and self._table is not None:
                self._table.caption = text
            elif self._field == "exhibit-number":
                self._exhibit.label = text
            elif self._field == "exhibit-title":
                self._exhibit.title = text
            elif self._field == "exhibit-subtitle":
                self._exhibit.subtitle = text
            elif self._field == "empty":
                self._exhibit.empty = text
            elif self._field == "note":
                self._exhibit.notes.append(text)
            self._field = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._in_header:
                if self._row_kind != "header-groups":
                    self._table.header = self._row
            else:
                self._table.rows.append(self._row)
                self._table.kinds.append(self._row_kind)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._field is not None and not self._script:
            self._text.append(data)


def parse_report(html: str) -> tuple[dict[str, ExhibitBack], list[str]]:
    """The exhibits by number ("1", "1b", ... "12d") in page order, and the numbers listed as not produced."""
    parser = _ReportParser()
    parser.feed(html)
    return parser.exhibits, parser.not_produced


@dataclass
class DrawnChart:
    svgs: int = 0  # <svg class="main-svg"> plotly drew
    traces: int = 0  # <g class="trace ..."> groups
    marks: int = 0  # bar, line and area paths with a non-empty outline inside a trace


class _DomParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: dict[str, DrawnChart] = {}
        self._chart: DrawnChart | None = None
        self._stack: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if self._chart is None:
            if tag == "div" and "plotly-graph-div" in classes:
                self._chart = self.charts[a.get("id") or ""] = DrawnChart()
                self._stack = [(tag, classes)]
            return
        if tag in _VOID:
            return
        in_trace = any("trace" in cs for _, cs in self._stack)  # not the legend's "traces"
        self._stack.append((tag, classes))
        if tag == "svg" and "main-svg" in classes:
            self._chart.svgs += 1
        elif tag == "g" and "trace" in classes:
            self._chart.traces += 1
        elif tag == "path" and in_trace and len((a.get("d") or "").strip()) > 2:
            self._chart.marks += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._chart is not None and tag not in _VOID and self._stack:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._chart is None or tag in _VOID:
            return
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if not self._stack:
            self._chart = None


def drawn_charts(dom: str) -> dict[str, DrawnChart]:
    """What plotly drew into each chart <div> of a rendered DOM, by div id."""
    parser = _DomParser()
    parser.feed(dom)
    return parser.charts


def rendered_dom_or_skip(page: Path) -> str:
    """The DOM of ``page`` after headless Chromium ran its scripts. Without Chromium the test is skipped, unless
    INDEXPIPE_REQUIRE_BROWSER is set (CI sets it, and .ci/run installs the package), where it fails."""
    from indexpipe.report.browser import find_chromium, rendered_dom

    if find_chromium() is None:
        if os.environ.get("INDEXPIPE_REQUIRE_BROWSER"):
            pytest.fail(
                "INDEXPIPE_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)"
            )
        pytest.skip("headless Chromium is not installed (Debian package chromium; .ci/run installs it)")
    return rendered_dom(page)
