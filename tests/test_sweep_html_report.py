"""The interactive sweep report: one self-contained page, checked in a real headless browser.

The browser test starts Debian's chromium (``/usr/bin/chromium``; ``.ci/run`` installs it)
with a fresh profile, lets the page run, and reads the DOM back: the plot must have drawn
and a hover on a front point must show that point's values in the side panel. Without
chromium the browser test is skipped, saying so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from sweep_fakes import fake_load_design, fake_solve
from sweep_helpers import write_space

from layoutopt.sweep.report import write_report
from layoutopt.sweep.runner import run_sweep

FAKE = {"solve_fn": fake_solve, "load_fn": fake_load_design}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("html")
    out = root / "out"
    run_sweep(write_space(root), out, **FAKE)
    return write_report(out, formats=("svg",), drawings=True)


def _points(page: str) -> list[dict]:
    match = re.search(r"const POINTS = (\[.*?\]);\n", page, re.S)
    assert match
    return json.loads(match.group(1))


def test_the_page_is_self_contained_and_deterministic(report) -> None:
    page = (report.directory / "report.html").read_text()
    assert "<script src=" not in page and "https://" not in page.split("<script")[0]
    assert "Plotly.newPlot" in page or "newPlot" in page  # plotly.js embedded
    front = pd.read_csv(report.front_csv)
    points = _points(page)
    assert {p["key"] for p in points if p["front"]} == set(front["key"])
    for p in points:
        if p["front"] and p["key"] in report.drawings:
            assert p["files"]["top view (svg)"] == report.drawings[p["key"]]
            assert p["files"]["layout.json"].startswith("../")
    assert 'class="axis-filter" data-axis="max_thickness"' in page
    write_report(report.directory.parent, formats=("svg",), drawings=True)
    assert (report.directory / "report.html").read_text() == page
    assert "report.html" in report.summary.read_text()


def _js(value: object) -> str:
    """A value as JavaScript writes it into the page (400.0 reads 400)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _dump_dom(page: Path, profile: Path) -> str:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri() + "#selftest",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_the_plot_renders_and_a_hover_shows_the_values(report, tmp_path: Path) -> None:
    page = report.directory / "report.html"
    dom = _dump_dom(page, tmp_path / "profile")
    assert 'class="main-svg"' in dom  # plotly drew the figure
    assert 'data-selftest="hovered"' in dom
    points = {p["key"]: p for p in _points(page.read_text())}
    first = min(
        (p for p in points.values() if p["front"]),
        key=lambda p: (p["values"]["footprint_mm2"], p["values"]["thickness_um"], p["key"]),
    )
    panel = dom[dom.index('id="point"') : dom.index("<script", dom.index('id="point"'))]
    hovered = points[re.search(r"<h3>point ([0-9a-f]+)", panel).group(1)]
    # The hover lands on the first front point (or one at the very same place).
    for objective in ("footprint_mm2", "thickness_um"):
        assert hovered["values"][objective] == first["values"][objective]
    assert hovered["front"] and "(on the front)" in panel
    shown = re.findall(r'data-column="([^"]+)">([^<]*)<', panel)
    assert dict(shown) == {k: _js(v) for k, v in hovered["values"].items() if v is not None}
    assert "hovertext" in dom or "hoverlayer" in dom  # plotly's own hover label layer
