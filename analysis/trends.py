"""Yearly trends that survive autocorrelation and outliers, and the town-versus-peers trend test.

Slope: Theil–Sen (the median of the slopes between every pair of years), which one
outlying year cannot move far. Interval: Sen's rank-based interval, widened for the lag-1
autocorrelation ρ that annual series have and an OLS interval ignores. A decade of one town
cannot tell its own ρ (11 points estimate it within ±0.5), so ρ is the indicator's, pooled
over the town and its peers and taken at its 80% upper confidence bound (`pooled_lag1`), or 1
for a stock such as population, whose noise adds up like a random walk (`trend_rho`), and the
widening is the factor that gives the interval 95% coverage under AR(1) noise of that ρ over
that many years (`ar1_calibration`, by simulation); docs/validation.md reports the coverage
this gives with ρ taken as reports take it. A trend whose 95% interval covers zero is called
unclear ("trend niejednoznaczny"), never "no change": its magnitude is still shown. One whose
interval is exactly 0 to 0 is stable ("stabilny"): most pairs of its years show no change at all (a
town without a nursery, water supply unchanged for years), which is no uncertainty. The
town-versus-peers test is the same trend on the difference series (town minus peer median, or,
for levels, both indexed to their first year = 100), with the indicator's ρ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.catalogue import indicators
from analysis.params import MIN_PEERS

CONFIDENCE = 0.95
MIN_POINTS = 5  # fewer years give no trend
NOISE = 1e-9  # relative size below which a pairwise slope is rounding error
MAX_RHO = 1.0  # a random walk (population, wandering around its trend), the end of the scale
RHO_GRID = np.round(np.arange(0.0, MAX_RHO + 1e-9, 0.05), 2)  # the ρ a pooled estimate is read off
# Series per ρ behind the table of lag-1 estimates: with 2,000 its median at ρ = 0.5 was 0.129 where 20,000
# series of other seeds read 0.106–0.109, and every pooled ρ came out about 0.05 low; with 10,000 the
# median's own error is a third of that (0.003).
LAG1_SIMULATIONS = 10_000
# The intervals take the pooled ρ at its one-sided 80% upper confidence bound, not at its estimate: near a
# random walk a decade's estimate is loose (ρ = 0.9 is read anywhere from 0.5 to 1 in a group of 21), and an
# interval built on a ρ read too low covers too little (docs/validation.md).
RHO_CONFIDENCE = 0.8
LAG1_SEED = 20261130
SPIKE = 3.0  # a year this many usual yearly moves from its running median is a spike (`despiked_lag1`)

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
        """The 95% interval excludes zero: the direction is clear; otherwise it is unclear, or stable."""
        return self.low > 0 or self.high < 0

    @property
    def stable(self) -> bool:
        """The 95% interval is 0 to 0: the slopes between most pairs of years are exactly zero."""
        return self.low == 0 and self.high == 0


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


def lag1_autocorrelation(residuals: np.ndarray) -> np.ndarray | float:
    """Lag-1 autocorrelation of residuals (the last axis: one value per row of a 2-D array)."""
    centred = residuals - residuals.mean(axis=-1, keepdims=True)
    denominator = np.sum(centred**2, axis=-1)
    products = np.sum(centred[..., 1:] * centred[..., :-1], axis=-1)
    result = np.divide(products, denominator, out=np.zeros_like(products, dtype=float), where=denominator > 0)
    return float(result) if np.ndim(result) == 0 else result


def despiked_lag1(residuals: np.ndarray) -> np.ndarray | float:
    """`lag1_autocorrelation` of residuals with each isolated spike replaced, row by row (the last axis).

    A year is a spike where it lies more than `SPIKE` times the series' usual yearly move (1.4826 × MAD of
    its year-to-year differences) from the running median of three (itself and its two neighbours; at either
    end, itself, its neighbour and the straight line through the next two): it then takes that median
    (Hampel's identifier on Tukey's smoother). A step that lasts keeps its place in the median; one wild year
    does not. Such a year pulls a series' estimate towards 0: with one in each series of a group, ρ = 0.9 was
    read as 0.25 and the trend intervals held the true slope in three series of four, not 95%. Measured
    against the yearly moves, a spike stands out even in a series that wanders, where clipping at the
    series' own spread kept most of it."""
    one_series = np.ndim(residuals) == 1
    residuals = np.atleast_2d(np.asarray(residuals, dtype=float))
    ends = (2 * residuals[:, 1] - residuals[:, 2], 2 * residuals[:, -2] - residuals[:, -3])
    padded = np.column_stack([ends[0], residuals, ends[1]])
    before, year, after = padded[:, :-2], padded[:, 1:-1], padded[:, 2:]
    # The median of three is max(min(a, b), min(max(a, b), c)): the same values as np.median over a stacked
    # axis, thirty times faster, which the simulated table of 210,000 series (`ar1_calibration`) feels.
    running = np.maximum(np.minimum(before, year), np.minimum(np.maximum(before, year), after))
    moves = np.diff(residuals, axis=1)
    usual = 1.4826 * np.median(np.abs(moves - np.median(moves, axis=1, keepdims=True)), axis=1, keepdims=True)
    result = lag1_autocorrelation(np.where(np.abs(residuals - running) > SPIKE * usual, running, residuals))
    return float(result[0]) if one_series else result


@lru_cache(maxsize=16)
def ar1_calibration(points: int) -> tuple[np.ndarray, np.ndarray]:
    """For each ρ of `RHO_GRID` (rows), from simulated AR(1) series of `points` consecutive years (fixed seed;
    ρ = 1 is a random walk):

    - the lag-1 autocorrelations of their Theil–Sen residuals (`despiked_lag1`), sorted: what one series
      reads at that ρ, which from a decade of data is far below ρ (median −0.15 at ρ = 0, 0.19 at ρ = 0.7,
      0.25 for a random walk); `pooled_lag1` reads a group's median against them;
    - the factor on the variance of Kendall's S that makes Sen's 95% interval (as `robust_trend` forms
      it) cover the true slope of 95% of those series: 1 at ρ = 0, 2.4 at ρ = 0.7, 3.2 at ρ = 0.9, 3.6
      for a random walk. The textbook (1+ρ)/(1−ρ) would be 5.7 and 19: intervals spanning every
      pairwise slope.
    """
    rng = np.random.default_rng(LAG1_SEED)
    shocks = rng.normal(size=(LAG1_SIMULATIONS, points))
    x = np.arange(points, dtype=float)
    i, j, dx = _pairs(tuple(range(points)))
    pairs = len(i)
    reach_per_unit = norm_quantile((1 + CONFIDENCE) / 2) * np.sqrt(points * (points - 1) * (2 * points + 5) / 18)
    lag1s, factors = [], []
    for rho in RHO_GRID:
        noise = np.empty_like(shocks)  # slope 0: the interval must cover 0
        # Stationary from the first year; at ρ = 1 a random walk from a fixed start.
        noise[:, 0] = shocks[:, 0] / np.sqrt(1 - rho**2) if rho < 1 else 0.0
        for k in range(1, points):
            noise[:, k] = rho * noise[:, k - 1] + shocks[:, k]
        slopes = np.sort((noise[:, j] - noise[:, i]) / dx, axis=1)
        theil_sen_slopes = (slopes[:, (pairs - 1) // 2] + slopes[:, pairs // 2]) / 2  # `theil_sen`: their median
        lag1s.append(np.sort(despiked_lag1(noise - theil_sen_slopes[:, None] * x)))
        # Where 0 falls among each series' sorted pairwise slopes (an interpolated rank), and so the
        # reach an interval of ranks (pairs ∓ reach) / 2 needs to hold it; 0 beyond every slope: never.
        below = np.clip((slopes < 0).sum(axis=1), 1, pairs - 1)
        rows = np.arange(len(slopes))
        left, right = slopes[rows, below - 1], slopes[rows, below]
        rank = below - 1 + np.clip(-left / np.where(right > left, right - left, 1.0), 0.0, 1.0)
        outside = (slopes[:, 0] > 0) | (slopes[:, -1] < 0)
        needed = np.where(outside, np.inf, np.abs(2 * rank - pairs))
        # Where 0 lies beyond every slope in more than 5% of series (a short series that wanders: five years
        # of a random walk are monotone one time in eight), no interval of ranks holds 95%: the factor is
        # infinite, and `robust_trend` gives no trend. (The quantile between two infinite values is inf − inf.)
        with np.errstate(invalid="ignore"):
            reach = float(np.quantile(needed, CONFIDENCE))
        factors.append(max(1.0, (reach / reach_per_unit) ** 2) if np.isfinite(reach) else np.inf)
    return np.array(lag1s), np.maximum.accumulate(np.array(factors))


def pooled_lag1(panel: pd.DataFrame, confidence: float = RHO_CONFIDENCE) -> float:
    """The lag-1 autocorrelation of an indicator's yearly noise, pooled over towns, at its one-sided
    `confidence` upper bound (0.5: the median-unbiased estimate, as Andrews 1993 for one series).

    `panel` is towns × consecutive years; the towns with a value in every year of `_longest_run_of_years`
    are used. What is observed is the median m over these k towns of each one's residual lag-1
    autocorrelation (around its Theil–Sen line, `despiked_lag1`). At each ρ of the grid, a share F of
    single simulated series read at most m (`ar1_calibration`), so the median of k reads at most m when at
    least its middle rank of k do: a binomial tail, P(Bin(k, F) ≥ (k + 1) / 2) (for an even k, its mean
    over the two middle ranks). That chance falls as ρ rises; the bound is the ρ where it falls to
    1 − `confidence` (interpolated on the grid).

    Any number of towns is used: few towns give a high bound by themselves (at ρ = 0.7 one town's decade
    gives a lag-1 autocorrelation anywhere from −0.3 to 0.5), where before a group of fewer than five was
    taken to have none. 0 where even ρ = 0 reads m rarely, or where no town's values move; `MAX_RHO` where
    even a random walk reads m often, or where nothing tells ρ (fewer than `MIN_POINTS` consecutive years,
    or no town with all of them)."""
    from scipy.special import bdtrc  # at first use: a tenth of a second off every command's start

    complete = panel[_longest_run_of_years(panel)].dropna().to_numpy(dtype=float)
    points = complete.shape[1]
    if points < MIN_POINTS or len(complete) == 0:
        return MAX_RHO  # nothing tells ρ: the bound of no information is the end of the scale
    x = np.arange(points, dtype=float)
    spread = complete.std(axis=1)
    varying = complete[spread > NOISE * np.abs(complete).max(axis=1)]  # a constant series has no noise to read
    if len(varying) == 0:
        return 0.0  # no town's values move: no noise to widen an interval for
    residuals = varying - theil_sen(x, varying)[:, None] * x
    lag1s = despiked_lag1(residuals)
    observed, towns = float(np.median(lag1s)), len(lag1s)
    simulated, _ = ar1_calibration(points)
    share = (simulated <= observed).mean(axis=1)  # F at each ρ
    middle_ranks = np.array([(towns + 1) // 2, towns // 2 + 1])  # one rank where k is odd
    # P(the r-th smallest of k ≤ m) = P(Bin(k, F) ≥ r); over ρ it may only fall (the simulation's noise aside).
    reads_at_most = np.minimum.accumulate(bdtrc(middle_ranks[:, None] - 1, towns, share[None, :]).mean(axis=0))
    level = 1 - confidence
    if reads_at_most[-1] >= level:
        return MAX_RHO
    if reads_at_most[0] < level:
        return 0.0
    last = int(np.flatnonzero(reads_at_most >= level)[-1])  # the bound lies between it and the next ρ
    above, below = reads_at_most[last], reads_at_most[last + 1]
    return float(RHO_GRID[last] + (above - level) / (above - below) * (RHO_GRID[last + 1] - RHO_GRID[last]))


def _longest_run_of_years(panel: pd.DataFrame) -> list:
    """The longest run of consecutive years (`panel`'s columns) in which some town has a value, the latest of
    equal runs: an indicator that starts later than the store (a 5-year change, from the store's sixth year),
    or that no town has in one year, is pooled over the years it has, where requiring every year of the
    store left no town complete and ρ fell to 0, the narrowest interval for the series that wander most."""
    years = panel.columns[panel.notna().any()]
    runs = np.split(np.arange(len(years)), np.flatnonzero(np.diff(years.to_numpy(dtype=int)) != 1) + 1)
    return list(years[max(reversed(runs), key=len)])


def trend_rho(indicator_id: str, panel: pd.DataFrame) -> float:
    """The lag-1 autocorrelation an indicator's trend intervals take: 1 for a stock (`stock` in the
    catalogue: population, registered firms), whose yearly noise adds up like a random walk; else the
    upper bound pooled over `panel`'s towns (`pooled_lag1`), which from a group of 21 random walks reads
    1 in three groups of four, not all (its intervals then hold the slope in 91–95% of series,
    docs/validation.md); a stock's ρ is known from what it is, so it is not estimated."""
    indicator = indicators().get(indicator_id)
    if indicator is not None and indicator.stock:
        return MAX_RHO
    return pooled_lag1(panel)


def robust_trend(series: pd.Series, rho: float = 0.0) -> Trend | None:
    """Theil–Sen slope with Sen's 95% interval, widened for autocorrelation; None with fewer years than
    `fewest_years(rho)` (MIN_POINTS, more for a series that wanders), as no interval then holds 95%.

    Sen's interval takes the order statistics of the pairwise slopes at ranks (N ∓ z·√Var(S))/2, where
    Var(S) is the variance of Kendall's S (`kendall_s_variance`, with ties), multiplied by the factor
    that keeps the interval's coverage at 95% under AR(1) noise with lag-1 autocorrelation `rho`
    (`ar1_calibration`; the indicator's ρ, `pooled_lag1`; 0: independent years).
    """
    series = series.dropna()
    if len(series) < MIN_POINTS:
        return None
    factor = variance_factor(rho, len(series))
    if np.isinf(factor):  # too few years for how much the series wanders (`fewest_years`)
        return None
    years = series.index.to_numpy(dtype=int)
    y = series.to_numpy(dtype=float)
    i, j, dx = _pairs(tuple(int(v) for v in years))
    slopes = (y[j] - y[i]) / dx
    # A billionth of the series' size is float noise (equal values reached by different sums): it is no
    # slope, and an interval of it (1e-15 to 1e-15) would otherwise read as a clear trend.
    slopes = np.sort(np.where(np.abs(slopes) < NOISE * np.abs(y).max(), 0.0, slopes))
    slope = float(np.median(slopes))
    pairs = len(slopes)
    variance = kendall_s_variance(y) * factor
    reach = norm_quantile((1 + CONFIDENCE) / 2) * np.sqrt(variance)
    ranks = np.clip([(pairs - reach) / 2, (pairs + reach) / 2], 0, pairs - 1)  # 0-based, interpolated
    low, high = np.interp(ranks, np.arange(pairs), slopes)
    return Trend(slope, float(low), float(high), int(years[0]), int(years[-1]), len(y))


def variance_factor(rho: float, points: int) -> float:
    """`ar1_calibration`'s variance factor at `rho` (interpolated, capped at `MAX_RHO`); 1 at ρ ≤ 0; infinite
    where the factor of the next ρ of the grid is (no interval holds 95%)."""
    if rho <= 0:
        return 1.0
    _, factors = ar1_calibration(points)
    rho = min(rho, MAX_RHO)
    if np.isinf(factors[np.searchsorted(RHO_GRID, rho)]):
        return np.inf
    return float(np.interp(rho, RHO_GRID, factors))


def fewest_years(rho: float) -> int:
    """The fewest consecutive years that give a trend at autocorrelation `rho`: `MIN_POINTS`, or more for a
    series that wanders (7 for a random walk, ρ = 1)."""
    return next(points for points in range(MIN_POINTS, 100) if np.isfinite(variance_factor(rho, points)))


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
    census (`analysis.report.trend_values`), so the census step passes for no trend. `rho`: the
    indicator's lag-1 autocorrelation, which widens both intervals (`trend_rho`: 1 for a stock, else
    pooled over the town and its peers, similar towns whose data the report already rests on)."""
    columns = ["slope", "low", "high", "clear", "stable"]
    columns += ["vs_peers", "vs_peers_low", "vs_peers_high", "vs_peers_clear", "rho"]
    rows = {}
    teryts = values.index.get_level_values("teryt")
    if town not in teryts:
        return pd.DataFrame(columns=columns)
    town_values = values.xs(town, level="teryt")  # year × indicator, taken out once
    peer_values = values.loc[teryts.isin(peers)]
    group = values.loc[teryts.isin((town, *peers))]
    by_year = peer_values.groupby(level="year")
    # All rates at once; a year where fewer than MIN_PEERS peers have a value has no median (analysis.compare).
    peer_medians = by_year.median().where(by_year.count() >= MIN_PEERS).reindex(town_values.index)
    for indicator_id in values.columns:
        rho = trend_rho(indicator_id, group[indicator_id].unstack("year"))
        trend = robust_trend(town_values[indicator_id], rho)
        if indicator_id in LEVEL_INDICATORS:
            by_year = peer_values[indicator_id].unstack("teryt").reindex(town_values.index)
            difference = difference_series(town_values[indicator_id], by_year, indicator_id)
        else:
            difference = town_values[indicator_id] - peer_medians[indicator_id]
        versus = robust_trend(difference, rho)
        rows[indicator_id] = {
            "slope": trend.slope if trend else np.nan,
            "low": trend.low if trend else np.nan,
            "high": trend.high if trend else np.nan,
            "clear": bool(trend and trend.clear),
            "stable": bool(trend and trend.stable),
            "vs_peers": versus.slope if versus else np.nan,
            "vs_peers_low": versus.low if versus else np.nan,
            "vs_peers_high": versus.high if versus else np.nan,
            "vs_peers_clear": bool(versus and versus.clear),
            "rho": rho,
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)
