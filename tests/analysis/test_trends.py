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


def test_a_trend_whose_interval_is_zero_to_zero_is_stable_not_unclear():
    # Most pairs of years equal: a town without a nursery (0 every year), water supply that rose once and then
    # stayed. Their slope and interval are exactly 0; "unclear" would call certainty noise.
    nursery = robust_trend(pd.Series([0.0] * 11, index=YEARS))
    assert (nursery.slope, nursery.low, nursery.high) == (0, 0, 0) and nursery.stable and not nursery.clear
    water = robust_trend(pd.Series([99.6] + [99.8] * 10, index=YEARS))  # 10 of 55 pairs of years differ
    assert water.stable and water.slope == 0
    flat = robust_trend(pd.Series([10.0, 12.0, 9.0, 11.5, 10.5, 12.5, 9.5, 11.0, 10.0, 12.0, 10.5], index=YEARS))
    assert not flat.stable  # noise around a level stays unclear
    assert not robust_trend(pd.Series([5.0 + 2 * i for i in range(6)], index=range(2019, 2025))).stable


def ar1_group(rho: float, towns: int, seed: int, slope: float = 0.5) -> np.ndarray:
    """Towns × 11 years: a line of `slope` plus AR(1) noise of unit innovations (stationary from the start;
    ρ = 1: a random walk from a fixed start)."""
    rng = np.random.default_rng(seed)
    shocks = rng.normal(size=(towns, 11))
    noise = np.empty_like(shocks)
    noise[:, 0] = shocks[:, 0] / np.sqrt(1 - rho**2) if rho < 1 else 0.0
    for k in range(1, 11):
        noise[:, k] = rho * noise[:, k - 1] + shocks[:, k]
    return slope * np.arange(11) + noise


def test_the_pooled_autocorrelation_recovers_rho_where_one_series_cannot():
    from analysis.trends import lag1_autocorrelation, pooled_lag1

    # One decade of one series says little: the plain lag-1 autocorrelation of its residuals is biased
    # far down (at ρ = 0.7 the median over many series is about 0.2). Pooled over 200 towns and read
    # median-unbiased (confidence 0.5), it lands within 0.1 of the ρ the series were drawn with.
    for rho in (0.0, 0.4, 0.7):
        group = ar1_group(rho, 200, seed=int(rho * 10))
        assert pooled_lag1(pd.DataFrame(group, columns=list(YEARS)), confidence=0.5) == pytest.approx(rho, abs=0.1)
    plain = np.median([lag1_autocorrelation(row - 0.5 * np.arange(11)) for row in ar1_group(0.7, 200, seed=3)])
    assert plain < 0.45


def test_a_wild_year_is_replaced_by_its_running_median_and_a_lasting_step_is_kept():
    from analysis.trends import despiked_lag1, lag1_autocorrelation

    # A series moving ±1 a year with one year 10 above it: the yearly moves are ±1 but for the two
    # around that year (+11, −11), so their median is 0, the MAD of the moves 1 and the usual move
    # 1.4826; that year lies 11 from the median of itself and its neighbours (1, 12, 1 → 1), beyond
    # 3 usual moves, and takes that median. Every other year lies 1 from its running median and stays.
    calm = np.array([1.0, 2.0] * 5 + [1.0])
    wild = calm.copy()
    wild[5] += 10
    by_hand = calm.copy()
    by_hand[5] = 1.0
    assert despiked_lag1(wild) == pytest.approx(lag1_autocorrelation(by_hand))
    assert despiked_lag1(wild) != pytest.approx(lag1_autocorrelation(wild))  # the spike did count before
    # A level that moves once and stays (a new district connected) is no spike: nothing is replaced.
    step = np.array([0.0] * 5 + [5.0] * 6)
    assert despiked_lag1(step) == pytest.approx(lag1_autocorrelation(step))
    # Rows are series: each row as it would be alone.
    assert np.allclose(despiked_lag1(np.vstack([wild, step])), [despiked_lag1(wild), despiked_lag1(step)])


def test_one_outlying_year_in_every_series_leaves_the_pooled_rho_near_its_value():
    from analysis.trends import pooled_lag1

    # An 8-σ year in each of 200 series of ρ = 0.7: clipping each series at its own spread read ρ as 0.32
    # here (the intervals then too narrow); with the spikes replaced, its estimate lands within 0.15 of 0.7.
    rng = np.random.default_rng(21)
    group = ar1_group(0.7, 200, seed=20)
    group[np.arange(200), rng.integers(11, size=200)] += 8
    assert pooled_lag1(pd.DataFrame(group, columns=list(YEARS)), confidence=0.5) == pytest.approx(0.7, abs=0.15)


def test_rho_is_pooled_over_the_years_an_indicator_has_not_dropped_for_the_years_it_lacks():
    from analysis.trends import pooled_lag1

    # A 5-year change exists from the store's sixth year on, and an indicator may be missing in one year for
    # every town. Requiring all 11 years left no town complete, and ρ fell to 0 (the narrowest interval):
    # the 5-year change of population, which wanders as population does, was called a clear trend in the
    # spreadsheet. ρ is pooled over the longest run of years some town has, here checked against the same
    # towns with only those years given.
    group = pd.DataFrame(ar1_group(0.5, 21, seed=8), columns=list(YEARS))
    late = group.copy()
    late[list(range(2014, 2019))] = np.nan  # known from 2019 on only
    assert pooled_lag1(late) == pooled_lag1(group[list(range(2019, 2025))]) > 0
    gap = group.copy()
    gap[2017] = np.nan  # no town has 2017: 2014–2016 and 2018–2024, the longer run counts
    assert pooled_lag1(gap) == pooled_lag1(group[list(range(2018, 2025))]) > 0
    assert pooled_lag1(gap) != pooled_lag1(group)  # not the years around the gap joined as if consecutive


@pytest.mark.parametrize(
    "confidence, towns, low, high", [(0.5, 21, 0.42, 0.58), (0.8, 21, 0.74, 0.86), (0.8, 3, 0.74, 0.9)]
)
def test_the_pooled_rho_is_an_upper_bound_at_its_stated_confidence(confidence, towns, low, high):
    from analysis.trends import pooled_lag1

    # What an upper confidence bound promises: drawn again and again (300 groups of a town and 20 peers, ρ
    # = 0.7, seeds apart from the calibration's), it lies at or above the true ρ in `confidence` of the groups;
    # the median-unbiased estimate (0.5) in half. The bands are ±2.5 binomial standard deviations of 300 draws.
    # With the old table of 2,000 simulated series the estimate lay above ρ in about 0.41 of groups. A town and
    # two neighbours hold it too (a median of three moves in steps: at least 80%, about 82%), where before
    # fewer than five towns were taken to have no autocorrelation at all.
    bounds = [
        pooled_lag1(pd.DataFrame(ar1_group(0.7, towns, seed=3000 + k), columns=list(YEARS)), confidence)
        for k in range(300)
    ]
    assert low <= np.mean(np.array(bounds) >= 0.7) <= high


def test_where_nothing_tells_rho_it_is_taken_at_the_end_of_the_scale_and_where_nothing_moves_at_0():
    from analysis.trends import MAX_RHO, pooled_lag1

    group = pd.DataFrame(ar1_group(0.0, 5, seed=9), columns=list(YEARS))
    for town, year in enumerate((2015, 2017, 2019, 2021, 2023)):
        group.iat[town, year - 2014] = np.nan  # each town lacks a year: none has all eleven
    assert pooled_lag1(group) == MAX_RHO
    assert pooled_lag1(group[list(range(2020, 2024))].dropna()) == MAX_RHO  # four years, fewer than a trend needs
    assert pooled_lag1(pd.DataFrame(np.full((5, 11), 3.0), columns=list(YEARS))) == 0.0  # no town's values move


def test_autocorrelation_widens_the_interval_to_its_calibrated_coverage():
    from analysis.trends import ar1_calibration

    values = pd.Series(ar1_group(0.0, 1, seed=5)[0], index=YEARS)
    independent, correlated = robust_trend(values, 0.0), robust_trend(values, 0.7)
    assert correlated.slope == independent.slope
    assert correlated.high - correlated.low > independent.high - independent.low
    # The factor is what it claims: checked here on fresh series (another seed than the calibration's),
    # by counting how many 95% intervals hold the true slope 0.5 when ρ is known.
    _, factors = ar1_calibration(11)
    # ρ = 0: Sen's interval needs no widening (1, but for the simulation's own noise); ρ = 0.7: the textbook
    # (1+ρ)/(1−ρ) would be 5.7.
    assert factors[0] == pytest.approx(1.0, abs=0.02) and 2.0 < factors[14] < 2.8
    held = [robust_trend(pd.Series(row, index=YEARS), 0.7) for row in ar1_group(0.7, 600, seed=99)]
    coverage = np.mean([t.low <= 0.5 <= t.high for t in held])
    assert 0.93 <= coverage <= 0.97  # without the widening: about 0.75


def test_more_autocorrelation_never_narrows_the_interval():
    # Between the calibrated grid's points the factor is interpolated, so a series of ρ = 0.1 is widened
    # more than one of 0.05 and less than one of 0.15: the factor rises from 1 at ρ = 0 with every step of ρ.
    from analysis.trends import RHO_GRID, variance_factor

    factors = [variance_factor(rho, 11) for rho in RHO_GRID]
    assert factors[0] == 1.0 and all(later > earlier for earlier, later in zip(factors, factors[1:]))
    assert factors[1] < variance_factor(0.075, 11) < factors[2]
    values = pd.Series(ar1_group(0.0, 1, seed=5)[0], index=YEARS)
    independent, slightly = robust_trend(values, 0.0), robust_trend(values, 0.1)
    assert slightly.high - slightly.low > independent.high - independent.low


def test_a_random_walks_trend_interval_holds_its_slope_in_95_percent_of_series_with_rho_at_its_bound_or_1():
    # Population carries each year's changes into the next: its noise is a random walk (ρ = 1). Drawn so, in
    # groups of a town and 20 peers, the ρ estimated over a group often reads below 1, and the 95% intervals
    # built on it hold the true slope 0.5 in well under 95% of series (about 86%). Taken at its upper bound, as
    # a rate's trend takes it, ρ reads 1 in most groups, and the intervals hold it in about 95%; with ρ = 1, as a
    # stock's trend takes it, in about 95% too.
    from analysis.trends import pooled_lag1

    groups = [ar1_group(1.0, 21, seed=100 + k) for k in range(40)]  # 840 series: ±0.015 at 95%
    estimated, bounded, as_stock = [], [], []
    for group in groups:
        panel = pd.DataFrame(group, columns=list(YEARS))
        estimate, bound = pooled_lag1(panel, confidence=0.5), pooled_lag1(panel)
        for row in group:
            series = pd.Series(row, index=YEARS)
            estimated.append(robust_trend(series, estimate))
            bounded.append(robust_trend(series, bound))
            as_stock.append(robust_trend(series, 1.0))
    assert np.mean([t.low <= 0.5 <= t.high for t in estimated]) < 0.9
    assert 0.92 <= np.mean([t.low <= 0.5 <= t.high for t in bounded]) <= 0.98
    assert 0.93 <= np.mean([t.low <= 0.5 <= t.high for t in as_stock]) <= 0.98


@pytest.mark.parametrize("indicator_id, yearly_gain", [("water_supply_users", 0.15), ("sewage_users", 0.6)])
def test_a_networks_coverage_is_no_stock_so_its_rises_read_as_rises_at_the_cost_the_methodology_states(
    indicator_id, yearly_gain
):
    # The share of residents connected to a water or sewage network grows as districts are connected: uneven
    # yearly steps (gamma-distributed, shape 0.5, mean `yearly_gain` points; the demo store's own shape), each
    # carried into every later year, plus GUS's small revisions of the users (sd 0.1 point), rounded to 0.1 as
    # published. Drawn so in groups of a town and 20 peers (840 series). The methodology's caveat says why such a
    # share is no stock: taken as one (ρ = 1), a slowly growing water network would be called "unclear" in most
    # towns though it only grew (72%); with ρ pooled, as its trend is formed, a rise reads as one in most towns
    # (unclear: water 39%, sewage 17%), and the interval holds the mean yearly gain in about 80-90% of series,
    # not 95% (water 83%, sewage 88%: its spikier steps read as a wander, ρ near 1).
    from analysis.methodology import render_methodology
    from analysis.trends import pooled_lag1, trend_rho

    as_formed, as_stock = [], []
    for k in range(40):
        rng = np.random.default_rng(500 + k)
        steps = rng.gamma(0.5, yearly_gain / 0.5, (21, len(YEARS)))
        steps[:, 0] = 0.0
        shares = 80 + steps.cumsum(axis=1) + rng.normal(0, 0.1, steps.shape)
        group = pd.DataFrame(shares.round(1), columns=list(YEARS))
        rho = trend_rho(indicator_id, group)
        assert rho == pooled_lag1(group)  # estimated: not a stock
        for _, row in group.iterrows():
            as_formed.append(robust_trend(row, rho))
            as_stock.append(robust_trend(row, 1.0))
    unclear = np.mean([t.low <= 0 for t in as_formed])
    covered = np.mean([t.low <= yearly_gain <= t.high for t in as_formed])
    assert unclear < 0.45 and 0.75 <= covered <= 0.92
    if indicator_id == "water_supply_users":
        assert np.mean([t.low <= 0 for t in as_stock]) > 0.6  # "about three in four"
    assert f"`{indicator_id}`" in render_methodology()


def test_a_stock_takes_rho_1_and_other_indicators_the_rho_pooled_over_the_town_and_its_peers():
    from analysis.catalogue import indicators
    from analysis.trends import MAX_RHO, pooled_lag1

    assert indicators()["population"].stock and not indicators()["births_per_1000"].stock
    # The same random-walk-free series (independent noise) under a stock's id and a rate's id.
    group = ar1_group(0.0, 21, seed=7) + 100
    teryts = [f"T{k}" for k in range(21)]
    index = pd.MultiIndex.from_product([teryts, YEARS], names=["teryt", "year"])
    values = pd.DataFrame({"population": group.ravel(), "births_per_1000": group.ravel()}, index=index)
    table = indicator_trends(values, "T0", tuple(teryts[1:]))
    pooled = pooled_lag1(pd.DataFrame(group, index=teryts, columns=list(YEARS)))
    assert pooled < 0.5
    assert table.at["population", "rho"] == MAX_RHO and table.at["births_per_1000", "rho"] == pooled
    town = pd.Series(group[0], index=YEARS)
    assert table.at["population", "low"] == pytest.approx(robust_trend(town, 1.0).low)
    assert table.at["births_per_1000", "low"] == pytest.approx(robust_trend(town, pooled).low)
    assert table.at["population", "low"] < table.at["births_per_1000", "low"]  # the wider interval


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


@pytest.mark.parametrize("years, given", [(5, False), (6, False), (7, True), (11, True)])
def test_a_random_walk_of_too_few_years_gets_no_trend_as_no_interval_holds_95_percent(years, given):
    # Zero lies beyond every pairwise slope exactly when a series is monotone, and a driftless random walk
    # is monotone with probability 2 · (1/2)^(years − 1) (each step up or down as a coin falls): 12.5% over 5
    # years, 6.25% over 6, 3.1% over 7. Over 5 or 6 years no interval of pairwise slopes, however wide,
    # holds a zero slope in 95% of such series. The calibration found it too, and took the factor of the
    # ρ below for it (inf − inf in a quantile: a RuntimeWarning in the notebook): intervals of 5 years held
    # the slope of a random walk in about 82% of series, called 95%.
    import warnings

    from analysis.trends import ar1_calibration, fewest_years

    monotone = 2 * 0.5 ** (years - 1)
    assert (monotone <= 0.05) is given
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the calibration of every length runs without a warning
        ar1_calibration.cache_clear()
        trend = robust_trend(pd.Series(np.arange(years, dtype=float) ** 1.1, index=range(2024 - years + 1, 2025)), 1.0)
    assert (trend is not None) is given
    assert fewest_years(1.0) == 7  # the first length whose monotone share is at most 5%
    assert robust_trend(pd.Series(np.arange(years, dtype=float), index=range(years)), 0.0) is not None  # ρ = 0


@pytest.mark.parametrize("rho", [0.5, 0.9])
def test_the_fewest_years_for_a_trend_are_where_a_series_of_that_rho_is_monotone_at_most_one_time_in_20(rho):
    # No closed form short of a random walk's: the share of monotone AR(1) series is counted here on 200,000
    # fresh series per length (±0.05 points), apart from the calibration's 10,000. It is 4.6% for five years at
    # ρ = 0.5 and 4.5% for six at ρ = 0.9, close enough to 5% that the calibration's former 2,000 series
    # asked one year more for each.
    from analysis.trends import fewest_years

    rng = np.random.default_rng(77)

    def monotone_share(years: int) -> float:
        shocks = rng.normal(size=(200_000, years))
        series = np.empty_like(shocks)
        series[:, 0] = shocks[:, 0] / np.sqrt(1 - rho**2)
        for k in range(1, years):
            series[:, k] = rho * series[:, k - 1] + shocks[:, k]
        steps = np.diff(series, axis=1)
        return float(np.mean((steps > 0).all(axis=1) | (steps < 0).all(axis=1)))

    needed = fewest_years(rho)
    assert monotone_share(needed) <= 0.05
    assert needed == 5 or monotone_share(needed - 1) > 0.05


def test_a_five_year_report_gives_no_population_trend_and_says_why():
    from analysis import display as show
    from analysis.report import prepare_report
    from analysis.town import TownParams

    report = prepare_report(TownParams(teryt="0290011", first_year=2020, last_year=2024))
    assert report.population_trend is None and report.population_trend_vs_peers is None
    assert (
        "Trendu liczby ludności nie podajemy: zmienia się ona z roku na rok jak błądzenie losowe (każda zmiana "
        "przenosi się na kolejne lata), więc do jego oceny z 95% pewnością potrzeba co najmniej 7\xa0lat danych, "
        "a jest ich 5." in report.narrative["demography"]
    )
    table = show.changes_table(report, "demography").frame.set_index("Wskaźnik")
    assert table.at["Liczba ludności (osoby)", "Trend roczny (95% przedział)"] == "za mało lat (5; potrzeba 7)"
    # Seven years are enough, and the sentence and the cell go.
    longer = prepare_report(TownParams(teryt="0290011", first_year=2018, last_year=2024))
    assert longer.population_trend is not None
    assert not any(sentence.startswith("Trendu liczby ludności") for sentence in longer.narrative["demography"])


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


def test_a_year_that_fewer_than_three_peers_have_has_no_peer_median_in_the_trend_against_them():
    # As the table of test_indicator_trends_table, but only P1 and P2 have 2016 and 2019 (MIN_PEERS = 3): the
    # difference series T − peer median lacks those two years. Expected: the same trend on the series by hand.
    index = pd.MultiIndex.from_product([["T", "P1", "P2", "P3"], YEARS], names=["teryt", "year"])
    town = [10 + 1.0 * i + (0.3 if i % 3 else -0.2) for i in range(11)]
    peer = [10 + 0.1 * i for i in range(11)]
    values = pd.DataFrame({"births_per_1000": town + peer + [p + 1 for p in peer] + [p + 2 for p in peer]}, index=index)
    values.loc[[("P3", 2016), ("P3", 2019)], "births_per_1000"] = np.nan
    row = indicator_trends(values, "T", ("P1", "P2", "P3")).loc["births_per_1000"]
    medians = pd.Series([p + 1 for p in peer], index=YEARS)  # P1 = peer, P2 = peer + 1, P3 = peer + 2
    by_hand = (pd.Series(town, index=YEARS) - medians).drop([2016, 2019])
    expected = robust_trend(by_hand, row["rho"])
    assert row["vs_peers"] == pytest.approx(expected.slope) and row["vs_peers_low"] == pytest.approx(expected.low)
    # The two peers' median (P1, P2: peer + 0.5) in those years would have given another interval.
    two_peer_medians = medians - 0.5 * medians.index.isin([2016, 2019])
    with_two = robust_trend(pd.Series(town, index=YEARS) - two_peer_medians, row["rho"])
    assert with_two.points == 11 and with_two.low != pytest.approx(row["vs_peers_low"])


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
    rho = report.trends.at["population", "rho"]  # pooled over the town and its peers
    assert report.trends.at["population", "slope"] == pytest.approx(robust_trend(on_new_basis, rho).slope)
    assert report.trends.at["population", "low"] == pytest.approx(robust_trend(on_new_basis, rho).low)
    # The 5-year change, recomputed from it, has six years (2019–2024) and wanders as population does: its ρ,
    # pooled over those years, reads 1, and six years of a random walk give no trend (before, with no town
    # complete over all eleven years, ρ fell to 0 and its trend was called clear in the spreadsheet).
    change = ((on_new_basis / on_new_basis.shift(5) - 1) * 100).loc[2014:]
    assert change.notna().sum() == 6 and robust_trend(change, 1.0) is None
    assert report.trends.at["population_change_5y", "rho"] == 1.0
    assert np.isnan(report.trends.at["population_change_5y", "slope"])
    # As published, the census step would read as more than doubling the decline (−68 a year against −33).
    assert report.trends.at["population", "clear"]
    assert robust_trend(published, rho).slope < 2 * report.trends.at["population", "slope"] < 0
