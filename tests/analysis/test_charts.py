"""Charts: margins fitted to their labels (nothing cut off, little white), a fixed width, and
figures reused between charts without a trace in the output."""

from __future__ import annotations

import dataclasses
import io
import re

import numpy as np
import pytest

from analysis import charts
from analysis.params import load_batch
from analysis.paths import PARAMS_DIR
from analysis.report import prepare_report

SECTIONS = ("demography", "economy", "services")


def _every_chart(report) -> list[str]:
    """The SVG of every chart of a report, in the notebook's order."""
    made = [charts.projection_chart(report)]
    for section in SECTIONS:
        made += [charts.position_chart(report, section), *charts.headline_charts(report, section)]
    return [chart.svg for chart in made if chart]


def _demo_reports(step: int) -> list:
    return [prepare_report(teryt, 2014, 2024, language, "nearest", 20, "", "", "")
            for language in ("pl", "en") for teryt in load_batch(PARAMS_DIR / "demo.yaml").teryts[::step]]


@pytest.fixture(scope="module")
def drawn_charts():
    """Every chart of four demo towns, in both languages: (figure, svg) pairs, the figure as saved.

    Drawn on new figures, so that each figure stays as it was saved."""
    saved = []
    patch = pytest.MonkeyPatch()
    real_to_svg = charts._to_svg

    def keep_figure(figure, axes, *args):
        svg = real_to_svg(figure, axes, *args)
        saved.append((figure, svg))
        return svg

    patch.setattr(charts, "_to_svg", keep_figure)
    try:
        with charts.new_figures():
            for report in _demo_reports(14):
                _every_chart(report)
    finally:
        patch.undo()
    assert len(saved) > 40
    return saved


def _white_around_content(figure) -> dict[str, float]:
    """Points of white between the figure's edges and its outermost artist, measured as the SVG
    backend measures text (the way `bbox_inches="tight"` would have cropped it)."""
    from matplotlib.backends.backend_svg import RendererSVG

    width, height = figure.get_size_inches()
    figure.set_dpi(72)  # one display unit = one point
    box = figure.get_tightbbox(RendererSVG(width * 72, height * 72, io.StringIO()))
    return {"left": box.x0 * 72, "bottom": box.y0 * 72, "right": (width - box.x1) * 72, "top": (height - box.y1) * 72}


def test_no_chart_text_is_cut_off_and_little_white_is_left(drawn_charts):
    # The margins are computed from the label strings; matplotlib's own layout of the drawn figure
    # is the independent check. Every side keeps at least most of the 4 pt pad; no side wastes more
    # than 18 pt (the right side keeps room for a last year's label that may not be there).
    for figure, _ in drawn_charts:
        white = _white_around_content(figure)
        assert min(white.values()) >= charts.MARGIN_PAD - 0.5, (figure.axes[0].get_ylabel(), white)
        assert max(white.values()) <= 18, (figure.axes[0].get_ylabel(), white)


def test_every_chart_has_the_report_width(drawn_charts):
    # 6.4 in = 460.8 pt: charts line up in the report instead of each being cropped to its own size.
    widths = {re.search(r'<svg[^>]* width="([0-9.]+)pt"', svg).group(1) for _, svg in drawn_charts}
    assert widths == {"460.8"}


def test_reused_figures_draw_exactly_what_new_figures_draw():
    # A report draws its charts on figures kept from the previous charts (charts._blank_axes).
    # Reference: the same charts drawn each on a new figure, as matplotlib is usually used.
    # Towns, languages and chart heights alternate, and one town has an indicator without any
    # data (a trend chart with nothing to scale its axes to) between two ordinary ones.
    reports = _demo_reports(9)
    first = reports[0]
    headline = next(ind.id for ind in charts.indicators_in("economy") if ind.headline)
    no_data = dataclasses.replace(first, values=first.values.assign(**{headline: np.nan}))
    reports = [reports[0], no_data, *reports[1:]]
    reused = [svg for report in reports for svg in _every_chart(report)]
    with charts.new_figures():
        fresh = [svg for report in reports for svg in _every_chart(report)]
    assert len(reused) == len(fresh) > 100
    assert len(set(fresh)) > len(fresh) * 0.9  # the charts differ from one another: the comparison is not empty
    for index, (drawn, reference) in enumerate(zip(reused, fresh)):
        assert drawn == reference, f"chart {index} differs from the same chart on a new figure"
