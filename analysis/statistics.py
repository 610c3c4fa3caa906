"""Trends, trend differences and a population projection, with statsmodels.

Every estimate comes with its 95% interval so that the narrative can refuse to
claim a change or a difference the interval does not support.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

# statsmodels is imported where it is used: it costs 0.6 s, which a build that only
# checks what changed (and never fits a model) should not pay.

def import_models() -> None:
    """Import the statsmodels parts this module fits with, ahead of the first fit (0.8 s)."""
    import statsmodels.regression.linear_model  # noqa: F401
    import statsmodels.tsa.exponential_smoothing.ets  # noqa: F401


CONFIDENCE = 0.95
MIN_POINTS = 4


class _Interval:
    low: float
    high: float

    @property
    def significant(self) -> bool:
        """The 95% interval excludes zero: the estimate is distinguishable from no change."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Trend(_Interval):
    """Average change per year (OLS slope of value on year) and its 95% interval."""

    slope: float
    low: float
    high: float
    first_year: int
    last_year: int
    points: int


def _clean(series: pd.Series) -> pd.Series:
    series = series.dropna()
    series.index = series.index.astype(int)
    return series.sort_index()


def linear_trend(series: pd.Series) -> Trend | None:
    """OLS of value on year; None with fewer than four years of data."""
    series = _clean(series)
    if len(series) < MIN_POINTS:
        return None
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    design = add_constant(series.index.to_numpy(dtype=float))
    fit = OLS(series.to_numpy(dtype=float), design).fit()
    low, high = fit.conf_int(alpha=1 - CONFIDENCE)[1]
    return Trend(float(fit.params[1]), float(low), float(high), int(series.index[0]), int(series.index[-1]), len(series))


@dataclass(frozen=True)
class TrendDifference(_Interval):
    """Town slope minus peer-median slope per year, with its 95% interval."""

    difference: float
    low: float
    high: float


def trend_difference(town: pd.Series, peer_median: pd.Series) -> TrendDifference | None:
    """Does the town's trend differ from its peers'? OLS with a town × year interaction."""
    town, peer_median = _clean(town), _clean(peer_median)
    if len(town) < MIN_POINTS or len(peer_median) < MIN_POINTS:
        return None
    years = np.concatenate([town.index, peer_median.index]).astype(float)
    is_town = np.concatenate([np.ones(len(town)), np.zeros(len(peer_median))])
    centred = years - years.mean()
    design = np.column_stack([np.ones_like(years), centred, is_town, centred * is_town])
    values = np.concatenate([town.to_numpy(float), peer_median.to_numpy(float)])
    from statsmodels.regression.linear_model import OLS

    fit = OLS(values, design).fit()
    low, high = fit.conf_int(alpha=1 - CONFIDENCE)[3]
    return TrendDifference(float(fit.params[3]), float(low), float(high))


@dataclass(frozen=True)
class Projection:
    """A forecast with its 95% prediction interval and a backtest on held-out years."""

    forecast: pd.DataFrame      # index year; columns: mean, low, high
    backtest_mape: float        # mean absolute % error of forecasting the held-out years
    backtest_years: tuple[int, ...]


def _ets_forecast(series: pd.Series, horizon: int) -> pd.DataFrame:
    annual = pd.Series(series.to_numpy(dtype=float),
                       index=pd.period_range(start=str(int(series.index[0])), periods=len(series), freq="Y"))
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(annual, error="add", trend="add", damped_trend=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short annual series
        fit = model.fit(disp=False)
        prediction = fit.get_prediction(start=len(series), end=len(series) + horizon - 1)
        frame = prediction.summary_frame(alpha=1 - CONFIDENCE)
    years = range(int(series.index[-1]) + 1, int(series.index[-1]) + horizon + 1)
    return pd.DataFrame({"mean": frame["mean"].to_numpy(), "low": frame["pi_lower"].to_numpy(),
                         "high": frame["pi_upper"].to_numpy()}, index=pd.Index(years, name="year"))


def project(series: pd.Series, horizon: int = 5, holdout: int = 3) -> Projection | None:
    """Exponential smoothing with a damped additive trend (ETS A,Ad,N).

    The damped trend keeps a decade of decline from being extrapolated at full
    speed. The backtest refits on all but the last `holdout` years and reports the
    mean absolute percentage error of forecasting them.
    """
    series = _clean(series)
    if len(series) < holdout + 6:
        return None
    forecast = _ets_forecast(series, horizon)
    training, held_out = series.iloc[:-holdout], series.iloc[-holdout:]
    backtest = _ets_forecast(training, holdout)
    mape = float(np.mean(np.abs(backtest["mean"].to_numpy() - held_out.to_numpy()) / np.abs(held_out.to_numpy())) * 100)
    return Projection(forecast=forecast, backtest_mape=mape, backtest_years=tuple(int(y) for y in held_out.index))


LEVEL_INDICATORS = ("population",)  # sizes, not rates: trends are compared as % of the first year


def indicator_trends(values: pd.DataFrame, town: str, peers: tuple[str, ...]) -> pd.DataFrame:
    """For every indicator: the town's OLS trend with its interval, and its difference from the peer median's trend.

    Towns of different size cannot be compared on a level's slope (persons per year),
    so for levels the difference is computed on series indexed to their first year (=100).
    """
    rows = {}
    teryts = values.index.get_level_values("teryt")
    if town not in teryts:
        return pd.DataFrame.from_dict(rows, orient="index")
    town_values = values.xs(town, level="teryt")  # year × indicator, taken out once rather than per indicator
    peer_medians = values.loc[teryts.isin(peers)].groupby(level="year").median()
    for indicator_id in values.columns:
        trend = linear_trend(town_values[indicator_id])
        if indicator_id in LEVEL_INDICATORS:
            by_year = values[indicator_id].unstack("teryt")
            compared = by_year / by_year.iloc[0] * 100
            difference = trend_difference(compared[town], compared[list(peers)].median(axis=1))
        else:
            difference = trend_difference(town_values[indicator_id], peer_medians[indicator_id])
        rows[indicator_id] = {
            "slope": trend.slope if trend else np.nan, "low": trend.low if trend else np.nan,
            "high": trend.high if trend else np.nan, "significant": bool(trend and trend.significant),
            "vs_peers": difference.difference if difference else np.nan,
            "vs_peers_significant": bool(difference and difference.significant),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
