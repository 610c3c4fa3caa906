"""Every display object renders in both languages, with the forms each renderer needs."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis import charts
from analysis import display as show
from analysis.catalogue import indicators, indicators_in
from analysis.formatting import escape_markdown, format_range
from analysis.labels import label
from analysis.report import prepare_report
from analysis.synthesis import rule_key
from analysis.town import TownParams

TOWN = "0490013"
# The section verdicts in the reports' words, written out by hand (not read from analysis.labels).
VERDICT_WORDS = {
    "pl": {"better": "korzystniej", "similar": "podobnie", "worse": "mniej korzystnie", "none": "bez oceny"},
    "en": {"better": "better", "similar": "similar", "worse": "worse", "none": "no verdict"},
}


@pytest.fixture(scope="module", params=["pl", "en"])
def report(request):
    return prepare_report(TownParams(teryt=TOWN, language=request.param))


def bundle(obj):
    data, metadata = obj._repr_mimebundle_()
    return data, metadata[show.ROLE]


def test_tables_have_captions_and_markdown_forms(report):
    tables = [show.comparison_table(report, s) for s in ("demography", "economy", "services")]
    tables += [show.changes_table(report, s) for s in ("demography", "economy", "services")]
    tables += [show.peers_table(report), show.scores_table(report), show.sensitivity_table(report)]
    tables.append(show.verdicts_table(report))
    for table in tables:
        data, role = bundle(table)
        soup = BeautifulSoup(data["text/html"], "html.parser")
        assert soup.table.caption.get_text().strip()
        assert len(soup.find_all("tr")) == len(table.frame) + 1
        assert data["text/markdown"].count("\n|") >= len(table.frame)
    assert len(show.peers_table(report).frame) == len(report.peers.members)


def test_a_group_too_large_to_list_is_pointed_to_in_the_workbook(report):
    # A size class of real gminy holds hundreds of towns (675 rural gminy of 5,000-10,000 residents in 2020):
    # the report then names the workbook sheet that lists them, instead of pages of names; the peer-group
    # text before it gives their number.
    from analysis.export import SHEET_NAMES

    members = len(report.peers.members)  # 20 under the demo's nearest rule
    assert isinstance(show.peers_table(report, listed=members), show.Table)
    data, _ = bundle(show.peers_table(report, listed=members - 1))
    text = data["text/markdown"]
    assert "|" not in text  # no table
    pl = report.language == "pl"
    sheet = SHEET_NAMES["peers"][0 if pl else 1]  # the name of the sheet the workbook has, quoted
    assert (f"„{sheet}” pliku data.xlsx" if pl else f"“{sheet}” of data.xlsx") in text
    assert f"{members}" in show.peer_method_text(report).text


@pytest.mark.parametrize(
    "teryt, language, said",
    [
        ("1490023", "pl", "(od 10 000 do 19 999 mieszkańców)"),  # 13 177 residents in 2024
        ("1490023", "en", "(10,000 to 19,999 residents)"),
        ("0690021", "pl", "(poniżej 5 000 mieszkańców)"),  # 2 044
    ],
)
def test_the_size_class_rule_names_the_class_the_town_was_matched_in(teryt, language, said):
    # "the same size class" alone left a reader to guess which; the class is GUS's, from the town's residents in the
    # peers' year (read from the raw store here: BDL variable 72305).
    from analysis.store import load_store

    raw = load_store().observations
    residents = raw.loc[(raw["teryt"] == teryt) & (raw["year"] == 2024) & (raw["var_id"] == 72305), "value"].item()
    assert {"1490023": 10_000 <= residents < 20_000, "0690021": residents < 5_000}[teryt]
    report = prepare_report(TownParams(teryt=teryt, language=language, peer_method="population_class"))
    text = show.peer_method_text(report).text.replace("\u00a0", " ").replace("\u202f", " ")
    assert f"2024 {said}." in text or f"2024 r. {said}." in text, text


def test_the_peer_group_text_says_how_alike_the_peers_are_worked_out_from_the_raw_store(report):
    # From the store's raw observations (BDL variables 72305, residents, and 76046, PIT-share revenue), not
    # from the report's indicators: the town's value and the peers' lowest, highest and median value in 2024.
    from analysis.formatting import format_number
    from analysis.store import load_store

    raw = load_store().observations
    in_2024 = raw.loc[raw["year"] == 2024].pivot_table(index="teryt", columns="var_id", values="value")
    residents, pit = in_2024[72305], in_2024[76046] / in_2024[72305]
    peers = list(report.peers.members)
    text = show.peer_method_text(report).text.replace("\u00a0", " ")
    pl = report.language == "pl"

    def number(value):
        return format_number(value, 0, report.language).replace("\u00a0", " ")

    for series, unit in ((residents, ""), (pit, " zł" if pl else " PLN")):
        own, low, high, median = (
            number(v) + unit for v in (series[TOWN], *series[peers].agg(["min", "max", "median"]))
        )
        if pl:
            assert f"{report.name}: {own}, w gminach grupy od {low} do {high} (mediana {median})" in text
        else:
            assert f"{report.name}: {own}, peers from {low} to {high} (median {median})" in text


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_town_smaller_or_larger_than_every_peer_is_said_to_be_so(language):
    # The smallest town of the demo batch (by residents in the raw store, BDL 72305) can only be matched with
    # larger towns: the range alone ("1 872, w gminach grupy od 1 874 do 4 249") left the reader to notice
    # that the group is not around the town. And a town given the three smallest gminy of the store as its
    # own list of peers is larger than each. Worked out from the raw store.
    from analysis.formatting import format_number
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from analysis.store import load_store

    raw = load_store().observations
    residents = raw.loc[(raw["year"] == 2024) & (raw["var_id"] == 72305)].set_index("teryt")["value"]
    smallest = residents[load_batch(PARAMS_DIR / "demo.yaml").teryts].idxmin()
    tiny = ",".join(residents.drop(TOWN).nsmallest(3).index)
    for params, edge in (
        (TownParams(teryt=smallest, language=language), "below"),
        (TownParams(teryt=TOWN, language=language, peer_method="explicit", peer_members=tiny), "above"),
    ):
        report = prepare_report(params)
        peers = residents[list(report.peers.members)]
        outside = residents[params.teryt] < peers.min() if edge == "below" else residents[params.teryt] > peers.max()
        assert outside  # the case this test is about
        own, low, high, median = (
            format_number(v, 0, language).replace("\u00a0", " ")
            for v in (residents[params.teryt], peers.min(), peers.max(), peers.median())
        )
        said = {
            ("pl", "below"): "mniej niż w każdej gminie grupy",
            ("pl", "above"): "więcej niż w każdej gminie grupy",
            ("en", "below"): "below every peer",
            ("en", "above"): "above every peer",
        }[language, edge]
        range_ = (
            f"od {low} do {high}, mediana {median}" if language == "pl" else f"from {low} to {high}, median {median}"
        )
        text = show.peer_method_text(report).text.replace("\u00a0", " ")
        assert f"{report.name}: {own}, {said} ({range_})" in text, text


def test_a_town_matched_on_own_revenue_is_described_on_it_worked_out_from_the_raw_store():
    # 1292013 has no PIT figure in 2024: its peers were chosen on own revenue per capita (BDL 76070 over
    # residents, 72305), and the text gives that measure, the town's and the peers' range and median.
    from analysis.formatting import format_number
    from analysis.store import load_store

    report = prepare_report(TownParams(teryt="1292013"))
    raw = load_store().observations
    in_2024 = raw.loc[raw["year"] == 2024].pivot_table(index="teryt", columns="var_id", values="value")
    own_revenue = in_2024[76070] / in_2024[72305]
    peers = own_revenue[list(report.peers.members)]
    own, low, high, median = (
        format_number(v, 0, "pl").replace("\u00a0", " ") + " zł"
        for v in (own_revenue["1292013"], peers.min(), peers.max(), peers.median())
    )
    text = show.peer_method_text(report).text.replace("\u00a0", " ")
    assert f"dochody własne gminy na 1 mieszkańca – {report.name}: {own}, w gminach grupy od {low} do {high}" in text
    assert f"(mediana {median})." in text and "udziały w PIT na 1 mieszkańca –" not in text


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_store_without_the_last_years_budget_figures_is_matched_on_the_year_before_and_says_so(
    demo_store, tmp_path, language
):
    # A store fetched before GUS published 2024's budget figures (they come months after the residents): 2024
    # has no one's PIT or own revenue. Every report failed ("no population or income per capita in 2024"). The
    # peers are now those of 2023's figures, the same as a report to 2023 on the whole demo store gets (its 2023
    # figures are these), and the text says why.
    from analysis.catalogue import variables
    from analysis.report import compute_report
    from analysis.store import write_store

    budget = [variables()[name].bdl_id for name in ("pit_share_revenue", "own_revenue", "revenue_total")]
    observations = demo_store.observations
    late = observations.loc[~((observations["year"] == 2024) & observations["var_id"].isin(budget))]
    write_store(tmp_path / "store", demo_store.units, late, dict(demo_store.metadata))
    town = TownParams(teryt="0290011", language=language)
    report = compute_report(town.model_copy(update={"data_dir": str(tmp_path / "store")}))
    assert report.last_year == 2024 and report.peers.reference_year == 2023
    assert report.peers.members == compute_report(town.model_copy(update={"last_year": 2023})).peers.members
    text = show.peer_method_text(report).text.replace("\u00a0", " ")
    if language == "pl":
        assert "które w 2023 r. były do niej najbardziej podobne" in text
        assert "Grupę dobrano według danych z 2023 r., bo dane za 2024 r. nie obejmują jeszcze dochodów gmin." in text
    else:
        assert (
            "matched on the figures of 2023, as the data for 2024 do not yet include the municipalities' income."
            in text
        )
    on_time = show.peer_method_text(prepare_report(town)).text
    assert "dobrano według danych z" not in on_time and "were matched on" not in on_time


def test_the_peer_group_text_says_own_revenue_holds_the_pit_share_it_was_not_chosen_by(report):
    # The demo's towns all have PIT, so the group was matched on PIT alone; own revenue is left unjudged
    # because it holds the PIT share, and the text must say that rather than list it as a matching variable.
    # Neither may its explanation nest parentheses inside parentheses, which nobody reads aloud.
    text = show.peer_method_text(report).text
    pl = report.language == "pl"
    stand_in = "(zawierają udziały w PIT i zastępują je, gdy ich brak)" if pl else "(holding the PIT share, and"
    assert text.count(stand_in) == 1
    depth, deepest = 0, 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        deepest = max(deepest, depth)
    assert depth == 0 and deepest == 1


def test_charts_carry_alt_text_from_their_data(report):
    figures = [*charts.section_charts(report, "summary"), *charts.section_charts(report, "demography")]
    shown = show.charts(figures, report.language)
    for (_, text), chart in zip(figures, shown):
        data, role = bundle(chart)
        assert data["image/svg+xml"].lstrip().startswith("<?xml")
        assert role["alt"] == text.alt and BeautifulSoup(data["text/html"], "html.parser").img["alt"] == text.alt
        assert role["caption"] == text.title
    assert report.name in shown[2].alt  # the population trend names the town


def test_a_position_chart_is_also_a_list_for_a_phone_made_from_the_comparison(report):
    # The phone's list (shown by report.css under 40rem, hidden elsewhere): one item per judged indicator of the
    # section, in the catalogue's order as the drawing has them, each with its position as the comparison table
    # prints it, a bar as long as it and the mark in words. Worked out from the comparison, not the chart.
    [position, *trends] = show.charts(charts.section_charts(report, "demography"), report.language)
    page = BeautifulSoup(bundle(position)[0]["text/html"], "html.parser")
    assert "has-phone" in page.figure["class"] and page.find(class_="diagnoza-phone").has_attr("hidden")
    items = page.find(class_="diagnoza-positions").find_all("li")
    judged = report.comparison.loc[report.comparison["judged"] & (report.comparison["section"] == "demography")]
    assert len(items) == len(judged) > 5
    words = {"strength": show.label("strength", report.language), "weakness": show.label("weakness", report.language)}
    table = show.comparison_table(report, "demography").frame
    printed = table.set_index(table.columns[0])[show.label("percentile", report.language)]
    for item, (indicator_id, row) in zip(items, judged.iterrows()):
        name = item.find(class_="diagnoza-position-name").get_text()
        assert name.startswith(indicators()[indicator_id].name(report.language))
        shown = item.find(class_="diagnoza-position-value").get_text()
        assert shown == printed[indicators()[indicator_id].name_with_unit(report.language)]
        assert f"width: {row['percentile']:g}%" in item.find(class_="diagnoza-bar")["style"]
        assert name.endswith(f" – {words[row['assessment']]}") if row["assessment"] else "–" not in name
        assert item.find(class_="diagnoza-track")["aria-hidden"] == "true"  # the bar is drawn, the text is read
    for trend in trends:  # a trend chart has no list: it is drawn narrow enough for a phone (report.css)
        assert BeautifulSoup(bundle(trend)[0]["text/html"], "html.parser").find(class_="diagnoza-phone") is None


def test_the_title_block_carries_what_the_renderers_need(report):
    from diagnoza.render import ReportInfo

    _, role = bundle(show.title_block(report))
    info = ReportInfo(**role["info"])  # every field the renderers read, none missing or unknown
    assert (info.teryt, info.town) == (report.teryt, report.name)
    # An empty edition is today, as TownParams says (an analyst's report made without the notebook's check).
    assert report.params.edition == "" and info.edition == date.today().isoformat()
    shown = bundle(show.title_block(report))[0]["text/markdown"].replace(show.WORD_JOINER, "")
    assert date.today().isoformat() in shown  # the date, unbreakable (word joiners after its hyphens)
    dated = prepare_report(TownParams(teryt=TOWN, language=report.language, edition="2026-05-01"))
    assert bundle(show.title_block(dated))[1]["info"]["edition"] == "2026-05-01"


def test_the_title_blocks_items_wrap_only_between_them(report):
    # A phone wraps the line: an item ("Lata danych: 2014–2024") must not break inside, and no separator may
    # hang at a line's end. Break opportunities left: the em spaces between items, and the place's own words.
    text = bundle(show.title_block(report))[0]["text/markdown"]
    line = next(line for line in text.split("\n") if "TERYT" in line)
    items = line.split(show.ITEM_GAP)
    assert len(items) == 4 and "·" not in line
    for item in items[1:]:
        assert " " not in item
        assert all(item[i + 1] == show.WORD_JOINER for i, c in enumerate(item) if c in "-–")


def test_language_follows_the_parameter(report):
    title, _ = bundle(show.title_block(report))
    heading, _ = bundle(show.heading("economy", report.language))
    expected = "Gospodarka i finanse gminy" if report.language == "pl" else "Economy and municipal finance"
    assert expected in heading["text/markdown"]
    synthetic = "Dane syntetyczne" if report.language == "pl" else "Synthetic data"
    assert synthetic in title["text/markdown"]
    sentences = " ".join(report.narrative["demography"])
    assert ("Liczba ludności" in sentences) == (report.language == "pl")

    # The default (empty) title is the report's language's; a title given is kept as given.
    default_title = "Diagnoza społeczno-gospodarcza" if report.language == "pl" else "Socio-economic diagnosis"
    assert title["text/markdown"].startswith(f"# {escape_markdown(default_title)}: {report.name}")
    assert bundle(show.title_block(report))[1]["info"]["title"] == default_title
    titled = prepare_report(TownParams(teryt=TOWN, language=report.language, title="Raport dla rady gminy"))
    assert bundle(show.title_block(titled))[1]["info"]["title"] == "Raport dla rady gminy"


def test_a_missing_chart_is_a_note_in_the_reports_language():
    data, _ = show.chart(None, charts.ChartText("", ""), "en")._repr_mimebundle_()
    assert data["text/markdown"] == "*Too little data for a chart.*"
    data, _ = show.chart(None, charts.ChartText("", ""), "pl")._repr_mimebundle_()
    assert "Za mało danych" in data["text/markdown"]


def test_a_pooled_value_shows_its_years_in_the_table_and_the_notes(report):
    # Births are pooled over 3 years in the catalogue; the demo store has every year, so 2022–2024.
    frame = show.comparison_table(report, "demography").frame
    pl = report.language == "pl"
    name = "Urodzenia żywe na 1000 ludności (‰)" if pl else "Live births per 1,000 population (‰)"
    row = frame.loc[frame[frame.columns[0]] == name].iloc[0]
    assert row["Rok" if pl else "Year"] == "2022–2024"
    notes = show.changes_table(report, "demography").frame.set_index(frame.columns[0])["Uwagi" if pl else "Notes"]
    assert ("średnia roczna z 3\u00a0lat" if pl else "yearly average of 3\u00a0years") in notes[name]
    population = frame.loc[frame[frame.columns[0]] == ("Liczba ludności (osoby)" if pl else "Population (persons)")]
    population = population.iloc[0]
    assert population["Rok" if pl else "Year"] == "2024"
    # The report's methodology says what such a value is: a yearly average, not the years' total.
    method = show.methodology_text(report).text
    assert ("średnio na rok" if pl else "a yearly average") in method


def test_a_change_that_holds_the_census_step_says_so(report):
    # The demo data, 2014-2024, step between 2020 and 2021 as GUS's did. The 5-year change of the number of
    # residents (2019-2024) and of its density holds that step; births per 1,000 residents are not marked.
    pl = report.language == "pl"
    frame = show.changes_table(report, "demography").frame
    notes = frame.set_index(frame.columns[0])["Uwagi" if pl else "Notes"]
    step = "zawiera skok po NSP 2021" if pl else "includes the 2021 census step"
    population = "Liczba ludności (osoby)" if pl else "Population (persons)"
    density = [name for name in notes.index if name.startswith("Gęstość" if pl else "Population density")]
    assert step in notes[population] and step in notes[density[0]]
    assert not [name for name in notes.index if "‰" in name and step in notes[name]]
    # The note stands beside the trend, which rests on the re-based series: the caption says the trend holds no
    # step. A section whose notes name no step (the economy's) says nothing of it.
    trends = "trendy liczone bez skoku po NSP 2021" if pl else "trends computed without the 2021 census step"
    assert trends in show.changes_table(report, "demography").caption
    economy = show.changes_table(report, "economy")
    assert step not in " ".join(economy.frame.iloc[:, -1]) and trends not in economy.caption


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_value_in_an_outer_quarter_left_unmarked_by_its_interval_says_why_in_the_notes(language):
    # 0891011 (1,872 residents) sits in the best or worst quarter of its peers on several rates whose
    # intervals, from so few births, deaths and moves, include the peer median. The rule worked out again
    # from each row: position in an outer quarter, at least the minimum difference on that side, interval
    # covering the median, no mark. Exactly those rows carry the note, with their interval.
    report = prepare_report(TownParams(teryt="0891011", language=language))
    within = "w granicach przypadku" if language == "pl" else "within chance"
    expected = set()
    for section in ("demography", "economy", "services"):
        frame = show.changes_table(report, section).frame
        notes = frame.set_index(frame.columns[0])[frame.columns[-1]]
        for indicator in indicators().values():
            if indicator.section != section:
                continue
            row = report.comparison.loc[indicator.id]
            better_by = (value := row["value"]) - (median := row["peer_median"])
            better_by *= -1 if indicator.direction == "lower_better" else 1
            outer = (row["percentile"] >= 74.5 and better_by >= indicator.min_difference) or (
                row["percentile"] < 25.5 and -better_by >= indicator.min_difference
            )
            held = bool(row["judged"]) and outer and row["ci_low"] <= median <= row["ci_high"]
            assert not held or row["assessment"] == "", indicator.id  # never marked while held back
            note = notes[indicator.name_with_unit(language)]
            assert (within in note) == held, (indicator.id, value, median, note)
            if held:
                expected.add(indicator.id)
                assert format_range(row["ci_low"], row["ci_high"], indicator.decimals, language) in note
    assert {"births_per_1000", "deaths_per_1000"} <= expected  # the case this test is about does occur


def test_an_indicator_that_is_itself_a_change_shows_no_change_of_its_change(report):
    # "Zmiana liczby ludności w ciągu 5 lat" beside a "Zmiana w 5 lat" of −1,8 would be read as the
    # population's change (−11,4% for this town): its change cells are blank, its note points to the value,
    # and the census note is the value's own (2019–2024 and 2014–2024 both straddle 2021). Other rows keep
    # their figures.
    pl = report.language == "pl"
    frame = show.changes_table(report, "demography").frame
    frame = frame.set_index(frame.columns[0])
    pointer = "sama jest zmianą" if pl else "itself a change"
    step = "zawiera skok po NSP 2021" if pl else "includes the 2021 census step"
    changes = [name for name in frame.index if name.startswith("Zmiana liczby" if pl else "Population change")]
    assert len(changes) == 2
    for name in changes:
        assert set(frame.loc[name].iloc[:3]) == {"—"}
        assert frame.loc[name].iloc[3].startswith(pointer) and step in frame.loc[name].iloc[3]
    others = frame.drop(index=changes)
    assert not others.iloc[:, 3].str.contains(pointer).any()
    assert (others.iloc[:, 0] != "—").sum() >= 10  # the other indicators keep their 5-year changes


def test_a_caption_names_one_year_only_where_every_row_is_of_it_and_then_no_column_repeats_it(report):
    pl = report.language == "pl"
    year_column, name_column = ("Rok", "Wskaźnik") if pl else ("Year", "Indicator")
    for section in ("demography", "economy", "services"):
        table = show.comparison_table(report, section)
        # Each row's period from the comparison's own fields: the year, or first–last year of a pooled value.
        shown = [
            i for i in indicators_in(section) if i.name_with_unit(report.language) in set(table.frame[name_column])
        ]
        rows = report.comparison.loc[[i.id for i in shown]]
        periods = [
            str(int(year)) if start == year else f"{int(start)}–{int(year)}"
            for start, year in zip(rows["period_start"], rows["year"])
            if pd.notna(year)
        ]
        if set(periods) == {"2024"}:  # the caption says it, and a column of 2024 on every row says nothing more
            assert ("(2024 r.)" if pl else "(2024)") in table.caption, table.caption
            assert year_column not in table.frame
        else:  # pooled rows ("2022–2024") or an earlier year: the caption must not claim 2024 for all
            assert ("głównie 2024 r." if pl else "mostly 2024") in table.caption, (periods, table.caption)
            assert [p for p in table.frame[year_column] if p] == periods
    # The demo has both kinds: births are pooled (demography), and services have no pooled indicator.
    assert "2022–2024" in set(show.comparison_table(report, "demography").frame[year_column])
    assert year_column not in show.comparison_table(report, "services").frame


def test_a_value_on_few_events_is_marked_and_one_on_too_few_or_on_imprecise_figures_is_not_placed():
    # 3290013 had 11 registered unemployed of 2,045 residents of working age in 2024 (the store's counts): 10–19
    # events is an uncertain value, ranked but marked; 0891011's net foreign migration rests on about 4 moves
    # (below), shown but not placed among the peers, where "b.d." (no data) would deny the figure beside it.
    uncertain = prepare_report(TownParams(teryt="3290013"))
    assert uncertain.comparison.loc["unemployed_share_working_age", "reliability"] == "unreliable"
    table = show.comparison_table(uncertain, "economy")
    name = "Bezrobotni zarejestrowani w % ludności w wieku produkcyjnym (%)"
    row = table.frame.loc[table.frame["Wskaźnik"] == name]
    assert row["Wartość"].item() == "≈0,5" and row["Pozycja (percentyl)"].item() == "100"
    assert "≈ – wartość niepewna: mniej niż 20 zdarzeń" in table.caption
    assert "≈" not in show.comparison_table(uncertain, "services").caption  # no uncertain value there
    # 0490013 completed 18 dwellings over the pooled three years, uncertain too; but GUS marks the dwellings of a
    # gmina under 5,000 residents as of low precision (demo_data: "v"), so the value is shown, marked, not placed.
    imprecise = prepare_report(TownParams(teryt="0490013"))
    assert imprecise.comparison.loc["dwellings_per_1000", "reliability"] == "unreliable"
    frame = show.comparison_table(imprecise, "economy").frame
    row = frame.loc[frame["Wskaźnik"] == "Mieszkania oddane do użytkowania na 1000 ludności (mieszkania)"]
    assert row["Wartość"].item() == "≈1,69" + show.GUS_MARK and row["Pozycja (percentyl)"].item() == "nie oceniono"
    assert row["Ocena"].item() == "—"
    notes = show.changes_table(imprecise, "economy").frame.set_index("Wskaźnik")["Uwagi"]
    assert notes["Mieszkania oddane do użytkowania na 1000 ludności (mieszkania)"].endswith(
        "zawiera dane GUS o niskiej precyzji z lat 2017–2019 i 2022–2024; nie oceniono: dane GUS o niskiej precyzji"
    )
    assert "Nie oceniono wskaźnika opartego na danych GUS o niskiej precyzji: mieszkania oddane do użytkowania" in (
        " ".join(imprecise.narrative["economy"])
    )
    # The methodology says it of this town, and not of one whose values read no such figure (1290013, of 10,742
    # residents: the demo marks the dwellings of gminy under 5,000).
    said = "Wartości gminy oparte na danych o niskiej precyzji pokazujemy, ale ich nie oceniamy."
    assert said in show.methodology_text(imprecise).text
    assert said not in show.methodology_text(prepare_report(TownParams(teryt="1290013"))).text
    small = prepare_report(TownParams(teryt="0891011"))
    frame = show.comparison_table(small, "demography").frame
    row = frame.loc[frame["Wskaźnik"] == "Saldo migracji zagranicznych na 1000 ludności (‰)"]
    assert row["Pozycja (percentyl)"].item() == "nie oceniono" and row["Ocena"].item() == "—"
    assert not row["Wartość"].item().startswith("≈")


def test_a_value_not_ranked_for_few_events_shows_no_trend():
    # 0891011 has 1,872 residents: its net foreign migration rests on about 0.7 × 3 × 1.9 ≈ 4 moves over
    # the pooled three years (catalogue), under the ranking floor of 10; the table must not print a
    # slope of its yearly values (mostly zero: "0,000 (0,000; 0,000)").
    small = prepare_report(TownParams(teryt="0891011"))
    assert small.comparison.loc["net_migration_foreign_per_1000", "reliability"] == "not_ranked"
    frame = show.changes_table(small, "demography").frame
    row = frame.loc[frame["Wskaźnik"] == "Saldo migracji zagranicznych na 1000 ludności (‰)"].iloc[0]
    assert row["Trend roczny (95% przedział)"] == "—"
    ranked = frame.loc[frame["Wskaźnik"] == "Udział ludności w wieku produkcyjnym (%)"].iloc[0]
    assert "(" in ranked["Trend roczny (95% przedział)"]  # a ranked value keeps its slope and interval


def test_each_indicator_stands_beside_its_peers_voivodeship_and_poland(report):
    # The voivodeship's births rate by hand: births over population summed over its gminy in the store,
    # the three pooled years together (as the table's year column says), not a mean of the gminy's rates.
    from analysis.store import load_store

    store = load_store()
    frame = show.comparison_table(report, "demography").frame
    frame = frame.set_index(frame.columns[0])
    pl = report.language == "pl"
    row = frame.loc["Urodzenia żywe na 1000 ludności (‰)" if pl else "Live births per 1,000 population (‰)"]
    gminy = store.units.loc[store.units["voivodeship"] == report.voivodeship, "teryt"]
    observations = store.observations
    chosen = observations[
        observations["teryt"].isin(gminy)
        & observations["year"].between(2022, 2024)
        & observations["var_id"].isin([59, 72305])
    ]
    by_variable = chosen.pivot_table(index=["teryt", "year"], columns="var_id", values="value").dropna()  # both inputs
    births, population = by_variable[59].sum(), by_variable[72305].sum()
    expected = f"{births / population * 1000:.1f}".replace(".", "," if pl else ".")
    assert row["Woj." if pl else "Voiv."] == expected
    assert row["Polska" if pl else "Poland"] not in ("", "b.d.", "n/a")


def test_poland_shows_x_where_internal_migration_nets_out(report):
    # Over the whole country internal moves cancel: the table prints GUS's "x" for Poland (not "b.d.",
    # which would say a figure is missing) and its caption says why; the voivodeship keeps a number.
    table = show.comparison_table(report, "demography")
    frame = table.frame.set_index(table.frame.columns[0])
    pl = report.language == "pl"
    poland, voivodeship = ("Polska", "Woj.") if pl else ("Poland", "Voiv.")
    internal = next(name for name in frame.index if ("wewnętrznych" if pl else "internal") in name)
    assert frame.at[internal, poland] == "x"
    assert frame.at[internal, voivodeship] not in ("x", "b.d.", "n/a")
    assert (frame.drop(index=internal)[poland] != "x").all()
    assert ("x dla Polski" if pl else "x for Poland") in table.caption
    assert "x dla Polski" not in show.comparison_table(report, "economy").caption


def test_a_section_the_data_do_not_cover_says_so_once_and_shows_no_tables(sparse_report):
    # The sparse store (tests/conftest.py) has no services data: a table of nothing but "b.d." would fill a
    # page, and a note in place of each table and chart said "no data" five times over. The section's text
    # says it once; its tables show nothing. Demography has its values, so both its tables stay.
    from IPython.core.formatters import DisplayFormatter

    services = [show.comparison_table(sparse_report, "services"), show.changes_table(sparse_report, "services")]
    # What `display` would send to the notebook, as IPython formats it: nothing (any other object has at least
    # its text/plain form, "<… object>", which the notebook would show).
    assert [DisplayFormatter().format(item) for item in services] == [({}, {}), ({}, {})]
    (text,) = sparse_report.narrative["services"]
    assert text.startswith("Dane nie obejmują tej części raportu") and "nie ma tu wykresów ani tabel" in text
    assert isinstance(show.comparison_table(sparse_report, "demography"), show.Table)
    assert isinstance(show.changes_table(sparse_report, "demography"), show.Table)


def test_trend_charts_the_data_do_not_allow_are_named_in_one_note_after_the_others(tmp_path):
    # On a sparse real store (GUS 2019–2020) a note stood in place of each trend chart it lacked, three in a row
    # ("Liczba ludności: Cieszyn na tle grupy porównawczej – za mało danych do wykresu." …). Here net migration
    # has only 2024 (one year: no line) and the post-working-age population no year at all; the number of
    # residents has both years. Expected from how the store was cut, in the catalogue's order within each reason.
    from tests.conftest import write_sparse_store

    store = write_sparse_store(tmp_path / "store", ("net_migration",), without=("population_post_working_age",))
    for language, expected in (
        (
            "pl",
            "Bez wykresów zmian w czasie: saldo migracji na 1000 ludności (dane gminy z jednego roku); "
            "udział ludności w wieku poprodukcyjnym (brak danych gminy).",
        ),
        (
            "en",
            "No charts of change over time: net migration per 1,000 population (the town's data cover one year); "
            "share of post-working-age population (no data for the town).",
        ),
    ):
        report = prepare_report(
            TownParams(teryt="0490013", first_year=2023, last_year=2024, data_dir=str(store), language=language)
        )
        shown = show.charts(charts.section_charts(report, "demography", only="trend"), language)
        assert [type(item).__name__ for item in shown] == ["Chart", "Markdown"]
        assert indicators()["population"].name(language) in shown[0].title
        assert shown[1].text == f"*{escape_markdown(expected)}*"


@pytest.mark.parametrize(
    "robust, expected",
    [
        (
            {"demography": True, "economy": True, "services": True},
            # Several parts agree with "oceny są takie same" (it said "ocena jest taka sama w częściach"), and
            # their names are quoted as titles, the last joined by "i".
            "Oceny są takie same przy każdej z pozostałych grup porównawczych w częściach „Demografia”, "
            "„Gospodarka i finanse gminy” i „Usługi publiczne”.",
        ),
        (
            {"demography": True, "economy": False, "services": None},
            "Ocena jest taka sama przy każdej z pozostałych grup porównawczych w części „Demografia”. "
            "Od doboru grupy porównawczej zależy ocena części „Gospodarka i finanse gminy” – należy ją czytać "
            "ostrożnie.",
        ),
        (
            {"demography": False, "economy": None, "services": False},
            "Od doboru grupy porównawczej zależą oceny części „Demografia” i „Usługi publiczne” – należy je "
            "czytać ostrożnie.",
        ),
        (
            {"demography": None, "economy": None, "services": None},
            "Żadna część raportu nie ma oceny, więc nie ma ocen do porównania przy innych grupach porównawczych; "
            "tabela podaje, ile gmin liczy każda z nich.",
        ),
    ],
)
def test_the_sensitivity_text_names_each_section_once_in_the_right_number(robust, expected):
    # Written out by hand: one sentence per kind of result, singular for one section, a section without
    # a verdict (None) named in neither, and no section with a verdict said in so many words.
    from types import SimpleNamespace

    assert show.sensitivity_text(SimpleNamespace(language="pl", robust=robust)).text == expected


@pytest.mark.parametrize(
    ("robust", "expected"),
    [
        (
            {"demography": False, "economy": True, "services": False},
            "The verdict is the same under every alternative peer group in the section “Economy and municipal "
            "finance”. The verdicts depend on the choice of peers in the sections “Demography” and “Public services” "
            "– read them with care.",
        ),
        (  # the section whose name holds an "and" is quoted, so the list's own "and" reads as one
            {"demography": False, "economy": False, "services": False},
            "The verdicts depend on the choice of peers in the sections “Demography”, “Economy and municipal finance” "
            "and “Public services” – read them with care.",
        ),
    ],
)
def test_the_sensitivity_text_in_english_agrees_in_number(robust, expected):
    from types import SimpleNamespace

    assert show.sensitivity_text(SimpleNamespace(language="en", robust=robust)).text == expected


def _edition_parts(report, record: dict, tmp_path) -> list:
    """The report's "what changed" parts against `record`, a previous edition's figures written as the build
    keeps them (figures.json)."""
    import json

    path = tmp_path / "figures.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return show.edition_changes(report, path)


@pytest.mark.parametrize("moved", [1, 2])
def test_new_years_and_peers_that_moved_are_said_in_the_number_they_are(report, tmp_path, moved):

    from analysis.editions import figures

    record = figures(report)
    names = dict(zip(report.peer_units["teryt"], report.peer_units["name"]))
    joined = sorted(report.peers.members)[:moved]  # missing from the earlier edition: they joined since
    left = ["9990001", "9990002"][:moved]  # in the earlier edition only: they left
    record["peers"] = [t for t in record["peers"] if t not in joined] + left
    record["years"] = [record["years"][0], record["years"][1] - moved]
    text = " ".join(bundle(part)[0]["text/markdown"] for part in _edition_parts(report, record, tmp_path))
    last = report.last_year
    if report.language == "en":
        assert f"New data {'year' if moved == 1 else 'years'}: " in text
        assert f"Joined the peer group: {', '.join(names[t] for t in joined)}." in text
        assert f"Left the peer group (TERYT): {', '.join(left)}." in text
    elif moved == 1:
        assert f"Nowy rok danych: {last}." in text
        assert f"Do grupy porównawczej dołączyła gmina {names[joined[0]]}." in text
        assert "Z grupy porównawczej odeszła gmina o kodzie TERYT 9990001." in text
    else:
        assert f"Nowe lata danych: {last - 1}, {last}." in text
        # Listed as a Polish sentence lists, "A i B" ("A, B" read as a fragment of a list).
        assert f"Do grupy porównawczej dołączyły gminy {names[joined[0]]} i {names[joined[1]]}." in text
        assert "Z grupy porównawczej odeszły gminy o kodach TERYT 9990001 i 9990002." in text


@pytest.mark.parametrize("moved", [1, 2])
def test_peers_that_left_are_named_as_the_previous_editions_record_names_them(report, tmp_path, moved):
    # The report knows its own peers only; the previous edition's record keeps its peers' names, so a mayor
    # reads "odeszła gmina Dawnogród", not a TERYT code. (A record without them: codes, the test above.)

    from analysis.editions import figures

    record = figures(report)
    left = {"9990001": "Dawnogród", "9990002": "Stara Wola"}
    left = dict(list(left.items())[:moved])
    record["peers"] += list(left)
    record["peer_names"] |= left
    text = " ".join(bundle(part)[0]["text/markdown"] for part in _edition_parts(report, record, tmp_path))
    said = {
        ("pl", 1): "Z grupy porównawczej odeszła gmina Dawnogród.",
        ("pl", 2): "Z grupy porównawczej odeszły gminy Dawnogród i Stara Wola.",
        ("en", 1): "Left the peer group: Dawnogród.",
        ("en", 2): "Left the peer group: Dawnogród, Stara Wola.",
    }[report.language, moved]
    assert said in text and "999000" not in text


def test_peers_that_moved_by_the_dozen_are_counted_with_the_verb_agreeing(report, tmp_path):
    # A size class of real gminy can shift by dozens between editions: past MOVES_LISTED they are counted.
    # Polish, by hand: a verb before a numeral of 5-21, 25... is neuter singular ("dołączyło 12 gmin"), before
    # 2-4, 22-24... plural ("odeszły 22 gminy").

    from analysis.editions import figures

    record = figures(report)
    joined = sorted(report.peers.members)[:12]
    left = [f"99900{i:02d}" for i in range(22)]
    assert len(joined) == 12 > show.MOVES_LISTED
    record["peers"] = [t for t in record["peers"] if t not in joined] + left
    text = " ".join(bundle(part)[0]["text/markdown"] for part in _edition_parts(report, record, tmp_path)).replace(
        "\u00a0", " "
    )
    if report.language == "pl":
        assert "Do grupy porównawczej dołączyło 12 gmin." in text
        assert "Z grupy porównawczej odeszły 22 gminy." in text
    else:
        assert "12 municipalities joined the peer group." in text and "22 municipalities left the peer group." in text
    assert "9990000" not in text  # counted, not named


def test_an_edition_computed_by_another_method_says_its_changes_may_come_from_the_method(report, tmp_path):
    import json

    from analysis.editions import figures

    record = figures(report)
    record["years"] = [record["years"][0], record["years"][1] - 1]  # something changed: a new data year
    (tmp_path / "figures.json").write_text(json.dumps(record), encoding="utf-8")

    def text():
        return " ".join(
            bundle(part)[0]["text/markdown"]
            for part in show.edition_changes(report, tmp_path / "figures.json")
            if not isinstance(part, show.Table)
        )

    warning = show.label("edition_method_changed", report.language)
    assert warning not in text()  # the same code, catalogue and libraries
    record["method"] = "0" * 64
    (tmp_path / "figures.json").write_text(json.dumps(record), encoding="utf-8")
    assert warning in text()


def test_a_position_that_went_since_the_last_edition_reads_not_ranked_not_missing(report, tmp_path):
    # The earlier edition placed deaths per 1,000 at 33; this one has the value but no position (as when too few
    # peers have it): the row says "33 → nie oceniono", the value itself being there.
    import json
    from dataclasses import replace

    from analysis.editions import figures

    record = figures(report)
    current = record["indicators"]["deaths_per_1000"]
    assert current["value"] is not None and current["percentile"] is not None
    record["indicators"]["deaths_per_1000"] = {**current, "percentile": 33.0}
    (tmp_path / "figures.json").write_text(json.dumps(record), encoding="utf-8")
    comparison = report.comparison.copy()
    comparison.loc["deaths_per_1000", "percentile"] = float("nan")
    parts = show.edition_changes(replace(report, comparison=comparison), tmp_path / "figures.json")
    [table] = [part for part in parts if isinstance(part, show.Table)]
    [cell] = table.frame[show.label("position_before_now", report.language)]  # the one indicator that moved
    assert cell == f"33 → {show.label('position_not_ranked', report.language)}"
    # Its assessment did not move: said once, not "X → X" (the caption says what a cell without an arrow means).
    [assessment] = table.frame[show.label("assessment_before_now", report.language)]
    assert "→" not in assessment and assessment.strip()
    assert ("bez strzałki: bez zmian" if report.language == "pl" else "without an arrow: unchanged") in table.caption


def test_a_change_indicator_keeps_its_sign_in_the_edition_changes_as_in_the_section_table(report, tmp_path):
    # The earlier edition had the town growing by 1.5% over 5 years: "+1,5", as the section table would print a
    # gain, not "1,5" beside this edition's "−6,9".

    from analysis.editions import figures

    record = figures(report)
    record["indicators"]["population_change_5y"] = {**record["indicators"]["population_change_5y"], "value": 1.5}
    [table] = [part for part in _edition_parts(report, record, tmp_path) if isinstance(part, show.Table)]
    row = table.frame.iloc[0]
    now = show.comparison_table(report, "demography").frame.set_index(show.label("indicator", report.language))
    printed_now = now.at[row[show.label("indicator", report.language)], show.label("value", report.language)]
    assert row[show.label("before", report.language)].startswith(("+1,5 " if report.language == "pl" else "+1.5 "))
    assert row[show.label("now", report.language)].startswith(printed_now + " ") and printed_now[0] == "−"
    # By how much: the printed value now minus the earlier +1.5, worked out here from the printed figure.
    comma = "," if report.language == "pl" else "."
    now_value = float(printed_now.replace("−", "-").replace(comma, "."))
    expected = f"{now_value - 1.5:+.1f}".replace("-", "−").replace(".", comma)
    assert row[show.label("difference", report.language)] == expected
    assert "jest − było" in table.caption or "now − before" in table.caption


def test_a_value_the_earlier_edition_lacked_reads_no_data_without_an_empty_year(report, tmp_path):
    # The earlier edition had no 10-year change (its store began too late): "b.d.", not "b.d. (—)" with a dash for
    # the years of a value that was not there; this edition's value keeps its year.

    from analysis.editions import figures

    record = figures(report)
    before = {"value": None, "year": None, "period_start": None, "percentile": None}  # as such a record keeps it
    record["indicators"]["population_change_10y"] = {**record["indicators"]["population_change_10y"], **before}
    [table] = [part for part in _edition_parts(report, record, tmp_path) if isinstance(part, show.Table)]
    row = table.frame.set_index(show.label("indicator", report.language)).iloc[0]
    assert row[show.label("before", report.language)] == {"pl": "b.d.", "en": "n/a"}[report.language]
    assert row[show.label("now", report.language)].endswith(f" ({report.last_year})")
    assert row[show.label("difference", report.language)] == "—"  # no difference from a value that was not there


def test_key_figures_name_what_the_store_lacks_instead_of_rows_of_blanks(sparse_report):
    # The sparse store (tests/conftest.py) has no services variables: pre-school coverage and nursery places,
    # both headline figures, have no value for the town, its peers, the voivodeship or Poland.
    table = show.key_figures(sparse_report)
    shown = " ".join(table.frame.iloc[:, 0])
    assert "przedszkolnym" not in shown and "żłobkach" not in shown
    assert "Liczba ludności" in shown  # what the store has stays
    assert table.caption.endswith(
        "; bez danych: odsetek dzieci w wieku 3–6 lat objętych wychowaniem przedszkolnym, "
        "miejsca w żłobkach i klubach dziecięcych na 1000 dzieci do lat 3"
    )
    # The nursery rate is the one figure GUS gives only as a rate; with its row gone, so is the note on it.
    assert "stopę" not in table.caption


def test_key_figures_of_a_full_store_show_every_headline_indicator(report):
    from analysis.catalogue import indicators

    table = show.key_figures(report)
    assert len(table.frame) == sum(indicator.headline for indicator in indicators().values())
    # The nursery rate cannot be summed over gminy, but the store holds GUS's figures of the voivodeships and Poland
    # (analysis.aggregates.published_rate): no "b.d." in either column, and the caption says whose figure it is.
    assert label("key_figures_not_summed", report.language) not in table.caption
    nursery = indicators()["nursery_places_per_1000"].name_in_sentence(report.language)
    assert label("areas_published_one", report.language, names=nursery) in table.caption
    areas = table.frame.iloc[:, -2:]
    assert not areas.isin([show.MISSING[report.language]]).any().any()
    # The voivodeship's column is headed by its name as each language writes it (the title line's spelling).
    heading = {"pl": "Woj. kujawsko-pomorskie", "en": "Kujawsko-Pomorskie voiv."}[report.language]
    assert report.voivodeship == "kujawsko-pomorskie" and heading in table.frame.columns


def test_key_figures_mark_a_change_across_the_census_re_basing(report, sparse_report):
    # 2019 -> 2024 spans 2021, when GUS re-based the number of residents on the census: that change holds the
    # step, a share or rate per resident does not (tests/analysis/test_census.py). The sparse store (2023-2024)
    # has no 5-year change at all, so nothing to mark.
    table = show.key_figures(report)
    changes = dict(zip(table.frame.iloc[:, 0], table.frame.iloc[:, 2]))
    marked = {name.split(" (")[0] for name, cell in changes.items() if cell.endswith(show.STEP_MARK)}
    assert marked == {"Liczba ludności" if report.language == "pl" else "Population"}
    assert label("key_figures_census_step", report.language, mark=show.STEP_MARK, year=2021) in table.caption
    sparse = show.key_figures(sparse_report)
    assert show.STEP_MARK not in sparse.caption
    assert not sparse.frame.apply(lambda column: column.str.endswith(show.STEP_MARK)).any().any()


def test_no_mark_has_two_meanings_in_one_report(report):
    # The changes tables star a trend that clearly differs from the peers'; the key figures mark a change
    # holding the census step. Before, both were "*", on page one and in the tables of the same report.
    captions = [show.key_figures(report).caption] + [
        show.changes_table(report, section).caption for section in ("demography", "economy", "services")
    ]
    assert len({show.STEP_MARK, show.BOUNDARY_MARK, show.GUS_MARK, show.TREND_MARK}) == 4
    assert f"{show.STEP_MARK} " in captions[0] and show.TREND_MARK not in captions[0]
    assert all(f"{show.TREND_MARK} –" in c and show.STEP_MARK not in c for c in captions[1:])


def test_key_figures_of_data_shorter_than_five_years_say_why_there_is_no_change(report, sparse_report):
    # The sparse store holds 2023-2024: no town has a 5-year change, so the column would be "b.d." only.
    sparse = show.key_figures(sparse_report)
    assert label("change", "pl") not in sparse.frame.columns
    assert "; zmiany w ciągu 5 lat nie podajemy: dane obejmują tylko lata 2023–2024" in sparse.caption
    full = show.key_figures(report)  # 2014-2024: the column stays, and no such words
    assert label("change", report.language) in full.frame.columns and "2014–2024" not in full.caption


def test_section_tables_name_the_indicators_without_figures_instead_of_rows_of_blanks(sparse_report):
    # The sparse store holds 2023–2024: no 5-year change of the population for the town or anyone; rows of
    # nothing but "b.d." give way to their names in the caption.
    values = show.comparison_table(sparse_report, "demography")
    shown = " ".join(values.frame.iloc[:, 0])
    assert "Zmiana liczby ludności w ciągu 5 lat" not in shown and "Liczba ludności" in shown
    assert "; bez danych: zmiana liczby ludności w ciągu 5 lat, zmiana liczby ludności w ciągu 10 lat" in values.caption


@pytest.mark.parametrize("section", ["demography", "economy"])
def test_data_too_short_for_any_change_or_trend_leave_the_notes_and_say_why(sparse_report, section):
    # Two years give no 5-year change (six years) and no trend (five) for any indicator: the changes table was
    # three columns of "b.d." beside the notes, with the other indicators listed in a six-line caption. As in
    # the key figures, the columns give way to a word on why, and the notes on the values stay.
    changes = show.changes_table(sparse_report, section)
    assert list(changes.frame.columns) == ["Wskaźnik", "Uwagi"]
    assert changes.caption.endswith(
        "zmian w ciągu 5 lat i trendów rocznych nie podajemy: dane obejmują tylko lata 2023–2024"
    )
    assert "bez danych o zmianach" not in changes.caption
    for row in changes.frame.itertuples(index=False):  # each row kept says something: here, a note
        assert row[-1] not in ("", "—")
    english = show.changes_table(prepare_report(sparse_report.params.model_copy(update={"language": "en"})), section)
    assert english.caption.endswith("no 5-year changes or yearly trends: the data cover only 2023–2024")


def test_notes_alone_leave_out_the_years_a_value_lacks_and_an_indicator_without_a_value(tmp_path):
    # Two years, births in 2024 alone and no own revenue at all. Beside changes, "brak danych za 1 rok" told why
    # one was missing; beside none it says nothing. Own revenue, matched on, had a row saying it is not judged
    # although it has no value to judge: an indicator without a value is in the values table's caption.
    from tests.conftest import write_sparse_store

    store = write_sparse_store(tmp_path / "store", ("live_births",), without=("own_revenue",))
    report = prepare_report(TownParams(teryt="0490013", first_year=2023, data_dir=str(store)))
    assert report.comparison.at["births_per_1000", "missing_years"] == 1  # the premises
    assert pd.isna(report.comparison.at["own_revenue_per_capita", "value"])
    births = show.changes_table(report, "demography").frame.set_index("Wskaźnik")["Uwagi"]
    assert births["Urodzenia żywe na 1000 ludności (‰)"].startswith("wartość niepewna: ")  # its other note stays
    assert not births.str.contains("brak danych za").any()
    economy = show.changes_table(report, "economy").frame
    assert not economy["Wskaźnik"].str.startswith("Dochody własne").any()
    assert "dochody własne gminy na 1 mieszkańca" in show.comparison_table(report, "economy").caption


def test_a_row_with_nothing_but_its_missing_years_gives_way_to_the_caption(tmp_path):
    # Five years (2020–2024), with unemployment in 2024 alone: no change, no trend, and "missing: 4 years"
    # beside them said only why. Such a row is named in the caption with the others without changes; on a
    # store of one year (GUS's Tabl. IV) a table of such rows filled a page. Beside a trend the missing years stay.
    from tests.conftest import write_sparse_store

    store = write_sparse_store(tmp_path / "store", ("registered_unemployed",), first_year=2020)
    five_years = prepare_report(TownParams(teryt="0490013", first_year=2020, data_dir=str(store)))
    economy = show.changes_table(five_years, "economy")
    unemployment = "Bezrobotni zarejestrowani w % ludności w wieku produkcyjnym"
    assert five_years.comparison.at["unemployed_share_working_age", "missing_years"] == 4  # the premise
    assert label("trend", "pl") in economy.frame.columns  # the others have trends: the table keeps its columns
    assert not any(name.startswith(unemployment) for name in economy.frame.iloc[:, 0])
    assert unemployment.lower() in economy.caption.split("bez danych o zmianach: ")[1]
    notes = economy.frame.set_index("Wskaźnik").iloc[:, -1]
    assert not notes.str.startswith("brak danych za").any()  # no row is there for its missing years alone
    # The investment share, pooled, lacks 2024 (so its value is of 2021–2023): its row stays for its note on the
    # years it is over, and with it says the year it lacks.
    assert (
        notes["Udział wydatków inwestycyjnych w wydatkach ogółem (%)"]
        == "udział z 3\u00a0lat łącznie; brak danych za 1\u00a0rok"
    )

    # Klonomost in the demo store lacks net migration in 2019 (its trend rests on the other ten years).
    whole = prepare_report(TownParams(teryt="1291011"))
    assert whole.comparison.at["net_migration_per_1000", "missing_years"] == 1  # the premise
    notes = show.changes_table(whole, "demography").frame.set_index("Wskaźnik")["Uwagi"]
    # a number holds its noun; the other note is GUS's mark on the demo's 2024 migration (analysis.gus_marks)
    assert notes["Saldo migracji na 1000 ludności (‰)"].split("; ") == [
        "zawiera szacunek wstępny GUS z 2024 r.",
        "brak danych za 1\u00a0rok",
    ]


def test_key_figures_say_a_share_changes_in_points_only_where_a_share_shows_a_change(report, sparse_report):
    # A share moving from, say, 20,0% to 23,6% prints "+3,6" in a row whose unit is %: read as a
    # percent it would mean a relative change of 3.6 %, so the caption says the points. The sparse store
    # (2023–2024) shows no change at all, so it has nothing to say about them.
    full = show.key_figures(report)
    changes = dict(zip(full.frame.iloc[:, 0], full.frame.iloc[:, 2]))
    shares = [name for name, cell in changes.items() if "(%" in name and cell not in ("—", "b.d.", "n/a")]
    assert shares  # the demo town's shares have their 5-year change
    assert label("key_figures_in_points", report.language) in full.caption
    assert label("key_figures_in_points", "pl") not in show.key_figures(sparse_report).caption


def test_words_are_aligned_left_and_figures_right_wherever_the_html_is_shown():
    # JupyterLab's stylesheet right-aligns every table cell; the cells say where they stand themselves: a column
    # of words from the left, a column of figures (and its header) from the right, so that units stand under
    # units. A figure's column may lack a figure ("b.d.", "—", "nie"); a column of sentences with numbers in
    # them, or of verdicts with their scores, is words.
    frame = pd.DataFrame(
        {
            "Wskaźnik": ["Liczba ludności (osoby)", "Saldo migracji (‰)", "Udział (%)"],
            "Rok": ["2024", "2022–\u20602024", "2024"],
            "Wartość": ["8 738 002", "−2,5", "28,5"],
            "Kwartyle": ["2 250 – 4 375", "−7,8 – −4,3", "b.d."],
            "Zmiana": ["−78¹", "—", "+4,1"],
            "Pozycja": ["45", "nie", "100"],
            "Ocena": ["—", "mocna strona", "słaba strona"],
            "Trend": ["−18,0 (−30,6; −5,7)", "—", "+0,38 (0,12; 0,59)"],
            "Uwagi": ["zawiera skok po NSP 2021", "3 lata łącznie", ""],
            "Demografia": ["korzystniej (+0,48)", "podobnie (−0,01)", "podobnie (+0,21)"],
        }
    )
    page = BeautifulSoup(show.Table(frame, "T")._repr_html_(), "html.parser")
    right = {"Rok", "Wartość", "Kwartyle", "Zmiana", "Pozycja"}
    for index, header in enumerate(page.find_all("th")):
        expected = "text-align: right" if header.get_text() in right else "text-align: left"
        column = [header] + [row.find_all("td")[index] for row in page.tbody.find_all("tr")]
        assert all(cell.get("style") == expected for cell in column), header.get_text()
        assert all(("figure" in cell.get("class", [])) == (header.get_text() in right) for cell in column[1:])
    # English figures: commas between thousands, a point before the decimals.
    english = pd.DataFrame({"Indicator": ["Population", "Share"], "Poland": ["38,265,013", "26.1"]})
    assert BeautifulSoup(show.Table(english, "T")._repr_html_(), "html.parser").find_all("td")[1]["style"] == (
        "text-align: right"
    )


def test_every_table_cell_names_its_column_and_keeps_its_table_role(report):
    # On a phone report.css lays a row out as a card of "column: value" lines read from data-label; the roles
    # keep the table's meaning for a screen reader once the cells are blocks. The columns come from the frame.
    table = show.comparison_table(report, "demography")
    page = BeautifulSoup(table._repr_html_(), "html.parser")
    assert page.table["role"] == "table" and all(r["role"] == "rowgroup" for r in page.find_all(["thead", "tbody"]))
    assert [th.get_text() for th in page.find_all("th", role="columnheader")] == list(table.frame.columns)
    rows = page.tbody.find_all("tr", role="row")
    assert len(rows) == len(table.frame) > 5
    for tr, (_, values) in zip(rows, table.frame.iterrows()):
        cells = tr.find_all("td", role="cell")
        assert [td["data-label"] for td in cells] == list(table.frame.columns)
        assert [td.get_text() for td in cells] == [str(v) for v in values]


@pytest.mark.parametrize("language, word", [("pl", "stabilny"), ("en", "stable")])
def test_a_trend_of_zero_to_zero_reads_stable(language, word):
    # Demo town 1091041's water supply: 99.6% in 2014, 99.8% in each year after (the store), so the slope
    # between most pairs of years is 0 and its interval 0 to 0. Before, the cell read "niejednoznaczny".
    report = prepare_report(TownParams(teryt="1091041", language=language))
    frame = show.changes_table(report, "services").frame
    water = frame.set_index(frame.columns[0]).filter(like="wodociąg" if language == "pl" else "water", axis=0)
    cell = water.iloc[0, 2]
    zero = "0,00" if language == "pl" else "0.00"
    assert cell.startswith(f"{zero} ({zero}; {zero}), {word}"), cell


@pytest.mark.parametrize("language", ["pl", "en"])
def test_page_one_gives_each_section_verdict_in_a_row_of_its_own(language):
    # Read against the section verdicts and the sensitivity analysis themselves, not the sentence's code: a row per
    # section in the report's order, its verdict in the report's words, a reason, and "—" under "depends on"
    # exactly where the verdict holds under every other peer rule and without any single indicator. Demo town
    # 1690021: two of its three verdicts hinge on one indicator.
    report = prepare_report(TownParams(teryt="1690021", language=language))
    frame = show.verdicts_table(report).frame
    pl = language == "pl"
    assert list(frame.columns) == (
        ["Część raportu", "Ocena", "Dlaczego", "Ocena zależy od"]
        if pl
        else ["Section", "Verdict", "Why", "The verdict depends on"]
    )
    words = VERDICT_WORDS[language]
    sections = {
        "demography": ("Demografia", "Demography"),
        "economy": ("Gospodarka i finanse gminy", "Economy and municipal finance"),
    }
    sections["services"] = ("Usługi publiczne", "Public services")
    assert frame.iloc[:, 0].to_list() == [sections[s][0 if pl else 1] for s in report.verdicts.index]
    for (section, verdict), (_, row) in zip(report.verdicts.iterrows(), frame.iterrows()):
        assert row.iloc[1] == words[verdict["verdict"]]
        # A reason in words; the score itself is the next table's.
        assert row.iloc[2] and not re.search(r"\d,\d\d", row.iloc[2].replace("±0,25", ""))
        steady = report.robust.get(section) is not False and not verdict["hinges_on"]
        assert (row.iloc[3] == "—") is steady, (section, row.iloc[3])
        if verdict["hinges_on"]:
            assert f"{indicators()[verdict['hinges_on']].name(language)}" in row.iloc[3]
            assert row.iloc[3].endswith(("bez niego: " if pl else "without it: ") + words[verdict["verdict_without"]])
    assert (frame.iloc[:, 3] != "—").sum() >= 2  # the demo town has such verdicts; otherwise the test proves little


@pytest.mark.parametrize("teryt", ["1690021", "0891011"])
def test_a_verdict_that_depends_on_the_peers_says_what_the_other_groups_give(teryt):
    # Counted here from the sensitivity analysis itself: the default rule is the 20 nearest ("nearest_20"), left
    # out; of the other rules, those that give a verdict are counted, and each verdict other than the report's is
    # said with how many give it, in the order better, similar, worse. Where every group agrees, nothing is said
    # of them. 1690021: its three sections depend on the peers, one of them both ways; 0891011: two of three.
    words = VERDICT_WORDS["pl"]
    report = prepare_report(TownParams(teryt=teryt))
    others = report.sensitivity.drop(index="nearest_20")
    frame = show.verdicts_table(report).frame
    said = 0
    for (section, verdict), cell in zip(report.verdicts["verdict"].items(), frame["Ocena zależy od"]):
        judged = [v for v in others[section] if v != "none"]
        differing = [(v, judged.count(v)) for v in ("better", "similar", "worse") if v != verdict and v in judged]
        if not differing:
            assert "innych grup" not in cell and "innej grupy" not in cell
            continue
        first, *rest = differing
        expected = f"{words[first[0]]} przy {first[1]} z {len(judged)} innych grup" + "".join(
            f"; {words[v]} przy {n}" for v, n in rest
        )
        assert cell.startswith(f"doboru grupy porównawczej ({expected})"), cell
        said += 1
    assert said >= 2  # the towns have such verdicts; otherwise the test proves little


def test_every_column_of_verdicts_marks_each_verdict_as_the_index_does():
    # The page-one verdicts, the scores table and the sensitivity table mark each verdict with the index's shape
    # (▲ better, ● similar, ▼ worse; written out here, not read from the code), and a section without a verdict
    # with none. On the page the mark is the stylesheet's, hidden from screen readers (the word says the same), so
    # the frame and the cell's text keep the word alone; the PDF's Markdown prints the symbol before the word.
    # Demo town 1690021: its sensitivity table has verdicts of all three kinds.
    shapes = {"better": "▲", "similar": "●", "worse": "▼"}
    report = prepare_report(TownParams(teryt="1690021"))
    sensitivity = show.sensitivity_table(report)
    tables = {
        show.verdicts_table(report): {"Ocena": list(report.verdicts["verdict"])},
        show.scores_table(report): {"Ocena": list(report.verdicts["verdict"])},
        sensitivity: {
            column: [
                report.verdicts.at[section, "verdict"],
                *report.sensitivity.drop(index=rule_key(report.peers.rule))[section],
            ]
            for section, column in zip(report.verdicts.index, sensitivity.frame.columns[2:])
        },
    }
    seen = set()
    for table, columns in tables.items():
        page, markdown = table._repr_html_(), table._repr_markdown_()
        rows = re.findall(r"<tr role=\"row\">(.*?)</tr>", page)[1:]  # the header's row first
        lines = markdown.splitlines()[2 : 2 + len(table.frame)]
        for column, verdicts in columns.items():
            at = list(table.frame.columns).index(column)
            assert len(verdicts) == len(rows) == len(lines)
            for verdict, row, line, word in zip(verdicts, rows, lines, table.frame[column]):
                cell = re.findall(r"<td[^>]*>(.*?)</td>", row)[at]
                printed = line.strip("| ").split(" | ")[at]
                seen.add(verdict)
                if verdict in shapes:
                    assert cell == f'<span class="verdict-mark verdict-mark-{verdict}" aria-hidden="true"></span>{word}'
                    assert printed == f"{shapes[verdict]}\u00a0{escape_markdown(word)}"
                else:
                    assert cell == word and printed == escape_markdown(word)
    assert {"better", "similar", "worse"} <= seen  # otherwise the town proves less than the test says


def test_the_scores_table_marks_a_hinge_within_chance_as_page_one_does():
    # Read from the comparison itself: a hinge whose interval holds the peer median (ci_low ≤ median ≤ ci_high)
    # counts as no difference in the score; both tables mark its name ¹ and say once, under them, what ¹ means.
    # 0891011: its three hinges are all within chance; 1690021: its two are not.
    marked = unmarked = 0
    for teryt in ("0891011", "1690021"):
        report = prepare_report(TownParams(teryt=teryt))
        scores, page_one = show.scores_table(report), show.verdicts_table(report)
        for (section, verdict), cell in zip(report.verdicts.iterrows(), scores.frame.iloc[:, -1]):
            if not verdict["hinges_on"]:
                continue
            hinge = report.comparison.loc[verdict["hinges_on"]]
            within = hinge["ci_low"] <= hinge["peer_median"] <= hinge["ci_high"]
            name = indicators()[verdict["hinges_on"]].name("pl")
            assert cell.startswith(name + ("¹ (" if within else " (")), cell
            line = page_one.frame.loc[page_one.frame.iloc[:, 0] == label(section, "pl")].iloc[0, 3]
            assert (f"„{name}”¹" in line) is bool(within)
            marked, unmarked = marked + bool(within), unmarked + (not within)
        note = "¹ różnica od mediany grupy mieści się w granicach przypadku"
        assert (note in scores.caption) is (note in page_one.caption) is ("¹ (" in "".join(scores.frame.iloc[:, -1]))
    assert marked >= 1 and unmarked >= 1  # both kinds; otherwise the test proves little


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_scores_table_names_the_hinge_and_the_verdict_without_it(language):
    # Read against the section verdicts themselves: where one indicator decides a verdict, the cell names it
    # and the verdict the section would have without it, in the report's language; elsewhere a dash.
    # Demo town 1690021: two of its three verdicts hinge on one indicator.
    report = prepare_report(TownParams(teryt="1690021", language=language))
    frame = show.scores_table(report).frame
    cells = frame.iloc[:, -1].to_list()
    verdicts = report.verdicts.reset_index(drop=True)
    assert len(cells) == len(verdicts) == 3
    words = VERDICT_WORDS
    for cell, (_, verdict) in zip(cells, verdicts.iterrows()):
        if not verdict["hinges_on"]:
            assert cell == "—"
            continue
        name = indicators()[verdict["hinges_on"]].name(report.language)
        assert cell == f"{name} ({words[report.language][verdict['verdict_without']]})"
    assert any(cell != "—" for cell in cells)  # the demo town has one; otherwise the test proves little
    assert show.hinge_cell("an_indicator_retired_since", "similar", "pl") == "—"
    # Without it too little would be left to judge the section: in the words of page one's verdict table.
    assert show.hinge_cell("deaths_per_1000", "none", "pl") == "Zgony na 1000 ludności (bez oceny, za mało danych)"
    assert (
        show.hinge_cell("deaths_per_1000", "none", "en") == "Deaths per 1,000 population (no verdict, too little data)"
    )
    # The range of scores without one indicator reads from the verdicts' own bounds, as one unbreakable piece:
    # a narrow column broke "−0,34 –" from "−0,18", which then read as a score of its own.
    for cell, (_, verdict) in zip(frame.iloc[:, 3], verdicts.iterrows()):
        assert " " not in cell
        low, high = (float(bound.replace("−", "-").replace(",", ".")) for bound in cell.split("\u00a0–\u00a0"))
        # Printed to two decimals, rounded half up: within half a hundredth of the verdict's own bounds.
        assert abs(low - verdict["drop_low"]) <= 0.005 + 1e-9 and abs(high - verdict["drop_high"]) <= 0.005 + 1e-9


def test_an_indicator_without_a_unit_is_named_without_empty_brackets(tmp_path, monkeypatch):
    # A ratio has no unit ("zgony na jedno urodzenie"): an analyst adds one to the catalogue, and every label
    # that names an indicator with its unit ("Urodzenia żywe na 1000 ludności (‰, 2024)") names it bare.
    import shutil

    import analysis.catalogue as catalogue

    copy = tmp_path / "indicators.yaml"
    shutil.copy(catalogue.INDICATORS_FILE, copy)
    with copy.open("a", encoding="utf-8") as handle:
        handle.write(
            "deaths_per_birth:\n  section: demography\n  name_pl: Zgony na jedno urodzenie\n"
            "  name_en: Deaths per live birth\n  unit_pl: ''\n  unit_en: ''\n  formula: deaths / live_births\n"
            "  direction: lower_better\n  subdomain: natural_change\n  topic: deaths\n  min_difference: 0.1\n"
            "  direction_reason: More deaths than births shrink the population.\n"
            "  direction_reason_pl: Przewaga zgonów nad urodzeniami zmniejsza liczbę ludności.\n"
            "  high_pl: wiele zgonów na jedno urodzenie\n  low_pl: mało zgonów na jedno urodzenie\n"
            "  high_en: many deaths per birth\n  low_en: few deaths per birth\n  decimals: 2\n  headline: true\n"
        )
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    report = prepare_report(TownParams(teryt=TOWN))
    shown = [show.key_figures(report), show.comparison_table(report, "demography")]
    shown += [show.changes_table(report, "demography")]
    labels = [row for table in shown for row in table.frame.iloc[:, 0] if str(row).startswith("Zgony na jedno")]
    assert labels == ["Zgony na jedno urodzenie (2024)", "Zgony na jedno urodzenie", "Zgony na jedno urodzenie"]


def test_a_name_with_its_unit_leaves_out_what_is_empty():
    births = indicators()["births_per_1000"]
    assert births.name_with_unit("pl", "2024") == "Urodzenia żywe na 1000 ludności (‰, 2024)"
    assert births.name_with_unit("en") == "Live births per 1,000 population (‰)"
    unitless = births.model_copy(update={"unit_pl": ""})
    assert unitless.name_with_unit("pl", "2022–2024") == "Urodzenia żywe na 1000 ludności (2022–2024)"
    assert unitless.name_with_unit("pl") == "Urodzenia żywe na 1000 ludności"


def test_a_voivodeship_value_left_out_for_want_of_its_gminy_is_explained_in_the_caption(demo_store):
    # In the demo store's łódzkie, the gminy with a 2024 figure of residents aged 0–17 hold under 90% of its
    # residents (worked out here from the raw store): the demography table of a town there prints "b.d." for
    # the voivodeship and says why; a town of a voivodeship where that share is complete is not told so.
    from analysis.catalogue import variable_ids

    ids = variable_ids()
    obs = demo_store.observations
    wide = obs.loc[obs["year"] == 2024].pivot(index="teryt", columns="var_id", values="value")
    voivodeship_of = demo_store.units.set_index("teryt")["voivodeship"]
    residents = wide[ids["population"]].groupby(voivodeship_of).sum()
    with_figure = wide.loc[wide[ids["population_pre_working_age"]].notna(), ids["population"]]
    covered = with_figure.groupby(voivodeship_of).sum().reindex(residents.index, fill_value=0) / residents
    assert covered["łódzkie"] < 0.9 <= covered["kujawsko-pomorskie"]

    note = "b.d. dla województwa lub Polski: gminy z danymi mają mniej niż 90% ludności obszaru"
    lodzkie = prepare_report(TownParams(teryt="1090031"))
    table = show.comparison_table(lodzkie, "demography")
    row = table.frame.set_index(table.frame.columns[0]).loc["Udział ludności w wieku przedprodukcyjnym (%)"]
    assert row["Woj."] == "b.d." and note in table.caption
    kujawsko_pomorskie = prepare_report(TownParams(teryt=TOWN))
    assert note not in show.comparison_table(kujawsko_pomorskie, "demography").caption


def test_a_population_missing_for_some_gminy_of_the_voivodeship_is_explained_as_such():
    # The voivodeship's population summed over the gminy holding 95% of its residents (`aggregates.is_total`: not
    # a ratio, so it needs them all) has no value; the caption says the population is missing for some of its
    # gminy, not that they hold under 90% of its residents, which would be false.
    from dataclasses import replace

    base = prepare_report(TownParams(teryt=TOWN))
    areas = base.areas.copy()
    areas.loc["population", ["voivodeship", "voivodeship_coverage"]] = [float("nan"), 0.95]
    key_figures = show.key_figures(replace(base, areas=areas))
    row = key_figures.frame.set_index("Wskaźnik").iloc[0]
    assert row.name.startswith("Liczba ludności") and row.iloc[3] == "b.d."
    assert "b.d. liczby ludności województwa lub Polski: brak jej dla części gmin obszaru" in key_figures.caption
    assert "mniej niż 90% ludności obszaru" not in key_figures.caption
    assert "brak jej dla części gmin" not in show.key_figures(base).caption


def test_a_value_with_too_few_peers_to_compare_is_not_placed_and_says_why():
    # As `compare` leaves it when only two peers have a value (tests/analysis/test_compare.py): no median,
    # no position. The tables say "not judged" and how many peers had the figure, in Polish agreement.
    from dataclasses import replace

    base = prepare_report(TownParams(teryt=TOWN))
    comparison = base.comparison.copy()
    comparison.loc["deaths_per_1000", ["peer_median", "peer_q1", "peer_q3", "percentile", "score"]] = float("nan")
    comparison.loc["deaths_per_1000", ["peer_count", "judged", "assessment"]] = [2, False, ""]
    report = replace(base, comparison=comparison)
    table = show.comparison_table(report, "demography").frame.set_index("Wskaźnik")
    assert table.loc["Zgony na 1000 ludności (‰)", "Pozycja (percentyl)"] == "nie oceniono"
    assert table.loc["Zgony na 1000 ludności (‰)", ["Mediana grupy", "Kwartyle grupy (Q1–Q3)"]].tolist() == ["b.d."] * 2
    key_figures = show.key_figures(report)
    assert "b.d. dla grupy: wartość znamy dla mniej niż 3 gmin grupy" not in key_figures.caption  # not a headline
    comparison.loc["pit_per_capita", ["peer_median", "peer_count"]] = [float("nan"), 2]  # a headline indicator
    key_figures = show.key_figures(replace(base, comparison=comparison))
    assert "b.d. dla grupy: wartość znamy dla mniej niż 3 gmin grupy" in key_figures.caption
    assert (
        key_figures.frame.set_index("Wskaźnik").loc["Udziały w PIT na 1 mieszkańca (zł, 2024)", "Mediana grupy"]
        == "b.d."
    )
    notes = show.changes_table(report, "demography").frame.set_index("Wskaźnik")["Uwagi"]
    assert "bez porównania: w grupie tylko 2\u00a0gminy z wartością" in notes["Zgony na 1000 ludności (‰)"]
    assert not any("bez porównania" in note for note in notes.drop("Zgony na 1000 ludności (‰)"))


def test_the_notes_say_own_revenue_holds_the_pit_share_the_peers_were_matched_on(report):
    # Under `nearest` neither is judged; only PIT per capita is what the group was chosen by (the demo town has it).
    table = show.changes_table(report, "economy")
    notes = dict(zip(table.frame.iloc[:, 0], table.frame.iloc[:, -1]))
    catalogue = indicators()
    own = notes[catalogue["own_revenue_per_capita"].name_with_unit(report.language)]
    pit = notes[catalogue["pit_per_capita"].name_with_unit(report.language)]
    if report.language == "pl":
        assert own.startswith("zawiera udziały w PIT, według których dobrano grupę") and "dobrano grupę" in pit
    else:
        assert own.startswith("it holds the PIT share the peers were matched on") and "matched on it" in pit


def test_an_edition_whose_figures_did_not_move_says_so_and_whether_the_method_did(report, tmp_path):
    # The previous edition's record is this report's own: nothing moved. Computed by another version of the
    # method (its record names another), the report adds that the new version changed none of these figures.
    import json

    from analysis.editions import write_figures

    path = tmp_path / "figures.json"
    write_figures(report, path)
    pl = report.language == "pl"
    nothing = "Nic się nie zmieniło" if pl else "Nothing changed"
    method = "inną wersją metody" if pl else "another version of the method"
    same = " ".join(part.text for part in show.edition_changes(report, str(path)))
    assert nothing in same and method not in same
    record = json.loads(path.read_text(encoding="utf-8"))
    record["method"] = "0" * 64
    path.write_text(json.dumps(record), encoding="utf-8")
    other = " ".join(part.text for part in show.edition_changes(report, str(path)))
    assert nothing in other and method in other


def test_an_edition_whose_positions_moved_too_little_to_list_does_not_say_nothing_changed(report, tmp_path):
    # A peer's revised figure moved the town's position by 5 points in one indicator, then in two: too little to
    # list (10 points), so the report lists nothing, but it must not claim that no position moved. The expected
    # sentences are written out here, with the agreement worked by hand ("pozycja 1 wskaźnika przesunęła się",
    # "pozycje 2 wskaźników przesunęły się").
    import copy
    import json

    from analysis.editions import write_figures

    path = tmp_path / "figures.json"
    write_figures(report, path)
    original = json.loads(path.read_text(encoding="utf-8"))
    ranked = [key for key, figure in original["indicators"].items() if figure["percentile"] is not None]
    pl = report.language == "pl"
    for moved, expected in (
        (1, "pozycja 1\u00a0wskaźnika przesunęła się" if pl else "the position of 1\u00a0indicator moved"),
        (2, "pozycje 2\u00a0wskaźników przesunęły się" if pl else "the positions of 2\u00a0indicators moved"),
    ):
        record = copy.deepcopy(original) | {"method": "0" * 64}  # and by another version of the method
        for key in ranked[:moved]:
            figure = record["indicators"][key]
            figure["percentile"] += 5 if figure["percentile"] <= 50 else -5
        path.write_text(json.dumps(record), encoding="utf-8")
        parts = show.edition_changes(report, str(path))
        said = " ".join(part.text for part in parts)
        assert not any(isinstance(part, show.Table) for part in parts)  # nothing listed
        assert ("Nic się nie zmieniło" if pl else "Nothing changed") not in said
        assert ("Nie ma zmian do wymienienia" if pl else "Nothing to list") in said and expected in said
        assert ("o mniej niż 10 punktów percentylowych" if pl else "by less than 10 percentile points") in said
        # The method may have moved those positions: not "it changed none of these figures".
        assert ("może wynikać z metody" if pl else "may come from the method") in said
        assert ("żadnej z tych liczb" if pl else "none of these figures") not in said


def test_a_report_of_five_years_gives_the_5_year_change_as_page_one_says_it():
    # A report of 2020–2024 said under its key figures "zmiany w ciągu 5 lat nie podajemy: dane obejmują tylko
    # lata 2020–2024", a line below the finding "liczba ludności w ciągu 5 lat zmniejszyła się o 3,1%" (a lagged
    # formula, reaching 2019). The change reaches 2019 too now: 2024 minus 2019, from the store by hand.
    from analysis.catalogue import variable_ids
    from analysis.paths import DEMO_STORE_DIR
    from analysis.store import load_store

    teryt = "3290031"
    report = prepare_report(TownParams(teryt=teryt, first_year=2020, last_year=2024))
    table = show.key_figures(report)
    assert "nie podajemy" not in table.caption
    observations = load_store(DEMO_STORE_DIR).observations
    population = observations.loc[
        (observations["teryt"] == teryt) & (observations["var_id"] == variable_ids()["population"])
    ].set_index("year")["value"]
    change = int(population[2024] - population[2019])
    row = table.frame.set_index("Wskaźnik").loc["Liczba ludności (osoby, 2024)"]
    assert row["Zmiana w 5 lat"] == f"−{abs(change):,}".replace(",", "\u00a0") + show.STEP_MARK  # "−662¹"


def test_a_table_that_gives_a_change_of_money_says_it_is_in_current_prices(report):
    # PIT per resident "+694" over 5 years read as a real rise; part of it is the rise in prices. A table with
    # a change of an amount in złoty (its row's unit in the key figures, "(zł, 2024)") says the amounts are in
    # current prices; a section without money (demography) does not.
    note = label("current_prices", report.language)
    money = "(zł," if report.language == "pl" else "(PLN,"
    key = show.key_figures(report)
    change = key.frame.columns[2]  # "Zmiana w 5 lat"
    assert any(money in name and shown != "b.d." for name, shown in zip(key.frame.iloc[:, 0], key.frame[change]))
    assert note in key.caption
    assert note in show.changes_table(report, "economy").caption
    assert note not in show.changes_table(report, "demography").caption


def test_the_sensitivity_table_leads_with_the_reports_own_group_whatever_its_rule():
    # The table once listed the alternative rules only: under a list the town chose, its own verdicts were
    # nowhere in it, and under the default (20 nearest) nothing said which row the report's was. Now its row
    # comes first, named as the report's, with the group's size and the verdicts page one gives (Table 2), and
    # the same rule is not repeated among the alternatives.
    from analysis.synthesis import SENSITIVITY_RULES

    chosen = "0490023,0490033,0491023"
    for params, alternatives in [
        (TownParams(teryt=TOWN), len(SENSITIVITY_RULES) - 1),  # nearest 20 is one of the alternatives
        (TownParams(teryt=TOWN, peer_method="explicit", peer_members=chosen), len(SENSITIVITY_RULES)),
    ]:
        report = prepare_report(params)
        frame = show.sensitivity_table(report).frame
        assert len(frame) == 1 + alternatives
        own = frame.iloc[0]
        assert own["Grupa porównawcza"].endswith("(grupa tego raportu)")
        assert own["Liczba gmin"] == str(len(report.peers.members))
        scores = show.scores_table(report).frame.set_index("Część raportu")
        for section in ("Demografia", "Gospodarka i finanse gminy", "Usługi publiczne"):
            assert own[section].split(" (")[0] == scores.at[section, "Ocena"]  # "podobnie (−0,19)": verdict, score
        assert frame["Grupa porównawcza"].str.contains("grupa tego raportu").sum() == 1
    assert own["Grupa porównawcza"] == "gminy wskazane (grupa tego raportu)" and own["Liczba gmin"] == "3"


def test_the_peer_towns_voivodeships_are_written_as_the_reports_language_writes_them(report):
    # English names a voivodeship "Kujawsko-Pomorskie" (title, captions); the peers table wrote "kujawsko-pomorskie".
    frame = show.peers_table(report, listed=100).frame
    names = list(frame.iloc[:, 3])
    assert names and len(names) == len(report.peers.members)
    if report.language == "en":
        assert all(part[0].isupper() for name in names for part in name.split("-")), names
    else:
        assert all(name == name.lower() for name in names), names


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_share_above_100_percent_is_printed_with_an_interval_that_holds_it_and_says_why(
    demo_store, tmp_path, language
):
    # GUS counts pre-school children where they attend, so a town whose pre-schools take its neighbours'
    # children goes above 100% (the demo store never does; real towns often do). Bursztynojar given 267
    # pre-school children of its 232 children aged 3-6 in 2024: 115.1%. Its interval, from Garwood's exact
    # Poisson interval of 267 (statsmodels), must hold the value, and the changes table say why it is over 100%.
    from statsmodels.stats.rates import confint_poisson

    from analysis.store import write_store

    observations = demo_store.observations.copy()
    children, attending = 1617119, 1617144  # the BDL ids of children_3_6 and children_3_6_in_preschool
    town = (observations["teryt"] == "0290011") & (observations["year"] == 2024)
    assert observations.loc[town & (observations["var_id"] == children), "value"].item() == 232
    observations.loc[town & (observations["var_id"] == attending), "value"] = 267
    write_store(tmp_path / "store", demo_store.units, observations, dict(demo_store.metadata))
    report = prepare_report(TownParams(teryt="0290011", language=language, data_dir=str(tmp_path / "store")))
    row = report.comparison.loc["preschool_coverage"]
    assert row["value"] == pytest.approx(100 * 267 / 232)
    low, high = confint_poisson(267, 232, method="exact-c")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((100 * low, 100 * high), rel=1e-9)
    assert row["ci_low"] < row["value"] < row["ci_high"]
    frame = show.changes_table(report, "services").frame
    notes = frame.set_index(frame.columns[0])[frame.columns[-1]]
    said = "ponad 100%: liczeni są też mieszkańcy innych gmin" if language == "pl" else "over 100%: residents"
    assert [name for name, note in notes.items() if said in note] == [
        indicators()["preschool_coverage"].name_with_unit(language)
    ]


def test_a_nearest_rule_that_finds_fewer_towns_than_it_asks_for_says_so(demo_store, tmp_path):
    # A store of two voivodeships (a fetch of part of the country): Bursztynojar's kind has fewer other towns
    # than the 40 the sensitivity's widest rule asks for, so that row says how many it has (counted from the
    # store's units); the 10 nearest are there, and on the whole demo store so are the 40.
    from analysis.report import compute_report
    from analysis.store import write_store

    units = demo_store.units.loc[demo_store.units["voivodeship"].isin(["dolnośląskie", "kujawsko-pomorskie"])]
    observations = demo_store.observations.loc[demo_store.observations["teryt"].isin(units["teryt"])]
    write_store(tmp_path / "part", units, observations, dict(demo_store.metadata))
    others = int((units["kind"] == units.set_index("teryt").at["0290011", "kind"]).sum()) - 1
    assert 10 < others < 40
    report = compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "part")))
    rules = list(show.sensitivity_table(report).frame["Grupa porównawcza"])
    assert f"40 najbardziej podobnych gmin – w danych tylko {others}" in rules
    assert "10 najbardziej podobnych gmin" in rules
    whole = list(show.sensitivity_table(prepare_report(TownParams(teryt="0290011"))).frame["Grupa porównawcza"])
    assert "40 najbardziej podobnych gmin" in whole and not any("w danych tylko" in rule for rule in whole)


def test_a_nearest_group_of_every_town_of_its_kind_says_it_is_not_only_the_most_similar(demo_store, tmp_path):
    # The two-voivodeship store holds 20 other towns of Bursztynojar's kind (counted from its units): the
    # 20 nearest are all of them, from 2,153 to 135,581 residents, and the text must not leave them read as
    # the most similar of many. On the whole demo store (164 others) it is not said.
    from analysis.report import compute_report
    from analysis.store import write_store

    units = demo_store.units.loc[demo_store.units["voivodeship"].isin(["dolnośląskie", "kujawsko-pomorskie"])]
    observations = demo_store.observations.loc[demo_store.observations["teryt"].isin(units["teryt"])]
    write_store(tmp_path / "part", units, observations, dict(demo_store.metadata))
    kind = units.set_index("teryt").at["0290011", "kind"]
    report = compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "part")))
    assert len(report.peers.members) == int((units["kind"] == kind).sum()) - 1 == 20
    said = "Grupa obejmuje wszystkie gminy tego rodzaju w danych, a nie tylko te najbardziej podobne."
    assert said in show.peer_method_text(report).text
    assert said not in show.peer_method_text(prepare_report(TownParams(teryt="0290011"))).text
    english = compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "part"), language="en"))
    assert (
        "every municipality of its kind in the data, not only the most similar" in show.peer_method_text(english).text
    )


def test_the_reports_methodology_names_the_area_values_gus_publishes_only_where_it_shows_them(report, sparse_report):
    # The full demo store holds GUS's figures of density and nursery places for voivodeships and Poland: the
    # report's method says which rows are not sums over gminy. The sparse store (tests/conftest.py) holds none,
    # so its report shows no such value and says nothing of them.
    exception = {"pl": "Wyjątek: gęstość zaludnienia, miejsca w żłobkach", "en": "Except population density, nursery"}
    assert exception[report.language] in show.methodology_text(report).text
    assert "Wyjątek:" not in show.methodology_text(sparse_report).text


def test_every_demo_towns_key_figures_stand_beside_their_voivodeships_and_polands_values(demo_reports):
    # Page one sets each key figure beside its voivodeship's and Poland's (issue #15). On the full demo store the
    # nursery row has both in every town (GUS's figures: it printed "b.d." in every report before), and any other
    # "b.d." there is an area whose gminy with data hold too few of its residents, which the caption says.
    nursery = indicators()["nursery_places_per_1000"].name_with_unit("pl", "2024")
    short = label("areas_short", "pl", share="90%")
    for teryt, report in demo_reports.items():
        table = show.key_figures(report)
        rows = table.frame.set_index(table.frame.columns[0])
        areas = rows.iloc[:, -2:]
        missing = areas.isin([show.MISSING["pl"]]).any(axis=1)
        assert not missing[nursery], (teryt, areas.loc[nursery])
        assert not missing.any() or short in table.caption, (teryt, areas[missing])


def test_the_reports_methodology_states_the_verdict_band_as_the_rule_applies_it(report):
    # A demo report printed "mniej korzystnie ... (wynik −0,25 ...)" on page one and, in its methodology, "Przy
    # wyniku od −0,25 do +0,25 gmina wypada podobnie": a score printed at the band's edge is not "similar" by the
    # rule (synthesis.verdict_of, which reads the score as printed), and the text must say what the rule does.
    from analysis.synthesis import BETTER, SIMILAR, WORSE, verdict_of

    assert (verdict_of(-0.25), verdict_of(0.25), verdict_of(0.2449), verdict_of(-0.2451)) == (
        WORSE,
        BETTER,
        SIMILAR,
        WORSE,  # printed as −0,25
    )
    text = show.methodology_text(report).text
    edges = {"pl": ("+0,25 i wyższym", "−0,25 i niższym"), "en": ("+0.25 or more", "−0.25 or less")}
    assert all(edge in text for edge in edges[report.language])
    assert "od −0,25 do +0,25" not in text and "From −0.25 to +0.25" not in text


def test_an_indicator_not_judged_by_design_says_so_and_the_caption_says_how_its_position_counts(report):
    # Population is neutral: its position counts the peers with a smaller population (worked out here from the
    # store by hand), not those it does better than, so its row reads "nieoceniany" rather than the "—" of a judged
    # value with no strength or weakness, and the caption says what its position means.
    from analysis.store import load_store

    pl = report.language == "pl"
    table = show.comparison_table(report, "demography")
    frame = table.frame.set_index(table.frame.columns[0])
    population = frame.loc["Liczba ludności (osoby)" if pl else "Population (persons)"]
    assert population["Ocena" if pl else "Assessment"] == ("nieoceniany" if pl else "not judged")
    observations = load_store().observations
    in_2024 = observations.loc[(observations["var_id"] == 72305) & (observations["year"] == 2024)]
    people = in_2024.set_index("teryt")["value"]
    peers = people[list(report.peers.members)]
    smaller = (peers < people[TOWN]).sum() + 0.5 * (peers == people[TOWN]).sum()
    position_by_hand = Decimal(str(100 * smaller / len(peers))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert population["Pozycja (percentyl)" if pl else "Position (percentile)"] == str(position_by_hand)
    position = "najwyższa wartość w grupie" if pl else "the highest value in the group"
    assert position in table.caption
    # Only the neutral indicators read so in demography (no matching variable there but population, itself neutral).
    not_judged = frame.index[frame["Ocena" if pl else "Assessment"] == ("nieoceniany" if pl else "not judged")]
    neutral = [i.name_with_unit(report.language) for i in show.indicators_in("demography") if i.direction == "neutral"]
    assert sorted(not_judged) == sorted(neutral) and len(neutral) == 2
    # The peers were matched on the PIT share (the nearest rule): not judged, as its note in the changes table says.
    economy = show.comparison_table(report, "economy").frame.set_index(table.frame.columns[0])
    pit = "Udziały w PIT na 1 mieszkańca (zł)" if pl else "PIT share revenue per capita (PLN)"
    assert economy.at[pit, "Ocena" if pl else "Assessment"] == ("nieoceniany" if pl else "not judged")
    # A section without a neutral indicator shown would not need the clause; each demo section has one.
    judged_only = show.comparison_table(report, "services").caption
    assert (position in judged_only) == any(i.direction == "neutral" for i in show.indicators_in("services"))


def test_the_what_changed_table_says_not_judged_where_the_section_tables_do(report, tmp_path):
    # A previous edition with another population (neutral) and another PIT share (matched on): both rows are
    # listed, and each reads "nieoceniany" as in the section tables, not the "—" of a judged value with no strength
    # or weakness; a judged indicator moved reads "—" or its mark. A previous record that judged the PIT share (its
    # peers chosen by another rule) is listed for that alone: "— → nieoceniany". A record written before records
    # said whether a value is judged is taken to judge as this one does.

    from analysis.editions import figures

    pl = report.language == "pl"
    not_judged = "nieoceniany" if pl else "not judged"
    record = figures(report)
    now = record["indicators"]
    assert not now["population"]["judged"] and not now["pit_per_capita"]["judged"]
    plain = next(i for i, f in now.items() if f["judged"] and not f["assessment"] and f["percentile"] is not None)
    record["indicators"] = {
        **now,
        "population": {**now["population"], "value": now["population"]["value"] + 100},
        plain: {**now[plain], "value": now[plain]["value"] + 1},
        "pit_per_capita": {**now["pit_per_capita"], "judged": True},
    }
    del record["indicators"]["population_density"]["judged"]  # as an older record: absent, and nothing else moved
    [table] = [part for part in _edition_parts(report, record, tmp_path) if isinstance(part, show.Table)]
    column = show.label("assessment_before_now", report.language)
    cells = table.frame.set_index(show.label("indicator", report.language))[column]
    name = {i: indicators()[i].name_with_unit(report.language) for i in now}
    assert cells[name["population"]] == not_judged
    assert cells[name[plain]] == "—"
    assert cells[name["pit_per_capita"]] == f"— → {not_judged}"
    assert sorted(cells.index) == sorted(name[i] for i in ("population", plain, "pit_per_capita"))
    assert ("najwyższa wartość w grupie" if pl else "the highest value in the group") in table.caption
    # The spreadsheet's sheet of these changes says in two columns whether each edition judged the value.
    from dataclasses import replace

    from analysis.export import edition_changes_sheet

    params = report.params.model_copy(update={"previous": str(tmp_path / "figures.json")})
    sheet = edition_changes_sheet(replace(report, params=params)).set_index("Kod wskaźnika" if pl else "Indicator code")
    judged = [column for column in sheet.columns if column.startswith("Oceniany" if pl else "Judged")]
    assert sheet.loc[["population", plain, "pit_per_capita"], judged].values.tolist() == [
        [False, False],
        [True, True],
        [True, False],
    ]


def test_the_what_changed_section_says_which_strengths_and_weaknesses_came_and_went(report, tmp_path):
    # A previous edition in which one of today's strengths was unmarked, and one of today's unmarked judged values
    # was a strength: the section says so in a sentence each before the table, the new one phrased with its
    # direction as the catalogue words it (a higher-is-better value that is a strength: its `high_` phrase), the
    # one that went by its name. The noun "strona" carries the agreement, whatever the indicator's gender.

    from analysis.catalogue import Direction
    from analysis.editions import figures

    pl = report.language == "pl"
    record = figures(report)
    now = record["indicators"]
    rows = report.comparison
    came = next(
        i
        for i in rows.index[rows["assessment"] == "strength"]
        if not indicators()[i].rise_pl and indicators()[i].direction == Direction.HIGHER_BETTER
    )
    went = next(i for i, f in now.items() if f["judged"] and not f["assessment"] and f["percentile"] is not None)
    # A strength or weakness then and now, whose value moved: listed in the table, named in no sentence.
    stays = next(i for i in rows.index[rows["assessment"] != ""] if i != came)
    record["indicators"] = {
        **now,
        came: {**now[came], "assessment": ""},
        went: {**now[went], "assessment": "strength"},
        stays: {**now[stays], "value": now[stays]["value"] + 1},
    }
    parts = _edition_parts(report, record, tmp_path)
    text = " ".join(bundle(part)[0]["text/markdown"] for part in parts if not isinstance(part, show.Table))
    high = getattr(indicators()[came], "high_pl" if pl else "high_en")
    name = indicators()[went].name_pl if pl else indicators()[went].name_en
    went_name = name[0].lower() + name[1:]  # in a sentence: "Zgony na 1000 ludności" -> "zgony na 1000 ludności"
    if pl:
        assert f"Nowa mocna strona: {high}." in text
        assert f"Mocna strona poprzedniej edycji, która już nią nie jest: {went_name}." in text
    else:
        assert f"New strength: {high}." in text
        assert f"No longer a strength: {went_name}." in text
    assert ("słab" if pl else "weakness") not in text  # no weakness came or went
    stays_name = indicators()[stays].name_pl if pl else indicators()[stays].name_en
    assert stays_name[1:] not in text and text.count(": ") == 2


def test_the_methodology_reads_a_paragraph_per_topic_each_under_its_lead(report):
    # The methodology was one paragraph of some 30 lines; a statistician checks one topic at a time. Each
    # paragraph but the source line opens with a bold lead, and each rule stands under the lead of its topic
    # (the key phrases below are written out by hand from the text the report printed before, and the investment
    # share's, the catalogue's one share pooled over years, `Indicator.pooled_share`).
    pl = report.language == "pl"
    paragraphs = show.methodology_text(report).text.split("\n\n")
    *topics, source = paragraphs
    assert source.startswith("*") and source.endswith("*")
    led = {}
    for paragraph in topics:
        found = re.match(r"\*\*([^*]+)\.\*\* \S", paragraph)
        assert found, paragraph[:60]
        led[found.group(1)] = paragraph
    where = (
        {
            "Wskaźniki i obszary": (
                "ludność w połowie roku",
                "średnio na rok",
                "Udział wydatków inwestycyjnych w wydatkach ogółem liczymy z kwot z kilku ostatnich lat łącznie",
            ),
            "Pozycja, mocne i słabe strony": ("Mocna strona to wskaźnik", "Pozycja (percentyl)"),
            "Ocena części raportu": ("Przy wyniku +0,25 i wyższym", "nie wydajemy oceny"),
            "Zmiany i trendy": ("Theila–Sena", "Zmiana w 5 lat"),
            # The demo store: migration in 2024 is preliminary, as GUS marks it.
            "Uwagi do danych tego raportu": ("GUS oznacza",),
        }
        if pl
        else {
            "Indicators and areas": (
                "mid-year population",
                "a yearly average",
                "Investment share of expenditure is taken over the amounts of the last few years together",
            ),
            "Position, strengths and weaknesses": ("A strength is an indicator", "Position (percentile)"),
            "Section verdicts": ("A score of +0.25 or more", "gets no verdict"),
            "Changes and trends": ("Theil–Sen", "The 5-year change"),
            "Notes on this report's data": ("GUS marks",),
        }
    )
    assert list(led) == list(where)
    for lead, phrases in where.items():
        assert all(phrase in led[lead] for phrase in phrases), lead


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_change_that_ends_before_the_last_year_says_the_year_it_runs_to(language):
    # Konwaliobór (2090031) has no total revenue for 2024 in the demo store (read below): its value is 2023's, and
    # so its 5-year change runs from 2018 to 2023, not "to 2024" as the caption says of the others. Recomputed here
    # from the store's revenue and residents: (revenue / residents) in 2023 minus the same in 2018.
    from analysis.store import load_store, variable_panel

    teryt = "2090031"
    panel = variable_panel(load_store(None), [teryt]).xs(teryt, level="teryt")
    per_capita = panel["revenue_total"] / panel["population"]
    assert pd.isna(per_capita.get(2024)) and pd.notna(per_capita[2023])  # the premise
    report = prepare_report(TownParams(teryt=teryt, language=language, edition="2026-12-08"))
    table = show.changes_table(report, "economy")
    rows = table.frame.set_index(table.frame.columns[0])
    pl = language == "pl"
    revenue = rows.loc[indicators()["revenue_per_capita"].name_with_unit(language)]
    expected = Decimal(str(per_capita[2023] - per_capita[2018])).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    assert revenue.iloc[0].replace("\u00a0", "").replace(",", "").replace(" ", "") == f"+{expected}"
    assert ("zmiana do 2023 r." if pl else "change to 2023") in revenue.iloc[-1].split("; ")
    assert (
        "gdzie brak wartości z 2024 r., zmiana do ostatniego roku z danymi (w uwagach)"
        if pl
        else "where the 2024 value is missing, the change runs to the latest year with data (in the notes)"
    ) in table.caption
    # A value of 2024 (the CIT share) says no year: its change runs to 2024, as the caption says.
    cit = rows.loc[indicators()["cit_per_capita"].name_with_unit(language)]
    assert not re.search(r"\b20\d\d\b", cit.iloc[-1])
    # Nor does a section whose every change runs to 2024 say anything of other years.
    assert "2023" not in show.changes_table(report, "services").caption
