"""The embedded demo store: reproducible, fictional, realistic and internally consistent."""

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue import variable_ids
from analysis.demo_data import SUBURB_GMINY, YEARS, _suburbs, generate
from analysis.store import variable_panel
from tests.real_data import REAL_DATA_PRESENT, read_pit, read_tabl_iv


def test_committed_store_is_what_the_generator_makes(demo_store):
    units, observations, area_values = generate()
    pd.testing.assert_frame_equal(
        demo_store.area_values.reset_index(drop=True),
        area_values.sort_values(["area", "year", "var_id"]).reset_index(drop=True),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(
        demo_store.units.astype(str).reset_index(drop=True),
        units.sort_values("teryt").astype(str).reset_index(drop=True),
    )
    expected = observations.sort_values(["teryt", "year", "var_id"]).reset_index(drop=True)
    got = demo_store.observations
    assert (got["teryt"].astype(str).to_numpy() == expected["teryt"].to_numpy()).all()
    assert np.allclose(got["value"].to_numpy(), expected["value"].to_numpy(), equal_nan=True)


def test_about_300_towns_in_all_16_voivodeships_and_two_suburbs_in_each(demo_store):
    units = demo_store.units
    suburbs = units.loc[units["teryt"].str[4:6].isin(SUBURB_GMINY)]
    assert 280 <= len(units) - len(suburbs) <= 320
    assert units["voivodeship"].nunique() == 16
    assert suburbs.groupby("voivodeship").size().eq(2).all() and len(suburbs) == 32
    assert (suburbs["kind"] == "rural").all() and (suburbs["powiat"].str[2:] == "99").all()
    assert units["name"].is_unique  # the suburbs' names are none of the towns'
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


def test_population_change_equals_natural_increase_plus_net_migration_except_the_census_year(demo_store):
    panel = variable_panel(demo_store)
    population = panel["population"].unstack("year")
    change = population.diff(axis=1)
    components = (panel["live_births"] - panel["deaths"] + panel["net_migration"]).unstack("year")
    both = pd.concat([change.stack(), components.stack()], axis=1, keys=["change", "components"]).dropna()
    gap = (both["change"] - both["components"]).abs()
    years = both.index.get_level_values("year")
    assert len(both) > 2500
    assert (gap[years != 2021] == 0).all()
    # 2021: the census re-basing, a level break of a few per cent, as GUS published it
    relative = (
        gap[years == 2021] / population[2020].reindex(gap[years == 2021].index.get_level_values("teryt")).to_numpy()
    )
    assert relative.median() > 0.003 and relative.max() < 0.08


def test_the_suburbs_gain_exactly_what_the_towns_lose_to_other_gminy_each_year():
    # Three towns' moves, written by hand: all moves and those from abroad, by year. Their internal balance
    # (all less abroad) is (-1000 - 50) + (-600 - 0) + (200 + 200 i + 50) = -1400 + 200 i in the i-th year: a loss,
    # none in the 8th year, then a gain. The suburbs' internal moves must add up to the opposite, year by year,
    # however the draw shares them out, so that over the store they net to zero.
    ids = variable_ids()
    all_moves = {"0290011": -1000.0, "0290021": -600.0, "0290033": 200.0}
    from_abroad = {"0290011": 50.0, "0290021": 0.0, "0290033": -50.0}
    rows = []
    for i, year in enumerate(YEARS):
        for teryt in all_moves:
            shift = 200 * i if teryt == "0290033" else 0.0  # the third town's balance changes from year to year
            rows.append((teryt, year, ids["net_migration"], all_moves[teryt] + shift))
            rows.append((teryt, year, ids["net_migration_foreign"], from_abroad[teryt]))
    towns = pd.DataFrame(rows, columns=["teryt", "year", "var_id", "value"])
    units, observations = _suburbs(np.random.default_rng(3), towns)
    suburbs = observations.pivot_table(index="year", columns="var_id", values="value", aggfunc="sum")
    their_internal = suburbs[ids["net_migration"]] - suburbs[ids["net_migration_foreign"]]
    towns_internal = [-1400 + 200 * i for i in range(len(YEARS))]
    assert their_internal.tolist() == [-value for value in towns_internal]
    assert len(units) == 32 and set(units["teryt"].str[4:6]) == set(SUBURB_GMINY)


def test_the_demo_country_loses_no_one_to_itself(demo_store):
    # The reports say that internal migration nets out over Poland (their "x"), so the demo store's Poland,
    # its every gmina, must agree: pooled over the gminy with the figures in a year, internal net migration is
    # within 0.2 per 1,000 of zero (the few missing a year are the rest), and the total is the migration from
    # abroad. The store before the suburbs lost 2.5–3.1 per 1,000 a year to nowhere, and its reports printed
    # Poland's net migration as −2.5 per 1,000 beside +0.3 from abroad. And as in Poland, most towns lose.
    panel = variable_panel(demo_store)
    both = panel[["population", "net_migration", "net_migration_internal", "net_migration_foreign"]].dropna()
    sums = both.groupby(level="year").sum()
    per_1000 = sums.drop(columns="population").div(sums["population"], axis=0) * 1000
    assert per_1000["net_migration_internal"].abs().max() < 0.2
    assert ((per_1000["net_migration"] - per_1000["net_migration_foreign"]).abs() < 0.2).all()
    towns = both.loc[~both.index.get_level_values("teryt").str[4:6].isin(SUBURB_GMINY)]
    assert (towns["net_migration_internal"] < 0).mean() > 0.6
    # Most moves stay within a voivodeship, so a voivodeship gains or loses on balance by a few per 1,000:
    # Poland's ran from −2.24 (lubelskie) to +1.93 (mazowieckie) in 2020 (GUS Tabl. IV, read by hand).
    latest = both.xs(2024, level="year")
    by_voivodeship = latest.groupby(latest.index.str[:2]).sum()
    internal = by_voivodeship["net_migration_internal"] / by_voivodeship["population"] * 1000
    assert internal.abs().max() < 2.5 and (internal.abs() > 0.3).sum() >= 4


def test_realistic_magnitudes_and_the_hard_cases_of_real_data(demo_store):
    panel = variable_panel(demo_store)
    latest = panel.xs(2024, level="year")
    assert latest["population"].between(1_500, 200_000).all()
    assert (latest["population"] < 5_000).mean() > 0.15  # small gminy, as in Poland
    pit_per_capita = (latest["pit_share_revenue"] / latest["population"]).dropna()
    assert pit_per_capita.between(300, 4_000).all()
    shrinking = (panel["population"].unstack("year")[2024] < panel["population"].unstack("year")[2014]).mean()
    assert shrinking > 0.5  # most towns lose people, like the programme's towns
    assert panel["water_supply_users_pct"].dropna().between(0, 100).all()
    coverage = (latest["children_3_6_in_preschool"] / latest["children_3_6"] * 100).dropna()
    assert (coverage > 98).mean() > 0.3 and (coverage <= 100).all()  # a ceiling most towns are close to
    counts = panel[["live_births", "deaths", "registered_unemployed", "dwellings_completed"]].dropna()
    assert (counts == counts.round()).all().all()  # counts are whole numbers (Poisson draws)
    cit = panel["cit_share_revenue"].unstack("year")
    assert cit.isna().all(axis=1).sum() >= 2  # a few towns never publish CIT
    per_capita = (latest["cit_share_revenue"] / latest["population"]).dropna()
    assert per_capita.max() > 4 * per_capita.median()  # an outlier or two
    gaps = panel.drop(columns="population").isna().unstack("year")
    two_running = (gaps & gaps.shift(-1, axis=1, fill_value=False)).any(axis=1)
    assert two_running.sum() > 50  # two consecutive years missing somewhere
    assert panel["population"].notna().all()


@pytest.mark.parametrize("variable", ["water_supply_users_pct", "sewage_users_pct"])
def test_networks_grow_in_uneven_steps_not_on_a_straight_line(demo_store, variable):
    # On a straight line every yearly change of a town is the same (to the 0.1 of rounding), and every
    # report printed a trend with a zero-width interval, "+0,60 (0,60; 0,60)".
    changes = variable_panel(demo_store)[variable].unstack("year").diff(axis=1)
    spread = changes.max(axis=1) - changes.min(axis=1)
    assert (spread.dropna() > 0.25).mean() > 0.9
    # Coverage grows: a year's fall is a small revision, never a network taken away.
    yearly = changes.stack().dropna()
    assert len(yearly) > 2500
    assert yearly.min() >= -1.0 and (yearly >= -0.3).mean() > 0.99


def test_published_area_rates_are_ratios_of_the_gminys_sums_counted_by_hand(demo_store):
    # The synthetic GUS's nursery rate of one voivodeship in 2024, recomputed in a plain loop from the committed
    # store: places = rate x children under 3 / 1000 (children under 3 = 3/4 of those of 3-6), over the gminy
    # with both figures; its density = residents / land (land = residents / density). No gmina of voivodeship 02
    # misses either figure in 2024 (the demo's gaps are elsewhere), so the two agree to GUS's rounding.
    ids = variable_ids()
    rows = demo_store.observations.loc[demo_store.observations["year"] == 2024]
    value = {(r.teryt, r.var_id): r.value for r in rows.itertuples()}
    places = children = residents = land = 0.0
    for teryt in demo_store.units.loc[demo_store.units["teryt"].str[:2] == "02", "teryt"]:
        rate, kids = value.get((teryt, ids["nursery_places_per_1000_under3"])), value.get((teryt, ids["children_3_6"]))
        if rate == rate and kids == kids and rate is not None and kids is not None:  # not NaN, not absent
            places += rate * kids * 0.75 / 1000
            children += kids * 0.75
        people, density = value.get((teryt, ids["population"])), value.get((teryt, ids["population_density"]))
        if density == density and density is not None:
            residents += people
            land += people / density
    published = demo_store.area_values.set_index(["area", "year", "var_id"])["value"]
    assert published[("02", 2024, ids["nursery_places_per_1000_under3"])] == pytest.approx(
        1000 * places / children, abs=0.05
    )
    assert published[("02", 2024, ids["population_density"])] == pytest.approx(residents / land, abs=0.5)
    # Poland's figure lies between the voivodeships' lowest and highest, as any ratio of sums must.
    for key in ("nursery_places_per_1000_under3", "population_density"):
        figures = published.xs((2024, ids[key]), level=("year", "var_id"))
        assert figures.drop("PL").min() <= figures["PL"] <= figures.drop("PL").max()
        assert len(figures) == 17


@pytest.mark.parametrize("seed", [1, 2])
def test_generation_is_deterministic(seed):
    first, second = generate(seed), generate(seed)
    pd.testing.assert_frame_equal(first[1], second[1])


def _rates(population, births, deaths, net_migration, pit) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "births": births / population,
            "deaths": deaths / population,
            "net_migration": net_migration / population,
            "pit": pit / population,
            "log_population": np.log(population),
        }
    )


@pytest.mark.skipif(not REAL_DATA_PRESENT, reason="real data not present in ../shared/data/real")
def test_indicators_move_together_as_in_real_urban_gminy(demo_store):
    # Every Spearman correlation between births, deaths, net migration (per resident), PIT per
    # capita and log population in 2020, among urban gminy (TERYT kind 1): the demo's 165 urban
    # towns against Poland's 302 (GUS Tabl. IV 2020, MF PIT shares). The sampling error of a
    # difference of two such correlations is about 0.09, so 0.2 allows chance but not a missing
    # link: with every indicator drawn independently (the generator before the shared traits)
    # births and deaths correlated at +0.04 here against −0.51 in Poland, births and migration
    # at −0.08 against 0.32, and migration and PIT at 0.03 against 0.36.
    real = read_tabl_iv().set_index("teryt")
    real = real.loc[real.index.str.endswith("1")]
    expected = _rates(
        real["population"],
        real["live_births"],
        real["deaths"],
        real["net_migration"],
        read_pit(2020).reindex(real.index),
    ).corr(method="spearman")
    demo = variable_panel(demo_store).xs(2020, level="year")
    demo = demo.loc[demo.index.str.endswith("1")]
    got = _rates(
        demo["population"], demo["live_births"], demo["deaths"], demo["net_migration"], demo["pit_share_revenue"]
    ).corr(method="spearman")
    assert len(real) == 302 and len(demo) > 100
    differences = (got - expected).abs().stack()
    assert (differences <= 0.2).all(), differences[differences > 0.2]


def test_a_store_of_polands_size_keeps_to_powiats_no_real_register_has(tmp_path):
    # benchmarks/store_size.py times a build on a store of 155 towns per voivodeship. Its codes must stay as
    # fictional as the demo store's: powiats 90–99 (TERYT numbers land powiats from 01 and cities from 61 to
    # 79, so no register has them; the test above checks the demo's against the real one), unique 7-digit
    # codes, gminy numbered 01–99 within their powiat; and it must load as any store does.
    from analysis.demo_data import write_demo_store
    from analysis.store import load_store

    store = load_store(write_demo_store(tmp_path / "poland", towns_per_voivodeship=155))
    units = store.units
    assert len(units) == 155 * 16 + 2 * 16 and units["teryt"].is_unique  # 2 suburbs a voivodeship
    assert units["powiat"].str[2:].astype(int).between(90, 99).all()
    assert units["teryt"].str[4:6].astype(int).between(1, 99).all()
    assert units.groupby("powiat").size().max() == 16  # 155 towns over 10 powiats, not the demo's 4 a powiat
    assert store.metadata["towns_per_voivodeship"] == 155 and store.synthetic


@pytest.mark.parametrize("count", [0, 971])
def test_towns_per_voivodeship_beyond_the_codes_fictional_powiats_hold_is_refused(count):
    # 97 towns in each of powiats 90–99: gminy 98 and 99 of powiat 99 are the suburbs'.
    with pytest.raises(ValueError, match="towns per voivodeship: 1 to 970"):
        generate(towns_per_voivodeship=count)


def test_gus_marks_sit_on_figures_only_where_the_demo_puts_them(demo_store):
    # "s" on 2024's migration, "M" on 2021's water and sewage shares, "v" on the dwellings of gminy under 5,000
    # residents that year (demo_data.MARKED_YEARS, LOW_PRECISION): recounted here from the store's own columns.
    from analysis.catalogue import variable_ids

    ids = variable_ids()
    observations = demo_store.observations
    marked = observations.loc[observations["mark"] != ""]
    assert marked["value"].notna().all()  # a missing value carries no mark
    population = observations.loc[observations["var_id"] == ids["population"]].set_index(["teryt", "year"])["value"]
    for row in marked.itertuples():
        if row.mark == "v":
            assert row.var_id == ids["dwellings_completed"] and population[(row.teryt, row.year)] < 5_000
        elif row.mark == "s":
            assert row.year == 2024 and row.var_id in (ids["net_migration"], ids["net_migration_foreign"])
        else:
            assert row.mark == "M" and row.year == 2021
            assert row.var_id in (ids["water_supply_users_pct"], ids["sewage_users_pct"])
    # ... and every such figure is marked
    small = observations.merge(population.rename("residents").reset_index(), on=["teryt", "year"])
    expected_v = (small["var_id"] == ids["dwellings_completed"]) & (small["residents"] < 5_000) & small["value"].notna()
    assert (marked["mark"] == "v").sum() == expected_v.sum() > 0
