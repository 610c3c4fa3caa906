import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.catalogue import Direction, indicators
from analysis.compare import compare_indicator, percentile_rank


def test_percentile_rank_by_hand():
    # value 5 among peers 1, 3, 5, 7: below = 2 (1, 3) + half of 1 tie = 2.5 of 4 -> 62.5
    assert percentile_rank(5, [1, 3, 5, 7]) == 62.5
    assert percentile_rank(5, [1, 3, 5, 7], Direction.LOWER_BETTER) == 37.5
    assert percentile_rank(100, [1, 2]) == 100.0
    # A neutral indicator is ranked from low to high, as a higher-is-better one: 62.5, not mirrored.
    assert percentile_rank(5, [1, 3, 5, 7], Direction.NEUTRAL) == 62.5
    assert math.isnan(percentile_rank(float("nan"), [1, 2]))
    assert math.isnan(percentile_rank(1, [np.nan]))


finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(finite, st.lists(finite, min_size=1, max_size=30))
def test_percentile_rank_is_within_0_and_100_and_mirrors(value, peers):
    higher = percentile_rank(value, peers, Direction.HIGHER_BETTER)
    lower = percentile_rank(value, peers, Direction.LOWER_BETTER)
    assert 0 <= higher <= 100
    assert higher + lower == pytest.approx(100)


@given(finite, st.lists(finite, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_percentile_rank_ignores_peer_order(value, peers, random):
    shuffled = peers[:]
    random.shuffle(shuffled)
    assert percentile_rank(value, peers) == percentile_rank(value, shuffled)


def values_frame():
    # Births per 1,000 for town T and peers P1..P4 in 2019 and 2024.
    data = {
        ("T", 2019): 9.0,
        ("T", 2024): 8.0,
        ("P1", 2019): 7.0,
        ("P1", 2024): 6.0,
        ("P2", 2019): 8.0,
        ("P2", 2024): 7.0,
        ("P3", 2019): 10.0,
        ("P3", 2024): 9.0,
        ("P4", 2019): 12.0,
        ("P4", 2024): 10.0,
        ("X", 2024): 100.0,
    }
    index = pd.MultiIndex.from_tuples(data, names=["teryt", "year"])
    return pd.DataFrame({"births_per_1000": list(data.values())}, index=index)


def test_comparison_row_by_hand():
    row = compare_indicator(indicators()["births_per_1000"], "T", ("P1", "P2", "P3", "P4"), values_frame(), 2024)
    # peers in 2024: 6, 7, 9, 10 -> median 8.0; numpy's linear quartiles: Q1 = 6.75, Q3 = 9.25
    assert row["peer_median"] == 8.0
    assert row["peer_q1"] == 6.75 and row["peer_q3"] == 9.25
    assert row["percentile"] == 50.0  # above 6 and 7, below 9 and 10
    assert row["change"] == -1.0  # 8 - 9
    assert row["peer_median_change"] == -1.0  # changes -1, -1, -1, -2 -> median -1
    assert row["peer_count"] == 4


def test_a_town_outside_the_peer_group_changes_nothing():
    """X (value 100) is in the frame but not a peer: results must not move."""
    without = values_frame().drop(index="X", level="teryt")
    peers = ("P1", "P2", "P3", "P4")
    ind = indicators()["births_per_1000"]
    pd.testing.assert_series_equal(
        pd.Series(compare_indicator(ind, "T", peers, values_frame(), 2024)),
        pd.Series(compare_indicator(ind, "T", peers, without, 2024)),
    )


def test_latest_available_year_is_used_when_the_last_is_missing():
    frame = values_frame()
    frame.loc[("T", 2024), "births_per_1000"] = np.nan
    row = compare_indicator(indicators()["births_per_1000"], "T", ("P1", "P2", "P3", "P4"), frame, 2024)
    assert row["year"] == 2019 and row["value"] == 9.0
    assert row["peer_median"] == 9.0  # peers in 2019: 7, 8, 10, 12


def test_a_report_starting_after_the_changes_base_year_still_has_the_change_and_nothing_else_from_before():
    # A report of 2020–2024: its 5-year change to 2024 reaches 2019, as a lagged formula (the population
    # change over 5 years) does. Before, the change was left out ("b.d."), while page one gave the population
    # change over 5 years from that formula. 2019 is only the change's base: a town without a value in the
    # report's years has none, and 2019 is no missing year of the report.
    from analysis.compare import compare_town

    peers = ("P1", "P2", "P3", "P4")
    row = compare_town("T", peers, values_frame(), 2024, first_year=2020).loc["births_per_1000"]
    assert row["change"] == -1.0 and row["peer_median_change"] == -1.0  # by hand, as in the row above
    assert row["year"] == 2024 and row["missing_years"] == 4  # 2020, 2021, 2022 and 2023 have no value; 2019 is no gap
    frame = values_frame()
    frame.loc[("T", 2024), "births_per_1000"] = np.nan
    alone = compare_town("T", peers, frame, 2024, first_year=2020).loc["births_per_1000"]
    assert pd.isna(alone["value"]) and pd.isna(alone["change"])  # 2019's value is not the report's (2020–2024)


def test_missing_years_count_gaps_not_years_a_change_cannot_have():
    index = pd.MultiIndex.from_product([["T", "P1", "P2"], range(2014, 2025)], names=["teryt", "year"])
    frame = pd.DataFrame({"population_change_5y": np.nan, "births_per_1000": 8.0}, index=index)
    for town in ("T", "P1", "P2"):
        for year in range(2019, 2025):
            frame.loc[(town, year), "population_change_5y"] = -1.0
    frame.loc[("T", 2021), "population_change_5y"] = np.nan  # one real gap
    frame.loc[("T", 2016), "births_per_1000"] = np.nan
    change = compare_indicator(indicators()["population_change_5y"], "T", ("P1", "P2"), frame, 2024)
    births = compare_indicator(indicators()["births_per_1000"], "T", ("P1", "P2"), frame, 2024)
    assert change["missing_years"] == 1 and births["missing_years"] == 1


def test_a_value_that_fewer_than_three_peers_have_is_compared_with_nothing():
    # P3 and P4 lack 2024: two peers (6, 7) are no median, no quartiles and no position (MIN_PEERS = 3), so
    # the town's 8.0 is shown alone and not judged, its count kept for the note. With P3 back: 6, 7, 9.
    births = indicators()["births_per_1000"]
    frame = values_frame().drop(index=[("P3", 2024), ("P4", 2024)])
    row = compare_indicator(births, "T", ("P1", "P2", "P3", "P4"), frame, 2024)
    assert row["value"] == 8.0 and row["peer_count"] == 2
    assert all(math.isnan(row[key]) for key in ("peer_median", "peer_q1", "peer_q3", "percentile", "score"))
    assert not row["judged"] and math.isnan(row["peer_median_change"])  # two peers' changes: no median either
    frame = values_frame().drop(index=[("P4", 2024)])
    row = compare_indicator(births, "T", ("P1", "P2", "P3", "P4"), frame, 2024)
    assert row["peer_count"] == 3 and row["peer_median"] == 7.0 and row["percentile"] == 200 / 3 and row["judged"]
    assert row["peer_median_change"] == -1.0  # −1, −1, −1


def test_a_town_without_a_value_is_shown_beside_its_peers_figures_and_not_judged():
    # T has no births in any year. The peers' median and quartiles are still given, in the latest year at least
    # three of them have a value, so that a reader sees that the town's figure is missing, not the group's (a
    # report said that neither had one). By hand: in 2024 the peers have 6, 7, 9, 10, as in the first row above.
    births, peers = indicators()["births_per_1000"], ("P1", "P2", "P3", "P4")
    frame = values_frame().drop(index="T", level="teryt")
    row = compare_indicator(births, "T", peers, frame, 2024)
    assert math.isnan(row["value"]) and row["year"] == 2024 and row["peer_count"] == 4
    assert (row["peer_median"], row["peer_q1"], row["peer_q3"]) == (8.0, 6.75, 9.25)
    assert row["peer_median_change"] == -1.0 and math.isnan(row["change"])  # the peers' changes −1, −1, −1, −2
    assert math.isnan(row["percentile"]) and math.isnan(row["score"]) and not row["judged"] and row["assessment"] == ""
    # Two peers with a value in 2024 make no median: their latest year with three or more, 2019 (7, 8, 10, 12).
    frame = frame.drop(index=[("P3", 2024), ("P4", 2024)])
    row = compare_indicator(births, "T", peers, frame, 2024)
    assert row["year"] == 2019 and row["peer_median"] == 9.0 and row["peer_count"] == 4 and not row["judged"]
    # Its position reads "no data", not "not ranked" (which says a value is there), even beside too few peers.
    from analysis.compare import unranked

    assert not unranked({**row, "peer_count": 2}) and unranked({**row, "value": 8.0, "peer_count": 2})
    # No peer in any year either: nothing at all.
    nothing = compare_indicator(births, "T", peers, frame.drop(index=list(peers), level="teryt"), 2024)
    assert nothing["year"] is None and nothing["peer_count"] == 0 and math.isnan(nothing["peer_median"])


def test_few_events_are_not_ranked_and_matching_indicators_not_judged():
    # T has 9 births (fewer than 10 events): the value is kept, its rank and score are not.
    frame = values_frame()
    counts = pd.DataFrame({"live_births": [9.0], "population": [1125.0]}, index=pd.Index([2024], name="year"))
    births = indicators()["births_per_1000"]
    row = compare_indicator(births, "T", ("P1", "P2", "P3", "P4"), frame, 2024, counts)
    assert row["value"] == 8.0 and row["events"] == 9 and row["reliability"] == "not_ranked"
    assert math.isnan(row["percentile"]) and math.isnan(row["score"]) and not row["judged"]
    # 30 births: ranked, and its interval comes from the counts: exact Poisson for 30 events is 20.24–42.83
    counts["live_births"] = 30.0
    counts["population"] = 3750.0  # 8.0 per 1,000
    row = compare_indicator(births, "T", ("P1", "P2", "P3", "P4"), frame, 2024, counts)
    assert row["reliability"] == "ok" and row["judged"]
    assert row["ci_low"] == pytest.approx(20.24 / 3.75, abs=0.01) and row["ci_high"] == pytest.approx(
        42.83 / 3.75, abs=0.01
    )
    from analysis.compare import compare_town

    matched = compare_town(
        "T", ("P1", "P2", "P3", "P4"), frame, 2024, {"births_per_1000": births}, matching=("births_per_1000",)
    ).iloc[0]
    assert matched["matching"] and not matched["judged"] and matched["assessment"] == ""


def test_a_pooled_value_has_its_years_and_an_interval_from_the_summed_counts():
    # Births are pooled over 3 years: T's counts 2022–2024 are 12 + 9 + 9 = 30 births among
    # 1250 + 1250 + 1250 = 3750 residents (8.0 per 1,000, the value in the frame). One year alone,
    # 9 births, would not be ranked; together they are 30 events, ranked, with the exact Poisson
    # interval for 30 events (20.24–42.83) over 3.75 thousand residents.
    from analysis.compare import pooled_years, value_period

    counts = pd.DataFrame(
        {"live_births": [5.0, 12.0, 9.0, 9.0], "population": [1250.0] * 4},
        index=pd.Index([2021, 2022, 2023, 2024], name="year"),
    )
    births = indicators()["births_per_1000"]
    row = compare_indicator(births, "T", ("P1", "P2", "P3", "P4"), values_frame(), 2024, counts)
    assert row["events"] == 30 and row["period_start"] == 2022 and row["reliability"] == "ok" and row["judged"]
    assert row["ci_low"] == pytest.approx(20.24 / 3.75, abs=0.01)
    assert row["ci_high"] == pytest.approx(42.83 / 3.75, abs=0.01)
    assert pooled_years(row) == 3 and value_period(row) == "2022–2024"
    # Not pooled: the year's own counts, one year.
    share = compare_indicator(
        indicators()["births_per_1000"].model_copy(update={"pool_years": 1}),
        "T",
        ("P1", "P2", "P3", "P4"),
        values_frame(),
        2024,
        counts,
    )
    assert share["events"] == 9 and value_period(share) == "2024" and share["reliability"] == "not_ranked"


def test_a_pooled_values_change_compares_windows_of_the_same_length():
    # Computed by hand from the demo store with plain sums: births of 2022–2024 over residents of
    # 2022–2024, minus births of 2017–2019 over residents of 2017–2019 (per 1,000): the report's change.
    from analysis.report import load_store_and_values, prepare_report
    from analysis.store import variable_panel
    from analysis.town import TownParams

    store, _ = load_store_and_values("")
    panel = variable_panel(store, ["0490013"]).xs("0490013", level="teryt")

    def pooled(first, last):
        window = panel.loc[first:last]
        return window["live_births"].sum() / window["population"].sum() * 1000

    row = prepare_report(TownParams(teryt="0490013")).comparison.loc["births_per_1000"]
    assert row["value"] == pytest.approx(pooled(2022, 2024))
    assert row["change"] == pytest.approx(pooled(2022, 2024) - pooled(2017, 2019))
    # The window ending 10 years earlier (2012–2014) holds only 2014 in a store that starts then: the
    # change is taken from what there is, as the methodology says.
    assert store.years[0] == 2014
    assert row["change_10y"] == pytest.approx(pooled(2022, 2024) - pooled(2014, 2014))


def _annexing_frame(annexing: str, year: int) -> pd.DataFrame:
    """Town T and peers P1..P5, 2019–2024: 10,000 residents on 10 km² (density 1,000), and each town's
    5-year population change in 2024 as given. `annexing` takes in 2 km² with 2,000 residents in `year`:
    12,000 residents at a density of 1,000 are 12 km², where the years before were 10 (the rounding of
    density leaves 9.995–10.005 km²)."""
    changes = {"T": -5.0, "P1": 15.0, "P2": -3.0, "P3": -4.0, "P4": -6.0, "P5": -7.0}
    rows = {}
    for town, change in changes.items():
        for y in range(2019, 2025):
            rows[(town, y)] = {
                "population": 12_000.0 if town == annexing and y >= year else 10_000.0,
                "population_density": 1_000.0,
                "population_change_5y": change if y == 2024 else np.nan,
            }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["teryt", "year"])
    return frame


PEERS = ("P1", "P2", "P3", "P4", "P5")


def test_a_peer_whose_change_holds_its_annexation_is_left_out_of_the_peers_figures():
    # P1's +15% over 2019–2024 holds the 2,000 residents of the land it took in 2022. Without it, the
    # peers' changes are −3, −4, −6, −7: median −5, quartiles (numpy, linear) −6.25 and −3.75; T's −5 is
    # above −6 and −7, below −3 and −4: percentile 50. With P1, the median would be −4 and T's percentile 40.
    from analysis.compare import compare_town

    row = compare_town("T", PEERS, _annexing_frame("P1", 2022), 2024).loc["population_change_5y"]
    assert row["peer_median"] == -5.0 and (row["peer_q1"], row["peer_q3"]) == (-6.25, -3.75)
    assert row["percentile"] == 50.0 and row["peer_count"] == 4
    assert row["peers_left_out"] == ("P1",) and pd.isna(row["boundary_change"])
    # Land taken in 2019 is not within the change: 2019's 12,000 are already within the new boundaries.
    kept = compare_town("T", PEERS, _annexing_frame("P1", 2019), 2024).loc["population_change_5y"]
    assert kept["peer_median"] == -4.0 and kept["percentile"] == 40.0 and kept["peers_left_out"] == ()
    # The population itself (a level, one year's count) holds no change: every peer stays.
    level = compare_town("T", PEERS, _annexing_frame("P1", 2022), 2024).loc["population"]
    assert level["peer_count"] == 5 and level["peers_left_out"] == ()


def test_a_towns_change_that_holds_its_own_annexation_is_shown_but_not_ranked():
    from analysis.compare import compare_town, unranked

    row = compare_town("P1", ("T", "P2", "P3", "P4", "P5"), _annexing_frame("P1", 2022), 2024).loc[
        "population_change_5y"
    ]
    assert row["value"] == 15.0 and row["boundary_change"] == 2022
    assert math.isnan(row["percentile"]) and math.isnan(row["score"])
    assert not row["judged"] and row["assessment"] == ""
    assert unranked(row)
    assert row["peer_median"] == -5.0  # the peers' figures stay: T, P2..P5 are −5, −3, −4, −6, −7
    # Without the land, +15% among changes of −3 to −7 would have been the group's best: a strength.
    frame = _annexing_frame("", 2022)
    judged = compare_town("P1", ("T", "P2", "P3", "P4", "P5"), frame, 2024).loc["population_change_5y"]
    assert judged["percentile"] == 100.0 and judged["assessment"] == "strength"
    # Without its own value of the change, P1 holds no change of boundaries in it: "no data", not "not ranked".
    frame = _annexing_frame("P1", 2022)
    frame.loc["P1", "population_change_5y"] = np.nan
    missing = compare_town("P1", ("T", "P2", "P3", "P4", "P5"), frame, 2024).loc["population_change_5y"]
    assert pd.isna(missing["value"]) and pd.isna(missing["boundary_change"]) and not unranked(missing)
    assert missing["peer_median"] == -5.0  # the peers' figures, as beside its value


def test_one_indicator_compared_alone_still_leaves_out_a_peer_whose_land_moved():
    # compare_indicator compares one catalogue indicator, but the residents and their density beside it in
    # the frame still tell P1's change of boundaries: the same figures as the whole comparison.
    from analysis.compare import compare_town

    frame = _annexing_frame("P1", 2022)
    alone = compare_indicator(indicators()["population_change_5y"], "T", PEERS, frame, 2024)
    whole = compare_town("T", PEERS, frame, 2024).loc["population_change_5y"]
    assert alone["peers_left_out"] == whole["peers_left_out"] == ("P1",)
    assert alone["peer_median"] == whole["peer_median"] == -5.0


def test_the_peers_median_change_leaves_out_a_peer_whose_boundaries_changed_within_it_and_names_it():
    # T and P1..P5 on 10 km², 2019–2024, each losing its own number of residents a year. P1 takes in 2 km² with
    # 2,000 residents in 2022; P2 takes in 2 km² without residents in 2022 (its residents fall as every year).
    # Worked by hand from the frame below:
    # - residents, 5-year change to 2024: T −500; P1 +1,750, P2 −1,000, P3 −300, P4 −400, P5 −600. P1's holds
    #   the residents of its land: median of P2..P5 = (−600 − 400) / 2 = −500 (with P1 it would be −400). P2's
    #   land moved no one: it stays.
    # - density: T 1,000 → 950 (−50); P1 1,000 → 11,750 / 12 = 979.2; P2 1,000 → 9,000 / 12 = 750 (−250, land
    #   alone); P3 −30, P4 −40, P5 −60. Both P1 and P2 step: median of P3..P5 = −40 (with P2, −50).
    from analysis.compare import compare_town

    yearly = {"T": -100, "P1": -50, "P2": -200, "P3": -60, "P4": -80, "P5": -120}
    rows = {}
    for town, per_year in yearly.items():
        for y in range(2019, 2025):
            population = 10_000.0 + per_year * (y - 2019) + (2_000 if town == "P1" and y >= 2022 else 0)
            area = 12.0 if town in ("P1", "P2") and y >= 2022 else 10.0
            rows[(town, y)] = {"population": population, "population_density": round(population / area, 1)}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["teryt", "year"])
    comparison = compare_town("T", PEERS, frame, 2024)
    residents, density = comparison.loc["population"], comparison.loc["population_density"]
    assert residents["change"] == -500 and residents["peer_median_change"] == -500
    assert residents["peers_left_out_change"] == ("P1",)
    assert density["change"] == pytest.approx(-50) and density["peer_median_change"] == pytest.approx(-40)
    assert density["peers_left_out_change"] == ("P1", "P2")
    # The levels are one year's figures: every peer stays in their medians.
    assert residents["peers_left_out"] == density["peers_left_out"] == () and residents["peer_count"] == 5
    # No 10-year change in six years: nobody left out of one.
    assert residents["peers_left_out_change_10y"] == () and math.isnan(residents["peer_median_change_10y"])
