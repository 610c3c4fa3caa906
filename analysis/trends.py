"""Yearly trends that survive autocorrelation and outliers, and the town-versus-peers trend test.

Slope: Theil–Sen (the median of the slopes between every pair of years), which one
outlying year cannot move far. Interval: Sen's rank-based interval, widened by the
Yue–Wang correction for the lag-1 autocorrelation that annual series have and an
OLS interval ignores (docs/validation.md reports its coverage on simulated series). A trend whose 95% interval covers zero
is called unclear ("trend niejednoznaczny"), never "no change": its magnitude is
still shown. The town-versus-peers test is the same trend on the difference series
(town minus peer median, or, for levels, both indexed to their first year = 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
MIN_POINTS = 5  # fewer years give no trend
NOISE = 1e-9  # relative size below which a pairwise slope is rounding error
MAX_RHO = 0.8  # autocorrelation above this is not told apart from a trend in a decade of data

LEVEL_INDICATORS = ("population",)  # sizes, not rates: compared with peers as % of the first year


@dataclass(frozen=True)
class Trend:
    """Average change per year (Theil–Sen) and its 95% interval (Sen, autocorrelation-corrected)."""

    slope: float
    low: float
    high: float
    first_year: int
    last_year: int
    points: int

    @property
    def clear(self) -> bool:
        """The 95% interval excludes zero: the direction is clear; otherwise it is unclear."""
        return self.low > 0 or self.high < 0


@lru_cache(maxsize=32)
def _pairs(years: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    i, j = np.triu_indices(len(years), k=1)
    x = np.asarray(years, dtype=float)
    return i, j, x[j] - x[i]


def theil_sen(years, values) -> np.ndarray:
    """Theil–Sen slope of each row of `values` (rows × years) on `years`."""
    i, j, dx = _pairs(tuple(int(y) for y in years))
    values = np.atleast_2d(values)
    return np.median((values[:, j] - values[:, i]) / dx, axis=1)


def kendall_s_variance(values: np.ndarray) -> float:
    """Variance of Kendall's S for a series with no trend, less the part tied values cannot contribute:
    [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 over each group of t equal values. Published values repeat
    (a nursery count unchanged for years, a share printed to one decimal); without the correction the
    interval of such a series is wider than its data warrant."""
    n = len(values)
    _, tied = np.unique(np.round(np.asarray(values, dtype=float), 9), return_counts=True)
    return float(n * (n - 1) * (2 * n + 5) - np.sum(tied * (tied - 1) * (2 * tied + 5))) / 18


def lag1_autocorrelation(residuals: np.ndarray) -> float:
    centred = residuals - residuals.mean()
    denominator = float(np.sum(centred**2))
    return float(np.sum(centred[1:] * centred[:-1]) / denominator) if denominator > 0 else 0.0


def corrected_lag1(residuals: np.ndarray) -> float:
    """Lag-1 autocorrelation of detrended residuals with the small-sample bias correction r + (1 + 4r)/n:
    from a decade of data the plain estimate is biased towards zero (and negative)."""
    r = lag1_autocorrelation(residuals)
    return r + (1 + 4 * r) / len(residuals)


def robust_trend(series: pd.Series) -> Trend | None:
    """Theil–Sen slope with Sen's 95% interval, widened for autocorrelation; None with fewer than MIN_POINTS years.

    Sen's interval takes the order statistics of the pairwise slopes at ranks
    (N ∓ z·√Var(S))/2, where Var(S) is the variance of Kendall's S (`kendall_s_variance`, with ties).
    Positive lag-1 autocorrelation ρ of the residuals (bias-corrected) multiplies Var(S)
    by (1+ρ)/(1−ρ) (Yue & Wang 2004, effective sample size); ρ is capped at `MAX_RHO`.
    """
    series = series.dropna()
    if len(series) < MIN_POINTS:
        return None
    years = series.index.to_numpy(dtype=int)
    y = series.to_numpy(dtype=float)
    i, j, dx = _pairs(tuple(int(v) for v in years))
    slopes = (y[j] - y[i]) / dx
    # A billionth of the series' size is float noise (equal values reached by different sums): it is no
    # slope, and an interval of it (1e-15 to 1e-15) would otherwise read as a clear trend.
    slopes = np.sort(np.where(np.abs(slopes) < NOISE * np.abs(y).max(), 0.0, slopes))
    slope = float(np.median(slopes))
    n, pairs = len(y), len(slopes)
    rho = min(max(corrected_lag1(y - slope * years), 0.0), MAX_RHO)
    variance = kendall_s_variance(y) * (1 + rho) / (1 - rho)
    reach = norm_quantile((1 + CONFIDENCE) / 2) * np.sqrt(variance)
    ranks = np.clip([(pairs - reach) / 2, (pairs + reach) / 2], 0, pairs - 1)  # 0-based, interpolated
    low, high = np.interp(ranks, np.arange(pairs), slopes)
    return Trend(slope, float(low), float(high), int(years[0]), int(years[-1]), n)


@lru_cache(maxsize=4)
def norm_quantile(p: float) -> float:
    from scipy.special import ndtri  # scipy.stats would cost a second's import in every process

    return float(ndtri(p))


def difference_series(town: pd.Series, peers: pd.DataFrame, indicator_id: str) -> pd.Series:
    """Town minus the peers' median, year by year; for levels, both indexed to their first year (=100)."""
    if indicator_id in LEVEL_INDICATORS:
        town = town / town.dropna().iloc[0] * 100 if town.notna().any() else town
        peers = peers / peers.apply(lambda column: column.dropna().iloc[0] if column.notna().any() else np.nan) * 100
    return town - peers.median(axis=1)


def indicator_trends(values: pd.DataFrame, town: str, peers: tuple[str, ...]) -> pd.DataFrame:
    """For every indicator: the town's trend with its interval, and the trend of its difference from the peers.

    `values`: yearly indicators; the reports pass them computed from the population re-based for the
    census (`analysis.report.trend_values`), so the census step passes for no trend."""
    rows = {}
    teryts = values.index.get_level_values("teryt")
    if town not in teryts:
        return pd.DataFrame(
            columns=["slope", "low", "high", "clear", "vs_peers", "vs_peers_low", "vs_peers_high", "vs_peers_clear"]
        )
    town_values = values.xs(town, level="teryt")  # year × indicator, taken out once
    peer_values = values.loc[teryts.isin(peers)]
    peer_medians = peer_values.groupby(level="year").median().reindex(town_values.index)  # all rates at once
    for indicator_id in values.columns:
        trend = robust_trend(town_values[indicator_id])
        if indicator_id in LEVEL_INDICATORS:
            by_year = peer_values[indicator_id].unstack("teryt").reindex(town_values.index)
            difference = difference_series(town_values[indicator_id], by_year, indicator_id)
        else:
            difference = town_values[indicator_id] - peer_medians[indicator_id]
        versus = robust_trend(difference)
        rows[indicator_id] = {
            "slope": trend.slope if trend else np.nan,
            "low": trend.low if trend else np.nan,
            "high": trend.high if trend else np.nan,
            "clear": bool(trend and trend.clear),
            "vs_peers": versus.slope if versus else np.nan,
            "vs_peers_low": versus.low if versus else np.nan,
            "vs_peers_high": versus.high if versus else np.nan,
            "vs_peers_clear": bool(versus and versus.clear),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
