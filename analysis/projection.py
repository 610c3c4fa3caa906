"""Population projection, chosen and calibrated by a pooled backtest over every town of the store.

A single town's decade of data cannot tell a good forecasting method from a lucky
one, nor say how wide its interval should be. So every candidate method forecasts
every town of the store from every past origin with at least `MIN_TRAIN` years,
1 to `HORIZON` years ahead (a multi-origin backtest); the method with the smallest
pooled mean absolute error wins, drift (random walk with drift, the usual
benchmark) included, so the chosen method is never worse than drift on the store.

All work is on log population, so errors are relative. The 95% interval for
horizon h is the forecast plus the 2.5th and 97.5th percentiles of the pooled
backtest errors at h, each scaled by the town's own year-to-year noise (a robust
spread of its yearly log changes, so a small noisy gmina gets a wider interval).
The intervals are thus calibrated by construction; docs/validation.md measures
their coverage on towns left out of the calibration. Before anything is fitted, the
years before a re-basing (the 2021 census) are put on the new basis (`analysis.census`): a
re-basing is not a change a forecast should extrapolate or anticipate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.boundaries import residents_breaks
from analysis.census import rebase, rebased
from analysis.rounding import round_half_up

CONFIDENCE = 0.95
HORIZON = 5
MIN_TRAIN = 6  # years of history a forecast starts from
# The shortest span a projection needs: the interval at each horizon up to HORIZON comes from backtest
# errors at that horizon, so a forecast from MIN_TRAIN years must be checked on HORIZON more.
YEARS_NEEDED = MIN_TRAIN + HORIZON
DAMPING = 0.8  # damped drift: the trend fades by this factor each year
NOISE_FLOOR = 0.002  # smallest yearly log-change noise (0.2 %), so a smooth series still has an interval
# A method whose forecasts at HORIZON the actual population fell below (or rose above) this often in the backtest
# leans that way, and the report says so: its interval, the backtest's own errors, is then lopsided too.
LEAN = 2 / 3
PRINTED_DECIMALS = -1  # the projection in words: to tens of persons (`Projection.printed_end`)


def _yearly_changes(history: np.ndarray) -> np.ndarray:
    return np.diff(history, axis=1)


def _drift(history: np.ndarray, horizon: int) -> np.ndarray:
    """Random walk with drift: the last value plus h times the mean yearly change."""
    step = _yearly_changes(history).mean(axis=1)
    return history[:, -1:] + step[:, None] * np.arange(1, horizon + 1)


def _median_drift(history: np.ndarray, horizon: int) -> np.ndarray:
    """As drift, with the median yearly change: one break (a census re-basing) does not set the slope."""
    step = np.median(_yearly_changes(history), axis=1)
    return history[:, -1:] + step[:, None] * np.arange(1, horizon + 1)


def _damped_median_drift(history: np.ndarray, horizon: int) -> np.ndarray:
    """Median drift whose step fades by DAMPING each year (a decline does not run on at full speed)."""
    step = np.median(_yearly_changes(history), axis=1)
    reach = np.cumsum(DAMPING ** np.arange(1, horizon + 1))
    return history[:, -1:] + step[:, None] * reach


def _linear(history: np.ndarray, horizon: int) -> np.ndarray:
    """The least-squares line through the history, extended."""
    n = history.shape[1]
    t = np.arange(n) - (n - 1) / 2
    slope = (history * t).sum(axis=1) / (t**2).sum()
    level = history.mean(axis=1)
    return level[:, None] + slope[:, None] * (t[-1] + np.arange(1, horizon + 1))


METHODS = {
    "drift": _drift,
    "median_drift": _median_drift,
    "damped_median_drift": _damped_median_drift,
    "linear": _linear,
}
BENCHMARK = "drift"
METHOD_NAMES = {
    "drift": (
        "błądzenie losowe z dryfem równym średniej rocznej zmianie",
        "random walk with the mean yearly change as drift",
    ),
    "median_drift": (
        "błądzenie losowe z dryfem równym medianie rocznych zmian",
        "random walk with the median yearly change as drift",
    ),
    "damped_median_drift": (
        "wygasający dryf równy medianie rocznych zmian",
        "damped drift from the median yearly change",
    ),
    "linear": ("trend liniowy", "linear trend"),
}


def town_noise(history: np.ndarray) -> np.ndarray:
    """Robust spread (1.4826 × MAD) of each town's yearly log changes, floored at NOISE_FLOOR."""
    changes = _yearly_changes(history)
    deviation = np.abs(changes - np.median(changes, axis=1, keepdims=True))
    return np.maximum(1.4826 * np.median(deviation, axis=1), NOISE_FLOOR)


@dataclass(frozen=True)
class Backtest:
    """Every method's forecast errors (log actual − log forecast) from every origin, pooled over towns."""

    errors: dict[str, np.ndarray]  # method -> towns × origins × HORIZON (NaN where no actual)
    noise: np.ndarray  # towns × origins: the town's noise at that origin
    towns: tuple[str, ...]
    origins: tuple[int, ...]  # last year of each origin's history

    def mae(self, method: str, towns: np.ndarray | None = None) -> float:
        errors = self.errors[method] if towns is None else self.errors[method][towns]
        return float(np.nanmean(np.abs(errors)))

    @property
    def chosen(self) -> str:
        # a tie (to rounding) goes to the benchmark: another method must do better to be chosen
        return min(METHODS, key=lambda method: (round(self.mae(method), 12), method != BENCHMARK))

    def quantiles(self, method: str, towns: np.ndarray | None = None) -> np.ndarray:
        """2 × HORIZON: the error percentiles of the interval, in units of the town's noise, per horizon."""
        errors = self.errors[method] / self.noise[:, :, None]
        if towns is not None:
            errors = errors[towns]
        tail = (1 - CONFIDENCE) / 2
        flat = errors.reshape(-1, HORIZON)
        return np.array(
            [
                [np.nanquantile(flat[:, h], q) if np.isfinite(flat[:, h]).any() else np.nan for h in range(HORIZON)]
                for q in (tail, 1 - tail)
            ]
        )

    def share_below(self, method: str) -> float:
        """Share of the method's forecasts at HORIZON that the actual population fell below (error < 0): about a
        half for a method without a lean. Drift on the demo store: 0.85, as its decline quickens (births fall and
        deaths rise year by year, as in Poland), which a drift, the mean of past changes, does not foresee."""
        errors = self.errors[method][:, :, HORIZON - 1]
        present = errors[np.isfinite(errors)]
        return float((present < 0).mean()) if present.size else np.nan

    def coverage(self, method: str, calibrate: np.ndarray, test: np.ndarray) -> float:
        """Share of the `test` towns' held-out years inside intervals calibrated on the `calibrate` towns."""
        low, high = self.quantiles(method, calibrate)
        scaled = self.errors[method][test] / self.noise[test][:, :, None]
        present = np.isfinite(scaled)
        inside = (scaled >= low) & (scaled <= high)
        return float(inside[present].mean())


def backtest(population: pd.DataFrame) -> Backtest | None:
    """Run every method from every origin on log population (towns × years, complete rows only)."""
    complete = population.dropna()
    complete = complete.loc[(complete > 0).all(axis=1)]
    years = population.columns.to_numpy(dtype=int)
    if len(years) < MIN_TRAIN + 1 or complete.empty:
        return None
    logs = rebase(np.log(complete.to_numpy(dtype=float)), years)
    origins = list(range(MIN_TRAIN - 1, len(years) - 1))  # index of the last year of history
    errors = {method: np.full((len(logs), len(origins), HORIZON), np.nan) for method in METHODS}
    noise = np.empty((len(logs), len(origins)))
    for k, end in enumerate(origins):
        history = logs[:, : end + 1]
        ahead = min(HORIZON, len(years) - 1 - end)
        actual = logs[:, end + 1 : end + 1 + ahead]
        noise[:, k] = town_noise(history)
        for method, forecast in METHODS.items():
            errors[method][:, k, :ahead] = actual - forecast(history, HORIZON)[:, :ahead]
    return Backtest(errors, noise, tuple(complete.index), tuple(int(years[e]) for e in origins))


@dataclass(frozen=True)
class Projection:
    """A forecast with its calibrated 95% interval, and how the method did in the backtest."""

    forecast: pd.DataFrame  # index year; columns: mean, low, high
    method: str
    backtest_error: float  # pooled mean absolute error of the method, % of population, at HORIZON
    benchmark_error: float  # the same for drift
    backtest_towns: int
    first_year: int = 0  # the first year of the history it starts from
    share_below: float = np.nan  # `Backtest.share_below` of the method: how often the population fell below it

    @property
    def printed_end(self) -> tuple[int, dict[str, float]]:
        """The last year's forecast and 95% bounds as every text gives them (the demography text, the chart's
        alt text): to tens of persons, half up. Five years ahead, "1 757" would claim a precision the interval
        (1 654–1 809) denies; the charts and the spreadsheet keep the figures unrounded."""
        last = self.forecast.iloc[-1]
        return int(self.forecast.index[-1]), {
            bound: float(round_half_up(last[bound], PRINTED_DECIMALS)) for bound in ("low", "mean", "high")
        }

    @property
    def lean(self) -> int:
        """-1 where the backtest's populations fell below the method's forecasts at HORIZON at least `LEAN` of the
        time (the forecast tends to be too high), +1 where they rose above it as often, else 0."""
        if self.share_below >= LEAN:
            return -1
        if self.share_below <= 1 - LEAN:
            return 1
        return 0


def horizon_error(result: Backtest, method: str) -> float:
    """Mean absolute error at the full horizon, in % (log errors are relative)."""
    return float(np.nanmean(np.abs(result.errors[method][:, :, HORIZON - 1])) * 100)


def project(series: pd.Series, result: Backtest | None, since: int | None = None) -> Projection | None:
    """HORIZON years of the town's population by the backtest's chosen method, with its calibrated interval.

    From the town's last run of consecutive years: the methods read one step as one year, so years on both
    sides of a missing one would count two years' change as one (drift 10/9 of the true one over a decade).
    And from `since`, the year of the town's last change of boundaries (`analysis.boundaries`), where it has
    one: residents gained with land are no trend, and a drift that read them would forecast growth for a
    town that is shrinking."""
    series = series.dropna()
    if since is not None:
        series = series.loc[series.index >= since]
    gaps = np.flatnonzero(np.diff(series.index.to_numpy(dtype=int)) != 1)
    if len(gaps):
        series = series.iloc[gaps[-1] + 1 :]
    if result is None or len(series) < MIN_TRAIN or (series <= 0).any():
        return None
    method = result.chosen
    history = np.log(rebased(series).to_numpy(dtype=float))[None, :]
    mean = METHODS[method](history, HORIZON)[0]
    low, high = result.quantiles(method) * town_noise(history)[0]
    if np.isnan(low).any() or np.isnan(high).any():
        return None
    years = pd.Index(range(int(series.index[-1]) + 1, int(series.index[-1]) + HORIZON + 1), name="year")
    forecast = pd.DataFrame({"mean": np.exp(mean), "low": np.exp(mean + low), "high": np.exp(mean + high)}, index=years)
    return Projection(
        forecast,
        method,
        horizon_error(result, method),
        horizon_error(result, BENCHMARK),
        len(result.towns),
        int(series.index[0]),
        result.share_below(method),
    )


def backtest_population(values: pd.DataFrame, first_year: int, last_year: int) -> pd.DataFrame:
    """The population the backtest reads: towns × years `first_year`–`last_year` of `values` (index (teryt,
    year)), without the towns whose boundaries changed within those years with residents (`analysis.boundaries`:
    a change of land alone breaks no series of residents). Their step
    is no method's forecast error: it would pick the method and widen the interval of every town's projection
    (one town of the demo store given 30% more land switches the choice from drift to the median drift)."""
    years = values.index.get_level_values("year")
    within = values.loc[(years >= first_year) & (years <= last_year)]
    moved = residents_breaks(within).get_level_values("teryt")
    population = within["population"].unstack("year")
    # A last (or first) year without any town's population (a store fetched before GUS published it) is no year
    # of the backtest: kept, it left no town with a complete series, and so no projection for any town.
    counted = np.flatnonzero(population.notna().any().to_numpy())
    population = population.iloc[:, counted.min() : counted.max() + 1] if counted.size else population
    return population.loc[~population.index.isin(moved)]


@lru_cache(maxsize=8)
def _cached_backtest(
    key: tuple, frame_bytes: bytes, columns: tuple[int, ...], index: tuple[str, ...]
) -> Backtest | None:
    values = np.frombuffer(frame_bytes, dtype=float).reshape(len(index), len(columns))
    return backtest(pd.DataFrame(values, index=list(index), columns=list(columns)))


def store_backtest(population: pd.DataFrame) -> Backtest | None:
    """`backtest`, computed once per distinct population table in a process (many towns share a store)."""
    frame = population.astype(float)
    data = np.ascontiguousarray(frame.to_numpy())
    return _cached_backtest(
        (data.shape,), data.tobytes(), tuple(int(c) for c in frame.columns), tuple(str(i) for i in frame.index)
    )
