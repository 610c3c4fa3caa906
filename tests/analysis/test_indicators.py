"""Each indicator against a value worked out by hand on a two-town frame.

The expected numbers below are written as the arithmetic a person would do from
the definition (e.g. 90 births among 10 000 residents = 9.0 per 1,000), not by
calling the catalogue's formulas. A catalogue indicator with no entry here fails
`test_every_indicator_has_a_hand_computed_case`.
"""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue import indicators, variables
from analysis.indicators import compute_indicators

# Town A in 2024 (and 2019 for the 5-year change).
A_2024 = {
    "population": 10_000,
    "population_pre_working_age": 1_600,
    "population_working_age": 5_800,
    "population_post_working_age": 2_600,
    "population_density": 412.5,
    "live_births": 90,
    "deaths": 125,
    "net_migration": -40,
    "net_migration_internal": -52,
    "net_migration_foreign": 12,
    "regon_entities": 1_150,
    "regon_new_entities": 85,
    "registered_unemployed": 232,
    "revenue_total": 82_000_000,
    "own_revenue": 41_500_000,
    "pit_share_revenue": 16_000_000,
    "cit_share_revenue": 1_200_000,
    "expenditure_total": 80_000_000,
    "investment_expenditure": 12_000_000,
    "dwellings_completed": 25,
    "children_3_6": 400,
    "children_3_6_in_preschool": 372,
    "nursery_places_per_1000_under3": 180.0,
    "water_supply_users_pct": 96.4,
    "sewage_users_pct": 81.2,
    "library_readers": 1_540,
    "social_assistance_per_10k": 410.0,
    "education_expenditure_per_capita": 3_120.5,
}
A_2019_POPULATION = 10_400
A_2014_POPULATION = 10_800

HAND = {
    "population": 10_000,
    "population_change_5y": (10_000 - 10_400) / 10_400 * 100,  # -400 of 10 400 = -3.846 %
    "population_change_10y": (10_000 - 10_800) / 10_800 * 100,  # -800 of 10 800 = -7.407 %
    "share_pre_working_age": 16.0,  # 1 600 of 10 000
    "share_working_age": 58.0,  # 5 800 of 10 000
    "share_post_working_age": 26.0,  # 2 600 of 10 000
    "old_age_dependency": 2_600 / 58,  # 2 600 per 5 800, per 100 = 44.83
    "ageing_index": 162.5,  # 2 600 per 1 600, per 100
    "births_per_1000": 9.0,  # 90 per 10 000 = 9 per 1 000
    "deaths_per_1000": 12.5,
    "natural_increase_per_1000": -3.5,  # (90 - 125) per 10 000
    "net_migration_per_1000": -4.0,
    "net_migration_internal_per_1000": -5.2,
    "net_migration_foreign_per_1000": 1.2,
    "population_density": 412.5,  # published directly by GUS
    "regon_per_10k": 1_150.0,  # 1 150 entities per 10 000 residents
    "new_regon_per_10k": 85.0,
    "unemployed_share_working_age": 4.0,  # 232 of 5 800
    "own_revenue_per_capita": 4_150.0,  # 41.5 mln zł / 10 000
    "pit_per_capita": 1_600.0,
    "cit_per_capita": 120.0,
    "revenue_per_capita": 8_200.0,
    "expenditure_per_capita": 8_000.0,
    "investment_share": 15.0,  # 12 of 80 mln
    "dwellings_per_1000": 2.5,
    "preschool_coverage": 93.0,  # 372 of 400
    "nursery_places_per_1000": 180.0,
    "water_supply_users": 96.4,
    "sewage_users": 81.2,
    "library_readers_per_1000": 154.0,
    "social_assistance_per_10k": 410.0,
    "education_expenditure_per_capita": 3_120.5,
}


def two_town_panel() -> pd.DataFrame:
    """Town A: every variable in 2024, population only in 2019. Town B: zero population."""
    columns = list(variables())
    rows = {
        ("A", 2024): A_2024,
        ("A", 2019): {"population": A_2019_POPULATION},
        ("A", 2014): {"population": A_2014_POPULATION},
        ("B", 2024): {"population": 0, "live_births": 5},
    }
    index = pd.MultiIndex.from_tuples(rows, names=["teryt", "year"])
    return pd.DataFrame([{c: values.get(c, np.nan) for c in columns} for values in rows.values()], index=index)


def test_every_indicator_has_a_hand_computed_case():
    catalogue = set(indicators())
    assert catalogue == set(HAND), (
        f"no hand-worked value for {sorted(catalogue - set(HAND))}: add town A's 2024 value to HAND, as arithmetic "
        f"on A_2024 (not the catalogue's formula); no longer in the catalogue: {sorted(set(HAND) - catalogue)}"
    )


@pytest.mark.parametrize("indicator_id", sorted(HAND))
def test_indicator_matches_hand_computation(indicator_id):
    values = compute_indicators(two_town_panel())
    assert values.at[("A", 2024), indicator_id] == pytest.approx(HAND[indicator_id], rel=1e-12)


def test_zero_or_missing_denominator_gives_missing_not_zero_or_infinity():
    values = compute_indicators(two_town_panel())
    births = values.at[("B", 2024), "births_per_1000"]  # 5 births, population 0
    assert math.isnan(births)
    # A's 5-year change in 2014 needs 2009, which is absent.
    assert math.isnan(values.at[("A", 2014), "population_change_5y"])


def test_lag_uses_calendar_years_not_row_positions():
    """A gap year must not shift the lag: 2019 -> 2024 is five years even if 2020–2023 are absent."""
    values = compute_indicators(two_town_panel())
    assert values.at[("A", 2024), "population_change_5y"] == pytest.approx(-400 / 10_400 * 100)


def births_panel(births: dict[int, float], population: dict[int, float]) -> pd.DataFrame:
    """Town P's births and population by year (a missing key: no value that year)."""
    years = sorted(set(births) | set(population))
    index = pd.MultiIndex.from_product([["P"], years], names=["teryt", "year"])
    return pd.DataFrame(
        {c: [np.nan] * len(years) for c in variables()}
        | {
            "live_births": [births.get(y, np.nan) for y in years],
            "population": [population.get(y, np.nan) for y in years],
        },
        index=index,
    )


def test_a_pooled_rate_is_the_events_of_its_years_over_their_population():
    births = indicators()["births_per_1000"]
    assert births.pool_years == 3  # the catalogue pools births over three years
    panel = births_panel({2021: 5, 2022: 10, 2023: 20, 2024: 30}, {2021: 1000, 2022: 1000, 2023: 1000, 2024: 2000})
    pooled = compute_indicators(panel, pooled=True)
    yearly = compute_indicators(panel)
    # 2024: (10 + 20 + 30) births over (1000 + 1000 + 2000) residents = 60 / 4000 = 15 per 1,000;
    # the mean of the three yearly rates (10, 20, 15) would be 15 too only by chance, so 2023 checks that:
    # (5 + 10 + 20) / 3000 = 11.67, while 2023 alone is 20.
    assert pooled.at[("P", 2024), "births_per_1000"] == pytest.approx(15.0)
    assert pooled.at[("P", 2023), "births_per_1000"] == pytest.approx(35 / 3)
    assert yearly.at[("P", 2023), "births_per_1000"] == pytest.approx(20.0)
    # The first year has only itself: 5 / 1000.
    assert pooled.at[("P", 2021), "births_per_1000"] == pytest.approx(5.0)
    # Indicators without pool_years are the year's own.
    assert pooled["population"].equals(yearly["population"])


def test_a_pooled_rate_skips_a_year_without_counts_and_needs_its_own_year():
    panel = births_panel({2022: 10, 2024: 30}, {2022: 1000, 2023: 1000, 2024: 2000})  # 2023: no births
    pooled = compute_indicators(panel, pooled=True)
    # 2023 has no births, so it does not enter 2024's window, not even its population: 40 / 3000.
    assert pooled.at[("P", 2024), "births_per_1000"] == pytest.approx(40 / 3000 * 1000)
    # A year without its own count has no pooled value: the comparison uses the latest year that has one.
    assert math.isnan(pooled.at[("P", 2023), "births_per_1000"])
    # A calendar gap (no row for 2023 at all) does not stretch the window to four rows: 2021–2023 of 2024 only.
    gap = births_panel({2020: 100, 2021: 10, 2022: 10, 2024: 30}, {2020: 1000, 2021: 1000, 2022: 1000, 2024: 2000})
    gap = gap.drop(("P", 2023), errors="ignore")
    assert compute_indicators(gap, pooled=True).at[("P", 2024), "births_per_1000"] == pytest.approx(40 / 3000 * 1000)


def test_the_pooled_panel_agrees_with_one_towns_window_of_counts(demo_store):
    # Two ways to the same number: the whole store's pooled values (array arithmetic over every town),
    # and one town's counts summed over its window (what its confidence interval uses), through the formula.
    from analysis.indicators import indicator_table, window_counts
    from analysis.store import variable_panel

    pooled = indicator_table(demo_store, pooled=True)
    panel = variable_panel(demo_store)
    checked = 0
    for teryt in demo_store.units["teryt"][::25]:
        counts = panel.xs(teryt, level="teryt")
        for indicator in (i for i in indicators().values() if i.pooled):
            for year in counts.index:
                sums, years = window_counts(counts, indicator, int(year))
                expected = eval(indicator.formula, {}, sums) if year in years else math.nan  # arithmetic only
                assert pooled.at[(teryt, year), indicator.id] == pytest.approx(expected, nan_ok=True)
                checked += 1
    assert checked > 100


def test_window_counts_read_a_lagged_variable_from_the_year_it_names():
    import pandas as pd

    from analysis.catalogue import indicators
    from analysis.indicators import window_counts

    change = indicators()["population_change_5y"]  # population / population_lag5: now against 5 years before
    counts = pd.DataFrame({"population": [1000.0, 990.0, 985.0, 970.0, 960.0, 950.0]}, index=range(2019, 2025))
    assert window_counts(counts, change, 2024) == ({"population": 950.0, "population_lag5": 1000.0}, [2024])
    # 2023 needs 2018, which the town's counts do not have: nothing to count, not a zero.
    assert window_counts(counts, change, 2023) == ({"population": 0.0, "population_lag5": 0.0}, [])


def test_the_indicators_a_partial_store_cannot_have_are_named_with_the_variables_they_lack(tmp_path, demo_store):
    # The sparse store drops every variable only public services read: by hand from the catalogue, the services
    # indicators whose formula reads one of those, each with exactly those variables; none on the full demo store.
    from analysis.catalogue import split_lag
    from analysis.indicators import indicators_without_data
    from analysis.store import load_store
    from tests.conftest import write_sparse_store

    def read(section_ids):
        return {split_lag(n)[0] for i in indicators().values() if i.section in section_ids for n in i.inputs}

    dropped = read({"services"}) - read({"demography", "economy"})
    expected = {
        i.id: sorted(dropped & {split_lag(n)[0] for n in i.inputs})
        for i in indicators().values()
        if dropped & {split_lag(n)[0] for n in i.inputs}
    }
    assert expected and all(indicators()[i].section == "services" for i in expected)
    assert indicators_without_data(load_store(write_sparse_store(tmp_path / "sparse"))) == expected
    assert indicators_without_data(demo_store) == {}


def test_the_variables_a_store_lacks_in_the_last_year_only_are_named(tmp_path, demo_store):
    # A store fetched before GUS published 2024's budget figures: three variables taken out of 2024 alone are
    # named, and no other (each other variable keeps its 2024 values); a year every variable has: no note. A
    # variable the store has in no year at all is the other note's (`without_data_note`), not this one's.
    from analysis.catalogue import variables
    from analysis.indicators import not_yet_in_year_note
    from analysis.store import load_store, write_store

    late = ["revenue_total", "own_revenue", "pit_share_revenue"]
    ids = [variables()[name].bdl_id for name in late]
    observations = demo_store.observations
    kept = observations.loc[~((observations["year"] == 2024) & observations["var_id"].isin(ids))]
    never = variables()["library_readers"].bdl_id
    kept = kept.loc[kept["var_id"] != never]
    write_store(tmp_path / "store", demo_store.units, kept, dict(demo_store.metadata))
    note = not_yet_in_year_note(load_store(tmp_path / "store"), 2024)
    assert note.startswith("note: the store holds no value in 2024 of 3 catalogue variables: ")
    named = note.split(": ", 2)[2].split(";")[0].split(", ")
    assert sorted(named) == sorted(late)
    assert "match nearest peers on an earlier year" in note  # neither income is there in 2024: no one is matched
    # Without 2024's PIT alone, the towns are matched on own revenue in 2024: no earlier year is said.
    pit = variables()["pit_share_revenue"].bdl_id
    without_pit = observations.loc[~((observations["year"] == 2024) & (observations["var_id"] == pit))]
    write_store(tmp_path / "pit", demo_store.units, without_pit, dict(demo_store.metadata))
    pit_note = not_yet_in_year_note(load_store(tmp_path / "pit"), 2024)
    assert "pit_share_revenue" in pit_note and "earlier year" not in pit_note
    assert not_yet_in_year_note(load_store(tmp_path / "store"), 2023) == ""
    assert not_yet_in_year_note(demo_store, 2024) == ""
