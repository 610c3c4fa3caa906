"""How one indicator is judged against the peers: a bounded score and the one strength/weakness rule.

Both are used everywhere a report judges an indicator (section verdicts, the
summary, the section text, the tables, the spreadsheet), so they cannot disagree.

Score: (value − peer median) / scale, signed so that positive is better, capped at
±`SCORE_CAP`. The scale is the largest of 1.4826 × MAD, IQR / 1.349 (both equal the
standard deviation for normal data) and the indicator's `min_difference` from the
catalogue. The floor keeps peers that cluster (pre-school coverage near 100 %) from
turning a trivial difference into an extreme score; the cap keeps any one indicator
from dominating a section. A value resting on counts whose 95% interval includes the
peer median scores 0: a difference within chance, which the strength/weakness rule marks
neither way, counts as no difference in a section verdict either. A small town's rate of a
few dozen births then cannot carry a verdict that the report's own text calls chance.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.catalogue import Direction, Indicator
from analysis.rounding import round_half_up

MAD_TO_SD = 1.4826
IQR_TO_SD = 1.349
SCORE_CAP = 2.0
STRONG, WEAK = 75.0, 25.0  # percentiles (100 = best) a strength must reach, a weakness must not exceed
PERCENTILE_DECIMALS = 0  # a position is printed, and read against STRONG and WEAK, as a whole number

STRENGTH, WEAKNESS, NONE = "strength", "weakness", ""


def judged_by_design(indicator: Indicator, matching: bool) -> bool:
    """Whether the report judges the indicator at all: not a neutral one, nor one the peers were matched on (which
    pulls the town towards their median by construction). Every table and verdict asks this one question."""
    return indicator.direction != Direction.NEUTRAL and not matching


def sign(direction: Direction) -> int:
    """+1 where higher is better (or neutral), −1 where lower is better."""
    return -1 if direction == Direction.LOWER_BETTER else 1


def score_scale(peer_values: np.ndarray, min_difference: float) -> float:
    """max(1.4826 × MAD, IQR / 1.349, min_difference) of the peers' values."""
    q1, median, q3 = np.quantile(peer_values, [0.25, 0.5, 0.75])
    mad = MAD_TO_SD * np.median(np.abs(peer_values - median))
    return float(max(mad, (q3 - q1) / IQR_TO_SD, min_difference))


def interval_includes_median(peer_median: float, ci_low: float, ci_high: float) -> bool:
    """The value's 95% interval includes the peer median: its difference from the peers is within chance.
    False where there is no interval (NaN bounds: a value not resting on counts)."""
    return bool(ci_low <= peer_median <= ci_high)


def distance_from_peers(
    value: float, peer_values, indicator: Indicator, ci_low: float = math.nan, ci_high: float = math.nan
) -> float:
    """The town's distance from the peer median in scale units, positive = better, not capped: what orders
    strengths and weaknesses, furthest first, where several reach the score's cap (`bounded_score`).

    0 where the value's 95% interval (`ci_low`, `ci_high`: a value resting on counts) includes
    the median. NaN for a neutral indicator, a missing value, no peers, or a scale of zero
    (which only a neutral indicator without `min_difference` can have).
    """
    peers = np.asarray(peer_values, dtype=float)
    peers = peers[~np.isnan(peers)]
    if indicator.direction == Direction.NEUTRAL or math.isnan(value) or peers.size == 0:
        return math.nan
    scale = score_scale(peers, indicator.min_difference)
    if scale == 0:
        return math.nan
    median = float(np.median(peers))
    if interval_includes_median(median, ci_low, ci_high):
        return 0.0
    return float(sign(indicator.direction) * (value - median) / scale)


def bounded_score(distance: float) -> float:
    """The score: the distance from the peer median (`distance_from_peers`) within ±SCORE_CAP, so that no one
    indicator dominates a section."""
    return float(np.clip(distance, -SCORE_CAP, SCORE_CAP))


def assess(
    indicator: Indicator,
    value: float,
    peer_median: float,
    percentile: float,
    ci_low: float = math.nan,
    ci_high: float = math.nan,
) -> str:
    """STRENGTH, WEAKNESS or NONE: the one rule.

    A strength: the town is in the best quarter of its peers (percentile ≥ 75), at
    least `min_difference` better than their median, and, where the value rests on
    counts, its 95% interval lies wholly on the better side of the median (the
    difference clears the noise). A weakness mirrors it. The caller decides whether
    the indicator is judged at all (neutral, peer-matching or unranked ones are not).
    """
    if math.isnan(value) or math.isnan(peer_median) or math.isnan(percentile):
        return NONE
    percentile = float(round_half_up(percentile, PERCENTILE_DECIMALS))  # as printed: "75" is in the best quarter
    better_by = sign(indicator.direction) * (value - peer_median)
    higher_is_better = sign(indicator.direction) > 0
    if percentile >= STRONG and better_by >= indicator.min_difference:
        return STRENGTH if _interval_clear_of(peer_median, ci_low, ci_high, above=higher_is_better) else NONE
    if percentile <= WEAK and -better_by >= indicator.min_difference:
        return WEAKNESS if _interval_clear_of(peer_median, ci_low, ci_high, above=not higher_is_better) else NONE
    return NONE


def held_back_by_chance(
    indicator: Indicator, value: float, peer_median: float, percentile: float, ci_low: float, ci_high: float
) -> bool:
    """Whether the town's position and difference would make the value a strength or weakness, but its 95%
    interval includes the peer median, so the one rule leaves it unmarked: a reader who sees a position of 95
    without a mark is told why (`narrative`, the changes tables' notes) instead of left to wonder."""
    return (
        assess(indicator, value, peer_median, percentile) != NONE
        and assess(indicator, value, peer_median, percentile, ci_low, ci_high) == NONE
    )


def _interval_clear_of(median: float, low: float, high: float, above: bool) -> bool:
    """The 95% interval lies wholly above (or below) the median; True where there is no interval."""
    if math.isnan(low) or math.isnan(high):
        return True
    return low > median if above else high < median
