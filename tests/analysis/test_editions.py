"""What changed between two editions' records, on small records written by hand."""

from __future__ import annotations

import copy
import json

import pytest

from analysis.editions import (
    FORMAT,
    compare_editions,
    figures,
    read_figures,
    record_differences,
    record_problem,
    write_figures,
)
from analysis.report import prepare_report
from analysis.town import TownParams

BASE = {
    "format": FORMAT,
    "teryt": "0000001",
    "edition": "2025-11-20",
    "years": [2014, 2023],
    "peers": ["A", "B", "C"],
    "indicators": {
        "births_per_1000": {"value": 8.04, "year": 2023, "percentile": 50.0, "assessment": ""},
        "deaths_per_1000": {"value": 11.2, "year": 2023, "percentile": 40.0, "assessment": ""},
    },
    "verdicts": {"demography": "similar", "economy": "better"},
}


def test_a_record_computed_again_differs_only_where_a_figure_moved():
    # `diagnoza verify`'s comparison: every figure at full precision, floating-point noise aside; the method's
    # version and a previous edition's brief are not figures.
    again = copy.deepcopy(BASE) | {"method": "other", "since_previous": {"edition": "2024-11-20"}}
    again["indicators"]["births_per_1000"]["value"] = 8.04 * (1 + 1e-12)
    assert record_differences(BASE, again) == []
    again["indicators"]["births_per_1000"]["value"] = 8.041  # shown as 8,0 too, but not the same figure
    again["verdicts"]["economy"] = "similar"
    again["peers"] = ["A", "B", "D"]
    del again["indicators"]["deaths_per_1000"]["percentile"]
    assert record_differences(BASE, again) == [
        "indicators.births_per_1000.value: 8.04 → 8.041",
        "indicators.deaths_per_1000.percentile: 40.0 → absent",
        'peers[2]: "C" → "D"',
        'verdicts.economy: "better" → "similar"',
    ]
    # A figure the kept record lacks is not compared: an earlier version kept fewer (no projection, say).
    assert record_differences(BASE, copy.deepcopy(BASE) | {"projection": {"2029": [1.0, 0.9, 1.1]}}) == []
    # A figure that is not a number where it was one, or a list of another length, is listed whole.
    again = copy.deepcopy(BASE)
    again["indicators"]["births_per_1000"]["value"] = None
    again["peers"] = ["A", "B"]
    assert record_differences(BASE, again) == [
        "indicators.births_per_1000.value: 8.04 → null",
        'peers: ["A", "B", "C"] → ["A", "B"]',
    ]


def test_the_same_record_has_nothing_new():
    assert compare_editions(BASE, copy.deepcopy(BASE)).nothing
    assert compare_editions(BASE, copy.deepcopy(BASE)).small_position_moves == 0


def test_positions_that_moved_too_little_to_list_are_counted_not_listed():
    # A peer's revised figure moves the town by a rank of 20 peers (5 points) in two indicators: nothing to list,
    # but two positions moved. A move of exactly 10 points is listed, and then no longer counted as small.
    new = copy.deepcopy(BASE)
    new["indicators"]["births_per_1000"]["percentile"] = 45.0
    new["indicators"]["deaths_per_1000"]["percentile"] = 45.0
    changes = compare_editions(BASE, new)
    assert changes.nothing and changes.small_position_moves == 2
    new["indicators"]["deaths_per_1000"]["percentile"] = 50.0
    changes = compare_editions(BASE, new)
    assert list(changes.indicators.index) == ["deaths_per_1000"] and changes.small_position_moves == 1


def test_only_changes_beyond_the_shown_precision_count():
    # births per 1000 is shown with one decimal: 8.04 -> 8.01 both show "8,0"; 8.04 -> 8.4 shows.
    new = copy.deepcopy(BASE)
    new["indicators"]["births_per_1000"]["value"] = 8.01
    assert compare_editions(BASE, new).nothing
    new["indicators"]["births_per_1000"]["value"] = 8.4
    changes = compare_editions(BASE, new)
    assert list(changes.indicators.index) == ["births_per_1000"]
    assert (
        changes.indicators.at["births_per_1000", "old_value"],
        changes.indicators.at["births_per_1000", "new_value"],
    ) == (8.04, 8.4)
    # Precision as printed, half up: 8.25 and 8.26 both print "8,3", a change nobody could see (Python's
    # round, half to even, read 8.25 as 8.2 and listed it as "8,3 → 8,3"); 8.249 prints "8,2" and is listed.
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    old["indicators"]["births_per_1000"]["value"] = 8.25
    new["indicators"]["births_per_1000"]["value"] = 8.26
    assert compare_editions(old, new).nothing
    new["indicators"]["births_per_1000"]["value"] = 8.249
    assert list(compare_editions(old, new).indicators.index) == ["births_per_1000"]


def test_a_section_without_a_verdict_in_the_previous_record_is_listed_as_newly_judged():
    # The previous record has no services verdict (a section added since, or one its data could not judge):
    # "worse" now is a change from none, not nothing to report.
    new = copy.deepcopy(BASE)
    new["verdicts"]["services"] = "worse"
    assert compare_editions(BASE, new).verdicts == {"services": ("none", "worse")}


def test_positions_verdicts_years_and_peers():
    new = copy.deepcopy(BASE)
    new["indicators"]["deaths_per_1000"]["percentile"] = 55.0  # moved 15 points: listed
    new["indicators"]["births_per_1000"]["percentile"] = 55.0  # moved 5 points: not listed
    new["verdicts"]["economy"] = "similar"
    new["years"] = [2014, 2025]
    new["peers"] = ["A", "B", "D"]
    changes = compare_editions(BASE, new)
    assert list(changes.indicators.index) == ["deaths_per_1000"]
    assert changes.small_position_moves == 1  # births, counted so that the brief does not deny it moved
    assert changes.verdicts == {"economy": ("better", "similar")}
    assert changes.new_years == [2024, 2025]
    assert (changes.peers_joined, changes.peers_left) == (["D"], ["C"])


def test_a_change_of_method_between_the_editions_is_known_only_where_both_records_name_theirs():
    # Two records name the method they were computed with (a hash of code, catalogue and libraries); a record
    # written before records kept it says nothing, so nothing is claimed about it.
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    old["method"], new["method"] = "a" * 64, "b" * 64
    assert compare_editions(old, new).method_changed is True
    new["method"] = old["method"]
    assert compare_editions(old, new).method_changed is False
    del old["method"]
    assert compare_editions(old, new).method_changed is None  # not known, so neither claimed nor denied
    assert compare_editions(old, new).nothing  # the method alone is no change of the town's


def test_the_record_names_the_method_that_is_running(monkeypatch):
    # Another version of a library the figures come from is another method (report_key keys caches by it too).
    from analysis import report as report_module

    record = figures(prepare_report(TownParams(teryt="0490013")))
    assert record["method"] == report_module.method_version()
    monkeypatch.setattr(report_module, "library_versions", lambda: {"statsmodels": "99.0"})
    assert report_module.method_version() != record["method"]


def test_another_towns_record_is_no_previous_edition():
    # Two towns' figures side by side would print the other town's past as this one's changes.
    other = {**copy.deepcopy(BASE), "teryt": "0000002"}
    with pytest.raises(ValueError, match="of town 0000002, not of 0000001"):
        compare_editions(other, BASE)


def test_a_peer_renumbered_since_is_the_same_peer_under_its_new_code():
    # Peer C (code "0000032" then) became urban-rural: "0000033" now, one series (analysis.renumbering). It is
    # neither a peer that left nor one that joined; peer B, which did leave, is named from the old record.
    old = {
        **copy.deepcopy(BASE),
        "peers": ["A", "B", "0000032"],
        "peer_names": {"A": "Alfa", "B": "Beta", "0000032": "Gamma"},
    }
    new = {**copy.deepcopy(BASE), "peers": ["A", "0000033", "D"]}
    changes = compare_editions(old, new, {"0000032": "0000033"})
    assert (changes.peers_joined, changes.peers_left, changes.peers_left_named) == (["D"], ["B"], {"B": "Beta"})
    # Without the store's word on it, the two codes read as two gminy.
    unmapped = compare_editions(old, new)
    assert (unmapped.peers_joined, unmapped.peers_left) == (["0000033", "D"], ["0000032", "B"])
    # Nor is the town itself another town for having been renumbered.
    assert compare_editions({**old, "teryt": "0000000"}, new, {"0000000": "0000001"}).verdicts == {}


def test_a_previous_record_is_checked_before_the_town_is_computed(tmp_path):
    # What the notebook's `previous` may name: this town's figures.json of an earlier edition, and nothing else.
    edition = tmp_path / "demo-2025"
    (edition / "0000001").mkdir(parents=True)
    record = edition / "0000001" / "figures.json"
    record.write_text(json.dumps(BASE), encoding="utf-8")
    assert record_problem(record, "0000001") is None
    assert record_problem(record, "0000002") == f"{record} is the record of town 0000001, not of 0000002"
    assert record_problem(edition, "0000001") == f"{edition} is a folder: give the record in it, {record}"
    assert record_problem(edition / "0000001", "0000001") == (
        f"{edition / '0000001'} is a folder: give the record in it, {record}"
    )
    assert record_problem(edition, "0000002").startswith(f"{edition} is a folder without town 0000002's record")
    assert record_problem(edition / "missing.json", "0000001").startswith(f"{edition / 'missing.json'}: no such file")
    (edition / "notes.json").write_text('{"format": 0}', encoding="utf-8")
    assert "is not a Diagnoza edition's record" in record_problem(edition / "notes.json", "0000001")


def test_a_position_that_went_or_came_is_listed():
    # A peer lost its figure, so too few peers have one: the town keeps its value, loses its position.
    new = copy.deepcopy(BASE)
    new["indicators"]["births_per_1000"]["percentile"] = None
    changes = compare_editions(BASE, new)
    assert list(changes.indicators.index) == ["births_per_1000"]
    assert changes.indicators.at["births_per_1000", "old_percentile"] == 50.0
    assert compare_editions(new, BASE).indicators.at["births_per_1000", "new_percentile"] == 50.0  # and back


def test_a_record_round_trips_and_another_format_is_not_read(tmp_path):
    report = prepare_report(TownParams(teryt="0490013"))
    write_figures(report, tmp_path / "figures.json")
    kept = read_figures(tmp_path / "figures.json")
    assert kept == figures(report)
    assert compare_editions(kept, figures(report)).nothing
    (tmp_path / "old.json").write_text('{"format": 0}', encoding="utf-8")
    assert read_figures(tmp_path / "old.json") is None and read_figures(tmp_path / "missing.json") is None


def test_a_record_built_against_a_previous_edition_keeps_a_brief_of_what_changed(tmp_path):
    # The previous record: the same report a year of data earlier, with the economy verdict "better" and deaths
    # per 1,000 at 33 (its position now differs by more than 10 points). The brief is what compare_editions says.
    from dataclasses import replace

    report = prepare_report(TownParams(teryt="0490013"))
    previous = figures(report)
    previous["years"][1] -= 1
    previous["verdicts"]["economy"] = "better" if report.verdicts.at["economy", "verdict"] != "better" else "worse"
    previous["indicators"]["deaths_per_1000"]["percentile"] = 33.0
    (tmp_path / "previous.json").write_text(json.dumps(previous), encoding="utf-8")
    built = replace(report, params=report.params.model_copy(update={"previous": str(tmp_path / "previous.json")}))
    write_figures(built, tmp_path / "figures.json")
    brief = read_figures(tmp_path / "figures.json")["since_previous"]
    assert brief["verdicts"] == {"economy": [previous["verdicts"]["economy"], report.verdicts.at["economy", "verdict"]]}
    assert brief["indicators"] == ["deaths_per_1000"] and brief["new_years"] == [report.last_year]
    assert (brief["peers_joined"], brief["peers_left"], brief["method_changed"]) == ([], [], False)
    write_figures(report, tmp_path / "alone.json")  # built without --previous: no brief
    assert "since_previous" not in read_figures(tmp_path / "alone.json")
    # Built with --previous, whose edition has no record of the town (new to the batch since): a brief that says so.
    write_figures(report, tmp_path / "new.json", absent_from="2025-11-22")
    assert read_figures(tmp_path / "new.json")["since_previous"] == {"edition": "2025-11-22", "new_to_batch": True}
    # A record found wins: the town was in that edition.
    write_figures(built, tmp_path / "both.json", absent_from="2025-11-22")
    assert "new_to_batch" not in read_figures(tmp_path / "both.json")["since_previous"]


def test_a_value_newly_pooled_over_years_is_listed_with_its_years():
    # An older record has one year's births (no period_start); now births cover 2021–2023 together.
    # The value happens to print the same, but the years it covers changed, so it is listed.
    new = copy.deepcopy(BASE)
    new["indicators"]["births_per_1000"]["period_start"] = 2021
    changes = compare_editions(BASE, new)
    assert list(changes.indicators.index) == ["births_per_1000"]
    row = changes.indicators.loc["births_per_1000"]
    assert (row["old_period"], row["new_period"]) == ("2023", "2021–2023")
    # The same pooled years in both editions: nothing new.
    assert compare_editions(new, copy.deepcopy(new)).nothing


def test_a_change_of_boundaries_new_to_the_data_is_listed_and_one_known_before_is_not():
    land = {"year": 2024, "area_before": 10.0, "area_after": 11.0, "residents_step": 0.08}
    old_land = {"year": 2019, "area_before": 9.0, "area_after": 10.0, "residents_step": None}
    previous = copy.deepcopy(BASE) | {"boundaries": [old_land]}
    current = copy.deepcopy(BASE) | {"years": [2014, 2024], "boundaries": [old_land, land]}
    changes = compare_editions(previous, current)
    [new] = changes.boundary_changes
    assert (new.year, new.area_before, new.area_after, new.residents_step) == (2024, 10.0, 11.0, 0.08)
    assert not changes.nothing and new.moves_residents
    # A record written before records kept the boundaries: only a change after its last year is surely new.
    older = copy.deepcopy(BASE)  # years 2014–2023, no "boundaries"
    assert [c.year for c in compare_editions(older, current).boundary_changes] == [2024]
    # One in its last year, 2023, was in the data it was computed from: not new.
    in_its_last_year = old_land | {"year": 2023}
    current_too = current | {"boundaries": [in_its_last_year, land]}
    assert [c.year for c in compare_editions(older, current_too).boundary_changes] == [2024]
    # Found in data the previous edition held (a revision, or a store fetched anew): listed too, once.
    revised = copy.deepcopy(BASE) | {"boundaries": []}
    assert [c.year for c in compare_editions(revised, current).boundary_changes] == [2019, 2024]
    assert compare_editions(current, copy.deepcopy(current)).nothing


def test_the_what_changed_section_says_a_change_of_boundaries_new_to_the_data(demo_store, tmp_path):
    # The demo edition's record, then the same town in a store where it took in land and 30% more residents in
    # 2022: its population jumps from 8,009 to 10,412 between the editions, and the section says why, in the
    # demography text's words (tests/analysis/test_narrative.py).
    from analysis import display as show
    from analysis.report import compute_report
    from tests.conftest import write_annexed_store

    record = tmp_path / "figures.json"
    write_figures(prepare_report(TownParams(teryt="0290011")), record)
    store = write_annexed_store(demo_store, tmp_path / "store", "0290011", 2022, residents=1.3, land=1.4)
    report = compute_report(TownParams(teryt="0290011", data_dir=str(store), previous=str(record)))
    text = " ".join(part.text for part in show.edition_changes(report, str(record)) if hasattr(part, "text"))
    assert (
        "W 2022 r. zmieniły się granice gminy (powierzchnia z 4,5 do 6,3 km²): zmiany liczby ludności obejmujące "
        "ten rok zawierają mieszkańców przyłączonego obszaru" in text.replace("\xa0", " ")
    )
    assert report.comparison.at["population", "value"] == 10_412
    write_figures(report, tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))["since_previous"]["boundary_changes"] == [
        2022
    ]


def test_peers_matched_on_another_year_than_last_time_are_said_to_be():
    # An edition built before GUS published the last year's income matched its peers on the year before; the
    # next, on the last year: the peers that moved did so for that, and the section says it. A record that
    # does not keep the year (one written before records did), or the same year: nothing said.
    old, new = copy.deepcopy(BASE) | {"peer_year": 2022}, copy.deepcopy(BASE) | {"peer_year": 2023}
    assert compare_editions(old, new).peer_years == (2022, 2023)
    assert compare_editions(BASE, new).peer_years is None
    assert compare_editions(new, copy.deepcopy(new)).peer_years is None


def test_the_what_changed_section_says_the_peers_were_matched_on_another_year(demo_store, tmp_path):
    # The previous edition from the demo store without 2024's budget figures (peers matched on 2023), this one
    # from the whole demo store (on 2024).
    from analysis import display as show
    from analysis.catalogue import variables
    from analysis.report import compute_report
    from analysis.store import write_store

    budget = [variables()[name].bdl_id for name in ("pit_share_revenue", "own_revenue")]
    observations = demo_store.observations
    late = observations.loc[~((observations["year"] == 2024) & observations["var_id"].isin(budget))]
    write_store(tmp_path / "store", demo_store.units, late, dict(demo_store.metadata))
    record = tmp_path / "figures.json"
    write_figures(compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store"))), record)
    assert json.loads(record.read_text(encoding="utf-8"))["peer_year"] == 2023
    report = compute_report(TownParams(teryt="0290011", previous=str(record)))
    text = " ".join(part.text for part in show.edition_changes(report, str(record)) if hasattr(part, "text"))
    assert "Poprzednią grupę porównawczą dobrano według danych z 2023 r., tę – z 2024 r." in text.replace("\xa0", " ")


def test_a_peer_rule_changed_since_last_time_is_said_to_be_why_the_peers_moved(tmp_path):
    # The batch asked for the 20 nearest gminy last year and for 10 now: half the group "left" for that alone,
    # and the section says so before it names who joined and left. A record that does not keep the rule (one
    # written before records did), or the same rule: nothing said, and the same rule is no change at all.
    old, new = copy.deepcopy(BASE) | {"peer_rule": "nearest_20"}, copy.deepcopy(BASE) | {"peer_rule": "nearest_10"}
    assert compare_editions(old, new).peer_rules == ("nearest_20", "nearest_10")
    assert not compare_editions(old, new).nothing  # even where the same towns were chosen
    assert compare_editions(BASE, new).peer_rules is None
    assert compare_editions(new, copy.deepcopy(new)).nothing

    from analysis import display as show
    from analysis.export import batch_tables

    record = tmp_path / "figures.json"
    write_figures(prepare_report(TownParams(teryt="0290011")), record)  # the default rule: the 20 nearest
    assert json.loads(record.read_text(encoding="utf-8"))["peer_rule"] == "nearest_20"
    for language, said in (
        (
            "pl",
            "Zmieniła się reguła doboru grupy porównawczej: poprzednio „20 najbardziej podobnych gmin”, "
            "teraz „10 najbardziej podobnych gmin”.",
        ),
        (
            "en",
            "The peer rule changed: previously “20 most similar municipalities”, now “10 most similar municipalities”.",
        ),
    ):
        report = prepare_report(TownParams(teryt="0290011", peer_k=10, language=language, previous=str(record)))
        text = " ".join(part.text for part in show.edition_changes(report, str(record)) if hasattr(part, "text"))
        assert said in text.replace("\xa0", " ")
    # The batch workbook's "since the previous edition" sheet says it too.
    again = tmp_path / "again.json"
    write_figures(prepare_report(TownParams(teryt="0290011", peer_k=10, previous=str(record))), again)
    town = {"teryt": "0290011", "name": "Bursztynojar", "voivodeship": "dolnośląskie", "kind": "gmina miejska"}
    sheet = batch_tables([town | {"record": read_figures(again)}], "pl")["Od poprzedniej edycji"]
    assert list(sheet["Zmieniona reguła doboru grupy"]) == [
        "20 najbardziej podobnych gmin → 10 najbardziej podobnych gmin"
    ]


def test_a_peer_that_left_under_a_name_another_peer_shares_is_told_apart_by_its_code(tmp_path):
    # 106 rural gminy share a name with another (two Adamów in lubelskie). A previous edition whose group held a
    # gmina named as one of today's peers: the sentence gives that name with the TERYT code, as the peers table
    # does, and leaves the other names alone.
    from analysis import display as show

    report = prepare_report(TownParams(teryt="0290011"))
    record = figures(report)
    stay, gone = report.peers.members[0], report.peers.members[1]
    twin = "9999991"  # a gmina of the previous group, not of the store, under the name of one that stays
    names = dict(zip(report.peer_units["teryt"], report.peer_units["name"]))
    record["peers"] = [twin if code == gone else code for code in record["peers"]]
    record["peer_names"] = {code: name for code, name in record["peer_names"].items() if code != gone} | {
        twin: names[stay]
    }
    path = tmp_path / "figures.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    text = " ".join(part.text for part in show.edition_changes(report, str(path)) if hasattr(part, "text"))
    assert f"Z grupy porównawczej odeszła gmina {names[stay]} ({twin})." in text
    assert f"Do grupy porównawczej dołączyła gmina {names[gone]}." in text


def test_a_figure_gus_no_longer_marks_is_listed_even_where_its_value_stayed():
    # The previous edition read 2023's births as GUS's preliminary estimate; now the same value is final.
    previous = copy.deepcopy(BASE)
    previous["indicators"]["births_per_1000"]["gus_marks"] = [["preliminary", 2023]]
    current = copy.deepcopy(BASE) | {"edition": "2026-11-20"}
    current["indicators"]["births_per_1000"]["gus_marks"] = []
    current["indicators"]["deaths_per_1000"]["gus_marks"] = []
    changes = compare_editions(previous, current)
    assert list(changes.indicators.index) == ["births_per_1000"]
    row = changes.indicators.loc["births_per_1000"]
    assert row["old_marks"] == (("preliminary", 2023),) and row["new_marks"] == ()
    assert row["old_value"] == row["new_value"] == 8.04
    # A record written before records kept the marks does not say: nothing to list for them.
    before_marks = copy.deepcopy(BASE)
    assert compare_editions(before_marks, current).indicators.empty
    # The same marks in both: nothing moved.
    assert compare_editions(current, copy.deepcopy(current)).indicators.empty


def test_the_what_changed_table_marks_the_value_gus_marked_then(demo_store, tmp_path):
    # The demo edition's record marks 0290011's 2024 net migration as a preliminary estimate (demo_data.MARKED_YEARS);
    # in a store where GUS has since published it as final (the same figures, without the marks), the table lists it
    # with "³" on the earlier value only, and its caption says what the mark was.
    from analysis import display as show
    from analysis.report import compute_report
    from analysis.store import write_store

    record = tmp_path / "figures.json"
    write_figures(prepare_report(TownParams(teryt="0290011")), record)
    kept = json.loads(record.read_text(encoding="utf-8"))["indicators"]
    assert kept["net_migration_per_1000"]["gus_marks"] == [["preliminary", 2024]]
    assert kept["water_supply_users"]["gus_marks"] == []  # 2021's change of method: its trend's years, not its value's
    final = tmp_path / "store"
    write_store(
        final, demo_store.units, demo_store.observations.assign(mark=""), demo_store.metadata, demo_store.area_values
    )
    report = compute_report(TownParams(teryt="0290011", data_dir=str(final), previous=str(record)))
    table = next(part for part in show.edition_changes(report, str(record)) if isinstance(part, show.Table))
    listed = table.frame.set_index("Wskaźnik")
    row = listed.loc["Saldo migracji na 1000 ludności (‰)"]
    assert row["Było"].startswith("−10,1" + show.GUS_MARK) and show.GUS_MARK not in row["Jest"]
    assert table.caption.endswith(f"; {show.GUS_MARK} zawiera szacunek wstępny GUS z 2024 r.")
    # The spreadsheet's sheet of these changes says the marks in words, each edition's in its column.
    from analysis.export import edition_changes_sheet

    sheet = edition_changes_sheet(report).set_index("Kod wskaźnika")
    assert (
        sheet.at["net_migration_per_1000", "Znaki GUS – poprzednia edycja"] == "zawiera szacunek wstępny GUS z 2024 r."
    )
    assert sheet.at["net_migration_per_1000", "Znaki GUS – ta edycja"] == ""
    # The foreign migration's value (pooled 2022–2024, its 2024 marked then) is listed the same way.
    assert listed.loc["Saldo migracji zagranicznych na 1000 ludności (‰)", "Było"].count(show.GUS_MARK) == 1


def test_a_value_gus_marked_in_both_editions_over_other_years_is_named_once_in_the_caption(tmp_path):
    # 0490013's dwellings (pooled 2022–2024) read figures GUS marks as of low precision; the previous edition's
    # value, pooled a year earlier, read those of 2021–2023. Both values carry "³": the caption names the indicator
    # once and says which years are whose, as the columns "Było" and "Jest" do (it used to name it twice over).
    from analysis import display as show

    report = prepare_report(TownParams(teryt="0490013"))
    record = figures(report)
    now = record["indicators"]["dwellings_per_1000"]["gus_marks"]
    assert now == [["low_precision", year] for year in (2022, 2023, 2024)]
    record["indicators"]["dwellings_per_1000"]["gus_marks"] = [["low_precision", year] for year in (2021, 2022, 2023)]
    path = tmp_path / "figures.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    table = next(part for part in show.edition_changes(report, str(path)) if isinstance(part, show.Table))
    row = table.frame.set_index("Wskaźnik").loc["Mieszkania oddane do użytkowania na 1000 ludności (mieszkania)"]
    assert show.GUS_MARK in row["Było"] and show.GUS_MARK in row["Jest"]
    assert table.caption.endswith(
        f"; {show.GUS_MARK} było – zawiera dane GUS o niskiej precyzji z lat 2021–2023, "
        "jest – zawiera dane GUS o niskiej precyzji z lat 2022–2024"
    )
    assert table.caption.count("mieszkania oddane") == 0  # the only row marked: the note needs no name
