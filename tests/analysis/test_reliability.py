"""Intervals and flags from counts, against statsmodels' implementations (an independent reference)."""

import math

import pytest
from scipy.stats import norm

from analysis.catalogue import indicators
from analysis.reliability import count_interval

Z = norm.ppf(0.975)


def garwood(k, base, per):
    """Exact Poisson interval for k events (Garwood), statsmodels' exact-c, as a rate per `per` of `base`."""
    from statsmodels.stats.rates import confint_poisson

    low, high = confint_poisson(k, base, method="exact-c")
    return float(low) * per, float(high) * per


def wilson(x, n, per):
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(x, n, method="wilson")
    return low * per, high * per


def test_the_multiplier_is_read_off_the_formula():
    catalogue = indicators()
    assert catalogue["births_per_1000"].count_multiplier == 1000
    assert catalogue["natural_increase_per_1000"].count_multiplier == 1000
    assert catalogue["preschool_coverage"].count_multiplier == 100
    assert catalogue["new_regon_per_10k"].count_multiplier == 10000


def test_a_birth_rate_of_a_10000_resident_town():
    # 90 births: 9.0 per 1,000 with an interval of about ±1.9 (the example)
    interval = count_interval(indicators()["births_per_1000"], {"live_births": 90, "population": 10_000})
    assert (interval.low, interval.high) == pytest.approx(garwood(90, 10_000, 1000), rel=1e-6)
    assert interval.high - interval.low == pytest.approx(3.83, abs=0.02)
    assert interval.ranked and not interval.unreliable


def test_zero_events_in_a_small_gmina():
    interval = count_interval(indicators()["deaths_per_1000"], {"deaths": 0, "population": 2_000})
    assert interval.low == 0.0
    assert interval.high == pytest.approx(garwood(0, 2_000, 1000)[1], rel=1e-6)
    assert interval.high == pytest.approx(3.689 / 2_000 * 1000, abs=1e-3)  # χ²(0.975; 2) / 2 = 3.689 events
    assert not interval.ranked and interval.unreliable


def test_flags_follow_the_count_not_the_population():
    births = indicators()["births_per_1000"]
    assert count_interval(births, {"live_births": 9, "population": 50_000}).ranked is False
    assert count_interval(births, {"live_births": 19, "population": 1_500}).unreliable
    twenty = count_interval(births, {"live_births": 20, "population": 1_500})
    assert twenty.ranked and not twenty.unreliable


def test_a_share_has_a_wilson_interval_inside_0_and_100():
    interval = count_interval(
        indicators()["preschool_coverage"], {"children_3_6_in_preschool": 398, "children_3_6": 400}
    )
    assert (interval.low, interval.high) == pytest.approx(wilson(398, 400, 100), rel=1e-9)
    assert 0 < interval.low < 99.5 < interval.high < 100


def test_a_share_above_100_percent_has_the_poisson_interval_of_its_count_which_holds_it():
    # GUS counts pre-school children where they attend: a town whose pre-schools take its neighbours' children
    # has 460 of them for its own 400, 115%. Wilson on a share capped at 1 gave 99.0-100.0, an interval that
    # leaves out the value it is printed beside; the count over its base is a rate, with Garwood's interval
    # (statsmodels' exact-c: about 419 to 504 attendances, 104.7% to 126.0%).
    preschool = indicators()["preschool_coverage"]
    interval = count_interval(preschool, {"children_3_6_in_preschool": 460, "children_3_6": 400})
    assert (interval.low, interval.high) == pytest.approx(garwood(460, 400, 100), rel=1e-9)
    assert interval.low < 115 < interval.high
    assert (interval.low, interval.high) == pytest.approx((104.7, 126.0), abs=0.1)
    # All of the base attending is still a share: Wilson, up to 100%.
    full = count_interval(preschool, {"children_3_6_in_preschool": 400, "children_3_6": 400})
    assert (full.low, full.high) == pytest.approx(wilson(400, 400, 100), rel=1e-9)
    # And the tables' note on a share above its base (`exceeds_its_base`) is for more than all of it, not for 100%.
    from analysis.reliability import exceeds_its_base

    assert not exceeds_its_base(preschool, 100.0) and exceeds_its_base(preschool, 115.0)


def test_natural_increase_as_a_difference_of_two_counts():
    interval = count_interval(
        indicators()["natural_increase_per_1000"], {"live_births": 90, "deaths": 120, "population": 10_000}
    )
    half = Z * math.sqrt(90 + 120)
    assert interval.low == pytest.approx((-30 - half) / 10)
    assert interval.high == pytest.approx((-30 + half) / 10)
    assert interval.events == 210


def test_no_interval_without_counts_or_a_count_model():
    assert count_interval(indicators()["births_per_1000"], {"live_births": float("nan"), "population": 1000}) is None
    assert count_interval(indicators()["births_per_1000"], {"live_births": 3, "population": 0}) is None
    assert count_interval(indicators()["water_supply_users"], {}) is None


def test_a_net_flow_rests_on_the_assumed_moves_in_and_out():
    foreign = indicators()["net_migration_foreign_per_1000"]
    gross = foreign.counts.gross_per_1000  # moves in + out a year per 1,000 residents, from the catalogue
    # A balance of 0 in a town of 40,000: the moves behind it are gross × 40 (by hand: 0.7 × 40 = 28 for
    # the catalogue's 0.7), so the 95% interval is 0 ± 1.96 × √moves people, per 1,000 residents: ÷ 40.
    interval = count_interval(foreign, {"net_migration_foreign": 0, "population": 40_000})
    moves = gross * 40
    assert interval.events == pytest.approx(moves)
    assert interval.high == pytest.approx(Z * math.sqrt(moves) / 40)
    assert interval.low == pytest.approx(-interval.high)
    # With 0.7 per 1,000 that is ±0.26 ‰: a peer median 0.2 ‰ above the town does not clear the noise.
    if gross == 0.7:
        assert interval.high == pytest.approx(0.259, abs=0.001)


def test_the_moves_are_never_fewer_than_the_balance():
    internal = indicators()["net_migration_internal_per_1000"]
    # 300 more people left a town of 5,000 than came: at least 300 moves, whatever the assumed rate.
    interval = count_interval(internal, {"net_migration_internal": -300, "population": 5_000})
    moves = max(internal.counts.gross_per_1000 * 5, 300)
    assert interval.events == pytest.approx(moves)
    assert (interval.low, interval.high) == pytest.approx(
        ((-300 - Z * math.sqrt(moves)) / 5, (-300 + Z * math.sqrt(moves)) / 5)
    )


def test_a_small_gminas_net_foreign_migration_is_not_ranked():
    # 3,000 residents, one year: 0.7 × 3 = 2.1 expected moves abroad and back, far under the ranking floor.
    interval = count_interval(
        indicators()["net_migration_foreign_per_1000"], {"net_migration_foreign": 1, "population": 3_000}
    )
    assert not interval.ranked


def test_a_population_change_rests_on_the_births_deaths_and_moves_behind_it():
    change = indicators()["population_change_5y"]
    assert change.count_multiplier == 100  # (population / population_lag5 - 1) * 100: per cent of the earlier level
    # 2,364 residents five years ago, 2,206 now: a change of −158 people, −6.68 %. The events behind it,
    # by hand: the catalogue's rate a year per 1,000 × 5 years × 2,364 (0.044 × 5 × 2,364 = 520.08 for 44).
    interval = count_interval(change, {"population": 2_206, "population_lag5": 2_364})
    events = change.counts.gross_per_1000 / 1000 * 5 * 2_364
    half = Z * math.sqrt(events) / 2_364 * 100
    assert interval.events == pytest.approx(events)
    assert (interval.low, interval.high) == pytest.approx((-158 / 2_364 * 100 - half, -158 / 2_364 * 100 + half))
    # About ±1.9 percentage points in a town this small: a peer median of −5.9 % lies inside.
    assert interval.low < -5.9 < interval.high


def test_a_change_is_never_given_fewer_events_than_the_change_itself():
    change = indicators()["population_change_10y"]
    # A town that doubled in ten years (1,000 → 2,000): at least 1,000 events, whatever the assumed rate.
    interval = count_interval(change, {"population": 2_000, "population_lag10": 1_000})
    assert interval.events == pytest.approx(max(change.counts.gross_per_1000 * 10 * 1.0, 1_000))


def test_assumed_events_are_said_to_be_about_so_many():
    from analysis.reliability import events_text

    catalogue = indicators()
    assert events_text(catalogue["births_per_1000"], 7, "pl") == "7\u00a0zdarzeń"  # counted births
    assert events_text(catalogue["net_migration_foreign_per_1000"], 5, "pl") == "ok. 5\u00a0zdarzeń"
    assert events_text(catalogue["net_migration_foreign_per_1000"], 2, "en") == "about 2\u00a0events"


@pytest.mark.parametrize("events", [9.6, 9.999, 10.0, 19.5, 20.4])
def test_a_count_is_shown_below_a_threshold_exactly_when_it_is_below_it(events):
    # A real gmina's report said "nie oceniono: tylko ok. 10 zdarzeń" of 9.6 assumed moves: not judged for fewer
    # than 10 events, shown as 10. The number shown, read back, must fall on the same side of each threshold.
    from analysis.reliability import NOT_RANKED_BELOW, UNRELIABLE_BELOW, events_text

    shown = events_text(indicators()["net_migration_foreign_per_1000"], events, "pl")
    number = int(shown.removeprefix("ok. ").split("\u00a0")[0])
    for threshold in (NOT_RANKED_BELOW, UNRELIABLE_BELOW):
        assert (number < threshold) == (events < threshold), (events, shown)
