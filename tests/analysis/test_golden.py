"""Golden back-test: one demo town's catalogue values against a plain pandas recomputation from the store.

The recomputation below reads observations by BDL id and writes each formula out
again by hand, without the catalogue, `variable_panel` or `pd.eval`.
"""

import pytest

from analysis.indicators import indicator_table

TOWN, YEAR = "0490013", 2024


@pytest.fixture(scope="module")
def raw(demo_store):
    obs = demo_store.observations
    town = obs.loc[obs["teryt"] == TOWN]

    def get(var_id, year=YEAR):
        return town.loc[(town["var_id"] == var_id) & (town["year"] == year), "value"].item()

    return get


def test_golden_values(demo_store, raw):
    pop = raw(72305)
    expected = {
        "population": pop,
        "population_change_5y": (pop / raw(72305, YEAR - 5) - 1) * 100,
        "population_change_10y": (pop / raw(72305, YEAR - 10) - 1) * 100,
        "share_pre_working_age": raw(149) / pop * 100,
        "share_working_age": raw(152) / pop * 100,
        "share_post_working_age": raw(155) / pop * 100,
        "old_age_dependency": raw(155) / raw(152) * 100,
        "ageing_index": raw(155) / raw(149) * 100,
        "births_per_1000": raw(59) / pop * 1000,
        "deaths_per_1000": raw(65) / pop * 1000,
        "natural_increase_per_1000": (raw(59) - raw(65)) / pop * 1000,
        "net_migration_per_1000": raw(1365234) / pop * 1000,
        "net_migration_internal_per_1000": raw(80125) / pop * 1000,
        "net_migration_foreign_per_1000": raw(80108) / pop * 1000,
        "population_density": raw(60559),
        "regon_per_10k": raw(265726) / pop * 10000,
        "new_regon_per_10k": raw(266823) / pop * 10000,
        "unemployed_share_working_age": raw(10514) / raw(152) * 100,
        "own_revenue_per_capita": raw(76070) / pop,
        "pit_per_capita": raw(76046) / pop,
        "cit_per_capita": raw(76043) / pop,
        "revenue_per_capita": raw(76037) / pop,
        "expenditure_per_capita": raw(76477) / pop,
        "investment_share": raw(76450) / raw(76477) * 100,
        "dwellings_per_1000": raw(748601) / pop * 1000,
        "preschool_coverage": raw(1617144) / raw(1617119) * 100,
        "nursery_places_per_1000": raw(1649860),
        "water_supply_users": raw(79133),
        "sewage_users": raw(79130),
        "library_readers_per_1000": raw(35719) / pop * 1000,
        "social_assistance_per_10k": raw(1548717),
        "education_expenditure_per_capita": raw(76967),
    }
    computed = indicator_table(demo_store, [TOWN]).loc[(TOWN, YEAR)]
    assert set(expected) == set(computed.index), (
        f"no golden value for {sorted(set(computed.index) - set(expected))}: add it to `expected`, written from the "
        f"store's raw variables; no longer computed: {sorted(set(expected) - set(computed.index))}"
    )
    for indicator, value in expected.items():
        assert computed[indicator] == pytest.approx(value, rel=1e-12, nan_ok=True), indicator
