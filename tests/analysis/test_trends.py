"""Robust trends: Theil–Sen against scipy's own implementation, intervals that widen for autocorrelation."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import theilslopes

from analysis.trends import difference_series, indicator_trends, kendall_s_variance, robust_trend

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


@pytest.mark.parametrize("values", [[3.0, 1.0, 4.0, 1.5, 5.0, 9.0], [1.0, 1.0, 2.0, 3.0, 3.0, 3.0], [7.0] * 5 + [8.0]])
def test_kendall_s_variance_is_its_variance_over_every_order_of_the_values(values):
    # With no trend every order of the values is equally likely; S = Σ sign(y_j − y_i) over i < j.
    # Its variance over all 720 orders, enumerated, is the reference; ties (equal values) lower it.
    from itertools import permutations

    def s(order):
        return sum(np.sign(order[j] - order[i]) for i in range(len(order)) for j in range(i + 1, len(order)))

    scores = np.array([s(order) for order in permutations(values)], dtype=float)
    assert kendall_s_variance(np.array(values)) == pytest.approx(np.mean(scores**2))  # E[S] = 0


def test_repeated_values_narrow_the_interval():
    # A count published unchanged for years (…, 300, 300, 300, 320, 320): without the tie correction its
    # interval was that of a series with no repeats, the same values moved apart by a hair.
    repeated = pd.Series([260.0, 280.0, 280.0, 300.0, 300.0, 300.0, 300.0, 320.0, 320.0, 340.0, 340.0], index=YEARS)
    distinct = repeated + np.arange(11) * 1e-6
    assert kendall_s_variance(distinct.to_numpy()) == 11 * 10 * 27 / 18
    narrow, wide = robust_trend(repeated), robust_trend(distinct)
    assert (wide.high - wide.low) - (narrow.high - narrow.low) > 0.05  # without the correction: ~1e-6 apart


def test_float_noise_is_no_clear_trend():
    # A town whose value equals the peers' median in every year but one: the difference series is 0, or
    # float noise of 1e-15 (the same shares summed in another order), never a "clear" trend of that size.
    noise = pd.Series([0.0, 0.0, 1.1e-15, 2.2e-15, 1.1e-15, 3.3e-15, 0.0, 4.4e-15, 2.2e-15, 5.5e-15, 20.0], index=YEARS)
    trend = robust_trend(noise)
    assert not trend.clear and trend.slope == 0.0


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


def test_a_reports_trends_rest_on_the_population_re_based_for_the_census():
    # Recomputed here from the store with plain pandas: the town's population re-based (analysis.census,
    # tested by hand in test_census.py), its Theil–Sen trend, and the 5-year change recomputed from it.
    from analysis.census import rebased
    from analysis.report import load_store_and_values, prepare_report
    from analysis.town import TownParams

    report = prepare_report(TownParams(teryt="1690013"))  # 12,143 residents, with a census step in 2021
    _, values = load_store_and_values("")
    published = values["population"].xs("1690013", level="teryt")
    on_new_basis = rebased(published)
    assert report.trends.at["population", "slope"] == pytest.approx(robust_trend(on_new_basis).slope)
    change = ((on_new_basis / on_new_basis.shift(5) - 1) * 100).loc[2014:]
    assert report.trends.at["population_change_5y", "slope"] == pytest.approx(robust_trend(change).slope)
    # As published, the census step made this clear decline read as unclear.
    assert report.trends.at["population", "clear"] and not robust_trend(published).clear
