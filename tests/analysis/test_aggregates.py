"""Voivodeship and Poland values: ratios of sums over the gminy, worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.aggregates import COUNTRY, area_indicators, voivodeship_and_country
from analysis.catalogue import indicators, variable_ids


def test_a_tiny_panel_by_hand():
    # Three gminy in two areas, one year (2024) and its lags. Gmina C has no births in 2024,
    # so it enters neither the births nor the population sum of births per 1000.
    index = pd.MultiIndex.from_tuples([(t, y) for t in ("A", "B", "C") for y in (2019, 2024)], names=["teryt", "year"])
    columns = list(variable_ids())
    frame = pd.DataFrame(float("nan"), index=index, columns=columns)
    frame.loc[("A", 2024), ["population", "live_births"]] = [1000, 10]
    frame.loc[("B", 2024), ["population", "live_births"]] = [3000, 18]
    frame.loc[("C", 2024), ["population"]] = [6000]
    frame.loc[("A", 2019), "population"] = 1100
    frame.loc[("B", 2019), "population"] = 2900
    frame.loc[("C", 2019), "population"] = 6000
    area_of = pd.Series({"A": "north", "B": "north", "C": "south"})
    result = area_indicators(frame, area_of, 2024).values
    assert result.at["north", "births_per_1000"] == pytest.approx(1000 * (10 + 18) / (1000 + 3000))  # 7.0
    assert math.isnan(result.at["south", "births_per_1000"])  # C's only births figure is missing
    assert result.at["north", "population"] == 4000
    assert result.at["north", "population_change_5y"] == pytest.approx((4000 / 4000 - 1) * 100)  # 0.0
    assert result.at["south", "population_change_5y"] == pytest.approx(0.0)
    assert math.isnan(result.at["north", "population_density"])  # a published rate: not summed


@pytest.mark.parametrize("residents_without_births, shown", [(500, False), (400, True)])
def test_an_area_has_a_value_only_where_its_gminy_with_data_hold_nine_tenths_of_its_residents(
    residents_without_births, shown
):
    # A: 1,000 residents and 10 births, B: 3,000 and 18; D has residents but no births figure. With D at 500,
    # the gminy with births hold 4,000 of 4,500 residents (88.9%, under 90%): no value. With D at 400,
    # 4,000 of 4,400 (90.9%): births per 1000 of A and B together, 1000 × 28 / 4,000 = 7.0.
    index = pd.MultiIndex.from_tuples([(t, 2024) for t in ("A", "B", "D")], names=["teryt", "year"])
    frame = pd.DataFrame(float("nan"), index=index, columns=list(variable_ids()))
    frame["population"] = [1000.0, 3000.0, float(residents_without_births)]
    frame["live_births"] = [10.0, 18.0, float("nan")]
    figures = area_indicators(frame, pd.Series({"A": "north", "B": "north", "D": "north"}), 2024)
    result = figures.values
    # The share of residents the value rests on, as the spreadsheet gives it: 4,000 of 4,500 or of 4,400.
    assert figures.coverage.at["north", "births_per_1000"] == pytest.approx(4000 / (4000 + residents_without_births))
    assert figures.coverage.at["north", "population"] == 1.0
    if shown:
        assert result.at["north", "births_per_1000"] == pytest.approx(7.0)
    else:
        assert math.isnan(result.at["north", "births_per_1000"])
    assert result.at["north", "population"] == 4000 + residents_without_births  # every gmina has residents


def test_a_share_of_residents_by_hand_is_the_share_of_all_the_areas_residents():
    # Sewerage users as % of residents (GUS publishes the share). A: 90% of 1,000 = 900 users; B: 50% of
    # 3,000 = 1,500; C: 80% of 6,000 but no population figure, so it enters neither sum. The north's share:
    # 2,400 users of 4,000 residents = 60%, not the mean of the shares (70%). Nurseries per 1,000 children
    # under 3 are a rate of a count the store does not hold: no area value.
    index = pd.MultiIndex.from_tuples([(t, 2024) for t in ("A", "B", "C")], names=["teryt", "year"])
    frame = pd.DataFrame(float("nan"), index=index, columns=list(variable_ids()))
    frame["sewage_users_pct"] = [90.0, 50.0, 80.0]
    frame["population"] = [1000.0, 3000.0, float("nan")]
    frame["nursery_places_per_1000_under3"] = [100.0, 200.0, 300.0]
    figures = area_indicators(frame, pd.Series({"A": "north", "B": "north", "C": "north"}), 2024)
    result = figures.values
    assert result.at["north", "sewage_users"] == pytest.approx(60.0)
    assert math.isnan(result.at["north", "nursery_places_per_1000"])
    # C has no residents' figure, so the north's residents are A's and B's: all of them are behind the share;
    # nurseries have no sums to rest on.
    assert figures.coverage.at["north", "sewage_users"] == 1.0
    assert math.isnan(figures.coverage.at["north", "nursery_places_per_1000"])


def test_a_voivodeship_and_poland_on_the_demo_store(demo_store):
    # Plain pandas over the store's observations by BDL id: dwellings completed per 1000 residents of
    # the voivodeship of 0490013 in 2024, Poland's (every gmina of the store) population in 2024, and
    # births per 1000, which the catalogue pools over 3 years: all births of the voivodeship's gminy in
    # 2022–2024 over all their residents in those years (a gmina-year enters with both counts).
    ids = variable_ids()
    units = demo_store.units.set_index("teryt")
    voivodeship = units.at["0490013", "voivodeship"]
    members = units.index[units["voivodeship"] == voivodeship]
    obs = demo_store.observations
    wide = obs.loc[obs["year"] == 2024].pivot(index="teryt", columns="var_id", values="value")
    areas = voivodeship_and_country(demo_store, 2024).values
    assert areas.at[COUNTRY, "population"] == pytest.approx(wide[ids["population"]].sum())

    assert indicators()["births_per_1000"].pool_years == 3
    window = obs.loc[obs["year"].between(2022, 2024) & obs["teryt"].isin(members)]
    rows = window.pivot_table(index=["teryt", "year"], columns="var_id", values="value")
    both = rows[[ids["live_births"], ids["population"]]].dropna()
    expected_births = 1000 * both[ids["live_births"]].sum() / both[ids["population"]].sum()
    assert areas.at[voivodeship, "births_per_1000"] == pytest.approx(expected_births)
    one_year = both.xs(2024, level="year")
    assert abs(1000 * one_year[ids["live_births"]].sum() / one_year[ids["population"]].sum() - expected_births) > 1e-6

    assert indicators()["share_working_age"].pool_years == 1
    shares = wide.loc[wide.index.isin(members), [ids["population_working_age"], ids["population"]]].dropna()
    expected_share = 100 * shares[ids["population_working_age"]].sum() / shares[ids["population"]].sum()
    assert areas.at[voivodeship, "share_working_age"] == pytest.approx(expected_share)
    # Not the mean of the gminy's shares, which differs:
    mean_of_shares = (100 * shares[ids["population_working_age"]] / shares[ids["population"]]).mean()
    assert abs(mean_of_shares - expected_share) > 1e-6

    # Water-supply users, published as % of residents: the voivodeship's users (each gmina's share of its
    # residents) over its residents, counted where a gmina has both figures.
    water = wide.loc[wide.index.isin(members), [ids["water_supply_users_pct"], ids["population"]]].dropna()
    users = (water[ids["water_supply_users_pct"]] / 100 * water[ids["population"]]).sum()
    assert areas.at[voivodeship, "water_supply_users"] == pytest.approx(100 * users / water[ids["population"]].sum())
    assert abs(areas.at[voivodeship, "water_supply_users"] - water[ids["water_supply_users_pct"]].mean()) > 1e-6


def test_internal_migration_has_no_poland_value_but_a_voivodeship_one(demo_store):
    # Moves between gminy of Poland cancel over the whole country: GUS prints "x" for Poland's internal
    # migration balance. The synthetic store's gminy do not sum to zero (each town is drawn on its own),
    # so without the rule the report would print a national figure that cannot exist.
    ids = variable_ids()
    indicator = indicators()["net_migration_internal_per_1000"]
    assert indicator.nets_out_nationally
    obs = demo_store.observations
    wide = obs.loc[obs["year"] == 2024].pivot(index="teryt", columns="var_id", values="value")
    both = wide[[ids["net_migration_internal"], ids["population"]]].dropna()
    assert abs(both[ids["net_migration_internal"]].sum()) > 0
    areas = voivodeship_and_country(demo_store, 2024).values
    assert math.isnan(areas.at[COUNTRY, "net_migration_internal_per_1000"])
    # A voivodeship keeps its balance (moves across its border), as a ratio of sums worked out here:
    units = demo_store.units.set_index("teryt")
    voivodeship = units.at["0490013", "voivodeship"]
    inside = both.loc[both.index.isin(units.index[units["voivodeship"] == voivodeship])]
    expected = 1000 * inside[ids["net_migration_internal"]].sum() / inside[ids["population"]].sum()
    assert areas.at[voivodeship, "net_migration_internal_per_1000"] == pytest.approx(expected)
    # Only flows between gminy are marked: total and foreign net migration keep a Poland value.
    assert not math.isnan(areas.at[COUNTRY, "net_migration_per_1000"])
    assert [i.id for i in indicators().values() if i.nets_out_nationally] == ["net_migration_internal_per_1000"]


def test_every_area_value_of_the_demo_store_by_a_second_method(demo_store):
    # Every summed indicator, every voivodeship and Poland, 2024, recomputed from the raw observations with
    # plain Python: the indicator's formula evaluated on scalar sums over the gmina-years of its window that
    # have every input (a lagged input read N years back), a published rate weighted by what it is a rate of,
    # and no value where those gmina-years hold under 90% of the window's residents or, for Poland, where a
    # flow nets out over the country. Then compared with `voivodeship_and_country` cell by cell.
    from analysis.aggregates import MIN_AREA_COVERAGE, is_aggregable
    from analysis.catalogue import split_lag, variables

    year = 2024
    key_of = {bdl_id: key for key, bdl_id in variable_ids().items()}
    obs = demo_store.observations
    value = {  # (teryt, year, variable) -> value, for the values GUS gave (no NaN)
        (row.teryt, int(row.year), key_of[row.var_id]): row.value
        for row in obs.itertuples()
        if not math.isnan(row.value)
    }
    area_of = demo_store.units.set_index("teryt")["voivodeship"].to_dict()
    areas = voivodeship_and_country(demo_store, year).values
    checked = 0
    for indicator in indicators().values():
        if not is_aggregable(indicator):
            continue
        base = variables()[indicator.formula.strip()].rate_of if indicator.formula.strip() in variables() else None
        names = [*indicator.inputs, *([base] if base else [])]
        for area in [*sorted(set(area_of.values())), COUNTRY]:
            members = [t for t, v in area_of.items() if area in (v, COUNTRY)]
            sums, residents_with, residents_all = dict.fromkeys(names, 0.0), 0.0, 0.0
            for teryt in members:
                for at in range(year - indicator.pool_years + 1, year + 1):
                    residents = value.get((teryt, at, "population"))
                    got = {n: value.get((teryt, at - split_lag(n)[1], split_lag(n)[0])) for n in names}
                    residents_all += residents or 0.0
                    if any(v is None for v in got.values()):
                        continue
                    residents_with += residents or 0.0
                    if base:
                        sums[indicator.inputs[0]] += got[indicator.inputs[0]] * got[base]
                        sums[base] += got[base]
                    else:
                        for n in names:
                            sums[n] += got[n]
            if base:
                sums = {indicator.inputs[0]: sums[indicator.inputs[0]] / sums[base]}
            if residents_with < MIN_AREA_COVERAGE * residents_all or (
                area == COUNTRY and indicator.nets_out_nationally
            ):
                expected = float("nan")
            else:
                expected = eval(indicator.formula, {"__builtins__": {}}, sums)  # the catalogue's arithmetic
            shown = areas.at[area, indicator.id]
            assert (math.isnan(expected) and math.isnan(shown)) or shown == pytest.approx(expected), (
                indicator.id,
                area,
            )
            checked += 1
    assert checked > 400


def test_a_store_of_one_voivodeship_has_no_poland_value_and_the_report_says_why(tmp_path, demo_store):
    # `diagnoza data fetch --voivodeship 24` fetches śląskie alone: the sum over its gminy is śląskie's, and
    # was printed as Poland's. Such a store (named so in its metadata, as the fetch writes it) has none.
    from analysis import display
    from analysis.aggregates import covers_country
    from analysis.report import prepare_report
    from analysis.store import load_store, write_store
    from analysis.town import TownParams

    assert covers_country(demo_store)
    units = demo_store.units.loc[demo_store.units["voivodeship"] == "śląskie"]
    observations = demo_store.observations.loc[demo_store.observations["teryt"].isin(units["teryt"])]
    write_store(tmp_path / "slaskie", units, observations, {**demo_store.metadata, "voivodeship": "24"})
    store = load_store(tmp_path / "slaskie")
    assert not covers_country(store)
    figures = voivodeship_and_country(store, 2024)
    assert figures.values.loc[COUNTRY].isna().all() and figures.coverage.loc[COUNTRY].isna().all()
    assert figures.values.loc["śląskie"].notna().any()  # the voivodeship keeps its own value
    # Without the metadata's word, a store short of voivodeships is not Poland either.
    write_store(tmp_path / "unnamed", units, observations, demo_store.metadata)
    assert not covers_country(load_store(tmp_path / "unnamed"))

    town = units["teryt"].iloc[0]
    report = prepare_report(TownParams(teryt=town, data_dir=str(tmp_path / "slaskie"), peer_method="voivodeship"))
    assert report.areas["poland"].isna().all() and not report.national
    caption = display.key_figures(report).caption
    assert caption.endswith("; b.d. dla Polski: dane nie obejmują całego kraju") or (
        "; b.d. dla Polski: dane nie obejmują całego kraju;" in caption
    )
    assert "Polska:" not in " ".join(report.narrative["summary"])  # no finding beside a made-up Poland
    # Nearest peers come from the store's part only, which the peer-group text says (under `voivodeship`,
    # as above, the group is the voivodeship's anyway).
    assert "tylko część kraju" not in display.peer_method_text(report).text
    nearest = prepare_report(TownParams(teryt=town, data_dir=str(tmp_path / "slaskie")))
    assert "Dane obejmują tylko część kraju, więc grupę dobrano wyłącznie spośród gmin w tych danych." in (
        display.peer_method_text(nearest).text
    )


def test_a_store_of_one_voivodeship_keeps_the_poland_figure_gus_publishes(tmp_path, demo_store):
    # `diagnoza data fetch --voivodeship 24` fetches GUS's own Poland figure of the rates it publishes for areas
    # (nursery places per 1000 children under 3): that figure is Poland's whatever gminy the store holds, and was
    # dropped with the sums, which over one voivodeship are not Poland's. Figures set by hand.
    from analysis.store import load_store, write_store

    nursery = variable_ids()["nursery_places_per_1000_under3"]
    published = pd.DataFrame(
        [("24", 2024, nursery, 150.5), ("PL", 2024, nursery, 222.2)], columns=["area", "year", "var_id", "value"]
    )
    units = demo_store.units.loc[demo_store.units["voivodeship"] == "śląskie"]
    observations = demo_store.observations.loc[demo_store.observations["teryt"].isin(units["teryt"])]
    write_store(tmp_path / "s", units, observations, {**demo_store.metadata, "voivodeship": "24"}, published)
    figures = voivodeship_and_country(load_store(tmp_path / "s"), 2024)
    poland = figures.values.loc[COUNTRY]
    assert poland["nursery_places_per_1000"] == 222.2 and figures.coverage.at[COUNTRY, "nursery_places_per_1000"] == 1
    assert poland.drop("nursery_places_per_1000").isna().all()  # every sum over śląskie alone: none
    assert figures.values.at["śląskie", "nursery_places_per_1000"] == 150.5


@pytest.mark.parametrize("residents_of_c, shown", [(300, True), (1000, False)])
def test_a_gap_in_the_population_figures_counts_as_residents_without_data_and_leaves_no_partial_total(
    residents_of_c, shown
):
    # A: 1,000 residents, B: 3,000, both in 2023 and 2024; C has its population figure for 2023 only (a gap in
    # 2024) and its sewerage share in both years. In 2024 C still has residents: its 2023 figure stands for them.
    # Sewerage users (a share of residents, needing the population): A 90% of 1,000 = 900, B 50% of 3,000 = 1,500,
    # so 2,400 of 4,000 = 60% over A and B, who hold 4,000 of 4,000 + C's residents. With C at 300: 4,000 / 4,300
    # = 93.0% (at least 90%): 60% stands. With C at 1,000: 4,000 / 5,000 = 80%: no value, where C, left out of both
    # sides, once made it 4,000 of 4,000. The north's population, a total, is not 4,000 in either case: C's
    # residents are missing from that sum, so it has no value.
    index = pd.MultiIndex.from_tuples([(t, y) for t in ("A", "B", "C") for y in (2023, 2024)], names=["teryt", "year"])
    frame = pd.DataFrame(float("nan"), index=index, columns=list(variable_ids()))
    frame["population"] = [1000.0, 1000.0, 3000.0, 3000.0, float(residents_of_c), float("nan")]
    frame["sewage_users_pct"] = [90.0, 90.0, 50.0, 50.0, 70.0, 70.0]
    figures = area_indicators(frame, pd.Series({"A": "north", "B": "north", "C": "north"}), 2024)
    assert figures.coverage.at["north", "sewage_users"] == pytest.approx(4000 / (4000 + residents_of_c))
    assert figures.coverage.at["north", "population"] == pytest.approx(4000 / (4000 + residents_of_c))
    assert math.isnan(figures.values.at["north", "population"])
    if shown:
        assert figures.values.at["north", "sewage_users"] == pytest.approx(60.0)
    else:
        assert math.isnan(figures.values.at["north", "sewage_users"])
    # In 2023 every gmina has its figure: the whole north, 4,000 + C's residents, and its share of sewerage users.
    year_before = area_indicators(frame, pd.Series({"A": "north", "B": "north", "C": "north"}), 2023).values
    assert year_before.at["north", "population"] == 4000 + residents_of_c
    expected_share = 100 * (900 + 1500 + 0.7 * residents_of_c) / (4000 + residents_of_c)
    assert year_before.at["north", "sewage_users"] == pytest.approx(expected_share)


def test_a_gmina_whose_population_figures_start_late_counts_with_its_first_figure_before_it():
    # B's population is known from 2024 only; in 2023 its 2024 figure (2,000) stands for its residents. Births
    # per 1,000 in 2023 (pooled over the store's years up to 2023: 2023 alone here) rest on A alone: 1,000 of
    # 3,000 residents, a third: no value. A's own births per 1,000 would be 1000 × 12 / 1,000 = 12.
    index = pd.MultiIndex.from_tuples([(t, y) for t in ("A", "B") for y in (2023, 2024)], names=["teryt", "year"])
    frame = pd.DataFrame(float("nan"), index=index, columns=list(variable_ids()))
    frame["population"] = [1000.0, 1000.0, float("nan"), 2000.0]
    frame["live_births"] = [12.0, 12.0, 20.0, 20.0]
    figures = area_indicators(frame, pd.Series({"A": "north", "B": "north"}), 2023)
    assert figures.coverage.at["north", "births_per_1000"] == pytest.approx(1000 / 3000)
    assert math.isnan(figures.values.at["north", "births_per_1000"])


def test_a_year_without_any_population_figure_is_no_gap_of_one_gmina():
    # A store whose population is of 2024 only, with births of 2023 and 2024 (as a store from two GUS tables):
    # 2023 is no year of the store's population figures, so no gmina lacks one then. Births per 1,000 pooled
    # over 2022–2024 rest on 2024's complete rows: A 10 and B 18 births over 1,000 + 3,000 residents, 7.0,
    # with all the residents behind it.
    index = pd.MultiIndex.from_tuples([(t, y) for t in ("A", "B") for y in (2023, 2024)], names=["teryt", "year"])
    frame = pd.DataFrame(float("nan"), index=index, columns=list(variable_ids()))
    frame["population"] = [float("nan"), 1000.0, float("nan"), 3000.0]
    frame["live_births"] = [11.0, 10.0, 17.0, 18.0]
    figures = area_indicators(frame, pd.Series({"A": "north", "B": "north"}), 2024)
    assert figures.coverage.at["north", "births_per_1000"] == pytest.approx(1.0)
    assert figures.values.at["north", "births_per_1000"] == pytest.approx(1000 * (10 + 18) / 4000)
    assert figures.values.at["north", "population"] == 4000


def test_a_gmina_renumbered_on_gaining_town_rights_counts_once_in_each_year():
    # BDL lists a rural gmina that became urban-rural in 2023 twice: the old code (…2) with its figures up to
    # 2022, the new one (…3) from 2023. Y is a gmina of the same area throughout. By hand, in 2024 the area's
    # residents are X3's 5,000 and Y's 10,000: 15,000, all of them behind every value, where the old code's 2022
    # population, carried on, stood for 5,000 residents without data and left the population without a value.
    # Births per 1,000 pooled over 2022-2024: (X2's 40 in 2022 + X3's 45 + 50 + Y's 100 + 110 + 120) births over
    # (5,000 × 3 + 10,000 × 3) residents-years = 465 / 45,000, 10.33 per 1,000. In 2022 the old code counts.
    rows = {
        ("X2", 2021): (5000, 42), ("X2", 2022): (5000, 40),
        ("X3", 2023): (5000, 45), ("X3", 2024): (5000, 50),
        ("Y", 2021): (10000, 90), ("Y", 2022): (10000, 100), ("Y", 2023): (10000, 110), ("Y", 2024): (10000, 120),
    }  # fmt: skip
    index = pd.MultiIndex.from_tuples(list(rows), names=["teryt", "year"])
    frame = pd.DataFrame(float("nan"), index=index, columns=list(variable_ids()))
    frame[["population", "live_births"]] = [list(map(float, value)) for value in rows.values()]
    area_of = pd.Series({"X2": "north", "X3": "north", "Y": "north"})
    figures = area_indicators(frame, area_of, 2024)
    assert figures.values.at["north", "population"] == 15000
    assert figures.coverage.at["north", "population"] == pytest.approx(1.0)
    assert figures.values.at["north", "births_per_1000"] == pytest.approx(1000 * 465 / 45000)
    assert figures.coverage.at["north", "births_per_1000"] == pytest.approx(1.0)
    assert area_indicators(frame, area_of, 2022).values.at["north", "population"] == 15000


def test_budget_amounts_are_summed_over_budgets_of_one_kind(tmp_path):
    # A city with powiat rights (0261011, its powiat alone) carries its powiat's tasks in its budget; 0201011 and
    # 0201022 are ordinary gminy. By hand, own revenue per resident: the city's 5,000,000 zł / 1,000 = 5,000; the
    # other gminy's (1,000,000 + 600,000) / (500 + 300) = 2,000; all three 6,600,000 / 1,800 = 3,666.7, a figure
    # of neither kind. A city is set beside the area's cities, any other town beside its other gminy; births
    # per 1,000 (no budget) over every gmina: (12 + 4 + 3) / 1,800.
    from analysis.aggregates import budget_kinds
    from analysis.report import town_areas
    from analysis.store import load_store, write_store

    ids = variable_ids()
    units = pd.DataFrame(
        {
            "teryt": ["0261011", "0201011", "0201022"],
            "name": ["Miasto", "Gmina A", "Gmina B"],
            "kind": ["urban", "urban", "rural"],
            "voivodeship": ["dolnośląskie"] * 3,
            "powiat": ["0261", "0201", "0201"],
        }
    )
    figures = {"0261011": (1000, 5_000_000, 12), "0201011": (500, 1_000_000, 4), "0201022": (300, 600_000, 3)}
    observations = pd.DataFrame(
        [
            (teryt, year, ids[name], float(value))
            for teryt, values in figures.items()
            for year in (2023, 2024)
            for name, value in zip(("population", "own_revenue", "live_births"), values)
        ],
        columns=["teryt", "year", "var_id", "value"],
    )
    write_store(tmp_path / "store", units, observations, {"synthetic": True})
    store = load_store(tmp_path / "store")
    comparison = pd.DataFrame({"year": [2024, 2024]}, index=["own_revenue_per_capita", "births_per_1000"])
    city, gmina = budget_kinds(store, "powiat-city"), budget_kinds(store, "urban")
    assert city == {"powiat-city"} and gmina == {"urban", "urban-rural", "rural"}
    for kinds, revenue in ((city, 5_000), (gmina, 2_000)):
        areas = town_areas(str(tmp_path / "store"), "dolnośląskie", comparison, kinds)
        assert areas.at["own_revenue_per_capita", "voivodeship"] == pytest.approx(revenue)
        assert areas.at["births_per_1000", "voivodeship"] == pytest.approx(1000 * 19 / 1800)
    every = town_areas(str(tmp_path / "store"), "dolnośląskie", comparison)
    assert every.at["own_revenue_per_capita", "voivodeship"] == pytest.approx(6_600_000 / 1800)
    # A store without a city (the demo's) sums every gmina for every town.
    assert budget_kinds(load_store(), "urban") is None


def test_a_rate_gus_publishes_for_areas_takes_gus_figure_where_the_store_has_it(tmp_path, demo_store):
    # Nursery places per 1000 children under 3 and density are rates without their denominator in the store: no
    # ratio of sums. Their area values are the figures the store's `area_values` hold for the year (here set by
    # hand), resting on the whole area (coverage 1); an area without a figure has no value, and a store without
    # the table (fetched before it existed) has none at all. Other indicators are untouched by the table.
    from analysis.aggregates import published_rate
    from analysis.store import load_store, write_store

    ids = variable_ids()
    assert {i for i in indicators() if published_rate(indicators()[i])} == {
        "nursery_places_per_1000",
        "population_density",
    }
    # Pooled over years, the same rate would be a mean GUS publishes for no area: no figure to take.
    pooled = indicators()["nursery_places_per_1000"].model_copy(update={"pool_years": 3})
    assert published_rate(pooled) is None
    rows = [
        ("02", 2024, ids["nursery_places_per_1000_under3"], 123.4),
        ("PL", 2024, ids["nursery_places_per_1000_under3"], 111.1),
        ("PL", 2023, ids["nursery_places_per_1000_under3"], 99.0),  # another year: not 2024's
        ("02", 2024, ids["population"], 1.0),  # not a rate published for areas: ignored
    ]
    published = pd.DataFrame(rows, columns=["area", "year", "var_id", "value"])
    write_store(tmp_path / "s", demo_store.units, demo_store.observations, demo_store.metadata, published)
    figures = voivodeship_and_country(load_store(tmp_path / "s"), 2024)
    nursery = figures.values["nursery_places_per_1000"]
    assert nursery["dolnośląskie"] == 123.4 and nursery[COUNTRY] == 111.1
    assert nursery.drop(["dolnośląskie", COUNTRY]).isna().all()  # GUS gave no other voivodeship's figure
    assert figures.coverage.at["dolnośląskie", "nursery_places_per_1000"] == 1.0
    assert figures.values["population_density"].isna().all()  # no density figure in this table
    summed = voivodeship_and_country(demo_store, 2024).values
    assert figures.values.at["dolnośląskie", "population"] == summed.at["dolnośląskie", "population"]

    write_store(tmp_path / "old", demo_store.units, demo_store.observations, demo_store.metadata)
    (tmp_path / "old" / "area_values.parquet").unlink()  # a store written before the table existed
    old = load_store(tmp_path / "old")
    assert old.area_values.empty
    assert voivodeship_and_country(old, 2024).values["nursery_places_per_1000"].isna().all()
