"""The client and the fetch on real recorded BDL responses (../shared/data/bdl/api_samples_pybdl/,
PROVENANCE.md: AN0DA/pyBDL, MIT), replayed by the loopback server in BDL's paging envelope."""

from __future__ import annotations

import json

import pytest

from analysis.bdl.fetch import AREA_LEVELS, Markers, area_value_rows, observation_rows, units_frame
from analysis.store import COUNTRY_AREA
from tests.conftest import SHARED

SAMPLES = SHARED / "bdl" / "api_samples_pybdl"


def recorded(name: str) -> dict:
    path = SAMPLES / f"samples_raw_{name}.json"
    if not path.is_file():
        pytest.skip(f"recorded BDL responses not present: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def test_recorded_units_become_gminy_keyed_by_teryt(fake_bdl, make_client):
    fake_bdl.units = recorded("units")["list_units"]
    units = units_frame(make_client().units())
    level6 = [u for u in fake_bdl.units if u["level"] == 6 and u["kind"] in ("1", "2", "3")]
    assert len(units) == len(level6) > 0
    bochnia = units.set_index("teryt").loc["1201011"]  # 011212001011, the example
    assert (bochnia["name"], bochnia["kind"], bochnia["voivodeship"]) == ("Bochnia", "urban", "małopolskie")
    # the town and rural parts of an urban-rural gmina (kinds 4, 5) are not gminy
    assert not units["teryt"].str[-1].isin(["4", "5"]).any()


def test_recorded_attributes_mark_exactly_the_missing_value_codes(fake_bdl, make_client):
    fake_bdl.attributes = recorded("attributes")["list_attributes"]
    markers = Markers.from_attributes(make_client().attributes())
    # by their names ". lub 0", "-", "- lub 0" in the recording (see ../shared/README.md)
    assert {4, 14, 15, 50, 91} <= markers.missing
    assert not {0, 1, 3, 7, 9, 94, 98} & markers.missing
    assert markers.is_missing(4, 0) and not markers.is_missing(94, 0) and not markers.is_missing(1, 0)
    # "Łącznie dla powiatu i miasta na prawach powiatu" (97, "p"): a figure, but of more than a gmina.
    assert markers.wider_area == {97}
    # The figures kept with GUS's mark, read off the recording by hand: every attribute named as a value ("wartość"
    # or "0") whose symbol says something of the figure: k (3), s (9), M (11), K (13), A (17), v (20, 21), Z (98);
    # not "a" (7, below the format), "z" (94, a zero from non-zero inputs) or "p" (97, set aside).
    assert dict(markers.symbols) == {3: "k", 9: "s", 11: "M", 13: "K", 17: "A", 20: "v", 21: "v", 98: "Z"}
    assert markers.mark(9) == "s" and markers.mark(1) == "" and markers.mark(7) == ""


def test_recorded_data_values_are_read_with_their_year_and_value():
    results = recorded("data")["get_data_by_variable"]
    page = {"results": results}
    known = {"1200000"}  # the recording holds Poland, macroregions and voivodeships; MAŁOPOLSKIE is 011200000000
    rows = observation_rows(page, 99, Markers(frozenset({4}), frozenset({1, 4})), known)
    first = next(r for r in results if r["id"] == "011200000000")["values"][0]
    assert rows[0] == ("1200000", int(first["year"]), 99, float(first["val"]), "")  # attrId 1: a plain figure
    assert len(rows) == len(next(r for r in results if r["id"] == "011200000000")["values"])


def test_recorded_poland_and_voivodeship_figures_are_kept_under_their_area_codes(fake_bdl, make_client):
    # The recording holds one variable's figures for POLSKA (000000000000, level 0), MAKROREGION POŁUDNIOWY
    # (010000000000, level 1) and MAŁOPOLSKIE (011200000000, level 2). Served at those levels, they are
    # fetched the way a fetch asks for areas (by variable, at each level of `AREA_LEVELS`) and read with the
    # markers of the recorded /attributes. Expected, from the recording itself: Poland's values under "PL",
    # Małopolskie's under its TERYT code 12, the macroregion (no level a fetch asks for, no TERYT code) nowhere.
    results = {r["id"]: r for r in recorded("data")["get_data_by_variable"]}
    levels = {"000000000000": 0, "010000000000": 1, "011200000000": 2}
    fake_bdl.variables[99] = {"id": 99, "n1": "recorded", "level": 0, "measureUnitId": 26, "measureUnitName": "-"}
    fake_bdl.data[99] = [{**results[bdl_id], "level": level} for bdl_id, level in levels.items()]
    client = make_client()
    markers = Markers.from_attributes(recorded("attributes")["list_attributes"])
    years = sorted({int(v["year"]) for r in results.values() for v in r["values"]})
    rows = [
        row
        for level in AREA_LEVELS
        for page in client.pages("data/by-variable/99", {"unit-level": level, "year": years}, "recorded")
        for row in area_value_rows(page, 99, markers)
    ]

    def expected(area: str, bdl_id: str) -> list[tuple]:  # every recorded value is attrId 1, a plain figure: no mark
        return [(area, int(v["year"]), 99, float(v["val"]), "") for v in results[bdl_id]["values"]]

    assert sorted(rows) == sorted(expected("12", "011200000000") + expected(COUNTRY_AREA, "000000000000"))
    # Asked for one voivodeship (a fetch with --voivodeship), another voivodeship's figures are left out.
    page = {"results": list(results.values())}
    assert area_value_rows(page, 99, markers, voivodeship="24") == expected(COUNTRY_AREA, "000000000000")
    # A value the recorded attributes mark missing ("-", id 14) becomes NaN, not 0.
    dash = {"results": [{"id": "011200000000", "values": [{"year": "2020", "val": 0, "attrId": 14}]}]}
    [(area, year, _, value, mark)] = area_value_rows(dash, 99, markers)
    assert (area, year) == ("12", 2020) and value != value and mark == ""
    # A figure the recorded attributes mark a preliminary estimate ("s", id 9) is kept with its mark.
    estimate = {"results": [{"id": "000000000000", "values": [{"year": "2024", "val": 218.4, "attrId": 9}]}]}
    assert area_value_rows(estimate, 99, markers) == [(COUNTRY_AREA, 2024, 99, 218.4, "s")]
