"""Charts: margins fitted to their labels (nothing cut off, little white) and a fixed width."""

from __future__ import annotations

import io
import re

import pytest

from analysis import charts
from analysis.params import load_batch
from analysis.paths import PARAMS_DIR
from analysis.report import prepare_report

SECTIONS = ("demography", "economy", "services")


@pytest.fixture(scope="module")
def drawn_charts():
    """Every chart of four demo towns, in both languages: (figure, svg) pairs, the figure as saved."""
    closed, svgs = [], []
    patch = pytest.MonkeyPatch()
    real_close = charts.plt.close
    patch.setattr(charts.plt, "close", lambda figure: (closed.append(figure), real_close(figure)))
    try:
        for language in ("pl", "en"):
            for teryt in load_batch(PARAMS_DIR / "demo.yaml").teryts[::14]:
                report = prepare_report(teryt, 2014, 2024, language, "nearest", 20, "", "", "")
                made = [charts.projection_chart(report)]
                for section in SECTIONS:
                    made += [charts.position_chart(report, section), *charts.headline_charts(report, section)]
                svgs += [chart.svg for chart in made if chart]
    finally:
        patch.undo()
    assert len(closed) == len(svgs) > 40
    return list(zip(closed, svgs))


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
