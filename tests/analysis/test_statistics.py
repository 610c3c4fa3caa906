import numpy as np
import pandas as pd
import pytest

from analysis.narrative import trend_sentences
from analysis.statistics import linear_trend, project, trend_difference

YEARS = range(2014, 2025)


def test_trend_slope_matches_numpy_polyfit_and_interval_covers_it():
    rng = np.random.default_rng(0)
    values = 1000 - 12 * np.arange(11) + rng.normal(0, 5, 11)
    trend = linear_trend(pd.Series(values, index=YEARS))
    expected_slope = np.polyfit(np.arange(2014, 2025), values, 1)[0]  # a second, independent method
    assert trend.slope == pytest.approx(expected_slope)
    assert trend.low < trend.slope < trend.high
    assert trend.significant
    assert (trend.first_year, trend.last_year, trend.points) == (2014, 2024, 11)


def test_exact_line_has_its_slope_and_flat_noise_is_not_significant():
    line = linear_trend(pd.Series([5.0 + 2 * i for i in range(6)], index=range(2019, 2025)))
    assert line.slope == pytest.approx(2.0)
    alternating = linear_trend(pd.Series([10.0, 12.0] * 5, index=range(2015, 2025)))
    assert not alternating.significant  # slope 0.12 with noise ±1: interval spans zero


def test_too_few_points_give_no_trend():
    assert linear_trend(pd.Series([1.0, 2.0, np.nan, 3.0], index=range(2021, 2025))) is None


def test_trend_difference_detects_a_steeper_decline_and_not_a_parallel_one():
    town = pd.Series([100 - 2.0 * i for i in range(11)], index=YEARS)
    peers = pd.Series([100 - 0.5 * i + (0.2 if i % 2 else -0.2) for i in range(11)], index=YEARS)
    result = trend_difference(town, peers)
    assert result.difference == pytest.approx(-1.5, abs=0.05)  # -2.0 against about -0.5 per year
    assert result.significant and result.high < 0
    parallel = trend_difference(peers + 3, peers)
    assert parallel.difference == pytest.approx(0.0, abs=1e-9) and not parallel.significant


def test_projection_continues_a_steady_decline_with_an_interval_and_a_backtest():
    series = pd.Series([50_000 - 400 * i for i in range(11)], index=YEARS, dtype=float)
    projection = project(series)
    assert list(projection.forecast.index) == [2025, 2026, 2027, 2028, 2029]
    # a damped trend never falls faster than the last observed change of -400 a year
    assert 50_000 - 400 * 15 <= projection.forecast["mean"].iloc[-1] < series.iloc[-1]
    assert (projection.forecast["low"] <= projection.forecast["mean"]).all()
    assert (projection.forecast["mean"] <= projection.forecast["high"]).all()
    assert projection.backtest_years == (2022, 2023, 2024)
    assert 0 <= projection.backtest_mape < 2


def test_projection_needs_enough_years():
    assert project(pd.Series([1.0, 2.0, 3.0], index=range(2022, 2025))) is None


def test_sentences_claim_a_difference_only_when_the_interval_excludes_zero():
    town = pd.Series([100 - 2.0 * i for i in range(11)], index=YEARS)
    peers = town + 3
    sentences = trend_sentences(linear_trend(town), trend_difference(town, peers), None, "pl")
    assert any("nie różni się istotnie" in s for s in sentences)


def test_indicator_trends_table():
    from analysis.statistics import indicator_trends

    index = pd.MultiIndex.from_product([["T", "P1", "P2", "P3"], YEARS], names=["teryt", "year"])
    town = [10 + 1.0 * i for i in range(11)]          # rises 1.0 a year
    peer = [10 + 0.1 * i for i in range(11)]          # rises 0.1 a year
    values = pd.DataFrame({"births_per_1000": town + peer + [p + 1 for p in peer] + [p + 2 for p in peer]}, index=index)
    table = indicator_trends(values, "T", ("P1", "P2", "P3"))
    row = table.loc["births_per_1000"]
    assert row["slope"] == pytest.approx(1.0) and row["significant"]
    assert row["vs_peers"] == pytest.approx(0.9) and row["vs_peers_significant"]
