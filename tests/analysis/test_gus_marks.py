"""GUS's marks on the figures a report reads: which figures a row reads, which marks reach its notes, and the
notes and spreadsheet column they become, on tiny frames and on a store with one figure marked."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalogue import indicators, variable_ids
from analysis.gus_marks import MARK_KINDS, NO_MARK, figure_years, marks_panel, row_marks
from analysis.narrative import gus_mark_notes


def _row(year, start=None, change=None) -> pd.Series:
    return pd.Series({"year": year, "period_start": start, "change": change})


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
        "includes changes of GUS's method (2019 and 2021)"
    ]
    assert gus_mark_notes((), "pl") == []
    # Three years or more in a row are a span; two are named (listed by hand).
    years = (2016, 2018, 2019, 2021, 2022, 2023)
    assert gus_mark_notes(tuple(("low_precision", year) for year in years), "pl") == [
        "zawiera dane GUS o niskiej precyzji z lat 2016, 2018, 2019 i 2021–2023"
    ]
    # Every kind a mark can be has its words in both languages, of one year and of several.
    for kind in set(MARK_KINDS.values()):
        for language in ("pl", "en"):
            assert gus_mark_notes(((kind, 2020),), language) and gus_mark_notes(((kind, 2020), (kind, 2021)), language)


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
    assert english_sheet["unemployed_share_working_age"] == "includes a preliminary GUS estimate (2024)"


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
    write_store(directory, demo_store.units, demo_store.observations, demo_store.metadata)
    old = pd.read_parquet(directory / "observations.parquet").drop(columns="mark")
    old.to_parquet(directory / "observations.parquet", index=False)
    loaded = load_store(directory)
    assert (loaded.observations["mark"] == NO_MARK).all()
    assert len(loaded.observations) == len(demo_store.observations)


def test_the_methodology_of_a_report_says_how_marked_figures_are_used_only_where_there_are_some(demo_store):
    from dataclasses import replace

    from analysis.display import methodology_text
    from analysis.report import prepare_report
    from analysis.town import TownParams

    report = prepare_report(TownParams(teryt="0290011"))
    assert report.gus_marks  # the premise: the demo's 2024 migration is marked "s"
    said = "używamy ich tak, jak je opublikowano"
    # the kinds this town's figures carry (2024's migration "s", 2021's water shares "M"), and no other
    assert (
        "GUS oznacza jako szacunki wstępne lub dane objęte zmianą metodologii; " + said in methodology_text(report).text
    )
    assert said not in methodology_text(replace(report, gus_marks={})).text
    three = replace(report, gus_marks={**report.gus_marks, "births_per_1000": (("low_precision", 2023),)})
    assert "jako szacunki wstępne, dane o niskiej precyzji lub dane objęte zmianą metodologii; " in (
        methodology_text(three).text
    )
    english = replace(three, params=three.params.model_copy(update={"language": "en"}))
    assert (
        "GUS marks some of the town's figures as preliminary estimates, data of low precision or data under a change "
        "of method; they are used as published" in methodology_text(english).text
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
    unmarked = replace(report, gus_marks={})
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
