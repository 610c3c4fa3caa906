"""The town's data export: ranks by hand, sheets consistent with the report they come from."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue import Direction, indicators
from analysis.export import (
    INDICATOR_COLUMNS,
    charted_indicators,
    for_excel,
    indicator_sheet,
    method_sheet,
    peer_series_sheet,
    projection_sheet,
    rank_among,
    round_as_reported,
    series_sheet,
    town_tables,
    write_town_data,
)
from analysis.report import prepare_report
from analysis.town import TownParams
from analysis.trends import LEVEL_INDICATORS

TOWN = "0490013"


@pytest.mark.parametrize(
    ("direction", "value", "peers", "expected"),
    [
        # peers 1, 7, 5 (and a missing one): one peer (7) is higher, one (1) lower, one ties
        (Direction.HIGHER_BETTER, 5.0, [1.0, 7.0, 5.0, math.nan], (2.0, 4)),
        (Direction.LOWER_BETTER, 5.0, [1.0, 7.0, 5.0, math.nan], (2.0, 4)),
        (Direction.NEUTRAL, 5.0, [1.0, 7.0, 5.0, math.nan], (2.0, 4)),  # neutral: 1 is the highest value
        (Direction.HIGHER_BETTER, 9.0, [1.0, 7.0, 5.0], (1.0, 4)),
        (Direction.LOWER_BETTER, 9.0, [1.0, 7.0, 5.0], (4.0, 4)),
        (Direction.LOWER_BETTER, 0.5, [], (1.0, 1)),
    ],
)
def test_rank_among_peers_by_hand(direction, value, peers, expected):
    assert rank_among(value, peers, direction) == expected


def test_rank_of_a_missing_value_is_missing():
    rank, of = rank_among(math.nan, [1.0, 2.0], Direction.HIGHER_BETTER)
    assert math.isnan(rank) and of == 0


@pytest.fixture(scope="module")
def report():
    return prepare_report(TownParams(teryt=TOWN))


def test_indicator_sheet_has_one_row_per_catalogue_indicator_and_the_reports_figures(report):
    sheet = indicator_sheet(report, rounded=False).set_index("Kod wskaźnika")
    assert list(sheet.index) == list(indicators())
    assert list(sheet.columns) == [pl for key, (pl, _) in INDICATOR_COLUMNS.items() if key != "indicator"]
    for indicator_id, row in report.comparison.iterrows():
        assert sheet.at[indicator_id, "Wartość"] == row["value"]
        assert sheet.at[indicator_id, "Mediana grupy"] == row["peer_median"]
        # a town better than every peer is first; one worse than every peer is last
        if row["percentile"] == 100:
            assert sheet.at[indicator_id, "Miejsce (1 = najkorzystniej)"] == 1
        if row["percentile"] == 0 and indicators()[indicator_id].direction != Direction.NEUTRAL:
            assert sheet.at[indicator_id, "Miejsce (1 = najkorzystniej)"] == row["peer_count"] + 1
    assert sheet.at["births_per_1000", "Zmienne BDL (id)"].startswith("live_births (")
    # The autocorrelation that widened each trend interval, so a statistician can retrace the interval:
    # the upper bound pooled over the group for a rate, 1 for a stock (population).
    rho = (
        "Autokorelacja rocznych odchyleń (ρ: górna granica 80% z grupy, 1 dla zasobu jak liczba ludności; poszerza "
        "przedziały trendu)"
    )
    assert sheet.at["births_per_1000", rho] == report.trends.at["births_per_1000", "rho"]
    assert sheet.at["population", rho] == 1.0
    # Births are compared over 2022–2024 together (pool_years 3), the population on 2024 alone.
    assert (
        sheet.at[
            "births_per_1000",
            "Od roku (jeśli wcześniejszy niż rok wartości, wartość jest z tych lat łącznie: zob. arkusz Metoda)",
        ]
        == 2022
    )
    assert (
        sheet.at[
            "population",
            "Od roku (jeśli wcześniejszy niż rok wartości, wartość jest z tych lat łącznie: zob. arkusz Metoda)",
        ]
        == 2024
    )


def test_the_sheet_marks_a_difference_within_chance_where_the_report_notes_one():
    # 0891011's births and deaths per 1,000 sit in an outer quarter of its peers with intervals that include
    # the median (tests/analysis/test_display.py works the rule out again): the sheet says so beside "—", the
    # same rows as the report's notes, and nothing marked a strength or weakness is called within chance.
    from analysis import display as show

    report = prepare_report(TownParams(teryt="0891011"))
    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    within = sheet[INDICATOR_COLUMNS["within_chance"][0]]
    noted = set()
    for section in ("demography", "economy", "services"):
        frame = show.changes_table(report, section).frame
        notes = frame.set_index(frame.columns[0])["Uwagi"]
        noted |= {i for i in notes.index if "w granicach przypadku" in notes[i]}
    names = {indicators()[i].name_with_unit("pl"): i for i in sheet.index}
    assert set(sheet.index[within == True]) == {names[n] for n in noted}  # noqa: E712 (a bool column)
    assert {"births_per_1000", "deaths_per_1000"} <= set(sheet.index[within == True])  # noqa: E712
    assert (sheet.loc[within == True, "Ocena"] == "—").all()  # noqa: E712


def test_an_area_value_stands_beside_the_share_of_residents_it_rests_on(report):
    # The voivodeship's and Poland's columns are blank exactly where the gminy with data hold under 90% of the
    # area's residents (or nothing can be summed); the share is cut, never rounded up to the 90% it misses.
    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    for area in ("Województwo", "Polska"):
        value = sheet[f"{area} (suma gmin lub wartość GUS)"]
        share = sheet[f"{area} – % ludności w gminach z danymi (wartość od 90%; 100: wartość GUS)"]
        assert (value.notna() == (share >= 90)).all()
        assert share.dropna().between(0, 100).all() and (share.dropna() > 0).any()
    # Cut down, not rounded: 89.996% is short of the 90% a value needs, and must not print as "90,0". But a share
    # computed as 0.57 × 100 is 56.99999999999999 in floating point: that hair is no shortfall, it prints 57,0.
    assert 0.57 * 100 < 57
    cut = round_as_reported(
        pd.DataFrame({"voivodeship_coverage": [89.996, 57.0, 100.0, 0.57 * 100]}), pd.Series([0, 0, 0, 0])
    )
    assert list(cut["voivodeship_coverage"]) == [89.9, 57.0, 100.0, 57.0]


def test_the_sheet_names_the_census_step_a_change_holds(report):
    # 2014-2024 in the demo store: the 5-year (2019-2024) change of the number of residents, of its density and
    # of the 5-year change itself span 2021's re-basing; no rate per resident is marked.
    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    step = sheet["Zmiany zawierają skok po NSP (rok przeliczenia ludności)"]
    assert {code for code, years in step.items() if years} == {
        "population",
        "population_density",
        "population_change_5y",
    }
    assert set(step[step != ""]) == {"2021"}


def test_the_sheet_leaves_polands_internal_migration_empty_and_says_why(report):
    # Internal moves net out over Poland (tests/analysis/test_aggregates.py): an empty cell, not a zero,
    # and the method sheet names the indicator; every other aggregable indicator keeps Poland's value.
    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    assert pd.isna(sheet.at["net_migration_internal_per_1000", "Polska (suma gmin lub wartość GUS)"])
    assert pd.notna(sheet.at["net_migration_internal_per_1000", "Województwo (suma gmin lub wartość GUS)"])
    assert pd.notna(sheet.at["net_migration_per_1000", "Polska (suma gmin lub wartość GUS)"])
    method = method_sheet(report, "2026-11-30").set_index("Pozycja")["Wartość"]
    assert "saldo migracji wewnętrznych" in method["Polska (suma gmin lub wartość GUS)"]
    # and which rows hold GUS's own figure of the area instead of a sum (analysis.aggregates.published_rate)
    assert "gęstość zaludnienia, miejsca w żłobkach" in method["Województwo i Polska"]
    assert "wartość, którą GUS podaje dla województwa i Polski" in method["Województwo i Polska"]


def test_the_spreadsheet_and_the_report_name_the_method_version_the_edition_record_keeps(report):
    # The same version (the first 12 hex digits of the hash of code, catalogue and libraries) in the method sheet,
    # at the foot of the report's methodology, and in full in figures.json, which the next edition compares.
    from analysis import display as show
    from analysis.editions import figures

    full = figures(report)["method"]
    assert len(full) == 64
    method = method_sheet(report, "2026-11-30").set_index("Pozycja")["Wartość"]
    assert method["Wersja metody"].startswith(f"{full[:12]} (")
    assert show.methodology_text(report).text.endswith(f"; wersja metody {full[:12]}.*")


def test_the_method_sheet_names_the_source_once_as_the_report_footer_does(report):
    # The item is "Źródło"; its value is the source, not the footer's whole line ("Źródło: Źródło: …").
    method = method_sheet(report, "2026-11-30").set_index("Pozycja")["Wartość"]
    assert method["Źródło"] == "dane syntetyczne (demonstracyjne), wygenerowane przez Diagnozę"
    assert report.source == "Źródło: " + method["Źródło"]


def test_series_sheet_is_the_towns_yearly_values(report):
    sheet = series_sheet(report).set_index("Kod wskaźnika")
    town = report.values.xs(TOWN, level="teryt")
    assert [c for c in sheet.columns if isinstance(c, int)] == list(range(2014, 2025))
    assert sheet.at["population", 2019] == town.at[2019, "population"]


def test_the_verdicts_sheet_is_the_reports_verdicts_table_with_the_peer_rule_check(report):
    # Read from the report's own frames: each section's verdict, score (printed to 0.01) and judged count as
    # its verdicts table shows them, and "tak" only where every other peer rule of the sensitivity table
    # gives the same verdict.
    from analysis.export import verdicts_sheet

    sheet = verdicts_sheet(report).set_index("Część raportu")
    words = {"better": "korzystniej", "similar": "podobnie", "worse": "mniej korzystnie", "none": "bez oceny"}
    for section, name in (("demography", "Demografia"), ("services", "Usługi publiczne")):
        row, verdict = sheet.loc[name], report.verdicts.loc[section]
        assert row["Ocena"] == words[verdict["verdict"]]
        assert row["Wynik (od −2 do +2)"] == pytest.approx(round(verdict["score"], 2))
        assert row["Ocenione wskaźniki"] == f"{verdict['judged']} z {verdict['judgeable']}"
        others = set(report.sensitivity[section]) - {"none"}
        assert row["Ta sama ocena przy innych grupach porównawczych"] == ("tak" if len(others) == 1 else "nie")


@pytest.fixture(scope="module")
def full_sheets(demo_reports):
    """Every demo town's full-precision indicator sheet, with its report."""
    return [(report, indicator_sheet(report, rounded=False)) for report in demo_reports.values()]


def test_each_section_score_can_be_recomputed_from_the_spreadsheet_alone(full_sheets):
    # What a statistician would do with the file: from the full-precision indicator sheet, the judged
    # indicators' scores, averaged within each sub-domain, then across the sub-domains (the documented
    # rule), give the verdicts sheet's score of every section of every demo town, to its printed 0.01.
    from analysis.export import verdicts_sheet

    checked = 0
    for report, sheet in full_sheets:
        scores = sheet.loc[sheet["Oceniany"] & sheet["Wynik (od −2 do +2)"].notna()]
        field = INDICATOR_COLUMNS["subdomain"][0]
        recomputed = scores.groupby(["Dział", field])["Wynik (od −2 do +2)"].mean().groupby("Dział").mean()
        printed = verdicts_sheet(report).set_index("Część raportu")["Wynik (od −2 do +2)"].dropna()
        assert set(printed.index) <= set(recomputed.index), report.teryt
        for section, score in printed.items():
            assert score == pytest.approx(recomputed[section], abs=0.005 + 1e-9), (report.teryt, section)
            checked += 1
    assert checked > 150  # 54 towns × 3 sections, less those without a verdict


def test_each_indicator_score_can_be_recomputed_from_the_spreadsheet_alone(full_sheets):
    # The documented rule, applied to the full-precision sheet's own columns: the distance of the value from the
    # peer median in units of the scale (a column of its own), signed so that positive is better, capped at ±2,
    # and 0 where the value's 95% interval includes the median (a difference within chance). Every judged row of
    # every demo town. The scale is checked by hand on a toy group in tests/analysis/test_scoring.py.
    checked = within_chance = 0
    for report, sheet in full_sheets:
        sheet = sheet.set_index("Kod wskaźnika")
        scored = sheet.loc[sheet["Wynik (od −2 do +2)"].notna()]
        scale = scored[INDICATOR_COLUMNS["scale"][0]]
        signs = np.where(scored["Kierunek"] == "niżej = korzystniej", -1.0, 1.0)
        low, high = scored[INDICATOR_COLUMNS["ci_low"][0]], scored[INDICATOR_COLUMNS["ci_high"][0]]
        median = scored["Mediana grupy"]
        chance = (low <= median) & (median <= high)  # False where there is no interval
        distance = (signs * (scored["Wartość"] - median) / scale).where(~chance, 0.0)
        assert np.clip(distance, -2, 2).to_numpy() == pytest.approx(scored["Wynik (od −2 do +2)"].to_numpy()), (
            report.teryt
        )
        # The distance before the cap, which orders strengths and weaknesses, is the sheet's too.
        assert distance.to_numpy() == pytest.approx(scored[INDICATOR_COLUMNS["distance"][0]].to_numpy()), report.teryt
        assert sheet.loc[sheet["Wynik (od −2 do +2)"].isna(), INDICATOR_COLUMNS["scale"][0]].isna().all()
        checked += len(scored)
        within_chance += int((chance & (scored["Wartość"] != median)).sum())
    assert checked > 54 * 20
    assert within_chance > 54  # the rule's interval branch is exercised, not only the plain distance


def test_sheets_follow_the_report_language(report):
    english = prepare_report(TownParams(teryt=TOWN, language="en"))
    tables = town_tables(english, "2026-11-22")
    # Why each direction: the catalogue's reason in the sheet's language, so a Polish sheet holds no English
    # sentence (it did: the reason had one language). Spot-checked by meaning, not copied from the code.
    polish = indicator_sheet(report).set_index("Kod wskaźnika")["Uzasadnienie kierunku"]
    english_reasons = tables["Indicators"].set_index("Indicator code")["Why this direction"]
    assert "nie ocena opieki zdrowotnej" in polish["deaths_per_1000"]
    assert "not a verdict on health care" in english_reasons["deaths_per_1000"]
    assert not set(polish) & set(english_reasons)
    assert list(tables) == [
        "Indicators",
        "Section verdicts",
        "Time series",
        "Peer series",
        "Population projection",
        "Peer group",
        "Full precision",
        "Method",
    ]
    assert "Peer median" in tables["Indicators"].columns
    method = method_sheet(english, "2026-11-22").set_index("Item")["Value"]
    assert method["Peer selection method"] == "20 most similar municipalities (nearest)"
    assert method["Peer group size"] == "20"
    # Voivodeships as the English report writes them ("Kujawsko-Pomorskie"), not as the Polish register does.
    assert method["Voivodeship"] == "Kujawsko-Pomorskie"  # TOWN 0490013, in kujawsko-pomorskie
    assert not any(name[0].islower() for name in tables["Peer group"]["Voivodeship"])


@pytest.mark.slow
def test_the_sheet_marks_every_indicator_by_the_one_rule_and_the_summary_agrees_over_the_demo_batch(demo_reports):
    """Whole demo batch: the sheet's "Ocena" is the rule applied to the sheet's own columns, and every
    indicator the summary's text names as a strength (weakness) is marked so in the sheet."""
    from analysis.scoring import assess

    words = {"strength": "mocna strona", "weakness": "słaba strona", "": "—"}
    catalogue = indicators()
    named_anywhere = 0
    for teryt, report in demo_reports.items():
        sheet = indicator_sheet(report, rounded=False).set_index("Kod wskaźnika")
        for indicator_id, row in sheet.iterrows():
            expected = ""
            if row["Oceniany"]:
                expected = assess(
                    catalogue[indicator_id],
                    row["Wartość"],
                    row["Mediana grupy"],
                    row["Percentyl w grupie"],
                    row["95% przedział – dolna granica"],
                    row["95% przedział – górna granica"],
                )
            assert row["Ocena"] == words[expected], (teryt, indicator_id)
        summary = " ".join(report.narrative["summary"])
        findings = report.narrative["summary"][-1].split("\n")  # the key findings, one list item each
        strengths = ", ".join(item.split("– ", 1)[1].split(":")[0] for item in findings if "**Mocna strona**" in item)
        weaknesses = ", ".join(item.split("– ", 1)[1].split(":")[0] for item in findings if "**Słaba strona**" in item)
        for indicator_id, indicator in catalogue.items():
            if indicator.direction == Direction.NEUTRAL:
                continue
            row = report.comparison.loc[indicator_id]
            strong, weak = (
                indicator.judged_phrase(better, "pl", value=row["value"], peer_median=row["peer_median"])
                for better in (True, False)
            )
            if strong + "," in strengths + "," or strong + "." in strengths:
                assert sheet.at[indicator_id, "Ocena"] == "mocna strona", (teryt, indicator_id)
                named_anywhere += 1
            if weak + "," in weaknesses + "," or weak + "." in weaknesses:
                assert sheet.at[indicator_id, "Ocena"] == "słaba strona", (teryt, indicator_id)
                named_anywhere += 1
        assert summary
    assert named_anywhere > 100  # the summaries do name strengths and weaknesses


def test_the_people_sheet_is_rounded_as_the_report_prints_and_the_full_sheet_keeps_every_digit(report):
    rounded = indicator_sheet(report).set_index("Kod wskaźnika")
    full = indicator_sheet(report, rounded=False).set_index("Kod wskaźnika")
    catalogue = indicators()
    for indicator_id in full.index:
        places = catalogue[indicator_id].decimals
        for column in ("Wartość", "Mediana grupy", "Województwo (suma gmin lub wartość GUS)", "Zmiana w 5 lat"):
            exact, shown = full.at[indicator_id, column], rounded.at[indicator_id, column]
            if math.isnan(exact):
                assert math.isnan(shown)
                continue
            # at most `places` decimals, and no further than half a last digit from the exact figure
            assert shown * 10**places == pytest.approx(round(shown * 10**places), abs=1e-6), (indicator_id, column)
            assert abs(shown - exact) <= 0.5 * 10**-places + 1e-9, (indicator_id, column)
        assert float(rounded.at[indicator_id, "Percentyl w grupie"]).is_integer() or math.isnan(
            rounded.at[indicator_id, "Percentyl w grupie"]
        )
    # By hand: the 20 peers' populations in 2024 have the median 3 444.5 (the mean of the 10th and
    # 11th values, 3 426 and 3 463), which the report prints half-up as 3 445, not Python's half-to-even 3 444.
    assert full.at["population", "Mediana grupy"] == 3444.5
    assert rounded.at["population", "Mediana grupy"] == 3445


def test_every_sheet_with_rows_has_filters_on_its_header_over_all_its_rows(report, tmp_path):
    # A statistician filters a sheet by its header (an indicator's rows, the weaknesses); before, no sheet had
    # filters. The range is read back from the file with openpyxl: the header row and every row below it.
    import openpyxl
    from openpyxl.utils import get_column_letter

    tables = town_tables(report, "2026-11-22")
    write_town_data(tables, tmp_path / "data.xlsx", tmp_path / "data.csv")
    workbook = openpyxl.load_workbook(tmp_path / "data.xlsx")
    for name, frame in tables.items():
        expected = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}" if len(frame) else None
        assert workbook[name[:31]].auto_filter.ref == expected, name
    # The indicator sheet: one row per catalogue indicator below its header.
    assert workbook["Wskaźniki"].auto_filter.ref.endswith(str(len(indicators()) + 1))


def test_the_csv_for_excel_keeps_teryt_codes_as_text_and_says_yes_and_no_in_words():
    sheet = pd.DataFrame(
        {
            "TERYT": ["0290011", "1465011"],
            "Oceniany": [True, False],
            "Trend wyraźny": [np.bool_(True), None],  # a trend not computed: empty, not "nie"
            "Wartość": [1.5, 0.0],  # numbers stay numbers, 0 and 1 included
            "Rok": [1, 0],
        }
    )
    shown = for_excel(sheet, "pl")
    # Excel evaluates ="0290011" to the text 0290011; the bare code would become the number 290011.
    assert shown["TERYT"].tolist() == ['="0290011"', '="1465011"']
    assert shown["Oceniany"].tolist() == ["tak", "nie"]
    assert shown["Trend wyraźny"].iloc[0] == "tak" and pd.isna(shown["Trend wyraźny"].iloc[1])
    assert shown["Wartość"].tolist() == [1.5, 0.0] and shown["Rok"].tolist() == [1, 0]
    assert for_excel(sheet, "en")["Oceniany"].tolist() == ["yes", "no"]
    assert sheet["TERYT"].iloc[0] == "0290011"  # the sheet given (the workbook's) is left as it was


def test_peer_series_hold_what_each_trend_chart_draws(report):
    from analysis import charts

    sheet = peer_series_sheet(report)
    assert list(dict.fromkeys(sheet["Kod wskaźnika"])) == charted_indicators()
    population = sheet[sheet["Kod wskaźnika"] == "population"].set_index("Gmina")
    assert set(population["TERYT"]) - {""} == {TOWN, *report.peers.members}
    # The peers' median of one year, by a second method (numpy over the peers' raw values).
    peers_2019 = [report.values.at[(teryt, 2019), "population"] for teryt in report.peers.members]
    assert population.at["mediana grupy", 2019] == pytest.approx(np.median(peers_2019), abs=0.5)
    assert population.at["kwartyl 1 grupy", 2019] == pytest.approx(np.percentile(peers_2019, 25), abs=0.5)
    # The chart rebuilt from the file: its dashed median line is the sheet's median row.
    indicator = next(i for i in charted_indicators() if i != "population")
    rows = sheet[sheet["Kod wskaźnika"] == indicator].set_index("Gmina")
    figure = charts.trend_chart(report, indicator)
    median_line = next(line for line in figure.axes[0].lines if line.get_linestyle() == "--")
    years = [int(year) for year in median_line.get_xdata()]
    drawn = dict(zip(years, median_line.get_ydata()))
    decimals = indicators()[indicator].decimals
    for year in years:
        assert rows.at["mediana grupy", year] == pytest.approx(drawn[year], abs=0.5 * 10**-decimals + 1e-9)


def test_a_year_that_fewer_than_three_peers_have_has_no_median_in_the_sheet_nor_the_chart(report):
    # Only two peers keep their 2016 value of a charted indicator (MIN_PEERS = 3): the sheet has no median or
    # quartiles for 2016, and the chart draws no peer point there; 2017, with every peer, keeps its median
    # (numpy over the peers).
    from dataclasses import replace

    from analysis import charts

    indicator = next(i for i in charted_indicators() if i != "population")
    values = report.values.copy()
    dropped = list(report.peers.members[2:])
    values.loc[[(teryt, 2016) for teryt in dropped], indicator] = np.nan
    thinned = replace(report, values=values)
    rows = peer_series_sheet(thinned)
    shown = rows[rows["Kod wskaźnika"] == indicator].set_index("Gmina")
    assert shown.loc[["mediana grupy", "kwartyl 1 grupy", "kwartyl 3 grupy"], 2016].isna().all()
    peers_2017 = [values.at[(teryt, 2017), indicator] for teryt in report.peers.members]
    half_unit = 0.5 * 10 ** -indicators()[indicator].decimals + 1e-9
    assert shown.at["mediana grupy", 2017] == pytest.approx(np.median(peers_2017), abs=half_unit)
    series = charts.peer_series(thinned, indicator)
    assert series.loc[(series["group"] == "peer") & (series["year"] == 2016), "value"].isna().all()
    assert series.loc[(series["group"] == "town") & (series["year"] == 2016), "value"].notna().all()


def test_projection_sheet_is_the_charted_forecast(report):
    sheet = projection_sheet(report).set_index("Rok")
    forecast = report.projection.forecast
    assert list(sheet.index) == [int(year) for year in forecast.index]
    assert (sheet["95% przedział – dolna granica"] <= sheet["Prognoza"]).all()
    assert (sheet["Prognoza"] <= sheet["95% przedział – górna granica"]).all()
    assert np.allclose(sheet["Prognoza"], forecast["mean"], atol=0.5)


def test_the_indicator_sheet_holds_each_trend_the_report_prints(report):
    # Unemployment is per working-age resident, which the census re-basing leaves alone: its trend is
    # scipy's Theil–Sen slope of the town's yearly values (an independent implementation), and the sheet's
    # interval is the one the report's table prints, rounded to one decimal more than the indicator.
    from scipy.stats import theilslopes

    from analysis import display as show

    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    town = report.values["unemployed_share_working_age"].xs(TOWN, level="teryt").dropna()
    slope = theilslopes(town.to_numpy(), town.index.to_numpy())[0]
    row = sheet.loc["unemployed_share_working_age"]
    assert row["Trend roczny (zmiana na rok)"] == pytest.approx(slope, abs=0.005)
    printed = show.changes_table(report, "economy").frame.set_index("Wskaźnik")["Trend roczny (95% przedział)"]
    low, high = (
        f"{row[f'Trend – {bound} granica 95%']:.2f}".replace(".", ",").replace("-", "−") for bound in ("dolna", "górna")
    )
    assert f"({low}; {high})" in printed["Bezrobotni zarejestrowani w % ludności w wieku produkcyjnym (%)"]
    assert row["Trend wyraźny (przedział bez zera)"] == (
        row["Trend – dolna granica 95%"] > 0 or row["Trend – górna granica 95%"] < 0
    )


def test_the_sheet_gives_the_populations_trend_against_the_peers_in_points_as_the_report_says_it(report):
    # Population is compared with its peers as % of its first year, so the trend of that difference is in
    # percentage points a year: the sheet rounded it as if it were persons a year (to 1 decimal: -0.3 with an
    # upper bound of 0.0, beside "clear"), while the report says "0,27 pkt proc. rocznie (… od 0,04 do 0,38)".
    import re

    sheet = indicator_sheet(report).set_index("Kod wskaźnika")
    # Its header says so: a reader of the sheet alone would take 0.27 for persons a year.
    header = next(column for column in sheet.columns if column.startswith("Trend różnicy od mediany grupy"))
    catalogue = indicators()
    assert all(catalogue[level].name("pl").lower() in header for level in LEVEL_INDICATORS), header
    assert "pkt proc. stanu z pierwszego roku" in header
    row = sheet.loc["population"]
    slope, low, high = (row[header], row["Trend różnicy – dolna granica 95%"], row["Trend różnicy – górna granica 95%"])
    sentence = next(
        paragraph
        for paragraph in report.narrative["demography"]
        if "Względem mediany grupy porównawczej" in paragraph or "zyskuje, czy traci" in paragraph
    )
    printed = re.findall(r"−?\d+,\d+", sentence)  # "0,27", "0,04", "0,38" (years and "95%" have no comma)

    def polish(value):
        return f"{value:.2f}".replace(".", ",").replace("-", "−")

    if not row["Trend różnicy wyraźny"]:  # "średnio −0,05 pkt proc. …, 95% przedział od −0,12 do 0,03"
        expected = [polish(slope), polish(low), polish(high)]
    elif slope < 0:  # "traci średnio 0,27 … od 0,04 do 0,38": the loss and its bounds, as positive numbers
        expected = [polish(-slope), polish(-high), polish(-low)]
    else:
        expected = [polish(slope), polish(low), polish(high)]
    assert printed == expected, sentence
    assert all(round(value, 2) == value for value in (slope, low, high))  # no digit the report does not print
    trend = next(text for item, text in method_sheet(report, "2026-12-01").itertuples(index=False) if item == "Trend")
    assert "dla liczby ludności – w punktach procentowych rocznie" in trend


def test_the_method_sheet_says_money_is_in_current_prices(report):
    notes = dict(method_sheet(report, "2026-12-01").itertuples(index=False))
    assert notes["Kwoty w zł"].startswith("w cenach bieżących") and "obejmują wzrost cen" in notes["Kwoty w zł"]


def test_the_batch_workbook_lists_what_changed_in_each_town_since_the_previous_edition():
    from analysis.export import batch_tables

    # Two records of a build with --previous (the brief analysis.editions.write_figures keeps), by hand: Alfa's
    # economy verdict and two indicators moved, computed by another method version; nothing moved in Beta; Gamma's previous record kept no method version.
    def town(teryt, name, since):
        record = {"edition": "2027-06-01", "indicators": {}, "verdicts": {}, "since_previous": since}
        return {"teryt": teryt, "name": name, "voivodeship": "opolskie", "kind": "gmina miejska", "record": record}

    quiet = {"edition": "2026-12-01", "verdicts": {}, "indicators": [], "new_years": [], "peers_joined": []}
    quiet |= {"peers_left": [], "method_changed": False}
    moved = quiet | {"verdicts": {"economy": ["similar", "worse"]}, "indicators": ["births_per_1000", "retired"]}
    moved |= {"new_years": [2025], "peers_joined": ["0000009"], "method_changed": True}
    unknown = quiet | {"method_changed": None}  # the previous record did not keep its method version
    new = {"edition": "2026-12-01", "new_to_batch": True}  # Delta was not in the previous edition
    towns = [town("0000001", "Alfa", moved), town("0000002", "Beta", quiet), town("0000003", "Gamma", unknown)]
    towns.append(town("0000004", "Delta", new))
    sheet = batch_tables(towns, "pl")["Od poprzedniej edycji"]
    alfa, beta = sheet.set_index("Gmina").loc["Alfa"], sheet.set_index("Gmina").loc["Beta"]
    assert alfa["Zmienione oceny części"] == "Gospodarka i finanse gminy: podobnie → mniej korzystnie"
    assert alfa["Wskaźniki, których wartość, pozycja lub ocena się zmieniły"] == "Urodzenia żywe na 1000 ludności"
    assert (alfa["Nowe lata danych"], alfa["Dołączyły do grupy (TERYT)"], alfa["Inna wersja metody"]) == (
        "2025",
        "0000009",
        "tak",
    )
    new_column = "Nowa w zestawie (nie było jej w tamtej edycji)"
    kept = ["TERYT", "Województwo", "Rodzaj", "Poprzednia edycja", "Inna wersja metody", new_column]
    assert set(beta.drop(kept)) == {"—"}
    assert beta["Inna wersja metody"] == "nie" and beta["Poprzednia edycja"] == "2026-12-01"
    assert beta[new_column] == "nie" and alfa[new_column] == "nie"
    assert sheet.set_index("Gmina").at["Gamma", "Inna wersja metody"].startswith("nie wiadomo")
    # A town new to the batch has its row, which says so: without it, it had none, and "—" throughout would read
    # as "nothing changed". It has nothing to compare with, so the rest stays "—", the method version too.
    delta = sheet.set_index("Gmina").loc["Delta"]
    assert delta[new_column] == "tak" and delta["Poprzednia edycja"] == "2026-12-01"
    assert set(delta.drop(["TERYT", "Województwo", "Rodzaj", "Poprzednia edycja", new_column])) == {"—"}


def test_the_batch_workbook_holds_each_towns_recorded_figures_rounded_as_printed(tmp_path):
    from analysis.export import batch_tables

    # Two towns' records as the build keeps them (figures.json), written by hand. births_per_1000 has one
    # decimal in the catalogue: 8.25 prints as 8,3 (half up), 11.04 as 11,0. The second record is from an
    # edition before peer medians were kept, and names an indicator the catalogue no longer has.
    assert indicators()["births_per_1000"].decimals == 1
    births = {"value": 8.25, "year": 2024, "period_start": 2022, "percentile": 80.4, "assessment": "strength"}
    towns = [
        {
            "teryt": "0000001",
            "name": "Alfa",
            "voivodeship": "mazowieckie",
            "kind": "gmina miejska",
            "record": {
                "edition": "2026-11-30",
                "indicators": {
                    "births_per_1000": births
                    | {
                        "peer_median": 11.04,
                        "gus_marks": [["preliminary", 2024]],
                        "peer_median_gus_marks": [["low_precision", 2022], ["low_precision", 2023]],
                    }
                },
                "verdicts": {"demography": "better", "economy": "none"},
                "sections": {
                    "demography": {
                        "score": 0.255,  # prints as +0,26 (half up)
                        "judged": 12,
                        "judgeable": 13,
                        "same_under_other_peers": False,
                        "hinges_on": "births_per_1000",
                        "verdict_without": "similar",
                    },
                    "economy": {
                        "score": None,
                        "judged": 1,
                        "judgeable": 6,
                        "same_under_other_peers": None,
                        "hinges_on": "",
                        "verdict_without": "",
                    },
                },
            },
        },
        {
            "teryt": "0000002",
            "name": "Beta",
            "voivodeship": "śląskie",
            "kind": "gmina wiejska",
            "record": {
                "edition": "2025-11-20",
                "indicators": {"births_per_1000": births | {"assessment": ""}, "retired_indicator": births},
                "verdicts": {"demography": "worse"},
            },
        },
    ]
    sheets = batch_tables(towns, "pl")
    assert list(sheets) == ["Wskaźniki", "Oceny części", "Podstawy ocen", "Pełna precyzja", "Metoda"]
    rounded, verdicts, grounds, full, method = sheets.values()
    notes = dict(zip(method["Pozycja"], method["Znaczenie"]))
    assert "własną grupę porównawczą" in notes["Mediana grupy"]  # medians of two towns describe two groups
    assert notes["Percentyl"].startswith("odsetek gmin grupy")
    assert list(rounded["TERYT"]) == ["0000001", "0000002"]  # the retired indicator is left out
    assert list(rounded["Wartość"]) == [8.3, 8.3] and list(full["Wartość"]) == [8.25, 8.25]
    assert rounded["Mediana grupy"].iloc[0] == 11.0 and math.isnan(rounded["Mediana grupy"].iloc[1])
    assert list(rounded["Percentyl w grupie"]) == [80.0, 80.0]
    assert list(rounded["Ocena"]) == ["mocna strona", "—"]
    # Alfa's 2024 births GUS marked as a preliminary estimate; Beta's record, of an earlier edition, keeps no marks
    assert list(rounded["Znaki GUS w danych"]) == ["zawiera szacunek wstępny GUS z 2024 r.", ""]
    # and the peers' births of 2022 and 2023, which its median rests on, of low precision
    assert list(rounded["Znaki GUS w danych mediany grupy"]) == [
        "zawiera dane GUS o niskiej precyzji z lat 2022 i 2023",
        "",
    ]
    assert list(
        rounded["Od roku (jeśli wcześniejszy niż rok wartości, wartość jest z tych lat łącznie: zob. arkusz Metoda)"]
    ) == [
        2022,
        2022,
    ]
    assert verdicts.to_dict("records")[0] == {
        "TERYT": "0000001",
        "Gmina": "Alfa",
        "Województwo": "mazowieckie",
        "Rodzaj": "gmina miejska",
        "Data wydania": "2026-11-30",
        "Demografia": "korzystniej",
        "Gospodarka i finanse gminy": "bez oceny",
    }
    # What the verdicts rest on: Alfa's two sections; Beta's edition kept no grounds, so it has no rows.
    assert list(grounds["TERYT"]) == ["0000001", "0000001"]
    demography, economy = grounds.drop(columns=["TERYT", "Gmina", "Województwo", "Rodzaj"]).to_dict("records")
    assert demography == {
        "Część raportu": "Demografia",
        "Ocena": "korzystniej",
        "Wynik (od −2 do +2)": 0.26,
        "Ocenione wskaźniki": "12 z 13",
        "Ta sama ocena przy innych grupach porównawczych": "nie",
        "Bez tego wskaźnika ocena byłaby inna": "Urodzenia żywe na 1000 ludności (podobnie)",
    }
    assert economy["Ocena"] == "bez oceny" and math.isnan(economy["Wynik (od −2 do +2)"])
    assert economy["Ta sama ocena przy innych grupach porównawczych"] == "—"
    assert economy["Bez tego wskaźnika ocena byłaby inna"] == "—"
    assert notes["Oceny części"].startswith("wynik części")
    english = batch_tables(towns, "en")
    assert list(english) == ["Indicators", "Section verdicts", "Verdict grounds", "Full precision", "Method"]
    assert english["Verdict grounds"].iloc[0]["Same verdict under the other peer groups"] == "no"
    assert list(english["Indicators"]["Assessment"]) == ["strength", "—"]
    # In the workbook, shown as printed: "8,3" with its decimal, the percentile whole, the score with two.
    import openpyxl

    write_town_data(sheets, tmp_path / "batch.xlsx", tmp_path / "batch.csv")
    workbook = openpyxl.load_workbook(tmp_path / "batch.xlsx")
    header = [cell.value for cell in workbook["Wskaźniki"][1]]
    row = workbook["Wskaźniki"][2]
    assert row[header.index("Wartość")].number_format == "#,##0.0"
    assert row[header.index("Mediana grupy")].number_format == "#,##0.0"
    assert row[header.index("Percentyl w grupie")].number_format == "#,##0"
    header = [cell.value for cell in workbook["Podstawy ocen"][1]]
    assert workbook["Podstawy ocen"][2][header.index("Wynik (od −2 do +2)")].number_format == "#,##0.00"


def test_the_method_sheet_says_a_change_indicators_change_columns_are_a_change_of_that_change(report):
    # The 5-year population change's "5-year change" is its value in 2024 minus its value in 2019, in percentage
    # points: worked out here from the comparison's own values of the two years, then the sheet must explain it.
    sheet = indicator_sheet(report, rounded=False).set_index("Kod wskaźnika")
    compared = report.compared.xs(report.teryt, level="teryt")["population_change_5y"]
    assert sheet.at["population_change_5y", "Zmiana w 5 lat"] == pytest.approx(compared[2024] - compared[2019])
    method = method_sheet(report, "2026-11-30").set_index("Pozycja")["Wartość"]
    note = method["Zmiana wskaźnika, który sam jest zmianą"]
    assert "zmianę tej zmiany" in note
    assert "zmiana liczby ludności w ciągu 5 lat" in note and "zmiana liczby ludności w ciągu 10 lat" in note


def test_the_method_sheets_state_the_verdict_rule_the_code_applies():
    # The band's edges belong to the better and worse verdicts (verdict_of), and the note must say so.
    from analysis.export import verdict_note
    from analysis.synthesis import VERDICT_BAND, verdict_of

    assert VERDICT_BAND == 0.25
    assert verdict_of(0.25) == "better" and verdict_of(-0.25) == "worse" and verdict_of(0.2449) == "similar"
    item, text = verdict_note("pl")
    assert item == "Oceny części"
    assert "+0,25 i więcej: korzystniej, −0,25 i mniej: mniej korzystnie" in text
    assert "+0.25 or more: better, −0.25 or less: worse" in verdict_note("en")[1]


def test_the_indicator_sheet_holds_the_figures_every_section_table_prints_over_the_demo_batch(demo_reports):
    # Two roads from one comparison: the sheet rounds numbers, the report formats strings. Read back from the
    # printed strings ("1 234,5", "≈0,83", "+0,3", "−10,1³"; "b.d." and "x" for no figure), every value, peer median,
    # voivodeship and Poland of every town's section tables is the sheet's number.
    from analysis import display as show
    from analysis.catalogue import indicators_in

    def read(printed: str) -> float:
        if printed in ("b.d.", "x"):
            return math.nan
        number = printed.lstrip("≈+").removesuffix(show.GUS_MARK)  # "³": GUS marks a figure it reads
        return float(number.replace("\u00a0", "").replace(",", ".").replace("−", "-"))

    columns = {
        "Wartość": "Wartość",
        "Mediana grupy": "Mediana grupy",
        "Woj.": "Województwo (suma gmin lub wartość GUS)",
        "Polska": "Polska (suma gmin lub wartość GUS)",
    }
    compared = 0
    for report in demo_reports.values():
        sheet = indicator_sheet(report).set_index("Kod wskaźnika")
        for section in ("demography", "economy", "services"):
            table = show.comparison_table(report, section).frame
            for indicator, (_, row) in zip(indicators_in(section), table.iterrows()):
                for printed, number in columns.items():
                    expected = sheet.at[indicator.id, number]
                    got = read(row[printed])
                    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected, abs=1e-9), (
                        report.name,
                        indicator.id,
                        printed,
                    )
                    compared += 1
    assert compared == 54 * 4 * sum(len(indicators_in(s)) for s in ("demography", "economy", "services"))


def test_the_method_sheet_says_how_the_projection_was_made_or_why_its_sheet_is_empty(report, sparse_report):
    # The demo town's projection: the method sheet's row of the projection sheet's name gives its last year and
    # the 95% interval's bounds of the sheet's last year, rounded to tens (half up, by hand, from the unrounded
    # forecast: the sheet's whole persons rounded again could round 3 194.6 to 3 195 and then up to 3 200), and
    # the method. The sparse store's report (2023–2024) has no projection: its sheet is a header alone, and the row
    # says why, as the report's demography text does.
    notes = dict(method_sheet(report, "2026-12-01").itertuples(index=False))
    last = projection_sheet(report)["Rok"].max()
    bounds = report.projection.forecast.loc[last, ["low", "high"]]
    low, high = (f"{math.floor(bound / 10 + 0.5) * 10:,.0f}".replace(",", "\xa0") for bound in bounds)
    assert notes["Prognoza ludności"].startswith(f"Prognoza na {last} r.: ")
    assert f"95% przedział predykcji: {low}–{high}" in notes["Prognoza ludności"]
    assert "wybrano w teście wstecznym" in notes["Prognoza ludności"]
    assert projection_sheet(sparse_report).empty
    notes = dict(method_sheet(sparse_report, "2026-12-01").itertuples(index=False))
    assert notes["Prognoza ludności"].startswith("Prognoza liczby ludności nie powstała: wymaga co najmniej 11\xa0lat")
    assert notes["Prognoza ludności"].endswith("a dane o liczbie ludności w latach raportu obejmują 2\xa0lata.")


def test_the_workbook_shows_each_number_with_the_decimals_the_report_prints(report, tmp_path):
    # Before, every cell had Excel's General format: a share of 26.0 showed as "26" beside "25,4", and
    # Poland's population as "8738002". The expected decimals are read from the catalogue file itself.
    import openpyxl
    import yaml

    from analysis.paths import INDICATORS_FILE

    printed = {key: entry["decimals"] for key, entry in yaml.safe_load(INDICATORS_FILE.read_text("utf-8")).items()}

    def number_format(decimals):  # Excel's: thousands grouped, the decimals always shown
        return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals

    excel_csv = tmp_path / "data-excel.csv"
    write_town_data(town_tables(report, "2026-11-22"), tmp_path / "data.xlsx", tmp_path / "data.csv", excel_csv)
    # The CSV for Excel likewise: "8009" and "17,7", not "8009,0" (as pandas writes a float) or "26" for 26.0.
    for_people = pd.read_csv(excel_csv, sep=";", dtype=str, encoding="utf-8-sig")
    for indicator_id, value in zip(for_people["Kod wskaźnika"], for_people["Wartość"]):
        decimals = printed[indicator_id]
        assert re.fullmatch(r"-?\d+" + (r",\d{%d}" % decimals if decimals else ""), value), (indicator_id, value)
    workbook = openpyxl.load_workbook(tmp_path / "data.xlsx")
    sheet = workbook["Wskaźniki"]
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) for name in header}
    for row in sheet.iter_rows(min_row=2):
        decimals = printed[row[column["Kod wskaźnika"]].value]
        expected = dict.fromkeys(
            (
                "Wartość",
                "Mediana grupy",
                "Kwartyl 1 grupy",
                "Województwo (suma gmin lub wartość GUS)",
                "Polska (suma gmin lub wartość GUS)",
            ),
            number_format(decimals),
        )
        expected |= {
            "Trend roczny (zmiana na rok)": number_format(decimals + 1),  # a change a year: one decimal more
            "Percentyl w grupie": "#,##0",
            "Wynik (od −2 do +2)": "#,##0.00",
        }
        shown = {name: row[column[name]] for name in expected if row[column[name]].value is not None}  # b.d.: empty
        assert shown and {name: cell.number_format for name, cell in shown.items()} == {
            name: expected[name] for name in shown
        }, row[0].value
    series = workbook["Szeregi czasowe"]
    years = [i for i, cell in enumerate(series[1]) if isinstance(cell.value, int)]
    for row in series.iter_rows(min_row=2):
        formats = {row[i].number_format for i in years if row[i].value is not None}  # none before a change's years
        assert formats == {number_format(printed[row[0].value])}, row[0].value
    assert {cell.number_format for cell in list(workbook["Prognoza ludności"].columns)[1][1:]} == {"#,##0"}
    assert workbook["Wskaźniki"].cell(2, column["Wartość"] + 1).value == report.comparison.at["population", "value"]


def test_a_peer_whose_change_holds_its_annexation_is_named_and_left_out_of_the_sheets_rank_and_scale(
    demo_store, tmp_path
):
    # One of Bursztynojar's peers given 5% more residents (every age group) and 10% more land from 2022 on:
    # its 5-year population change holds residents no one gained. The report leaves it out of the peers'
    # figures of that change (tests/analysis/test_compare.py by hand); the sheet names it, and its rank, its
    # scale and so the score recomputed from the sheet's own columns leave it out too.
    from analysis.report import compute_report
    from analysis.scoring import score_scale
    from analysis.store import load_store
    from tests.conftest import write_annexed_store

    town = TownParams(teryt="0290011")
    peer = compute_report(town).peers.members[0]
    write_annexed_store(demo_store, tmp_path / "store", peer, 2022, residents=1.05, land=1.1)
    report = compute_report(town.model_copy(update={"data_dir": str(tmp_path / "store")}))
    assert peer in report.peers.members
    row = report.comparison.loc["population_change_5y"]
    assert row["peers_left_out"] == (peer,) and pd.isna(row["boundary_change"])
    others = [p for p in report.peers.members if p != peer]
    values = report.compared.xs(2024, level="year").loc[others, "population_change_5y"].dropna()
    assert row["peer_median"] == pytest.approx(values.median()) and row["peer_count"] == len(values)
    sheet = indicator_sheet(report, rounded=False)
    sheet.columns = [next(k for k, (pl, _) in INDICATOR_COLUMNS.items() if pl == name) for name in sheet.columns]
    line = sheet.set_index("indicator").loc["population_change_5y"]
    assert line["peers_left_out"] == peer and line["rank_of"] == len(values) + 1
    assert line["rank"] == 1 + (values > row["value"]).sum()  # higher is better: the peers ahead of it, plus one
    assert line["scale"] == pytest.approx(
        score_scale(values.to_numpy(), indicators()["population_change_5y"].min_difference)
    )
    assert sheet.set_index("indicator").loc["births_per_1000", "peers_left_out"] == ""  # a rate: no one left out
    # The residents' own 5-year change beside the peers' median change: that median leaves the peer out too,
    # and the sheet names it.
    changes = report.compared["population"].unstack("year").loc[others]
    residents = sheet.set_index("indicator").loc["population"]
    assert residents["peer_median_change"] == pytest.approx((changes[2024] - changes[2019]).median())
    assert residents["peers_left_out_change"] == peer and residents["peers_left_out"] == ""
    # The report's notes say how many, in Polish that agrees ("bez 1 gminy, której", "bez 2 gmin, których").
    from analysis import display as show

    notes = show.changes_table(report, "demography").frame.set_index("Wskaźnik")["Uwagi"].str.replace("\xa0", " ")
    assert "mediana grupy bez 1 gminy, której granice się zmieniły" in notes["Zmiana liczby ludności w ciągu 5 lat (%)"]
    assert "mediana grupy bez 1 gminy, której granice się zmieniły" in notes["Liczba ludności (osoby)"]
    assert "granice" not in notes["Urodzenia żywe na 1000 ludności (‰)"]
    second = report.peers.members[1]
    write_annexed_store(load_store(tmp_path / "store"), tmp_path / "two", second, 2022, residents=0.95, land=0.9)
    two = compute_report(town.model_copy(update={"data_dir": str(tmp_path / "two")}))
    assert set(two.comparison.at["population_change_5y", "peers_left_out"]) == {peer, second}
    notes = show.changes_table(two, "demography").frame.set_index("Wskaźnik")["Uwagi"].str.replace("\xa0", " ")
    assert "mediana grupy bez 2 gmin, których granice się zmieniły" in notes["Zmiana liczby ludności w ciągu 5 lat (%)"]


def test_a_peer_whose_land_alone_moved_is_left_out_of_the_density_change_but_not_the_residents(demo_store, tmp_path):
    # One of Bursztynojar's peers given 10% more land and no more residents from 2023 on (a year its residents
    # fell by their usual pace: 2022's fall was 0.6% beyond it, which would count as residents moving): its
    # density falls by a tenth with no one having moved. Its residents' 5-year change is theirs (it stays in that median); its
    # density's is not (left out of that median, named in the sheet, counted in the notes).
    from analysis import display as show
    from analysis.report import compute_report
    from tests.conftest import write_annexed_store

    town = TownParams(teryt="0290011")
    peer = compute_report(town).peers.members[0]
    write_annexed_store(demo_store, tmp_path / "store", peer, 2023, residents=1.0, land=1.1)
    report = compute_report(town.model_copy(update={"data_dir": str(tmp_path / "store")}))
    assert peer in report.peers.members
    others = [p for p in report.peers.members if p != peer]
    density = report.compared["population_density"].unstack("year")
    residents = report.compared["population"].unstack("year")
    row = report.comparison.loc["population_density"]
    assert row["peers_left_out_change"] == (peer,)
    assert row["peer_median_change"] == pytest.approx((density.loc[others, 2024] - density.loc[others, 2019]).median())
    members = list(report.peers.members)
    kept = report.comparison.loc["population"]
    assert kept["peers_left_out_change"] == ()
    assert kept["peer_median_change"] == pytest.approx(
        (residents.loc[members, 2024] - residents.loc[members, 2019]).median()
    )
    sheet = indicator_sheet(report, rounded=False)
    sheet.columns = [next(k for k, (pl, _) in INDICATOR_COLUMNS.items() if pl == name) for name in sheet.columns]
    assert sheet.set_index("indicator").loc["population_density", "peers_left_out_change"] == peer
    notes = show.changes_table(report, "demography").frame.set_index("Wskaźnik")["Uwagi"].str.replace("\xa0", " ")
    assert "mediana grupy bez 1 gminy, której granice się zmieniły" in notes["Gęstość zaludnienia (osoby/km²)"]
    assert "granice" not in notes["Liczba ludności (osoby)"]


def test_a_report_built_with_previous_lists_in_its_workbook_what_moved_with_the_numbers_as_printed(report, tmp_path):
    # The earlier edition's record, written by hand from this one's: births per 1,000 were 1.26 higher (one
    # decimal in the catalogue) at percentile 12 and a weakness; nothing else moved. The sheet gives that row
    # alone, each number rounded as the report's changes table prints it, and the change as the difference of
    # the two printed values (what a reader of the table computes), worked out here with Decimal.
    import json
    from decimal import ROUND_HALF_UP, Decimal

    from analysis.editions import figures

    record = figures(report)
    births = record["indicators"]["births_per_1000"]
    record["indicators"]["births_per_1000"] = births | {
        "value": births["value"] + 1.26,
        "percentile": 12.0,
        "assessment": "weakness",
    }
    (tmp_path / "figures.json").write_text(json.dumps(record), encoding="utf-8")
    with_previous = replace(
        report, params=report.params.model_copy(update={"previous": str(tmp_path / "figures.json")})
    )
    tables = town_tables(with_previous, "2026-11-22")
    assert list(tables)[-3:] == ["Od poprzedniej edycji", "Pełna precyzja", "Metoda"]
    sheet = tables["Od poprzedniej edycji"]
    [row] = sheet.to_dict("records")

    def printed(value) -> float:
        return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    old, new = printed(births["value"] + 1.26), printed(births["value"])
    assert (row["Kod wskaźnika"], row["Wartość – poprzednia edycja"], row["Wartość – ta edycja"]) == (
        "births_per_1000",
        old,
        new,
    )
    assert row["Zmiana wartości (ta − poprzednia)"] == pytest.approx(new - old) and new < old
    assert row["Percentyl – poprzednia edycja"] == 12
    assert row["Percentyl – ta edycja"] == round(births["percentile"])
    assert row["Ocena – poprzednia edycja"] == "słaba strona"
    assert row["Lata wartości – poprzednia edycja"] == row["Lata wartości – ta edycja"] == "2022–2024"
    # Rounded as printed in the workbook too: the sheet's numbers carry their decimals.
    write_town_data(tables, tmp_path / "data.xlsx", tmp_path / "data.csv")
    read = pd.read_excel(tmp_path / "data.xlsx", sheet_name="Od poprzedniej edycji", engine="openpyxl")
    assert read.at[0, "Wartość – poprzednia edycja"] == old
    # Without --previous there is no such sheet (the sheet list of test_sheets_follow_the_report_language).
    assert "Od poprzedniej edycji" not in town_tables(report, "2026-11-22")


def test_the_verdict_grounds_mark_a_hinge_within_chance_as_the_report_does_in_both_workbooks():
    # Read from the comparison itself: a hinge whose interval holds the peer median (ci_low ≤ median ≤ ci_high)
    # carries ¹ after its name in the town's workbook and in the batch workbook (built from the edition record),
    # as in the report's scores table; both method sheets say what ¹ means. 0891011: its three hinges are all
    # within chance; 1690021: its two are not.
    from analysis.display import scores_table
    from analysis.editions import figures
    from analysis.export import batch_tables, verdicts_sheet

    marked = unmarked = 0
    for teryt in ("0891011", "1690021"):
        report = prepare_report(TownParams(teryt=teryt))
        town = verdicts_sheet(report)["Bez tego wskaźnika ocena byłaby inna"].to_list()
        town_entry = {"teryt": teryt, "name": report.name, "voivodeship": "", "kind": "", "record": figures(report)}
        batch = batch_tables([town_entry], "pl")["Podstawy ocen"]["Bez tego wskaźnika ocena byłaby inna"].to_list()
        assert town == batch == scores_table(report).frame.iloc[:, -1].to_list()
        for cell, (_, verdict) in zip(town, report.verdicts.iterrows()):
            if not verdict["hinges_on"]:
                continue
            hinge = report.comparison.loc[verdict["hinges_on"]]
            within = hinge["ci_low"] <= hinge["peer_median"] <= hinge["ci_high"]
            assert cell.startswith(indicators()[verdict["hinges_on"]].name("pl") + ("¹ (" if within else " ("))
            marked, unmarked = marked + bool(within), unmarked + (not within)
        method = dict(method_sheet(report, "2026-12-07").itertuples(index=False))
        assert "¹ po nazwie wskaźnika, od którego zależy ocena: różnica od mediany grupy" in method["Oceny części"]
    assert marked >= 1 and unmarked >= 1  # both kinds; otherwise the test proves little
