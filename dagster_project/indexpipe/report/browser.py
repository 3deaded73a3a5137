"""Headless Chromium (the Debian package ``chromium``) for what only a browser can do: run the report's
JavaScript (the DOM after plotly drew every chart) and print the report to PDF."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# No network, no profile state, no background services: the page is a local file and must draw on its own.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# the virtual clock runs this long after load (ms), so the charts' scripts finish before the DOM is read
VIRTUAL_TIME_BUDGET_MS = 15_000


class BrowserError(Exception):
    """Chromium is missing or failed: one line for the user."""


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(extra: list[str], page: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    chromium = find_chromium()
    if chromium is None:
        raise BrowserError(
            "Chromium not found: install the Debian package chromium (apt-get install chromium)"
        )
    with tempfile.TemporaryDirectory(prefix="indexpipe-chromium-") as profile:
        command = [chromium, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise BrowserError(f"Chromium did not finish {page.name} within {timeout:.0f} s") from exc
    if result.returncode != 0:
        tail = " ".join(result.stderr.split())[-300:]
        raise BrowserError(f"Chromium failed on {page.name} (exit {result.returncode}): {tail}")
    return result


def rendered_dom(page: Path, timeout: float = 120) -> str:
    """The page's DOM after its scripts ran (``--dump-dom``)."""
    return _run([f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", "--dump-dom"], page, timeout).stdout


def print_pdf(page: Path, pdf: Path, timeout: float = 180) -> Path:
    pdf.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
        ],
        page,
        timeout,
    )
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise BrowserError(f"Chromium wrote no PDF for {page.name}")
    return pdf
