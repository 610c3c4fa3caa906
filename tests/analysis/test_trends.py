"""Robust trends: Theil–Sen against scipy's own implementation, intervals that widen for autocorrelation."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import theilslopes

from analysis.trends import difference_series, indicator_trends, robust_trend

YEARS = range(2014, 2025)


def test_slope_equals_scipys_theil_sen_and_resists_an_outlier():
    rng = np.random.default_rng(0)
    values = 1000 - 12 * np.arange(11) + rng.normal(0, 5, 11)
    values[4] += 300  # one wild year
    trend = robust_trend(pd.Series(values, index=YEARS))
    assert trend.slope == pytest.approx(theilslopes(values, np.arange(2014, 2025))[0])  # an independent implementation
    assert trend.slope == pytest.approx(
        -12, abs=2.5
    )  # OLS would give −12 + 300·(4−5)/110 ≈ −14.7 … and a wide interval
    assert trend.clear and trend.high < 0
    assert (trend.first_year, trend.last_year, trend.points) == (2014, 2024, 11)


def test_an_exact_line():
    line = robust_trend(pd.Series([5.0 + 2 * i for i in range(6)], index=range(2019, 2025)))
    assert line.slope == line.low == line.high == pytest.approx(2.0)


def test_noise_around_a_flat_line_is_unclear_not_no_change():
    flat = robust_trend(pd.Series([10.0, 12.0, 9.0, 11.5, 10.5, 12.5, 9.5, 11.0, 10.0, 12.0, 10.5], index=YEARS))
    assert not flat.clear and flat.low < 0 < flat.high
    assert flat.slope != 0  # the size is still reported


def test_autocorrelated_residuals_widen_the_interval():
    # The same residual values, once in a smooth wave (positively autocorrelated), once alternating.
    wave = np.array([1.0, 2.0, 2.5, 2.0, 1.0, -1.0, -2.0, -2.5, -2.0, -1.0, 0.0])
    alternating = np.array([1.0, -2.0, 2.5, -2.0, 1.0, -1.0, 2.0, -2.5, 2.0, -1.0, 0.0])
    slope = 0.5 * np.arange(11)
    smooth = robust_trend(pd.Series(slope + wave, index=YEARS))
    jumpy = robust_trend(pd.Series(slope + alternating, index=YEARS))
    assert smooth.high - smooth.low > jumpy.high - jumpy.low


def test_too_few_points_give_no_trend():
    assert robust_trend(pd.Series([1.0, 2.0, np.nan, 3.0, 4.0], index=range(2020, 2025))) is None


def test_difference_series_indexes_levels_to_their_first_year():
    town = pd.Series([200.0, 190.0, 180.0], index=[2022, 2023, 2024])
    peers = pd.DataFrame({"A": [100.0, 100.0, 100.0], "B": [50.0, 55.0, 60.0]}, index=[2022, 2023, 2024])
    # town 100, 95, 90; peers indexed 100/100/100 and 100/110/120 -> median 100, 105, 110
    assert list(difference_series(town, peers, "population")) == [0.0, -10.0, -20.0]
    assert list(difference_series(town, peers, "births_per_1000")) == [125.0, 112.5, 100.0]


def test_indicator_trends_table():
    index = pd.MultiIndex.from_product([["T", "P1", "P2", "P3"], YEARS], names=["teryt", "year"])
    town = [10 + 1.0 * i for i in range(11)]  # rises 1.0 a year
    peer = [10 + 0.1 * i for i in range(11)]  # rises 0.1 a year
    values = pd.DataFrame({"births_per_1000": town + peer + [p + 1 for p in peer] + [p + 2 for p in peer]}, index=index)
    row = indicator_trends(values, "T", ("P1", "P2", "P3")).loc["births_per_1000"]
    assert row["slope"] == pytest.approx(1.0) and row["clear"]
    assert row["vs_peers"] == pytest.approx(0.9) and row["vs_peers_clear"]


def test_a_census_re_basing_does_not_pass_for_a_change_of_population():
    from analysis.trends import rebased_trends

    # By hand: 40,000 residents losing 100 a year, with 2021 re-based 2.5 % down (about −1,000 at once, a
    # step in the statistics, not in the town). A little noise so that the interval has width.
    years = pd.Index(range(2014, 2025), name="year")
    noise = np.array([12, -8, 5, -15, 9, -4, 7, -11, 6, -3, 10], dtype=float)
    people = 40_000 - 100 * np.arange(len(years)) + noise
    published = pd.Series(np.where(years >= 2021, people * 0.975, people), index=years)
    peers = pd.DataFrame({"P": published * 0.5, "Q": published * 1.5})  # same shape: no difference in pace
    trend, versus = rebased_trends("population", published, peers)
    # On the re-based series the slope is the town's own −100 a year (the noise moves it a little), and
    # the decline is clear; on the published series the step makes it look far steeper.
    assert trend.slope == pytest.approx(-100 * 0.975, abs=8)
    assert trend.clear and trend.high < 0
    assert robust_trend(published).slope < -150
    assert versus.slope == pytest.approx(0, abs=1e-9)


def test_population_density_is_re_based_like_the_population():
    # Density is the population over a fixed area: the same step, the same treatment. By hand: a town of
    # 200 residents/km² losing 1 a year, a 2 % census step in 2021; its peers flat at 100 and 300, with
    # the same step. Re-based, the town's slope is its own −1 × 0.98 and the difference from the peer
    # median (200, stepped alike) falls by the same.
    years = pd.Index(range(2014, 2025), name="year")
    step = np.where(years >= 2021, 0.98, 1.0)
    town = pd.Series((200.0 - np.arange(len(years))) * step, index=years)
    values = pd.DataFrame(
        {"population_density": np.concatenate([town.to_numpy(), 100 * step, 300 * step])},
        index=pd.MultiIndex.from_product([["T", "P", "Q"], years], names=["teryt", "year"]),
    )
    table = indicator_trends(values, "T", ("P", "Q"))
    assert table.at["population_density", "slope"] == pytest.approx(-0.98, abs=0.02)
    assert table.at["population_density", "vs_peers"] == pytest.approx(-0.98, abs=0.02)
    assert robust_trend(town).slope < -1.3  # as published, the step passes for a steeper decline
