"""Fetching a store from the fake BDL: the figures served come back unchanged, missing marks become NaN.

The fake serves the embedded demo store's figures the way BDL sends them (NaN as
`val: 0` with `attrId: 4`), so the expected store is simply the demo store itself.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from analysis.bdl.fetch import FetchSpec, fetch_store, parse_years, plan_fetch, what_the_fetch_would_drop
from analysis.bdl.quota import ANONYMOUS_LIMITS, Quota
from analysis.catalogue import variables
from tests.bdl_fake import bdl_unit_id, from_store

YEARS = "2014-2024"


@pytest.fixture
def demo_bdl(fake_bdl, demo_store):
    """The fake BDL of the conftest, filled with the demo store's figures."""
    filled = from_store(demo_store, variables().values())
    fake_bdl.units, fake_bdl.variables, fake_bdl.data = filled.units, filled.variables, filled.data
    return fake_bdl


def serve_value(fake, teryt, variable_id, year, val, attr):
    for result in fake.data[variable_id]:
        if result["id"] == bdl_unit_id(teryt):
            for value in result["values"]:
                if value["year"] == str(year):
                    value.update(val=val, attrId=attr)
                    return
    raise AssertionError("no such value served")


def test_years_are_parsed_as_ranges_or_lists():
    assert parse_years("2014-2017") == (2014, 2015, 2016, 2017)
    assert parse_years("2019, 2014") == (2014, 2019)
    with pytest.raises(ValueError, match="2014-2024"):
        parse_years("last ten years")
    with pytest.raises(ValueError, match="'2024-2014': the last year is before the first"):
        parse_years("2024-2014")
    with pytest.raises(ValueError, match="start in 1995"):
        parse_years("1990-2000")
    next_year = date.today().year + 1  # BDL publishes a year's figures in the year after it
    with pytest.raises(ValueError, match=f"{next_year} is still to come"):
        parse_years(f"2020-{next_year}")


def test_the_fetched_store_holds_exactly_the_served_figures(demo_bdl, demo_store, make_client, tmp_path):
    store = fetch_store(make_client(), FetchSpec.create(YEARS), tmp_path / "store")
    key = ["teryt", "year", "var_id"]
    expected = (
        demo_store.observations.loc[demo_store.observations["var_id"].isin([v.bdl_id for v in variables().values()])]
        .sort_values(key)
        .reset_index(drop=True)
    )
    got = store.observations.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got[key].astype(str), expected[key].astype(str))
    assert ((got["value"] == expected["value"]) | (got["value"].isna() & expected["value"].isna())).all()
    # GUS's marks (a preliminary estimate "s", a change of method "M", low precision "v") come back as served,
    # from the attribute each figure was sent with; the demo store has each of them (its `MARKED_YEARS`)
    assert (got["mark"] == expected["mark"]).all() and {"s", "M", "v"} <= set(got["mark"])
    pd.testing.assert_frame_equal(store.units, demo_store.units)
    assert store.metadata["fetched"] and not store.synthetic
    assert store.metadata["variables"]["population"]["bdl_id"] == 72305
    # GUS's figures of the voivodeships and Poland, for the rates it publishes so, come back as served
    area_key = ["area", "year", "var_id"]
    pd.testing.assert_frame_equal(
        store.area_values.sort_values(area_key).reset_index(drop=True),
        demo_store.area_values.sort_values(area_key).reset_index(drop=True),
    )
    assert set(store.area_values["area"]) == {*demo_store.units["teryt"].str[:2], "PL"}
    # every data page went out with all years at once, 4 pages of 100 gminy per variable (332 gminy), and for
    # each rate published for areas one page of voivodeships (level 2) and one of Poland (level 0)
    data_requests = [r for r in demo_bdl.log if "/data/by-variable/" in r.path]
    published = [v for v in variables().values() if v.published_for_areas]
    assert len(published) == 2 and len(demo_store.units) == 332
    assert len(data_requests) == 4 * len(variables()) + 2 * len(published)
    assert all(r.query["year"] == [str(y) for y in range(2014, 2025)] for r in data_requests)
    area_requests = sorted((r.path, r.query["unit-level"][0]) for r in data_requests if r.query["unit-level"] != ["6"])
    assert area_requests == sorted(
        (f"/api/v1/data/by-variable/{v.bdl_id}", level) for v in published for level in ("0", "2")
    )


def test_missing_marked_values_are_nan_in_observations_parquet_and_true_zeros_stay(demo_bdl, make_client, tmp_path):
    teryt = "0290011"
    births, deaths = variables()["live_births"].bdl_id, variables()["deaths"].bdl_id
    serve_value(demo_bdl, teryt, births, 2019, 0, 14)  # ". lub 0": no information
    serve_value(demo_bdl, teryt, births, 2020, 0, 50)  # "- lub 0": not yet available
    serve_value(demo_bdl, teryt, deaths, 2019, 0, 94)  # a significant zero
    serve_value(demo_bdl, teryt, deaths, 2020, 0, 99)  # an attribute /attributes does not list
    fetch_store(make_client(), FetchSpec.create(YEARS), tmp_path / "store")
    raw = pd.read_parquet(tmp_path / "store" / "observations.parquet").set_index(["teryt", "year", "var_id"])
    assert math.isnan(raw.at[(teryt, 2019, births), "value"])
    assert math.isnan(raw.at[(teryt, 2020, births), "value"])
    assert raw.at[(teryt, 2019, deaths), "value"] == 0.0
    assert math.isnan(raw.at[(teryt, 2020, deaths), "value"])


def test_a_figure_marked_as_a_powiat_and_its_city_together_is_no_gminas_figure(demo_bdl, make_client, tmp_path):
    # Attribute 97 ("Łącznie dla powiatu i miasta na prawach powiatu") marks a figure of a city and its land powiat
    # together. Served for one gmina's population in 2020 (here, the demo's figure doubled): stored as missing,
    # named in the metadata and by `diagnoza data status`; the same gmina's other years stay as served.
    from typer.testing import CliRunner

    from diagnoza.cli import app

    teryt, population = "0290011", variables()["population"].bdl_id
    served = demo_bdl_value(demo_bdl, teryt, population, 2020)
    serve_value(demo_bdl, teryt, population, 2020, 2 * served, 97)
    store = fetch_store(make_client(), FetchSpec.create(YEARS), tmp_path / "store")
    raw = store.observations.set_index(["teryt", "year", "var_id"])["value"]
    assert math.isnan(raw[(teryt, 2020, population)])
    assert raw[(teryt, 2019, population)] == demo_bdl_value(demo_bdl, teryt, population, 2019)
    assert store.metadata["figures_of_powiat_and_city"] == [{"teryt": teryt, "year": 2020, "variable": "population"}]
    status = CliRunner().invoke(app, ["data", "status", str(tmp_path / "store")])
    assert (
        status.exit_code == 0
        and "set aside: 1 figure BDL marks" in status.output
        and "0290011 2020 population" in status.output
    )


def demo_bdl_value(fake, teryt, variable_id, year):
    return next(
        value["val"]
        for result in fake.data[variable_id]
        if result["id"] == bdl_unit_id(teryt)
        for value in result["values"]
        if value["year"] == str(year)
    )


def test_parts_of_gminy_are_left_out_and_a_voivodeship_is_asked_for_by_its_bdl_id(demo_bdl, make_client, tmp_path):
    part = {"id": bdl_unit_id("2491014"), "name": "Miasto – część", "level": 6, "kind": "4", "hasDescription": False}
    demo_bdl.units.append(part)
    population = variables()["population"].bdl_id
    demo_bdl.data[population].append(
        {"id": part["id"], "name": part["name"], "values": [{"year": "2020", "val": 5000, "attrId": 1}]}
    )
    store = fetch_store(make_client(), FetchSpec.create(YEARS, voivodeship="24"), tmp_path / "store")
    assert set(store.units["teryt"].str[:2]) == {"24"}
    assert "2491014" not in set(store.units["teryt"]) | set(store.observations["teryt"])
    data_requests = [r for r in demo_bdl.log if "/data/by-variable/" in r.path]
    gminy = [r for r in data_requests if r.query["unit-level"] == ["6"]]
    assert {r.query["unit-parent-id"][0] for r in gminy} == {"012400000000"}
    # GUS's published figures: of that voivodeship and of Poland only, from the one page of each level
    assert set(store.area_values["area"]) == {"24", "PL"}


def test_an_interrupted_fetch_run_again_requests_no_page_it_already_has(demo_bdl, make_client, tmp_path):
    client = make_client()
    real_get, answered = client.get, []

    def interrupted_after_40(path, params, what):
        if len(answered) == 40:
            raise KeyboardInterrupt
        answered.append(what)
        return real_get(path, params, what)

    client.get = interrupted_after_40
    with pytest.raises(KeyboardInterrupt):
        fetch_store(client, FetchSpec.create(YEARS), tmp_path / "store")
    assert not (tmp_path / "store" / "observations.parquet").exists()
    first_run = {(r.path, tuple(sorted((k, tuple(v)) for k, v in r.query.items()))) for r in demo_bdl.log}
    assert len(first_run) == 40
    demo_bdl.log.clear()
    fetch_store(make_client(), FetchSpec.create(YEARS), tmp_path / "store")
    second_run = [(r.path, tuple(sorted((k, tuple(v)) for k, v in r.query.items()))) for r in demo_bdl.log]
    assert second_run and not first_run & set(second_run)
    assert (tmp_path / "store" / "observations.parquet").exists()


def test_the_plan_counts_pages_still_to_send_and_the_quota_time(demo_bdl, make_client, tmp_path):
    client = make_client()
    client.units()
    client.attributes()
    clock = iter([0.0] * 10)
    client.quota = Quota(ANONYMOUS_LIMITS, clock=lambda: next(clock, 0.0), sleep=lambda s: None)
    plan = plan_fetch(client, FetchSpec.create(YEARS))
    # 332 gminy → 4 pages per variable, plus its metadata: 5 requests for each of the 28 variables; and one page
    # of voivodeships and one of Poland for each of the 2 rates GUS publishes for areas: 140 + 4. Cached: the 4
    # pages of units and the attributes.
    assert len(variables()) == 28
    assert (plan.requests, plan.cached) == (144, 4 + 1)
    # anonymous: 100 in the first 15 min (the last at 19.8 s), then 44 more from 900 s, 5 in each second: the
    # 44th (the 4th of the ninth five) at 900 + 8 = 908 s
    assert plan.seconds == 908
    assert "15 min" in plan.describe()
    fetch_store(make_client(), FetchSpec.create(YEARS), tmp_path / "store")
    assert plan_fetch(make_client(), FetchSpec.create(YEARS)).requests == 0


def test_a_gmina_bdl_lists_without_any_figure_in_the_years_fetched_is_left_out_and_named(
    demo_bdl, make_client, tmp_path
):
    # BDL's list of gminy keeps those that ended before the years asked for (Ostrowice, abolished in 2019; a
    # rural code replaced when the gmina gained town rights). One listed without a single figure, and one sent
    # with every value marked missing, are no gminy of the store; a gmina with figures stays.
    ended = {"id": bdl_unit_id("0290062"), "name": "Dawna", "level": 6, "kind": "2", "hasDescription": False}
    marked = {"id": bdl_unit_id("0290072"), "name": "Pusta", "level": 6, "kind": "2", "hasDescription": False}
    demo_bdl.units.extend([ended, marked])
    population = variables()["population"].bdl_id
    demo_bdl.data[population].append(
        {"id": marked["id"], "name": marked["name"], "values": [{"year": "2020", "val": 0, "attrId": 4}]}
    )
    store = fetch_store(make_client(), FetchSpec.create(YEARS), tmp_path / "store")
    assert not {"0290062", "0290072"} & (set(store.units["teryt"]) | set(store.observations["teryt"]))
    assert store.metadata["units_without_figures"] == ["0290062", "0290072"]
    assert "0290011" in set(store.units["teryt"])


def test_a_fetch_names_what_of_the_store_in_its_folder_it_would_drop(demo_store, tmp_path):
    # The demo store in the folder: every voivodeship, 2014–2024. A fetch replaces it whole, so one of fewer years or
    # of one voivodeship would drop the rest; one of as much or more drops nothing; an empty folder has nothing.
    from analysis.store import write_store

    write_store(tmp_path / "store", demo_store.units, demo_store.observations, dict(demo_store.metadata))
    store = tmp_path / "store"
    assert what_the_fetch_would_drop(store, FetchSpec.create("2014-2024")) == []
    assert what_the_fetch_would_drop(store, FetchSpec.create("2010-2024")) == []  # more years: nothing dropped
    assert what_the_fetch_would_drop(store, FetchSpec.create("2023-2024")) == [
        "9 other years (2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022)"
    ]
    assert what_the_fetch_would_drop(store, FetchSpec.create("2014-2023")) == ["1 other year (2024)"]
    (dropped,) = what_the_fetch_would_drop(store, FetchSpec.create("2014-2024", "24"))
    assert dropped.startswith("the gminy of 15 other voivodeships (dolnośląskie, kujawsko-pomorskie, ")
    assert ", śląskie," not in dropped and dropped.endswith("zachodniopomorskie)")  # its own is kept
    assert what_the_fetch_would_drop(tmp_path / "empty", FetchSpec.create("2023-2024")) == []


def test_gus_marks_on_its_own_figures_of_an_area_come_back_as_served(fake_bdl, demo_store, make_client, tmp_path):
    # The demo's published area figures carry no marks; here Poland's nursery places of 2024 are served as a
    # preliminary estimate and Małopolskie's (12) density of 2021 under a change of method.
    from dataclasses import replace

    published = demo_store.area_values
    ids = {v.key: v.bdl_id for v in variables().values()}
    estimate = (published["area"] == "PL") & (published["var_id"] == ids["nursery_places_per_1000_under3"])
    changed = (published["area"] == "12") & (published["var_id"] == ids["population_density"])
    marked = published.assign(
        mark=published["mark"]
        .mask(estimate & (published["year"] == 2024), "s")
        .mask(changed & (published["year"] == 2021), "M")
    )
    filled = from_store(replace(demo_store, area_values=marked), variables().values())
    fake_bdl.units, fake_bdl.variables, fake_bdl.data = filled.units, filled.variables, filled.data
    store = fetch_store(make_client(), FetchSpec.create(YEARS), tmp_path / "store")
    got = store.area_values.set_index(["area", "year", "var_id"])["mark"]
    assert got[("PL", 2024, ids["nursery_places_per_1000_under3"])] == "s"
    assert got[("12", 2021, ids["population_density"])] == "M"
    assert (got != "").sum() == 2  # and no other
