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
TOWNS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")  # several towns

FONT = "DejaVu Sans"  # ships with matplotlib; has every Polish letter

WIDTH = 6.4  # inches: every chart of a report has the page's width, so they line up

RC = {
    "font.family": FONT,
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
