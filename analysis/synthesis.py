"""The diagnosis in brief: a transparent score per section and the clearest strengths and weaknesses.

The section score is the mean, over the section's directional indicators, of the
robust z-score against the peer group (positive = better than the peer median),
so a reader can recompute it from the tables.
"""

from __future__ import annotations

import pandas as pd

from analysis.catalogue import SECTIONS, Direction, indicators_in
from analysis.compare import town_percentiles
from analysis.peers import PeerRule, choose_peers


def _directional(comparison: pd.DataFrame) -> pd.DataFrame:
    return comparison.loc[comparison["direction"] != Direction.NEUTRAL.value]


def section_scores(comparison: pd.DataFrame) -> pd.Series:
    """Mean direction-adjusted robust z per section (NaN where no indicator has one)."""
    rows = _directional(comparison)
    return pd.Series({s: rows.loc[rows["section"] == s, "robust_z"].mean() for s in SECTIONS}, name="score")


def strongest_and_weakest(comparison: pd.DataFrame, n: int = 5) -> tuple[list[str], list[str]]:
    """The n indicators furthest above and below the peer median, in robust z (better first / worse first)."""
    scored = _directional(comparison).dropna(subset=["robust_z"])
    strongest = scored.loc[scored["robust_z"] > 0].sort_values("robust_z", ascending=False).head(n)
    weakest = scored.loc[scored["robust_z"] < 0].sort_values("robust_z").head(n)
    return list(strongest.index), list(weakest.index)


SENSITIVITY_RULES = (PeerRule(method="nearest"), PeerRule(method="voivodeship"), PeerRule(method="population_class"))


def peer_sensitivity(town: str, units: pd.DataFrame, values: pd.DataFrame, year: int,
                     rules: tuple[PeerRule, ...] = SENSITIVITY_RULES,
                     features: pd.DataFrame | None = None) -> pd.DataFrame:
    """The town's mean percentile per section under each alternative peer rule.

    If the diagnosis holds only under one rule, the reader should know. A rule that
    cannot be applied (too few peers) gives a row of NaN rather than an error.
    `features`: the matching features of `year`, if already computed (see `choose_peers`).
    """
    judged = {s: [i.id for i in indicators_in(s) if i.direction != Direction.NEUTRAL] for s in SECTIONS}
    rows = {}
    for rule in rules:
        try:
            group = choose_peers(town, units, values, rule, year, features)
        except ValueError:
            rows[rule.method] = {s: float("nan") for s in SECTIONS} | {"peers": 0}
            continue
        towns = values.index.get_level_values("teryt")
        percentiles = town_percentiles(town, group.members, values.loc[towns.isin((town, *group.members))], year)
        rows[rule.method] = {s: percentiles[list(judged[s])].mean() for s in SECTIONS}
        rows[rule.method]["peers"] = len(group.members)
    return pd.DataFrame.from_dict(rows, orient="index")
