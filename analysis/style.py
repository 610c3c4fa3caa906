"""The look of every chart: one colour-blind-safe palette and one set of matplotlib settings."""

from __future__ import annotations

import matplotlib

# Okabe–Ito palette: distinguishable with every common colour-vision deficiency.
TOWN = "#D55E00"         # vermillion: the town itself
PEER_MEDIAN = "#0072B2"  # blue: the peer-group median
PEER_BAND = "#56B4E9"    # sky blue: the peers' middle half (Q1–Q3)
NEUTRAL = "#555555"      # grey: axes, neutral indicators
GOOD = "#009E73"         # bluish green: better than most peers
BAD = "#CC79A7"          # reddish purple: worse than most peers

FONT = "DejaVu Sans"     # ships with matplotlib; has every Polish letter

RC = {
    "font.family": FONT,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": NEUTRAL,
    "axes.labelcolor": "#222222",
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "svg.fonttype": "none",  # text stays text: searchable, and small files
    "svg.hashsalt": "diagnoza",  # stable ids, so the same chart gives the same bytes
    "figure.dpi": 100,
}


def apply() -> None:
    matplotlib.use("Agg")
    matplotlib.rcParams.update(RC)
