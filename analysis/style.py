"""The look of every chart: one colour-blind-safe palette and one seaborn theme, applied in a context.

Charts are drawn inside `theme()`, which sets matplotlib's settings only for the duration of
the `with` block (`matplotlib.rc_context`): an analyst's own plots in the same kernel keep
their look, and nothing here picks a backend, so `plt.show()` still shows.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from typing import Iterator

# Okabe–Ito palette: distinguishable with every common colour-vision deficiency.
TOWN = "#D55E00"  # vermillion: the town itself
PEER_MEDIAN = "#0072B2"  # blue: the peer-group median
PEER_BAND = "#56B4E9"  # sky blue: the peers' middle half (Q1–Q3)
NEUTRAL = "#555555"  # grey: axes, neutral indicators
GOOD = "#009E73"  # bluish green: better than most peers
BAD = "#CC79A7"  # reddish purple: worse than most peers
# A section verdict's mark where verdicts stand in a column (the batch index): the shapes and colours of the
# position chart's marks (strength, weakness, other), so that "korzystniej" and "mniej korzystnie", alike at a
# glance, differ, in greyscale by shape. A section without a verdict has none.
VERDICT_MARKS = {"better": ("▲", GOOD), "similar": ("●", NEUTRAL), "worse": ("▼", BAD)}
TOWNS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")  # several towns

FONT = "DejaVu Sans"  # ships with matplotlib; has every Polish letter

WIDTH = 6.4  # inches: a chart's width unless it is a line chart over the years (a position chart's names need it)
# A line chart over the years is as narrow as keeps its 9 pt labels 10 px high on a phone: a 390 px screen
# gives it 350 px, 0.84 of its 418, so it fits whole, latest years and legend too, with no sideways scrolling;
# wide enough for its legend in two columns. It prints at its own size (centred).
LINE_WIDTH = 4.35
SCREEN_SCALE = 1.25  # a chart on a wider screen: its 9 pt labels as large as the page's text (15 px)

RC = {
    # Then the generic family: in the SVG, a screen without DejaVu Sans (a phone) draws the text in one of
    # matplotlib's sans-serif fallbacks (Verdana, Arial, Helvetica…), not in its default serif.
    "font.family": [FONT, "sans-serif"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": NEUTRAL,
    "axes.labelcolor": "#222222",
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "legend.handlelength": 1.6,  # em; with the two below, a narrow chart's legend fits in two columns
    "legend.handletextpad": 0.6,
    "legend.columnspacing": 1.2,
    "svg.fonttype": "none",  # text stays text: searchable, and small files
    "svg.hashsalt": "diagnoza",  # stable ids, so the same chart gives the same bytes
    "figure.dpi": 100,
}


@cache
def settings() -> dict:
    """seaborn's "ticks" style with the report's font, palette and sizes."""
    import matplotlib
    import seaborn

    return {**seaborn.axes_style("ticks"), **RC, "axes.prop_cycle": matplotlib.cycler(color=TOWNS)}


@contextmanager
def theme() -> Iterator[None]:
    """The report's look (`settings`), for the `with` block only."""
    import matplotlib

    with matplotlib.rc_context(settings()):
        yield
