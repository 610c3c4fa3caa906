"""The embedded demo store: reproducible, fictional, realistic and internally consistent."""

import numpy as np
import pandas as pd
import pytest

from analysis.demo_data import generate
from analysis.store import variable_panel


def test_committed_store_is_what_the_generator_makes(demo_store):
    units, observations = generate()
    pd.testing.assert_frame_equal(
        demo_store.units.astype(str).reset_index(drop=True), units.sort_values("teryt").astype(str).reset_index(drop=True)
    )
    expected = observations.sort_values(["teryt", "year", "var_id"]).reset_index(drop=True)
    got = demo_store.observations
    assert (got["teryt"].astype(str).to_numpy() == expected["teryt"].to_numpy()).all()
    assert np.allclose(got["value"].to_numpy(), expected["value"].to_numpy(), equal_nan=True)


def test_about_300_towns_in_all_16_voivodeships(demo_store):
    assert 280 <= len(demo_store.units) <= 320
    assert demo_store.units["voivodeship"].nunique() == 16
    assert demo_store.synthetic


def test_codes_exist_in_no_real_register(demo_store, terc):
    gminy = terc.dropna(subset=["GMI"])
    real_codes = set(gminy["WOJ"] + gminy["POW"] + gminy["GMI"] + gminy["RODZ"])
    assert not real_codes & set(demo_store.units["teryt"])
    # and their powiats (digits 3–4) do not exist in their voivodeships either
    real_powiats = set((terc["WOJ"] + terc["POW"]).dropna())
    assert not real_powiats & set(demo_store.units["powiat"])


def test_names_are_not_real_place_names(demo_store, terc):
    real_names = set(terc["NAZWA"].str.lower())
    assert not real_names & set(demo_store.units["name"].str.lower())


def test_population_change_equals_natural_increase_plus_net_migration(demo_store):
    panel = variable_panel(demo_store)
    population = panel["population"].unstack("year")
    change = population.diff(axis=1)
    components = (panel["live_births"] - panel["deaths"] + panel["net_migration"]).unstack("year")
    both = pd.concat([change.stack(), components.stack()], axis=1, keys=["change", "components"]).dropna()
    assert len(both) > 2500
    assert (abs(both["change"] - both["components"]) <= 0.005 * population.stack().median()).all()


def test_realistic_magnitudes(demo_store):
    panel = variable_panel(demo_store)
    latest = panel.xs(2024, level="year")
    assert latest["population"].between(5_000, 200_000).all()
    pit_per_capita = (latest["pit_share_revenue"] / latest["population"]).dropna()
    assert pit_per_capita.between(500, 4_000).all()
    shrinking = (panel["population"].unstack("year")[2024] < panel["population"].unstack("year")[2014]).mean()
    assert shrinking > 0.5  # most towns lose people, like the programme's towns
    assert panel["water_supply_users_pct"].dropna().between(0, 100).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_generation_is_deterministic(seed):
    first, second = generate(seed), generate(seed)
    pd.testing.assert_frame_equal(first[1], second[1])
