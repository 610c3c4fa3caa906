import math

import pandas as pd
import pytest

from analysis import store as store_module
from analysis.catalogue import variable_ids
from analysis.store import StoreError, load_store, validate_observations, validate_units, variable_panel, write_store

UNITS = pd.DataFrame(
    {
        "teryt": ["0290011", "0290021"],
        "name": ["Ala", "Ola"],
        "kind": ["urban", "rural"],
        "voivodeship": ["dolnośląskie"] * 2,
        "powiat": ["0290"] * 2,
    }
)


def observations(rows):
    return pd.DataFrame(rows, columns=["teryt", "year", "var_id", "value"])


def test_units_with_bad_codes_are_rejected_and_named():
    bad = UNITS.assign(teryt=["290011", "0290021"])
    with pytest.raises(StoreError, match="290011"):
        validate_units(bad)


def test_voivodeships_are_spelt_as_the_register_and_must_match_the_code():
    # TERC prints voivodeships in capitals; a report prints them in running text, in lower case.
    shouting = validate_units(UNITS.assign(voivodeship=["DOLNOŚLĄSKIE", "Dolnośląskie"]))
    assert list(shouting["voivodeship"]) == ["dolnośląskie", "dolnośląskie"]
    # 02 is dolnośląskie: a unit coded 02 in mazowieckie is a data error, named with its row.
    with pytest.raises(StoreError, match=r"first two digits.*0290021.*mazowieckie"):
        validate_units(UNITS.assign(voivodeship=["dolnośląskie", "mazowieckie"]))


def test_duplicated_units_and_unknown_kinds_are_rejected():
    with pytest.raises(StoreError, match="duplicated"):
        validate_units(pd.concat([UNITS, UNITS.head(1)]))
    with pytest.raises(StoreError, match="kind"):
        validate_units(UNITS.assign(kind=["urban", "village"]))


def test_an_urban_gmina_that_is_a_city_powiat_of_its_own_is_a_city_with_powiat_rights():
    # TERYT numbers the powiats that are cities from 61, each one gmina; land powiats from 01. By hand:
    # Jelenia Góra (powiat 0261, alone) is a city; an urban gmina alone in land powiat 0201 (a store holding
    # part of a powiat) is not; neither are the gminy of a powiat coded 62 that holds two (the demo's fictional
    # powiats, numbered from 90, hold several gminy each), nor a rural gmina alone in powiat 63.
    units = pd.DataFrame(
        {
            "teryt": ["0261011", "0201011", "0262011", "0262022", "0263012"],
            "name": ["Jelenia Góra", "Bolesławiec", "A", "B", "C"],
            "kind": ["urban", "urban", "urban", "rural", "rural"],
            "voivodeship": ["dolnośląskie"] * 5,
            "powiat": ["0261", "0201", "0262", "0262", "0263"],
        }
    )
    kinds = validate_units(units).set_index("teryt")["kind"]
    assert kinds.to_dict() == {
        "0201011": "urban",
        "0261011": "powiat-city",
        "0262011": "urban",
        "0262022": "rural",
        "0263012": "rural",
    }
    assert validate_units(validate_units(units)).equals(validate_units(units))  # a store written back reads the same
    assert not load_store().units["kind"].eq("powiat-city").any()


def test_duplicated_observations_are_rejected_and_named():
    frame = observations([("0290011", 2020, 72305, 1.0), ("0290011", 2020, 72305, 2.0)])
    with pytest.raises(StoreError, match="duplicated"):
        validate_observations(frame, validate_units(UNITS))


def test_observations_of_unknown_towns_are_rejected():
    frame = observations([("9999999", 2020, 72305, 1.0)])
    with pytest.raises(StoreError, match="9999999"):
        validate_observations(frame, validate_units(UNITS))


def test_a_negative_count_is_rejected_and_named_but_a_balance_may_be_negative():
    # Births and residents cannot be below zero: a store saying so has a sign error somewhere, and a report
    # built on it would print nonsense. Net migration and the CIT share (refunds) can, and are kept.
    ids = variable_ids()
    units = validate_units(UNITS)
    kept = validate_observations(
        observations(
            [("0290011", 2020, ids["net_migration"], -41.0), ("0290011", 2020, ids["cit_share_revenue"], -5.0)]
        ),
        units,
    )
    assert sorted(kept["value"]) == [-41.0, -5.0]
    bad = observations([("0290011", 2020, ids["net_migration"], -41.0), ("0290021", 2021, ids["live_births"], -3.0)])
    with pytest.raises(StoreError, match=r"cannot be negative.*'0290021'.*2021.*live_births") as error:
        validate_observations(bad, units)
    assert "net_migration" not in str(error.value)


def test_an_infinite_value_is_refused_and_named():
    # A figure is a finite number: an infinity (as a division by zero upstream writes) would print as "∞"
    # or turn a whole peer median into one. NaN stays allowed: BDL's marked missing value.
    units = validate_units(UNITS)
    ids = variable_ids()
    for infinity in (float("inf"), float("-inf")):
        bad = observations(
            [("0290011", 2020, ids["population"], 9.0), ("0290021", 2021, ids["net_migration"], infinity)]
        )
        with pytest.raises(StoreError, match=r"infinite value.*'0290021'.*2021"):
            validate_observations(bad, units)
    missing = observations([("0290011", 2020, ids["population"], float("nan"))])
    assert validate_observations(missing, units)["value"].isna().all()


def test_a_file_that_is_not_parquet_is_named(tmp_path):
    write_store(tmp_path, UNITS, observations([("0290011", 2020, variable_ids()["population"], 9.0)]), {})
    (tmp_path / "observations.parquet").write_text("not parquet", encoding="utf-8")
    with pytest.raises(StoreError, match=r"observations\.parquet: not a readable Parquet file"):
        load_store(tmp_path)


def test_a_store_without_readable_metadata_is_refused_not_taken_for_gus_data(tmp_path):
    # metadata.json says where the figures come from and whether they are synthetic: the demo store's
    # tables copied without it would otherwise be printed as GUS's figures, without the synthetic banner.
    write_store(tmp_path, UNITS, observations([("0290011", 2020, variable_ids()["population"], 9.0)]), {})
    assert load_store(tmp_path).metadata == {}  # written, if empty: a store of unknown source is not synthetic
    for text, problem in (("{bad", "metadata.json: not valid JSON"), ("[1, 2]", "metadata.json: must be a JSON")):
        (tmp_path / "metadata.json").write_text(text, encoding="utf-8")
        with pytest.raises(StoreError, match=problem):
            load_store(tmp_path)
    (tmp_path / "metadata.json").unlink()
    with pytest.raises(StoreError, match="no metadata.json, which says where the store's data come from"):
        load_store(tmp_path)


def test_round_trip_keeps_missing_values_missing(tmp_path):
    population = variable_ids()["population"]
    births = variable_ids()["live_births"]
    frame = observations([("0290011", 2020, population, 1000.0), ("0290011", 2020, births, float("nan"))])
    write_store(tmp_path, UNITS, frame, {"synthetic": True})
    store = load_store(tmp_path)
    panel = variable_panel(store)
    assert panel.at[("0290011", 2020), "population"] == 1000.0
    assert math.isnan(panel.at[("0290011", 2020), "live_births"])
    assert store.synthetic


def test_a_directory_that_is_not_a_store_gives_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="units.parquet"):
        load_store(tmp_path)
    # A file given for the folder (a store's own parquet, say) is named as such, not as a store to fetch there.
    (tmp_path / "units.parquet").write_bytes(b"")
    with pytest.raises(StoreError, match=r"units\.parquet is a file: a data store is the folder"):
        load_store(tmp_path / "units.parquet")


def test_years_out_of_range_and_missing_columns_are_named():
    frame = observations([("0290011", 1889, 72305, 1.0), ("0290011", 2020, 72305, 2.0)])
    with pytest.raises(StoreError, match=r"years out of range.*1889"):
        validate_observations(frame, validate_units(UNITS))
    with pytest.raises(StoreError, match=r"missing column.*kind"):
        validate_units(UNITS.drop(columns="kind"))


def test_a_store_is_validated_once_per_content_and_again_when_it_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "VALIDATED_STORES_DIR", tmp_path / "validated")
    population = variable_ids()["population"]
    write_store(tmp_path / "store", UNITS, observations([("0290011", 2020, population, 1000.0)]), {})
    first = load_store(tmp_path / "store")

    def must_not_validate(*_):
        raise AssertionError("validated again although the store did not change")

    with monkeypatch.context() as patch:
        patch.setattr(store_module, "validate_units", must_not_validate)
        again = load_store(tmp_path / "store")
    pd.testing.assert_frame_equal(again.units, first.units, check_exact=True)
    pd.testing.assert_frame_equal(again.observations, first.observations, check_exact=True)

    # The file is rewritten with a unit of an unknown kind (bypassing write_store's validation):
    # the next load validates it and refuses it.
    broken = first.units.assign(kind=first.units["kind"].where(first.units["teryt"] != "0290011", "village"))
    broken.to_parquet(tmp_path / "store" / "units.parquet", index=False)
    with pytest.raises(StoreError, match="kind"):
        load_store(tmp_path / "store")


def test_tables_kept_by_another_way_of_validating_are_removed_as_this_one_keeps_its_own(tmp_path, monkeypatch):
    # Tables kept under another version of the schemas (an edit of analysis/store.py) are never read again:
    # keeping one of this version removes them, and what a writer of that version killed halfway left staged.
    # Two stores of this version stay, and so do this version's tables of other libraries (`make test-oldest`
    # beside `make test`: each removed the other's, and every run validated the stores again).
    kept = tmp_path / "validated"
    monkeypatch.setattr(store_module, "VALIDATED_STORES_DIR", kept)
    population = variable_ids()["population"]
    write_store(tmp_path / "store0", UNITS, observations([("0290011", 2020, population, 1000.0)]), {})
    load_store(tmp_path / "store0")
    [this] = [path.name for path in kept.iterdir()]
    edit, libraries, _ = this.split("-")
    other_libraries = f"{edit}-{'0' * len(libraries)}-tables.pickle"
    (kept / other_libraries).write_bytes(b"tables kept by the oldest libraries")
    (kept / "0123456789abcdef-01234567-older.pickle").write_bytes(b"tables kept by an older edit")
    (kept / ".0123456789abcdef-01234567-older.pickle.4242.tmp").write_bytes(b"half written by a killed writer")
    write_store(tmp_path / "store1", UNITS, observations([("0290011", 2020, population, 2000.0)]), {})
    load_store(tmp_path / "store1")
    names = sorted(path.name for path in kept.iterdir())
    assert len(names) == 3 and other_libraries in names and this in names
    assert {name.split("-")[0] for name in names} == {edit}  # all kept by this edit


def test_a_store_of_one_year_says_its_year_once(tmp_path):
    # `diagnoza data fetch --years 2019` writes a store of one year: its messages said "years 2019–2019".
    population = variable_ids()["population"]
    write_store(tmp_path / "one", UNITS, observations([("0290011", 2019, population, 1000.0)]), {"synthetic": True})
    assert load_store(tmp_path / "one").years_said() == "2019"
    two = observations([("0290011", 2019, population, 1000.0), ("0290011", 2020, population, 990.0)])
    write_store(tmp_path / "two", UNITS, two, {"synthetic": True})
    assert load_store(tmp_path / "two").years_said() == "2019–2020"


def test_a_year_fetched_with_every_value_marked_missing_is_not_the_stores(tmp_path, demo_store):
    # BDL answers for a year it has not yet published with every value marked missing: the fetch keeps the rows
    # (NaN). The store's years end at its last year with a figure, so a batch or notebook asking for 2024 is
    # told why, rather than a report titled 2014–2024 holding nothing of 2024.
    from analysis.params import ParamsError, check_against_store, load_batch
    from analysis.town import TownParams

    observations = demo_store.observations.copy()
    observations.loc[observations["year"] == 2024, "value"] = float("nan")
    write_store(tmp_path / "store", demo_store.units, observations, dict(demo_store.metadata))
    store = load_store(tmp_path / "store")
    assert store.years == (2014, 2023) and store.years_without_figures == [2024]
    assert demo_store.years == (2014, 2024) and demo_store.years_without_figures == []
    batch = tmp_path / "b.yaml"
    batch.write_text('batch: b\nyears: {first: 2014, last: 2024}\ntowns: ["0290011"]\n', encoding="utf-8")
    with pytest.raises(ParamsError) as raised:
        check_against_store(load_batch(batch), store)
    assert raised.value.problems == [
        "years: 2014–2024 is outside the store's years 2014–2023; 2024: fetched, but every value marked missing "
        "(not yet published)"
    ]
    with pytest.raises(ParamsError) as raised:
        TownParams(teryt="0290011", data_dir=str(tmp_path / "store")).check_against_store(store)
    assert raised.value.problems == [
        "last_year: 2024 is after the store's last year 2023; 2024: fetched, but every value marked missing "
        "(not yet published)"
    ]


def test_published_area_figures_are_validated_and_their_area_named(tmp_path):
    # GUS's figures of voivodeships and Poland: a 2-digit voivodeship code or "PL"; anything else (a gmina's
    # TERYT code, a voivodeship that does not exist) is rejected with the offending value.
    nursery = variable_ids()["nursery_places_per_1000_under3"]
    rows = observations([("0290011", 2020, variable_ids()["population"], 9.0)])
    good = pd.DataFrame(
        [("02", 2020, nursery, 150.0), ("PL", 2020, nursery, 140.0)], columns=["area", "year", "var_id", "value"]
    )
    write_store(tmp_path / "good", UNITS, rows, {}, good)
    assert list(load_store(tmp_path / "good").area_values["area"]) == ["02", "PL"]
    for area in ("0290011", "03"):
        bad = good.assign(area=[area, "PL"])
        with pytest.raises(StoreError, match=f"area values: area: .*{area}"):
            write_store(tmp_path / "bad", UNITS, rows, {}, bad)
    twice = pd.concat([good, good])
    with pytest.raises(StoreError, match="area values: rows: duplicated"):
        write_store(tmp_path / "bad", UNITS, rows, {}, twice)
