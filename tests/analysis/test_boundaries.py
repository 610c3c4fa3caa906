"""Changes of a gmina's boundaries, read off population / density (areas worked out by hand)."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.boundaries import BoundaryChange, boundary_changes


def counts(rows: dict[int, tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=["population", "population_density"])


def test_a_town_that_takes_in_villages_has_its_area_jump_in_that_year():
    # 118,000 residents at 1,015 per km² is 116.3 km²; 139,000 at 500 per km² the next year is 278.0 km².
    # The residents that came with the land: the year's change of log population, ln(139,000 / 118,000) =
    # 0.1638, beyond the usual one, the other year's ln(118,000 / 118,500) = −0.0042: 0.1680.
    found = boundary_changes(counts({2014: (118_500, 1_019), 2015: (118_000, 1_015), 2016: (139_000, 500)}))
    usual = math.log(118_000 / 118_500)
    assert found == [
        BoundaryChange(
            2016,
            pytest.approx(118_000 / 1_015),
            pytest.approx(139_000 / 500),
            pytest.approx(math.log(139_000 / 118_000) - usual),
        )
    ]
    assert found[0].moves_residents


def test_the_census_step_and_ordinary_years_move_population_and_density_together():
    # The 2021 re-basing cuts both by 2%: 10,000 / 100 = 100 km² and 9,800 / 98 = 100 km², the same area.
    assert boundary_changes(counts({2019: (10_050, 100), 2020: (10_000, 100), 2021: (9_800, 98)})) == []


def test_a_change_that_densitys_rounding_explains_is_no_change():
    # 3,000 residents at 15 per km² (15 ± 0.5: 193.5 to 206.9 km²), then at 16 (181.8 to 193.5 km²): the implied
    # area falls by 6%, yet both years fit 193.5 km², so the rounding explains it.
    assert boundary_changes(counts({2020: (3_000, 15), 2021: (3_000, 16)})) == []
    # At 17 per km² (171.4 to 181.8 km²) no area fits both years: the boundaries moved.
    assert [change.year for change in boundary_changes(counts({2020: (3_000, 15), 2021: (3_000, 17)}))] == [2021]


def test_a_surveys_correction_under_one_percent_is_no_change_and_a_gap_compares_nothing():
    # 200,000 residents at 2,000 per km² is 100 km² within ±0.025%: 100.5 km² lies outside, but is a correction.
    assert boundary_changes(counts({2020: (200_000, 2_000), 2021: (200_000, 1_990)})) == []
    # 2019 to 2021 across a missing 2020 is not read as one year's change.
    assert boundary_changes(counts({2019: (139_000, 500), 2021: (118_000, 1_015)})) == []
    assert boundary_changes(pd.DataFrame({"population": [1.0]}, index=[2020])) == []


def test_land_without_residents_changes_the_boundaries_but_breaks_no_series_of_residents():
    # An industrial zone of 1 km² taken in by a town of 10 km² in 2022: its residents go on falling by 1% a year
    # (10,000, 9,900, 9,801, 9,703), while its density falls from 980 (9,801 on 10 km²) to 882 (9,703 on
    # 11 km²). The area steps by 10%, the residents by none beyond their usual change: no break.
    from analysis.boundaries import MIN_RESIDENTS_STEP, last_change_within

    found = boundary_changes(
        counts({2019: (10_000, 1_000), 2020: (9_900, 990), 2021: (9_801, 980), 2022: (9_703, 882)})
    )
    [change] = found
    assert change.year == 2022 and change.area_after / change.area_before == pytest.approx(1.1, abs=0.002)
    assert change.residents_step == pytest.approx(0.0, abs=1e-4) and not change.moves_residents
    assert last_change_within(found, 2019, 2024) is None  # the pace of the residents keeps every year
    # The same land with 2% more residents (a village): a break, from which their pace starts.
    village = counts({2019: (10_000, 1_000), 2020: (9_900, 990), 2021: (9_801, 980), 2022: (9_897, 900)})
    [change] = boundary_changes(village)
    assert change.residents_step == pytest.approx(math.log(9_897 / 9_801) - math.log(0.99), abs=1e-4)
    assert change.residents_step > MIN_RESIDENTS_STEP and last_change_within([change], 2019, 2024) == 2022


def test_the_residents_step_that_breaks_a_series_is_the_least_difference_the_5_year_change_is_judged_on():
    from analysis.boundaries import MIN_RESIDENTS_STEP
    from analysis.catalogue import indicators

    assert MIN_RESIDENTS_STEP * 100 == pytest.approx(indicators()["population_change_5y"].min_difference)


def test_a_change_whose_residents_are_unknown_counts_as_moving_them():
    # The careful side: where the year's change of residents cannot be told (NaN), the series is read as broken.
    from analysis.boundaries import MIN_RESIDENTS_STEP, moves_residents

    steps = np.array([np.nan, 0.0, MIN_RESIDENTS_STEP / 2, MIN_RESIDENTS_STEP, -MIN_RESIDENTS_STEP])
    assert moves_residents(steps).tolist() == [True, False, False, True, True]


def test_land_alone_in_the_census_year_counts_as_moving_residents():
    # The 2021 census cut the town's residents by 2% beyond their usual 1% fall (9,900 → 9,604), the year it
    # took in 1 km² of fields: the change of residents that year cannot be told from the census's correction,
    # ln(9,604 / 9,900) − ln(0.99) = −2.0%, so the change counts as a break (the careful side: its pace restarts).
    village = counts({2019: (10_000, 1_000), 2020: (9_900, 990), 2021: (9_604, 873), 2022: (9_508, 864)})
    [change] = boundary_changes(village)
    assert change.year == 2021 and change.area_after / change.area_before == pytest.approx(1.1, abs=0.002)
    assert change.residents_step == pytest.approx(math.log(9_604 / 9_900) - math.log(0.99), abs=1e-4)
    assert change.moves_residents
