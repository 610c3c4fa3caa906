"""Changes of a gmina's boundaries, read off population / density (areas worked out by hand)."""

import pandas as pd
import pytest

from analysis.boundaries import BoundaryChange, boundary_changes


def counts(rows: dict[int, tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=["population", "population_density"])


def test_a_town_that_takes_in_villages_has_its_area_jump_in_that_year():
    # 118,000 residents at 1,015 per km² is 116.3 km²; 139,000 at 500 per km² the next year is 278.0 km².
    found = boundary_changes(counts({2014: (118_500, 1_019), 2015: (118_000, 1_015), 2016: (139_000, 500)}))
    assert found == [BoundaryChange(2016, pytest.approx(118_000 / 1_015), pytest.approx(139_000 / 500))]


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
