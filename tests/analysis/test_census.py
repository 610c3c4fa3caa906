"""The census re-basing: what is put on the new basis, and what stays as published."""

import numpy as np
import pandas as pd
import pytest

from analysis.census import (
    breaks_within,
    change_steps,
    rebase,
    rebased,
    rebased_panel,
    rebased_towns,
    steps_at_breaks,
    steps_in_changes,
    value_steps,
)


def test_years_before_the_census_rebasing_are_put_on_the_new_basis():
    # yearly log changes −0.01 except into 2021, where the re-basing adds −0.03 (−0.04 in all):
    # the usual change is the median −0.01, so the jump is −0.03 and every year before 2021 moves by it.
    years = list(range(2017, 2025))
    changes = [-0.01, -0.01, -0.01, -0.04, -0.01, -0.01, -0.01]
    logs = np.array([np.concatenate([[10.0], 10.0 + np.cumsum(changes)])])
    rebased = rebase(logs, years)
    assert np.diff(rebased[0]) == pytest.approx([-0.01] * 7)
    assert rebased[0, 4:] == pytest.approx(logs[0, 4:])  # 2021 on: as published
    assert rebase(logs, range(2010, 2018)) == pytest.approx(logs)  # no re-basing year in the range: unchanged


def test_a_town_with_a_missing_year_is_re_based_on_the_years_it_has():
    # By hand: 1,000 residents falling by 10 a year, 2021 published 30 below its trend value of 930 (a census
    # step of −30 / 930 = −3.2 %), 2016 missing. On the new basis every year before 2021 is 3.2 % lower (the
    # re-basing is proportional: it works on log population), so the series falls steadily across 2021.
    years = pd.Index(range(2014, 2025), name="year")
    published = pd.Series(1000.0 - 10 * np.arange(11) - np.where(years >= 2021, 30, 0), index=years)
    published[2016] = np.nan
    result = rebased(published)
    assert np.isnan(result[2016])
    assert result[2021:].to_numpy() == pytest.approx(published[2021:].to_numpy())  # 2021 on: as published
    for year in (2014, 2020):
        assert result[year] / published[year] - 1 == pytest.approx(-30 / 930, abs=0.002)
    assert result[2021] - result[2020] == pytest.approx(-10, abs=1.5)  # no step left where the census was


@pytest.mark.parametrize("missing", [2020, 2021])
def test_a_gap_beside_the_census_year_is_not_taken_for_part_of_the_step(missing):
    # By hand: log population falling by 0.01 a year, with a census step of −0.03 into 2021, and one year on
    # either side of the step missing. The change across the gap (2019→2021 or 2020→2022) is two years' fall
    # plus the step, −0.05: the step is what is beyond two usual years (−0.02), −0.03, not beyond one (−0.04).
    years = [y for y in range(2016, 2025) if y != missing]
    logs = np.array([[10.0 - 0.01 * (y - 2016) - (0.03 if y >= 2021 else 0.0) for y in years]])
    result = rebase(logs, years)
    on_new_basis = np.array([[10.0 - 0.03 - 0.01 * (y - 2016) for y in years]])
    assert result == pytest.approx(on_new_basis)


def test_a_panel_re_bases_the_population_and_its_density_and_nothing_else():
    years = range(2019, 2024)
    index = pd.MultiIndex.from_product([["A", "B"], years], names=["teryt", "year"])
    step = np.tile(np.where(np.array(years) >= 2021, 0.98, 1.0), 2)  # a 2 % census step in 2021, both towns
    panel = pd.DataFrame(
        {
            "population": np.repeat([1000.0, 5000.0], 5) * step,
            "population_density": np.repeat([50.0, 120.0], 5) * step,
            "live_births": np.repeat([9.0, 45.0], 5),
        },
        index=index,
    )
    result = rebased_panel(panel)
    # Flat towns with a step: on the new basis every year is the 2021 level (by hand: 980, 4,900; 49, 117.6).
    assert result["population"].to_numpy() == pytest.approx(np.repeat([980.0, 4900.0], 5))
    assert result["population_density"].to_numpy() == pytest.approx(np.repeat([49.0, 117.6], 5))
    pd.testing.assert_series_equal(result["live_births"], panel["live_births"])  # counted events: as published


def test_towns_re_based_together_are_each_re_based_as_alone():
    # `rebased_towns` re-bases the towns with values in the same years in one call: each town must come out as
    # `rebased` (tested by hand above) gives it alone. Towns with every year, with different gaps (beside the
    # census year too), one with a value not above zero and one without any (both left as they are).
    years = pd.Index(range(2014, 2025), name="year")
    trend = 1000.0 * np.exp(-0.01 * np.arange(11)) * np.where(years >= 2021, 0.97, 1.0)
    rows = {f"T{i}": trend * (1 + 0.1 * i) for i in range(6)}
    wide = pd.DataFrame(rows, index=years).T
    wide.loc["T1", 2016] = np.nan
    wide.loc["T2", [2016, 2020]] = np.nan
    wide.loc["T3", 2016] = np.nan  # the same years as T1: re-based in one call with it
    wide.loc["T4", 2018] = 0.0
    wide.loc["T5"] = np.nan
    result = rebased_towns(wide)
    for town in wide.index:
        pd.testing.assert_series_equal(result.loc[town], rebased(wide.loc[town]), check_names=False)
    assert result.loc["T0", 2014] == pytest.approx(wide.loc["T0", 2014] * 0.97)  # the step taken off, by hand
    pd.testing.assert_series_equal(result.loc["T4"], wide.loc["T4"])


def test_the_five_year_change_without_the_step_is_read_where_the_span_holds_a_re_basing():
    from analysis.census import change_without_step

    # Re-based 5-year changes (%) of a town and three peers in 2024 and 2027: the peers' median by hand.
    index = pd.MultiIndex.from_product([["T", "P1", "P2", "P3"], [2024, 2027]], names=["teryt", "year"])
    trending = pd.DataFrame({"population_change_5y": [0.1, 0.2, -1.7, -3.0, -2.0, -2.5, 0.5, 1.0]}, index=index)
    result = change_without_step(trending, "T", ("P1", "P2", "P3"), 2024)
    assert (result.break_year, result.town, result.peers) == (2021, 0.1, pytest.approx(-1.7))
    # 2022–2027 holds no re-basing: the published change is the whole story.
    assert change_without_step(trending, "T", ("P1", "P2", "P3"), 2027) is None
    trending.loc[("T", 2024), "population_change_5y"] = np.nan
    assert change_without_step(trending, "T", ("P1", "P2", "P3"), 2024) is None
    assert change_without_step(trending, "T", ("P1", "P2", "P3"), 2022) is None  # a year the frame does not hold
    # The span's ends: 2020–2025 crosses the re-basing; 2021–2026 starts on the new basis, with no step inside.
    index = pd.MultiIndex.from_product([["T", "P1", "P2", "P3"], [2025, 2026]], names=["teryt", "year"])
    edges = pd.DataFrame({"population_change_5y": [0.1, 0.2, -1.7, -3.0, -2.0, -2.5, 0.5, 1.0]}, index=index)
    assert change_without_step(edges, "T", ("P1", "P2", "P3"), 2025).break_year == 2021
    assert change_without_step(edges, "T", ("P1", "P2", "P3"), 2026) is None


def test_the_ten_year_change_without_the_step_reaches_back_ten_years():
    from analysis.census import change_without_step

    # 2030 is nine years after the 2021 re-basing: inside a 10-year change's span (2020–2030), outside a 5-year one.
    index = pd.MultiIndex.from_product([["T", "P1", "P2"], [2030]], names=["teryt", "year"])
    trending = pd.DataFrame(
        {"population_change_5y": [1.0, 2.0, 3.0], "population_change_10y": [-4.0, -2.0, -6.0]}, index=index
    )
    result = change_without_step(trending, "T", ("P1", "P2"), 2030, "population_change_10y")
    assert (result.indicator_id, result.break_year, result.town, result.peers) == (
        "population_change_10y",
        2021,
        -4.0,
        pytest.approx(-4.0),  # the median of −2 and −6
    )
    assert change_without_step(trending, "T", ("P1", "P2"), 2030) is None
    assert (
        change_without_step(trending, "T", ("P1", "P2"), 2031, "population_change_10y") is None
    )  # 2021→2031: the step into 2021 came before


def test_a_re_basing_falls_within_years_that_hold_its_step():
    # 2021 lies within 2014-2024 and 2020-2021 (years on both sides of the step), not within 2021-2024
    # (its first year is the new basis) nor 2015-2020.
    assert breaks_within(range(2014, 2025)) == [2021]
    assert breaks_within([2020, 2021]) == [2021]
    assert breaks_within(range(2021, 2025)) == [] == breaks_within(range(2015, 2021)) == breaks_within([])


def test_only_counts_of_residents_step_at_the_re_basing():
    assert steps_at_breaks(("population",)) and steps_at_breaks(("population_density",))
    assert not steps_at_breaks(("births", "population"))  # a rate: its denominator moves by a few per cent
    assert not steps_at_breaks(())


@pytest.mark.parametrize(
    ("names", "start", "end", "expected"),
    [
        # The number of residents: 2019 on the old basis, 2024 on the new one.
        (("population",), 2019, 2024, [2021]),
        (("population",), 2021, 2024, []),  # both on the new basis
        # The 5-year change to 2024 reads 2019 and 2024 (bases old/new), to 2019 it reads 2014 and 2019
        # (old/old): the change between them holds the step.
        (("population", "population_lag5"), 2019, 2024, [2021]),
        # To 2027 it reads 2022 and 2027 (new/new), to 2022 it reads 2017 and 2022 (old/new): the step again,
        # now with the opposite sign.
        (("population", "population_lag5"), 2022, 2027, [2021]),
        (("population", "population_lag5"), 2027, 2032, []),  # all four years on the new basis
        (("births", "population"), 2019, 2024, []),  # a rate per resident: not marked
    ],
)
def test_a_change_holds_the_step_where_its_two_ends_read_years_on_different_bases(names, start, end, expected):
    assert change_steps(names, start, end) == expected


def test_the_steps_of_several_changes_are_named_once():
    # Population to 2024: the 5-year (2019-2024) and the 10-year (2014-2024) change both hold 2021's step,
    # named once; to 2020 neither does; with no change present, nothing.
    assert steps_in_changes(("population",), 2024, (5, 10)) == [2021]
    assert steps_in_changes(("population",), 2020, (5, 10)) == []
    assert steps_in_changes(("population",), 2024, ()) == []


@pytest.mark.parametrize(
    ("names", "year", "expected"),
    [
        (("population", "population_lag5"), 2024, [2021]),  # reads 2019 (old basis) and 2024 (new)
        (("population", "population_lag5"), 2020, []),  # 2015 and 2020, both old
        (("population", "population_lag5"), 2026, []),  # 2021 and 2026, both new
        (("population", "population_lag10"), 2030, [2021]),  # 2020 and 2030
        (("population",), 2024, []),  # one year: no step inside one value
        (("births", "population"), 2024, []),  # a rate per resident: not marked
    ],
)
def test_a_value_holds_the_step_where_the_years_it_reads_straddle_it(names, year, expected):
    assert value_steps(names, year) == expected
