"""GUS's marks on the figures a report reads: which figures a row reads, which marks reach its notes, and the
notes and spreadsheet column they become, on tiny frames and on a store with one figure marked."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalogue import indicators, variable_ids
from analysis.gus_marks import MARK_KINDS, NO_MARK, figure_years, marks_panel, row_marks
from analysis.narrative import gus_mark_notes


def _row(year, start=None, change=None, change_10y=None) -> pd.Series:
    return pd.Series({"year": year, "period_start": start, "change": change, "change_10y": change_10y})


def test_a_row_reads_its_inputs_at_their_lags_over_its_pooled_years_and_its_changes_start():
    catalogue = indicators()
    # Births per 1000, pooled 2022–2024, with a 5-year change: births and population in 2022–2024 and in
    # 2017–2019 (the same three years, five years earlier). Listed by hand.
    read = figure_years(catalogue["births_per_1000"], _row(2024, 2022, 1.5), 5)
    assert read == {
        "live_births": {2017, 2018, 2019, 2022, 2023, 2024},
        "population": {2017, 2018, 2019, 2022, 2023, 2024},
    }
    # Without a change shown, only the value's years.
    assert figure_years(catalogue["births_per_1000"], _row(2024, 2022, None), 5)["live_births"] == {2022, 2023, 2024}
    # The 5-year population change of 2024 reads population of 2024 and (its lag) 2019; with its own change shown,
    # also 2019 and 2014.
    assert figure_years(catalogue["population_change_5y"], _row(2024), None) == {"population": {2019, 2024}}
    assert figure_years(catalogue["population_change_5y"], _row(2024, None, 0.3), 5) == {
        "population": {2014, 2019, 2024}
    }
    assert figure_years(catalogue["births_per_1000"], _row(float("nan")), 5) == {}  # no value: nothing read


def test_a_mark_reaches_a_row_only_on_a_figure_it_reads_and_a_change_of_method_also_across_its_years():
    panel = pd.DataFrame(
        {"live_births": ["s", "", "v", "M"], "population": ["", "k", "", ""]}, index=pd.Index([2018, 2020, 2023, 2024])
    )
    read = {"live_births": {2019, 2024}, "population": {2019, 2024}}
    # Read: 2019 and 2024. The "s" of 2018 and "v" of 2023 are not among them; "M" of 2024 is; "k" of 2020 is
    # between the years read, but an incomplete figure not read is nothing to the row.
    assert row_marks(panel, read) == (("method_changed", 2024),)
    # A change of method between the years read counts: the change compares figures counted two ways.
    method_2020 = panel.assign(population=["", "M", "", ""])
    assert row_marks(method_2020, read) == (("method_changed", 2020), ("method_changed", 2024))
    # ... and from the trend's first year (`since`): a value of 2024 alone, with a trend from 2014.
    assert row_marks(method_2020, {"population": {2024}}, since=2014) == (("method_changed", 2020),)
    assert row_marks(method_2020, {"population": {2024}}) == ()
    # A kind before another in the notes' order, years in order: a preliminary estimate, then low precision.
    assert row_marks(panel, {"live_births": {2018, 2023}}) == (("preliminary", 2018), ("low_precision", 2023))


def test_the_notes_say_each_kind_once_with_its_years_and_agree_with_their_number():
    assert gus_mark_notes((("preliminary", 2024),), "pl") == ["zawiera szacunek wstępny GUS z 2024 r."]
    assert gus_mark_notes((("preliminary", 2023), ("preliminary", 2024), ("method_changed", 2021)), "pl") == [
        "zawiera szacunki wstępne GUS z lat 2023 i 2024",
        "zawiera zmianę metodologii GUS w 2021 r.",
    ]
    assert gus_mark_notes((("method_changed", 2019), ("method_changed", 2021)), "en") == [
        "includes changes of GUS's method in 2019 and 2021"
    ]
    assert gus_mark_notes((), "pl") == []
    # In words, mirroring the Polish: no brackets, which page one's findings would nest inside their own.
    assert gus_mark_notes((("preliminary", 2024), ("incomplete", 2023)), "en") == [
        "includes a preliminary GUS estimate for 2024",
        "includes GUS data for 2023 that may be incomplete",
    ]
    # Three years or more in a row are a span; two are named (listed by hand).
    years = (2016, 2018, 2019, 2021, 2022, 2023)
    assert gus_mark_notes(tuple(("low_precision", year) for year in years), "pl") == [
        "zawiera dane GUS o niskiej precyzji z lat 2016, 2018, 2019 i 2021–2023"
    ]
    # Every kind a mark can be has its words in both languages, of one year and of several; none in brackets,
    # as page one gives a note inside the brackets of the figures beside the town's ("(…; Polska: 0,3‰; zawiera …)").
    for kind in set(MARK_KINDS.values()):
        for language in ("pl", "en"):
            for marks in (((kind, 2020),), ((kind, 2020), (kind, 2021))):
                (note,) = gus_mark_notes(marks, language)
                assert "2020" in note and not {"(", ")"} & set(note), note


def test_the_marks_panel_holds_the_towns_marked_figures_up_to_the_last_year(demo_store):
    ids = variable_ids()
    panel = marks_panel(demo_store.observations, "0290011", 2024)
    # The demo marks the 2024 migration figures "s" and the 2021 water and sewage shares "M" (demo_data.MARKED_YEARS)
    assert panel.at[2024, "net_migration"] == "s" and panel.at[2021, "water_supply_users_pct"] == "M"
    assert marks_panel(demo_store.observations, "0290011", 2023).get("net_migration", pd.Series()).eq("s").sum() == 0
    plain = demo_store.observations.assign(mark=NO_MARK)
    assert marks_panel(plain, "0290011", 2024).empty
    assert set(panel.columns) <= set(ids)


def test_a_figure_marked_in_the_store_is_noted_beside_its_indicator_in_the_table_and_the_spreadsheet(
    demo_store, tmp_path
):
    # One town's 2024 registered unemployed marked "s" in a copy of the demo store: its unemployment row says so,
    # in the changes table and the spreadsheet's column, in Polish and in English; the value itself is unchanged.
    from analysis.display import changes_table
    from analysis.export import indicator_sheet
    from analysis.report import prepare_report
    from analysis.store import write_store
    from analysis.town import TownParams

    observations = demo_store.observations
    rows = (
        (observations["teryt"] == "0290011")
        & (observations["var_id"] == variable_ids()["registered_unemployed"])
        & (observations["year"] == 2024)
    )
    store = tmp_path / "store"
    write_store(
        store,
        demo_store.units,
        observations.assign(mark=observations["mark"].mask(rows, "s")),
        demo_store.metadata,
        demo_store.area_values,
    )
    plain = prepare_report(TownParams(teryt="0290011"))
    marked = prepare_report(TownParams(teryt="0290011", data_dir=str(store)))
    english = prepare_report(TownParams(teryt="0290011", data_dir=str(store), language="en"))
    pd.testing.assert_frame_equal(marked.comparison, plain.comparison)  # a mark changes no figure
    assert marked.gus_marks["unemployed_share_working_age"] == (("preliminary", 2024),)
    assert "unemployed_share_working_age" not in plain.gus_marks
    name = indicators()["unemployed_share_working_age"].name_with_unit("pl")
    notes = changes_table(marked, "economy").frame.set_index("Wskaźnik")["Uwagi"]
    assert "zawiera szacunek wstępny GUS z 2024 r." in notes[name].split("; ")
    sheet = indicator_sheet(marked).set_index("Kod wskaźnika")["Znaki GUS w danych"]
    assert sheet["unemployed_share_working_age"] == "zawiera szacunek wstępny GUS z 2024 r."
    assert sheet["births_per_1000"] == ""
    english_sheet = indicator_sheet(english).set_index("Indicator code")["GUS marks on the data"]
    assert english_sheet["unemployed_share_working_age"] == "includes a preliminary GUS estimate for 2024"


@pytest.mark.parametrize("mark", ["x", "S", " "])
def test_a_store_with_a_mark_gus_does_not_use_is_refused_naming_it(demo_store, tmp_path, mark):
    from analysis.store import StoreError, write_store

    observations = demo_store.observations
    bad = observations.assign(mark=observations["mark"].mask(observations.index == 0, mark))
    with pytest.raises(StoreError, match="mark must be empty or one of GUS's"):
        write_store(tmp_path / "store", demo_store.units, bad, demo_store.metadata)


def test_a_store_written_before_marks_were_kept_loads_with_none(demo_store, tmp_path):
    from analysis.store import load_store, write_store

    directory = tmp_path / "store"
    write_store(directory, demo_store.units, demo_store.observations, demo_store.metadata, demo_store.area_values)
    for name in ("observations", "area_values"):  # GUS's figures of gminy, and its own of the areas
        old = pd.read_parquet(directory / f"{name}.parquet").drop(columns="mark")
        old.to_parquet(directory / f"{name}.parquet", index=False)
    loaded = load_store(directory)
    assert (loaded.observations["mark"] == NO_MARK).all()
    assert len(loaded.observations) == len(demo_store.observations)
    assert (loaded.area_values["mark"] == NO_MARK).all() and len(loaded.area_values) == len(demo_store.area_values)


def test_the_methodology_of_a_report_says_how_marked_figures_are_used_only_where_there_are_some(demo_store):
    from dataclasses import replace

    from analysis.display import methodology_text
    from analysis.report import prepare_report
    from analysis.town import TownParams

    computed = prepare_report(TownParams(teryt="0290011"))
    assert computed.gus_marks  # the premise: the demo's 2024 migration is marked "s"
    said = "używamy ich tak, jak je opublikowano"
    # The kinds the figures carry and no other: this town's (2024's migration "s", 2021's water shares "M") ...
    report = replace(computed, reference_marks={}, peer_change_marks={})
    assert (
        "GUS oznacza jako szacunki wstępne lub dane objęte zmianą metodologii; " + said in methodology_text(report).text
    )
    # ... and those beside them: the dwellings of the small gminy among its peers and in its areas are "v".
    assert computed.reference_marks["dwellings_per_1000"]["poland"][0][0] == "low_precision"
    assert "jako szacunki wstępne, dane o niskiej precyzji lub dane objęte zmianą metodologii; " in (
        methodology_text(computed).text
    )
    assert said not in methodology_text(replace(report, gus_marks={})).text
    beside_only = replace(computed, gus_marks={}, peer_change_marks={})
    assert (
        "GUS oznacza jako szacunki wstępne lub dane o niskiej precyzji; " + said in methodology_text(beside_only).text
    )
    three = replace(report, gus_marks={**report.gus_marks, "births_per_1000": (("low_precision", 2023),)})
    assert "jako szacunki wstępne, dane o niskiej precyzji lub dane objęte zmianą metodologii; " in (
        methodology_text(three).text
    )
    english = replace(three, params=three.params.model_copy(update={"language": "en"}))
    assert (
        "GUS marks some of the figures the report rests on (the town's, its peers', its voivodeship's and Poland's) as "
        "preliminary estimates, data of low precision or data under a change of method; they are used as published"
        in methodology_text(english).text
    )


def test_a_mark_is_on_a_value_when_its_own_figures_hold_it_and_else_on_its_change_or_trend_only():
    from analysis.gus_marks import on_value

    catalogue = indicators()
    marks = (("preliminary", 2019), ("method_changed", 2021), ("method_changed", 2023))
    # Births per 1000 pooled 2022–2024: a change of method in 2023 is within its years, one in 2021 before them,
    # and 2019's estimate is its change's start only.
    assert on_value(catalogue["births_per_1000"], _row(2024, 2022, 0.4), marks) == (("method_changed", 2023),)
    # The 5-year population change of 2024 reads 2019 and 2024: the estimate of 2019 is its own figure, and a
    # change of method between the two is within the change it is.
    assert on_value(catalogue["population_change_5y"], _row(2024), marks) == marks
    assert on_value(catalogue["births_per_1000"], _row(float("nan")), marks) == ()


def test_a_mark_is_on_a_change_at_either_end_or_between_them_and_not_on_the_trends_earlier_years():
    from analysis.gus_marks import on_change

    births = indicators()["births_per_1000"]
    marks = (("preliminary", 2019), ("method_changed", 2016), ("method_changed", 2021), ("preliminary", 2024))
    # Births per 1000 pooled 2022–2024 against 2017–2019 (by hand): 2019's estimate is at the start, 2024's at
    # the end, 2021's change of method between; 2016's is before the change begins (a trend's years alone).
    expected = (("preliminary", 2019), ("method_changed", 2021), ("preliminary", 2024))
    assert on_change(births, _row(2024, 2022, 0.4), marks, 5) == expected
    # Unpooled, 2024 against 2014 (10 years): 2016's change of method is between the ends too, and 2019's estimate
    # is neither end.
    assert on_change(births, _row(2024, None, 0.4, 0.9), marks, 10) == (
        ("method_changed", 2016),
        ("method_changed", 2021),
        ("preliminary", 2024),
    )
    assert on_change(births, _row(2024, 2022), marks, 5) == ()  # no change
    # Each span asks for its own change: a row with a 5-year change and none over 10 years, and the reverse.
    assert on_change(births, _row(2024, None, 0.4), marks, 10) == ()
    assert on_change(births, _row(2024, None, None, 0.9), marks, 5) == ()
    assert on_change(births, _row(2024, None, None, 0.9), marks, 10) != ()


def test_page_one_the_key_figures_and_the_comparison_table_mark_a_value_gus_marks(demo_store):
    from dataclasses import replace

    from analysis.display import GUS_MARK, comparison_table, key_figures
    from analysis.narrative import key_findings
    from analysis.report import prepare_report
    from analysis.town import TownParams

    report = prepare_report(TownParams(teryt="0290011"))
    # The demo marks 2024's net migration "s" and 2021's water shares "M" (demo_data.MARKED_YEARS).
    assert report.gus_marks["net_migration_per_1000"] == (("preliminary", 2024),)
    assert report.gus_marks["water_supply_users"] == (("method_changed", 2021),)
    table = key_figures(report)
    values = table.frame.set_index("Wskaźnik")["Bursztynojar"]
    assert values["Saldo migracji na 1000 ludności (‰, 2024)"].endswith(GUS_MARK)
    assert sum(value.endswith(GUS_MARK) for value in values) == 1  # no other headline figure is marked
    assert table.caption.endswith(f"; {GUS_MARK} zawiera szacunek wstępny GUS z 2024 r.")
    # The 5-year change ends at the marked figure: marked too; the water share's, across 2021's change of method,
    # is not a headline figure.
    changes = table.frame.set_index("Wskaźnik")["Zmiana w 5 lat"]
    assert [name for name, change in changes.items() if change.endswith(GUS_MARK)] == [
        "Saldo migracji na 1000 ludności (‰, 2024)"
    ]
    unmarked = replace(report, gus_marks={}, reference_marks={}, peer_change_marks={})
    assert GUS_MARK not in key_figures(unmarked).caption
    assert not key_figures(unmarked).frame["Bursztynojar"].str.contains(GUS_MARK).any()
    # The comparison table shows levels: 2024's migration marked, the water share (whose mark is in 2021, its
    # trend's years only) not.
    services = comparison_table(report, "services").frame.set_index("Wskaźnik")["Wartość"]
    assert not services.str.contains(GUS_MARK).any()
    demography = comparison_table(report, "demography")
    assert (
        demography.frame.set_index("Wskaźnik").at["Saldo migracji na 1000 ludności (‰)", "Wartość"].endswith(GUS_MARK)
    )
    # Two kinds on two rows: the caption says whose is which.
    both = replace(report, gus_marks={**report.gus_marks, "births_per_1000": (("low_precision", 2023),)})
    caption = comparison_table(both, "demography").caption
    assert (
        "saldo migracji na 1000 ludności i saldo migracji zagranicznych na 1000 ludności: zawiera szacunek wstępny "
        "GUS z 2024 r." in caption
    )
    assert "urodzenia żywe na 1000 ludności: zawiera dane GUS o niskiej precyzji z 2023 r." in caption
    # Page one: a finding whose value GUS marks says so beside it; one whose mark is in its trend's years only not.
    named = (report.strongest + report.weakest)[0]
    last = int(report.comparison.at[named, "year"])
    findings = key_findings(
        report.comparison,
        report.areas,
        report.strongest,
        report.weakest,
        gus_marks={named: (("preliminary", last),)},
    )
    assert f"zawiera szacunek wstępny GUS z {last} r." in findings
    findings = key_findings(
        report.comparison,
        report.areas,
        report.strongest,
        report.weakest,
        gus_marks={named: (("method_changed", 2015),)},
    )
    assert "GUS" not in findings


def test_a_value_over_several_gminy_carries_the_marks_of_the_figures_of_those_that_enter_it():
    from analysis.gus_marks import marks_over, store_marks

    ids = variable_ids()
    births, population = ids["live_births"], ids["population"]

    def figure(teryt, year, var_id, value=1.0, mark=NO_MARK):
        return {"teryt": teryt, "year": year, "var_id": var_id, "value": value, "mark": mark}

    observations = pd.DataFrame(
        [
            # A: births of 2024 preliminary, with its population: enters, so its mark is the value's.
            figure("A", 2024, births, mark="s"),
            figure("A", 2024, population),
            # B: births of 2023 of low precision, but no population that year: in neither the sum nor the median.
            figure("B", 2023, births, mark="v"),
            # B's 2022 births changed method, with population: within a pooled 2022–2024 value only.
            figure("B", 2022, births, mark="M"),
            figure("B", 2022, population),
            # C: marked, but not among the towns the value is over.
            figure("C", 2024, births, mark="k"),
            figure("C", 2024, population),
            # A missing figure carries no mark, whatever its attribute said.
            figure("A", 2023, births, float("nan"), mark="s"),
            figure("A", 2023, population),
        ]
    )
    marks = store_marks(observations)
    inputs = indicators()["births_per_1000"].inputs  # live_births, population
    # Listed by hand from the rows above.
    assert marks_over(marks, {"A", "B"}, inputs, 2024, 2024) == (("preliminary", 2024),)
    assert marks_over(marks, {"A", "B"}, inputs, 2022, 2024) == (("preliminary", 2024), ("method_changed", 2022))
    assert marks_over(marks, {"A", "B", "C"}, inputs, 2024, 2024) == (("preliminary", 2024), ("incomplete", 2024))
    assert marks_over(marks, {"B"}, inputs, 2023, 2023) == ()
    assert marks_over(marks, set(), inputs, 2022, 2024) == ()
    # A lag reads the figure that many years earlier: the 5-year population change of 2024 reads A's population
    # of 2019 (marked) and 2024; of 2023, its 2018 (none) and 2023, so A is in no such change.
    lagged = pd.concat([observations, pd.DataFrame([figure("A", 2019, population, mark="s")])], ignore_index=True)
    change = indicators()["population_change_5y"].inputs  # population, population_lag5
    assert marks_over(store_marks(lagged), {"A"}, change, 2024, 2024) == (("preliminary", 2019),)
    assert marks_over(store_marks(lagged), {"A"}, change, 2023, 2023) == ()


def _marks_beside(report, indicator_id: str) -> dict[str, bool]:
    """Which of the key figures' cells beside the town's value carry GUS's mark, as printed."""
    from analysis.display import GUS_MARK, key_figures

    table = key_figures(report).frame.set_index("Wskaźnik")
    name = indicators()[indicator_id].name_with_unit("pl", str(report.last_year))
    return {column: table.at[name, column].endswith(GUS_MARK) for column in table.columns}


def test_the_peer_median_the_voivodeship_and_poland_carry_the_marks_of_the_gminy_they_rest_on(demo_store, tmp_path):
    from analysis.export import indicator_sheet
    from analysis.narrative import key_findings
    from analysis.report import prepare_report
    from analysis.store import write_store
    from analysis.town import TownParams

    town = "0290011"
    plain = prepare_report(TownParams(teryt=town))
    units = demo_store.units.set_index("teryt")
    voivodeship = units.at[town, "voivodeship"]
    peer = plain.peers.members[0]
    # Two gminy's 2024 net migration marked "s" and no other figure: one of the town's peers, and a gmina of
    # another voivodeship outside its group. The mark reaches each value that one of them enters (by hand: the
    # median over the peers; the town's voivodeship's sum where the peer is of it; Poland's sum always).
    stranger = next(
        teryt
        for teryt in units.index
        if units.at[teryt, "voivodeship"] not in (voivodeship, units.at[peer, "voivodeship"])
        and teryt not in plain.peers.members
    )
    observations = demo_store.observations
    rows = (
        observations["teryt"].isin([peer, stranger])
        & (observations["var_id"] == variable_ids()["net_migration"])
        & (observations["year"] == 2024)
    )
    store = tmp_path / "store"
    marked = observations.assign(mark=observations["mark"].where(rows, NO_MARK).mask(rows, "s"))
    write_store(store, demo_store.units, marked, demo_store.metadata, demo_store.area_values)
    report = prepare_report(TownParams(teryt=town, data_dir=str(store)))
    assert report.comparison.at["net_migration_per_1000", "year"] == 2024  # the premise: the value is 2024's
    same_voivodeship = units.at[peer, "voivodeship"] == voivodeship
    cells = _marks_beside(report, "net_migration_per_1000")
    assert cells == {
        "Bursztynojar": False,
        "Zmiana w 5 lat": False,
        "Mediana grupy": True,
        f"Woj. {voivodeship}": same_voivodeship,
        "Polska": True,
    }
    # Page one says it in words after the figures beside the town's, where it names the indicator.
    named = {"strongest": [], "weakest": ["net_migration_per_1000"]}
    findings = key_findings(report.comparison, report.areas, **named, reference_marks=report.reference_marks)
    assert "; zawiera szacunek wstępny GUS z 2024 r.)" in findings  # the town's own figure is not marked
    assert "GUS" not in key_findings(report.comparison, report.areas, **named)
    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    beside = sheet.at["net_migration_per_1000", "Znaki GUS w danych mediany grupy, województwa i Polski"]
    # The peer's figure of 2024 is also the end of its 5- and 10-year changes, in the medians of the peers' changes.
    columns = "mediana grupy, województwo, Polska" if same_voivodeship else "mediana grupy, Polska"
    assert beside == f"{columns}, mediana zmian w 5 lat, mediana zmian w 10 lat: zawiera szacunek wstępny GUS z 2024 r."
    assert sheet.at["net_migration_per_1000", "Znaki GUS w danych"] == ""
    # The stranger alone: only Poland's sum rests on it.
    only_stranger = observations.assign(mark=NO_MARK).assign(
        mark=lambda frame: frame["mark"].mask(rows & (frame["teryt"] == stranger), "s")
    )
    write_store(store, demo_store.units, only_stranger, demo_store.metadata, demo_store.area_values)
    cells = _marks_beside(prepare_report(TownParams(teryt=town, data_dir=str(store))), "net_migration_per_1000")
    assert [column for column, carries in cells.items() if carries] == ["Polska"]
    # A peer left out of the median (it is not among those with a value) takes its mark with it: the peer's
    # population of 2024 removed, so it has no rate that year.
    no_rate = only_stranger.loc[
        ~(
            (only_stranger["teryt"] == peer)
            & (only_stranger["var_id"] == variable_ids()["population"])
            & (only_stranger["year"] == 2024)
        )
    ].assign(mark=lambda frame: frame["mark"].mask((frame["teryt"] == peer) & rows.reindex(frame.index), "s"))
    write_store(store, demo_store.units, no_rate, demo_store.metadata, demo_store.area_values)
    cells = _marks_beside(prepare_report(TownParams(teryt=town, data_dir=str(store))), "net_migration_per_1000")
    assert not cells["Mediana grupy"]


def _store_marking_only(store, directory, rows) -> str:
    """`store` written to `directory` with GUS's one mark, "s" (a preliminary estimate), on its observations'
    `rows` and on no other figure; its directory, for `TownParams.data_dir`."""
    from analysis.store import write_store

    observations = store.observations
    marked = observations.assign(mark=NO_MARK).assign(mark=lambda frame: frame["mark"].mask(rows, "s"))
    write_store(directory, store.units, marked, store.metadata, store.area_values)
    return str(directory)


ANNEXED_PEER = "0292031"  # a peer of town 0290011 in the demo store


def _annexed_peer_marked(demo_store, tmp_path, years: list[int]):
    """Town 0290011's report on the demo store where its peer `ANNEXED_PEER` took in land and residents in 2022
    and GUS's one mark in the store is "s" on that peer's residents of `years`."""
    from analysis.report import prepare_report
    from analysis.store import load_store
    from analysis.town import TownParams
    from tests.conftest import write_annexed_store

    annexed = load_store(
        write_annexed_store(demo_store, tmp_path / "store", ANNEXED_PEER, 2022, residents=1.3, land=1.4)
    )
    observations = annexed.observations
    marked = (
        (observations["teryt"] == ANNEXED_PEER)
        & (observations["var_id"] == variable_ids()["population"])
        & observations["year"].isin(years)
    )
    return prepare_report(
        TownParams(teryt="0290011", data_dir=_store_marking_only(annexed, tmp_path / "store", marked))
    )


def test_a_peer_left_out_of_a_median_for_its_change_of_boundaries_takes_its_marks_with_it(demo_store, tmp_path):
    from analysis.display import GUS_MARK, comparison_table

    report = _annexed_peer_marked(demo_store, tmp_path, [2024])
    peer = ANNEXED_PEER
    assert peer in report.peers.members  # the premise
    assert report.comparison.at["population_change_5y", "peers_left_out"] == (peer,)
    table = comparison_table(report, "demography").frame.set_index("Wskaźnik")
    # Its residents of 2024 are in the median of the population (a level holds no change of boundaries) and in
    # Poland's sum of both; not in the median of the 5-year change, which leaves the peer out.
    level, change = (indicators()[name].name_with_unit("pl") for name in ("population", "population_change_5y"))
    assert table.at[level, "Mediana grupy"].endswith(GUS_MARK)
    assert not table.at[change, "Mediana grupy"].endswith(GUS_MARK)
    assert table.at[change, "Polska"].endswith(GUS_MARK)
    assert not table.at[change, "Wartość"].endswith(GUS_MARK)


def test_a_pooled_value_beside_the_towns_carries_the_marks_of_each_of_its_years(demo_store):
    from analysis.report import prepare_report
    from analysis.town import TownParams

    # Dwellings per 1000 is pooled over 2022–2024; the demo marks the dwellings of its gminy under 5,000 residents
    # "v" in every year. Poland's sum carries the years of those marks among gminy with both inputs, read here
    # straight from the store.
    observations = demo_store.observations
    ids = variable_ids()
    dwellings = observations.loc[(observations["var_id"] == ids["dwellings_completed"]) & observations["value"].notna()]
    residents = observations.loc[(observations["var_id"] == ids["population"]) & observations["value"].notna()]
    both = dwellings.merge(residents[["teryt", "year"]], on=["teryt", "year"])
    years = sorted(set(both.loc[(both["mark"] == "v") & both["year"].between(2022, 2024), "year"]))
    assert years == [2022, 2023, 2024]  # the premise
    report = prepare_report(TownParams(teryt="0290011"))
    assert report.reference_marks["dwellings_per_1000"]["poland"] == tuple(("low_precision", year) for year in years)


def test_a_figure_gus_publishes_for_an_area_carries_its_own_mark_not_the_gminys_and_the_sheet_says_them_in_english(
    demo_store, tmp_path
):
    from analysis.export import indicator_sheet
    from analysis.report import prepare_report
    from analysis.store import write_store
    from analysis.town import TownParams

    # Every gmina's nursery places of 2024 marked "s": the town's value and its peers' median carry it; the
    # voivodeship's and Poland's figures are GUS's own (published for areas), which carry their own marks only.
    observations = demo_store.observations
    nursery = variable_ids()["nursery_places_per_1000_under3"]
    rows = (observations["var_id"] == nursery) & (observations["year"] == 2024)
    write_store(
        tmp_path / "store",
        demo_store.units,
        observations.assign(mark=observations["mark"].mask(rows, "s")),
        demo_store.metadata,
        demo_store.area_values,
    )
    report = prepare_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store")))
    assert report.comparison.at["nursery_places_per_1000", "year"] == 2024  # the premise
    cells = _marks_beside(report, "nursery_places_per_1000")
    # The town's change ends at its value's marked figure, so it is marked too.
    assert [column for column, carries in cells.items() if carries] == [
        "Bursztynojar",
        "Zmiana w 5 lat",
        "Mediana grupy",
    ]
    english = prepare_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store"), language="en"))
    sheet = indicator_sheet(english).set_index("Indicator code")
    beside = "GUS marks on the data of the peer median, the voivodeship and Poland"
    assert sheet.at["nursery_places_per_1000", beside] == (
        "peer median, median 5-year change, median 10-year change: includes a preliminary GUS estimate for 2024"
    )
    assert sheet.at["net_migration_per_1000", beside] == (
        "peer median, voivodeship, Poland, median 5-year change, median 10-year change: includes a preliminary GUS "
        "estimate for 2024"
    )
    # GUS's own figure for Poland of 2024 marked "s", and its figure of the town's voivodeship (02) of 2023: only
    # Poland's cell of 2024 carries it, whatever the gminy's figures (left unmarked here).
    published = demo_store.area_values
    ours = (published["var_id"] == nursery) & (
        ((published["area"] == "PL") & (published["year"] == 2024))
        | ((published["area"] == "02") & (published["year"] == 2023))
    )
    assert ours.sum() == 2  # the premise: GUS publishes both
    write_store(
        tmp_path / "store",
        demo_store.units,
        observations.assign(mark=NO_MARK),
        demo_store.metadata,
        published.assign(mark=published["mark"].mask(ours, "s")),
    )
    report = prepare_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store")))
    cells = _marks_beside(report, "nursery_places_per_1000")
    assert [column for column, carries in cells.items() if carries] == ["Polska"]
    assert report.reference_marks == {"nursery_places_per_1000": {"poland": (("preliminary", 2024),)}}
    english = prepare_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store"), language="en"))
    sheet = indicator_sheet(english).set_index("Indicator code")
    assert sheet.at["nursery_places_per_1000", beside] == "Poland: includes a preliminary GUS estimate for 2024"


def test_the_note_before_a_batch_names_marks_on_gus_own_figures_of_the_areas_too():
    from analysis.gus_marks import marked_figures_note

    ids = variable_ids()
    observations = pd.DataFrame(
        {"teryt": ["0290011"], "year": [2024], "var_id": [ids["net_migration"]], "value": [3.0], "mark": ["s"]}
    )
    areas = pd.DataFrame(
        {
            "area": ["PL", "02", "12", "PL"],
            "year": [2024, 2024, 2021, 2013],
            "var_id": [ids["nursery_places_per_1000_under3"]] * 2 + [ids["population_density"]] * 2,
            "value": [218.4, 301.0, 120.0, 122.0],
            "mark": ["s", "s", "M", "M"],
        }
    )
    note = marked_figures_note(observations, 2014, 2024, areas)
    # By hand: one gmina's migration; Poland's and one voivodeship's nursery places; one voivodeship's density of
    # 2021 (Poland's of 2013 is before the batch's years).
    assert note.endswith(
        "net_migration preliminary in 2024 (1 gmina); nursery_places_per_1000_under3 preliminary in 2024 (published "
        "for Poland and 1 voivodeship); population_density method changed in 2021 (published for 1 voivodeship)"
    )
    assert marked_figures_note(observations.assign(mark=NO_MARK), 2014, 2024, areas.assign(mark=NO_MARK)) == ""


def test_the_median_of_the_peers_changes_carries_the_marks_at_both_its_ends_and_a_change_of_method_between():
    from analysis.gus_marks import marks_over, store_marks

    ids = variable_ids()
    births, population = ids["live_births"], ids["population"]

    def figure(teryt, year, var_id, mark=NO_MARK):
        return {"teryt": teryt, "year": year, "var_id": var_id, "value": 1.0, "mark": mark}

    def both(teryt, year, mark=NO_MARK):  # births (marked) with the population of that year
        return [figure(teryt, year, births, mark), figure(teryt, year, population)]

    observations = pd.DataFrame(
        [
            # A: a change 2019 -> 2024, its start preliminary: the change reads it.
            *both("A", 2019, "s"),
            *both("A", 2024),
            # B: a change 2019 -> 2024 with a change of method in 2021 between its ends (the change crosses it),
            # and a preliminary figure of 2022, which no end reads.
            *both("B", 2019),
            *both("B", 2021, "M"),
            *both("B", 2022, "s"),
            *both("B", 2024),
            # C: marked in 2024 but without figures of 2019: no change, so not in the median of changes.
            *both("C", 2024, "k"),
        ]
    )
    marks = store_marks(observations)
    inputs = indicators()["births_per_1000"].inputs
    # Listed by hand from the rows above.
    assert marks_over(marks, {"A", "B", "C"}, inputs, 2024, 2024, back=5) == (
        ("preliminary", 2019),
        ("method_changed", 2021),
    )
    assert marks_over(marks, {"B"}, inputs, 2024, 2024, back=5) == (("method_changed", 2021),)
    # A change of 2023 (2018 -> 2023): no town has both ends.
    assert marks_over(marks, {"A", "B", "C"}, inputs, 2023, 2023, back=5) == ()
    # The level of 2024 alone reads 2024's figures only, C's among them.
    assert marks_over(marks, {"A", "B", "C"}, inputs, 2024, 2024) == (("incomplete", 2024),)
    # A pooled change (2022–2024 against 2017–2019) reads each year of both windows: A's 2019, B's 2022; B's
    # 2021 change of method lies between the windows' first years.
    assert marks_over(marks, {"A", "B"}, inputs, 2022, 2024, back=5) == (
        ("preliminary", 2019),
        ("preliminary", 2022),
        ("method_changed", 2021),
    )


def test_the_changes_table_marks_the_peers_median_change_that_rests_on_marked_figures(demo_store, tmp_path):
    from dataclasses import replace

    from analysis.display import GUS_MARK, changes_table, comparison_table, methodology_text
    from analysis.explore import side_by_side_printed
    from analysis.export import indicator_sheet
    from analysis.report import prepare_report
    from analysis.town import TownParams

    town = "0290011"
    plain = prepare_report(TownParams(teryt=town))
    peer = plain.peers.members[0]
    # One figure marked in the whole store: the peer's net migration of 2019, where the 5-year change of 2024
    # starts. It reaches the peers' median change, not their median of 2024, nor anything of the town's.
    observations = demo_store.observations
    start = (
        (observations["teryt"] == peer)
        & (observations["var_id"] == variable_ids()["net_migration"])
        & (observations["year"] == 2019)
    )
    report = prepare_report(TownParams(teryt=town, data_dir=_store_marking_only(demo_store, tmp_path / "store", start)))
    row = report.comparison.loc["net_migration_per_1000"]
    assert row["year"] == 2024 and pd.notna(row["peer_median_change"]) and not row["peers_left_out_change"]
    name = indicators()["net_migration_per_1000"].name_with_unit("pl")
    changes = changes_table(report, "demography")
    table = changes.frame.set_index("Wskaźnik")
    marked = [column for column in table.columns if table.at[name, column].endswith(GUS_MARK)]
    assert marked == ["Zmiana w 5 lat – mediana grupy"]
    assert sum(cell.endswith(GUS_MARK) for cell in table["Zmiana w 5 lat – mediana grupy"]) == 1
    assert changes.caption.endswith(f"; {GUS_MARK} zawiera szacunek wstępny GUS z 2019 r.")
    assert "GUS" not in table.at[name, "Uwagi"]  # the town's figures carry none
    level = comparison_table(report, "demography").frame.set_index("Wskaźnik")
    assert not any(cell.endswith(GUS_MARK) for cell in level.to_numpy().ravel())
    # In the demo store every gmina's net migration of 2024 is preliminary: the median change's end reads it.
    assert plain.peer_change_marks["net_migration_per_1000"] == (("preliminary", 2024),)
    plain_changes = changes_table(plain, "demography").frame.set_index("Wskaźnik")
    assert plain_changes.at[name, "Zmiana w 5 lat – mediana grupy"].endswith(GUS_MARK)
    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    assert sheet.at["net_migration_per_1000", "Znaki GUS w danych mediany grupy, województwa i Polski"] == (
        "mediana zmian w 5 lat: zawiera szacunek wstępny GUS z 2019 r."
    )
    assert "GUS oznacza jako szacunki wstępne; używamy ich" in methodology_text(report).text
    explored = side_by_side_printed([report], "peer_median_change")
    assert explored.loc[explored.index.str.startswith("Saldo migracji na")].iloc[0, 0].endswith(GUS_MARK)
    assert sum(cell.endswith(GUS_MARK) for cell in explored.iloc[:, 0]) == 1

    # The explorer marks the town's own change as the key figures do: where a mark is on either of its ends (the
    # value's year among them) or a change of method between them; not on the trend's earlier years alone.
    def town_marked(*marks):
        return replace(report, gus_marks={"net_migration_per_1000": marks})

    start, end = town_marked(("preliminary", 2019)), town_marked(("preliminary", 2024))
    between, before = town_marked(("method_changed", 2021)), town_marked(("method_changed", 2016))
    for town, column, expected in (
        (start, "change", True),
        (start, "value", False),
        (end, "change", True),
        (end, "value", True),
        (between, "change", True),
        (before, "change", False),
    ):
        shown = side_by_side_printed([town], column)
        assert shown.loc[shown.index.str.startswith("Saldo migracji na")].iloc[0, 0].endswith(GUS_MARK) == expected
        if column == "change":  # the changes table marks it so too, and its caption says the mark's years
            own = changes_table(town, "demography")
            assert own.frame.set_index("Wskaźnik").at[name, "Zmiana w 5 lat"].endswith(GUS_MARK) == expected
            year = town.gus_marks["net_migration_per_1000"][0][1]
            assert (str(year) in own.caption.split(GUS_MARK)[-1]) == expected, own.caption  # beside the peers' 2019
    # Without the peer among those whose change the median is over (as a peer whose change crosses a change of
    # its boundaries is left out), the mark goes with it.
    from analysis.report import peer_change_marks

    others = tuple(member for member in report.peers.members if member != peer)
    assert peer_change_marks(str(tmp_path / "store"), others, report.comparison) == {}
    assert peer_change_marks(str(tmp_path / "store"), report.peers.members, report.comparison) == {
        "net_migration_per_1000": (("preliminary", 2019),)
    }


def test_a_peer_left_out_of_the_median_change_for_its_change_of_boundaries_takes_its_marks_with_it(
    demo_store, tmp_path
):
    report = _annexed_peer_marked(demo_store, tmp_path, [2017, 2019])
    peer = ANNEXED_PEER
    assert peer in report.peers.members  # the premise
    # Its residents changed with its boundaries in 2022: out of the median change of the population, and with it
    # its marked 2019; a rate per 1000 residents holds no such step, so the peer's change of births per 1000
    # stays in its median, which reads the marked figures at its start: pooled, 2022–2024 against 2017–2019.
    assert report.comparison.at["population", "peers_left_out_change"] == (peer,)
    assert report.comparison.at["births_per_1000", "peers_left_out_change"] == ()
    assert report.comparison.at["births_per_1000", "period_start"] == 2022  # the premise: pooled over 3 years
    assert "population" not in report.peer_change_marks
    assert report.peer_change_marks["births_per_1000"] == (("preliminary", 2017), ("preliminary", 2019))


def test_the_ten_year_changes_carry_the_marks_at_both_their_ends_in_the_spreadsheet_and_the_explorer(
    demo_store, tmp_path
):
    from analysis.display import GUS_MARK, changes_table
    from analysis.explore import side_by_side_printed
    from analysis.export import indicator_sheet
    from analysis.report import prepare_report
    from analysis.town import TownParams

    town = "0290011"
    plain = prepare_report(TownParams(teryt=town))
    peer = plain.peers.members[0]
    # Two figures marked in the whole store, both of 2014, where the 10-year change of 2024 starts and no other
    # figure of the reports reaches (the trends begin in 2014, but a preliminary figure there is not on the
    # value, nor on the 5-year change): the town's unemployed, and one peer's. The registered unemployed
    # per working-age resident (a rate of one year) reads them in 2014 only through its 10-year change.
    observations = demo_store.observations
    unemployed = (observations["var_id"] == variable_ids()["registered_unemployed"]) & (observations["year"] == 2014)
    marked = unemployed & observations["teryt"].isin([town, peer])
    report = prepare_report(
        TownParams(teryt=town, data_dir=_store_marking_only(demo_store, tmp_path / "store", marked))
    )
    indicator = "unemployed_share_working_age"
    row = report.comparison.loc[indicator]
    assert row["year"] == 2024 and pd.notna(row["change_10y"]) and pd.notna(row["peer_median_change_10y"])
    assert report.change_10y_marks == {indicator: (("preliminary", 2014),)}
    assert report.peer_change_10y_marks == {indicator: (("preliminary", 2014),)}
    # Nothing the PDF and HTML print reads them: not the value, the 5-year change, the notes or the medians.
    assert report.gus_marks == {} and report.peer_change_marks == {} and report.reference_marks == {}
    changes = changes_table(report, "economy").frame
    assert not any(str(cell).endswith(GUS_MARK) for cell in changes.to_numpy().ravel())
    # The spreadsheet names them, for the town's row and beside it.
    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    assert sheet.at[indicator, "Znaki GUS w danych"] == "zawiera szacunek wstępny GUS z 2014 r."
    assert sheet.at[indicator, "Znaki GUS w danych mediany grupy, województwa i Polski"] == (
        "mediana zmian w 10 lat: zawiera szacunek wstępny GUS z 2014 r."
    )
    assert (sheet.drop(index=indicator)["Znaki GUS w danych"] == "").all()
    # The explorer marks the two 10-year changes, and nothing else.
    for column, expected in (("change_10y", True), ("peer_median_change_10y", True), ("change", False)):
        shown = side_by_side_printed([report], column)
        row_shown = shown.loc[shown.index.str.startswith("Bezrobotni")].iloc[0, 0]
        assert row_shown.endswith(GUS_MARK) == expected, column
        assert sum(str(cell).endswith(GUS_MARK) for cell in shown.iloc[:, 0]) == int(expected)
    # Without the peer, the median 10-year change reads no marked figure; the town's own stays marked.
    from analysis.report import peer_change_marks

    others = tuple(member for member in report.peers.members if member != peer)
    assert peer_change_marks(str(tmp_path / "store"), others, report.comparison, 10) == {}
