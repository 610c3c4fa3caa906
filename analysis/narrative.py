"""Sentences generated from the numbers, in Polish (default) or English, as Markdown.

Only what the numbers support is said. Strengths and weaknesses follow the one
rule of `analysis.scoring` (the same marks as the tables and the spreadsheet) and
are named with their direction ("niska liczba zgonów …"). A section without
judged data is said to lack them, never to be "like its peers". A trend whose
interval covers zero is called unclear, with its size still shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.boundaries import BoundaryChange, crossed
from analysis.catalogue import Indicator, indicators
from analysis.census import CHANGE_SPANS, LEVEL_BREAKS, ChangeWithoutStep
from analysis.compare import (
    earlier_year,
    pooled_years,
    section_without_values,
    town_without_values,
    value_period,
    within_chance,
)
from analysis.formatting import (
    INDICATORS,
    MUNICIPALITIES_COUNTED,
    PERSONS,
    STRENGTHS,
    WEAKNESSES,
    YEARS,
    escape_markdown,
    format_bound,
    format_number,
    format_range,
    is_symbol_unit,
    listed,
    noun,
    quantity,
    with_noun,
    with_unit,
)
from analysis.gus_marks import on_value, years_by_kind
from analysis.labels import label
from analysis.peers import PIT_STAND_IN, SMALL_GROUP
from analysis.projection import HORIZON, MIN_TRAIN, YEARS_NEEDED
from analysis.reliability import NOT_RANKED_BELOW, UNRELIABLE_BELOW, events_text, with_uncertain_mark
from analysis.rounding import round_half_up
from analysis.scoring import STRENGTH, WEAKNESS, interval_includes_median
from analysis.synthesis import BETTER, NO_VERDICT, SIMILAR, VERDICT_BAND, WORSE
from analysis.trends import MIN_POINTS, fewest_years


def _show(indicator: Indicator, number: float, language: str, again: bool = False) -> str:
    """A value with a symbol unit (%, ‰, zł); noun units are left to the name. A change has its sign.
    `again`: a value beside the town's, whose unit of a sign and words is said once (`_said_again`)."""
    text = format_number(number, indicator.decimals, language, signed=indicator.is_change)
    unit = indicator.unit(language)
    if not is_symbol_unit(unit):
        return text
    return with_unit(text, _said_again(unit) if again else unit)


def _said_again(unit: str) -> str:
    """A unit as the values after the town's repeat it: `% ludności` only as its sign, `70,5% ludności
    (typowa gmina grupy: 85,7%; …)`; any other unit whole."""
    return unit[:1] if unit[:1] in ("%", "‰") else unit


def _period(indicator: Indicator, row: pd.Series, language: str, last_year: int | None = None) -> str:
    """` średnio rocznie w latach 2022–2024` after a value of counts taken over several years together (events
    of those years over residents of those years: a yearly average, which "17,55 mieszkania w latach 2022–2024"
    alone would let a reader take for the three years' total), ` łącznie w latach 2022–2024` after a share of
    budget amounts so taken (`Indicator.pooled_share`), ` w 2023 r.` after one of a year before the report's
    last (`last_year`; its last missing), as the tables give it in their year column; nothing after a value of
    the last year."""
    if pooled_years(row) >= 2:
        pl, years = language == "pl", value_period(row)
        if indicator.pooled_share:
            return f" łącznie w latach {years}" if pl else f" over {years} combined"
        return f" średnio rocznie w latach {years}" if pl else f" a year on average in {years}"
    year = earlier_year(row, last_year) if last_year is not None else None
    if year is None:
        return ""
    return f" w {year} r." if language == "pl" else f" in {year}"


def judged_phrase(indicator: Indicator, row: pd.Series, language: str) -> str:
    """What a strength or weakness is called, with its direction: `wysoki odsetek bezrobotnych`."""
    better = row["assessment"] == STRENGTH
    return indicator.judged_phrase(better, language, value=row["value"], peer_median=row["peer_median"])


def judged_item(indicator: Indicator, row: pd.Series, language: str, last_year: int | None = None) -> str:
    """`niska liczba zgonów na 1000 ludności (9,1‰ wobec mediany grupy 11,4‰)`; a pooled value says its
    years (`9,1‰ w latach 2022–2024 wobec …`), one of a year before `last_year` that year (`_period`). A value
    on few events says what its "≈" means, as page one does: the section's table, whose caption does, follows."""
    phrase = judged_phrase(indicator, row, language)
    value = with_uncertain_mark(_show(indicator, row["value"], language), row) + _period(
        indicator, row, language, last_year
    )
    median = _show(indicator, row["peer_median"], language, True)
    uncertain = (
        f"; {label('uncertain_value', language, events=UNRELIABLE_BELOW)}"
        if row.get("reliability") == "unreliable"
        else ""
    )
    if language == "pl":
        return f"{phrase} ({value} wobec mediany grupy {median}{uncertain})"
    return f"{phrase} ({value} against a peer median of {median}{uncertain})"


LONGEST_LIST_IN_A_SENTENCE = 3  # a longer list (up to 11 strengths in a section) reads better as bullets


def _listed(items: list[str]) -> str:
    """Items after a heading's colon: ` a; b.` in the sentence, or a bulleted list (Polish style: each item
    ends with a semicolon, the last with a full stop) when there are more than a sentence carries."""
    if len(items) <= LONGEST_LIST_IN_A_SENTENCE:
        return " " + "; ".join(items) + "."
    return "\n\n" + "\n".join(f"- {item}{';' if n < len(items) else '.'}" for n, item in enumerate(items, 1))


def section_sentences(
    comparison: pd.DataFrame, section: str, language: str = "pl", last_year: int | None = None
) -> list[str]:
    catalogue = indicators()
    pl = language == "pl"
    rows = comparison.loc[comparison["section"] == section]
    judged = rows.loc[rows["judged"]]
    sentences = []
    names = ", ".join(catalogue[indicator_id].name_in_sentence(language) for indicator_id in rows.index)
    if section_without_values(comparison, section):  # (so nothing judged either)
        # Said once here: the section's charts and tables, which would each say it again, are left out.
        listed = f" ({names})" if names else ""
        sentences.append(
            "Dane nie obejmują tej części raportu: ani gmina, ani gminy jej grupy porównawczej nie mają wartości "
            f"żadnego z jej wskaźników{listed}, dlatego nie ma tu wykresów ani tabel."
            if pl
            else "The data do not cover this section: neither the town nor its peers have a value of any of its "
            f"indicators{listed}, so it has no charts or tables."
        )
    elif town_without_values(comparison, section):  # (so nothing judged either)
        sentences.append(
            f"Dane nie zawierają wartości gminy dla żadnego ze wskaźników tej części raportu ({names}), dlatego nie "
            "ma tu jej oceny ani wykresów; tabele podają wartości grupy porównawczej."
            if pl
            else f"The data hold no value of the town for any indicator of this section ({names}), so it has no "
            "assessment or charts here; the tables give the peers' values."
        )
    elif judged.empty:
        sentences.append(
            "Brak danych pozwalających porównać tę część z grupą porównawczą."
            if pl
            else "There are no data to compare this section with the peer group."
        )
    for assessment, headings in (  # (one item, several), in Polish and in English
        (STRENGTH, (("Mocna strona", "Mocne strony"), ("Strength", "Strengths"))),
        (WEAKNESS, (("Słaba strona", "Słabe strony"), ("Weakness", "Weaknesses"))),
    ):
        marked = judged.loc[judged["assessment"] == assessment]
        marked = _by_subdomain(marked, strongest_first=assessment == STRENGTH)
        if not marked.empty:
            heading = headings[0 if pl else 1][len(marked) > 1]
            against = "na tle grupy porównawczej" if pl else "against the peers"
            items = [judged_item(catalogue[i], marked.loc[i], language, last_year) for i in marked.index]
            sentences.append(f"{heading} {against}:{_listed(items)}")
    if not judged.empty and not (judged["assessment"].isin((STRENGTH, WEAKNESS))).any():
        n = len(judged)
        if pl:
            sentences.append(
                "Jedyny oceniany wskaźnik tej części nie odbiega od grupy porównawczej na tyle, by uznać go "
                "za mocną lub słabą stronę."
                if n == 1
                else f"Żaden z {n} ocenianych wskaźników tej części nie odbiega od grupy porównawczej na tyle, "
                "by uznać go za mocną lub słabą stronę."
            )
        else:
            sentences.append(
                "The one judged indicator of this section does not differ from the peers enough to count "
                "as a strength or a weakness."
                if n == 1
                else f"None of the {n} judged indicators of this section differs from the peers enough to "
                "count as a strength or a weakness."
            )
    unranked = rows.loc[rows["reliability"] == "not_ranked"]
    if not unranked.empty:
        items = ", ".join(
            f"{catalogue[i].name_in_sentence(language)} "
            f"({events_text(catalogue[i], unranked.at[i, 'events'], language)})"
            for i in unranked.index
        )
        one = len(unranked) == 1
        if pl:
            what = "wskaźnika opartego" if one else "wskaźników opartych"
            sentences.append(f"Nie oceniono {what} na mniej niż {NOT_RANKED_BELOW} zdarzeniach: {items}.")
        else:
            sentences.append(
                f"Not judged, as {'it rests' if one else 'they rest'} on fewer than {NOT_RANKED_BELOW} events: {items}."
            )
    sentences += _boundary_change_sentences(rows, language)
    sentences += _low_precision_sentences(rows, language)
    sentences += _within_chance_sentences(rows, language, last_year)
    matched = rows.loc[rows["matching"] & (rows["direction"] != "neutral")]
    if not matched.empty:
        names = ", ".join(matched_indicator_name(i, language) for i in matched.index)
        one = len(matched) == 1
        if pl:
            what = "wskaźnika, według którego" if one else "wskaźników, według których"
            sentences.append(f"Nie oceniamy {what} dobrano grupę porównawczą: {names}.")
        else:
            what = (
                "The indicator the peer group was matched on is"
                if one
                else "Indicators the peer group was matched on are"
            )
            sentences.append(f"{what} not judged: {names}.")
    return sentences


def _by_subdomain(marked: pd.DataFrame, strongest_first: bool) -> pd.DataFrame:
    """Strengths (or weaknesses) theme by theme: the indicators of one sub-domain together, which often say
    one thing several ways (the age-structure indicators of one older population), the sub-domain with the
    clearest one first, and furthest from the peer median within it (the distance: the score before its cap)."""
    sign = -1 if strongest_first else 1
    keyed = marked.assign(_within=sign * marked["distance"])
    keyed["_theme"] = keyed.groupby("subdomain")["_within"].transform("min")
    return keyed.sort_values(["_theme", "subdomain", "_within"]).drop(columns=["_within", "_theme"])


def _within_chance_sentences(rows: pd.DataFrame, language: str, last_year: int | None = None) -> list[str]:
    """The values in the best or worst quarter of the peers that the one rule leaves unmarked because their
    95% interval includes the peer median: named, with the interval, so that a position of 95 without a mark
    is explained."""
    catalogue = indicators()
    held = [i for i in rows.index if within_chance(rows.loc[i], catalogue[i])]
    if not held:
        return []
    interval_word, median_word = (
        ("95% przedział", "mediana grupy") if language == "pl" else ("95% interval", "peer median")
    )
    items = []
    for i in held:
        row, indicator = rows.loc[i], catalogue[i]
        value = with_uncertain_mark(_show(indicator, row["value"], language), row) + _period(
            indicator, row, language, last_year
        )
        interval = format_range(row["ci_low"], row["ci_high"], indicator.decimals, language)
        median = _show(indicator, row["peer_median"], language, True)
        items.append(
            f"{indicator.name_in_sentence(language)} ({value}; {interval_word} {interval}; {median_word} {median})"
        )
    one = len(held) == 1
    if language == "pl":
        heading = (
            "Nie uznano za mocną ani za słabą stronę wskaźnika, którego różnica od mediany grupy mieści się "
            "w granicach przypadku (przedział ufności wartości obejmuje medianę); w wyniku części liczy się "
            "jak brak różnicy:"
            if one
            else "Nie uznano za mocne ani za słabe strony wskaźników, których różnice od mediany grupy mieszczą się "
            "w granicach przypadku (przedziały ufności wartości obejmują medianę); w wyniku części liczą się "
            "jak brak różnicy:"
        )
    else:
        heading = (
            "Not counted as a strength or weakness, as its difference from the peer median is within chance "
            "(the value's confidence interval includes the median); in the section's score it counts as no "
            "difference:"
            if one
            else "Not counted as strengths or weaknesses, as their differences from the peer median are within "
            "chance (the values' confidence intervals include the median); in the section's score they count as "
            "no difference:"
        )
    return [heading + _listed(items)]


def matched_indicator_name(indicator_id: str, language: str) -> str:
    """An indicator the peers were matched on, named in a sentence; own revenue says that it holds the PIT
    share the group was chosen by, and stands in for it where missing, rather than that it chose the group."""
    name = indicators()[indicator_id].name_in_sentence(language)
    return label("pit_stand_in_named", language, name=name) if indicator_id == PIT_STAND_IN else name


def _change_words(change: float, decimals: int, language: str) -> str:
    """`zmniejszyła się o 3,3%` / `zwiększyła się o 1,2%` / `nie zmieniła się`; the sign becomes a word."""
    size = format_number(abs(change), decimals, language)
    if size == format_number(0.0, decimals, language):
        return "nie zmieniła się" if language == "pl" else "did not change"
    if language == "pl":
        return f"{'zwiększyła' if change > 0 else 'zmniejszyła'} się o {size}%"
    return f"{'grew' if change > 0 else 'fell'} by {size}%"


def population_sentences(
    comparison: pd.DataFrame,
    town_name: str,
    trend,
    versus_peers,
    projection,
    language: str = "pl",
    without_steps: dict[str, ChangeWithoutStep] | None = None,
    population_years: int = 0,
    population_rho: float = 0.0,
    window_years: int = 0,
    boundaries: tuple[BoundaryChange, ...] = (),
    boundaries_since: int | None = None,
) -> list[str]:
    """Population now and five years ago (and without the census step, where the five years hold one), a
    change of the gmina's boundaries (`analysis.boundaries`), its trend, its pace against the peers and the
    projection. `population_years` and `population_rho`: the town's years of population and its trend's ρ, to
    say why there is no trend where they are too few (`trends.fewest_years`); `window_years`, the report's
    years that hold population figures (`TownReport.projection_years`), to say why there is no projection; `boundaries_since`, the year of the last boundary change within
    the report's years, from which the population's pace and projection start (`analysis.report`), to say so."""
    pl = language == "pl"
    population = comparison.loc["population"]
    sentences = []
    town_name = escape_markdown(town_name)
    if pd.isna(population["value"]):
        return ["Brak danych o liczbie ludności." if pl else "There are no population data."]
    year = int(population["year"])
    people = with_noun(population["value"], PERSONS[language], 0, language)
    text = (
        f"Liczba ludności gminy {town_name} w {year} r.: {people}."
        if pl
        else f"Population of {town_name} in {year}: {people}."
    )
    change = comparison.loc["population_change_5y"]
    if not math.isnan(change["value"]):
        peers = change["peer_median"]
        text += (
            f" W ciągu pięciu lat {_change_words(change['value'], 1, language)} "
            f"(w typowej gminie grupy porównawczej {_change_words(peers, 1, language)})."
            if pl
            else f" Over five years it {_change_words(change['value'], 1, language)} "
            f"(in the typical peer it {_change_words(peers, 1, language)})."
        )
        text += _without_step_sentence(change, (without_steps or {}).get("population_change_5y"), language)
    sentences.append(text)
    sentences += [boundary_sentence(change, language, change.year == boundaries_since) for change in boundaries]
    needed = fewest_years(population_rho)
    # Within present boundaries since a recent change, the years may be too few for a trend or a projection.
    short = boundaries_since is not None and (
        trend is None and population_years < needed or projection is None and population_years < MIN_TRAIN
    )
    if trend is not None:
        sentences.append(_trend_sentence(trend, language))
    elif MIN_POINTS <= population_years < needed and not short:
        sentences.append(_no_trend_sentence(population_years, needed, language))
    if versus_peers is not None:
        sentences.append(_versus_peers_sentence(versus_peers, language))
    rebased = [
        year
        for year in LEVEL_BREAKS
        if any(t is not None and t.first_year < year <= t.last_year for t in (trend, versus_peers))
    ]
    for year in rebased:
        sentences.append(
            f"Tempo zmian liczono na danych, w których lata przed {year} r. przeliczono na podstawę spisu "
            f"powszechnego z {year} r.{' (jak w prognozie)' if projection is not None else ''}: skok między "
            f"{year - 1} a {year} r. to zmiana w statystyce, a nie w liczbie mieszkańców."
            if pl
            else f"These rates of change use the series with the years before {year} put on the basis of the {year} "
            f"census{' (as the projection does)' if projection is not None else ''}: the step between {year - 1} "
            f"and {year} is a change in the statistics, not in the number of residents."
        )
    if projection is not None:
        sentences.append(projection_sentence(projection, language))
    elif 0 < window_years < YEARS_NEEDED and not short:
        sentences.append(no_projection_sentence(window_years, language))
    if short:
        missing = (trend is None and population_years < needed, projection is None and population_years < MIN_TRAIN)
        sentences.append(
            too_few_years_within_boundaries(boundaries_since, population_years, needed, *missing, language)
        )
    return sentences


def _boundary_change_sentences(rows: pd.DataFrame, language: str) -> list[str]:
    """Why a section's changes of residents are not judged: they hold a change of the town's boundaries
    (`compare.compare_town`'s `boundary_change`), residents gained or lost with land."""
    held = rows.loc[rows["boundary_change"].notna()]
    if held.empty:
        return []
    catalogue, pl = indicators(), language == "pl"
    names = ", ".join(catalogue[i].name_in_sentence(language) for i in held.index)
    years = sorted({int(year) for year in held["boundary_change"]})
    joined = listed([str(year) for year in years], language)
    one = len(held) == 1
    if pl:
        what = "wskaźnika obejmującego" if one else "wskaźników obejmujących"
        change = "zmianę granic gminy" if len(years) == 1 else "zmiany granic gminy"
        return [f"Nie oceniono {what} {change} w {joined} r.: {names}."]
    change = "change" if len(years) == 1 else "changes"
    return [
        f"Not judged, as {'it includes' if one else 'they include'} the {joined} {change} of the municipality's "
        f"boundaries: {names}."
    ]


def _low_precision_sentences(rows: pd.DataFrame, language: str) -> list[str]:
    """Why a section's values on figures GUS marks as of low precision are not judged (`compare.compare_town`'s
    `low_precision`): how far they may be from the truth GUS does not say."""
    held = rows.loc[rows["low_precision"].astype(bool)] if "low_precision" in rows else rows.iloc[:0]
    if held.empty:
        return []
    names = ", ".join(indicators()[i].name_in_sentence(language) for i in held.index)
    one = len(held) == 1
    if language == "pl":
        what = "wskaźnika opartego" if one else "wskaźników opartych"
        return [f"Nie oceniono {what} na danych GUS o niskiej precyzji: {names}."]
    return [f"Not judged, as {'it rests' if one else 'they rest'} on GUS data of low precision: {names}."]


def too_few_years_within_boundaries(
    year: int, years: int, trend_needs: int, no_trend: bool, no_projection: bool, language: str
) -> str:
    """No trend, or no projection, or neither: since the town's boundaries changed in `year`, its `years` of
    data are too few for them (a trend of a stock needs `trend_needs`, a projection `MIN_TRAIN`)."""

    def count(number: int) -> str:
        return with_noun(number, YEARS[language], 0, language)

    trend, projection = count(trend_needs), count(MIN_TRAIN)
    if language == "pl":
        what, needs = {
            (True, True): ("Trendu ani prognozy", f"trend wymaga co najmniej {trend} danych, prognoza – {projection}"),
            (True, False): ("Trendu", f"trend wymaga co najmniej {trend} danych"),
            (False, True): ("Prognozy", f"prognoza wymaga co najmniej {projection} danych"),
        }[no_trend, no_projection]
        return (
            f"{what} liczby ludności nie podajemy: granice gminy zmieniły się w {year} r., a od tego roku dane "
            f"obejmują {count(years)}; {needs}."
        )
    what, needs = {
        (True, True): ("trend or projection", f"a trend needs at least {trend} of data, a projection {projection}"),
        (True, False): ("trend", f"a trend needs at least {trend} of data"),
        (False, True): ("projection", f"a projection needs at least {projection} of data"),
    }[no_trend, no_projection]
    return (
        f"No population {what} is given: the municipality's boundaries changed in {year}, and the data since "
        f"cover {count(years)}, while {needs}."
    )


def no_projection_sentence(years: int, language: str, town: str = "") -> str:
    """Why a report of `years` years has no projection ("" where its years are enough): "Prognoza liczby ludności
    [gminy X] nie powstała: wymaga co najmniej 11 lat danych (6 lat historii i 5 lat testu wstecznego, …),
    a dane o liczbie ludności w latach raportu obejmują 9 lat". It names `town` where given: the summary's note in place of the chart does, the
    demography text is the town's own."""
    if years >= YEARS_NEEDED:
        return ""

    def count(number: int) -> str:
        return with_noun(number, YEARS[language], 0, language)

    reason = label(
        "no_projection",
        language,
        needed=count(YEARS_NEEDED),
        history=count(MIN_TRAIN),
        checked=count(HORIZON),
        years=count(years),
    )
    if language == "pl":
        subject = f"Prognoza liczby ludności gminy {town}" if town else "Prognoza liczby ludności"
    else:
        subject = f"The population projection for {town} was" if town else "The population projection was"
    return f"{subject} {reason}"


def _without_step_sentence(change: pd.Series, without_step: ChangeWithoutStep | None, language: str) -> str:
    """The sentence that follows a published 5- or 10-year change with that change without the census step;
    "" when its years hold no re-basing, or when without it the change reads the same."""
    if without_step is None:
        return ""
    indicator = indicators()[without_step.indicator_id]
    town = _signed(without_step.town, indicator, language)
    if town == _signed(change["value"], indicator, language):
        return ""
    peers = "" if pd.isna(without_step.peers) else _signed(without_step.peers, indicator, language)
    year = without_step.break_year
    if language == "pl":
        return (
            f" Bez skoku wynikającego z przeliczenia na podstawę spisu powszechnego z {year} r. zmiana wyniosłaby "
            f"{town}" + (f" (w typowej gminie grupy: {peers})." if peers else ".")
        )
    return f" Without the step from re-basing on the {year} census, the change would be {town}" + (
        f" (typical peer: {peers})." if peers else "."
    )


def area_words(change: BoundaryChange, language: str) -> tuple[str, str, str]:
    """The area before and after, in km², and whether the town gained or lost land ("przyłączonego" or not)."""
    before, after = (format_number(area, 1, language) for area in (change.area_before, change.area_after))
    gained = change.area_after > change.area_before
    return (
        before,
        after,
        ("przyłączonego" if gained else "odłączonego") if language == "pl" else ("joined" if gained else "detached"),
    )


def boundary_sentence(change: BoundaryChange, language: str, pace_from: bool = False) -> str:
    """The demography text's word on a change of the gmina's boundaries: every change across it holds it.
    `pace_from`: the pace of the population and its projection start from this change (the last within the
    report's years)."""
    before, after, which = area_words(change, language)
    if not change.moves_residents:  # land without (many) residents: their series goes on
        return (
            f"W {change.year} r. zmieniły się granice gminy (powierzchnia z {before} do {after} km²), bez "
            "zauważalnej zmiany liczby mieszkańców: zmieniła się gęstość zaludnienia, a nie liczba ludności."
            if language == "pl"
            else f"The municipality's boundaries changed in {change.year} (area from {before} to {after} km²) with no "
            "notable change in its residents: the population density moved, not the population."
        )
    if language == "pl":
        return (
            f"W {change.year} r. zmieniły się granice gminy (powierzchnia z {before} do {after} km²): zmiany "
            f"liczby ludności obejmujące ten rok zawierają mieszkańców {which} obszaru, a nie tylko urodzenia, "
            "zgony i migracje."
            + (
                f" Tempo zmian liczby ludności i prognozę liczono od {change.year} r., w obecnych granicach."
                if pace_from
                else ""
            )
        )
    return (
        f"The municipality's boundaries changed in {change.year} (area from {before} to {after} km²): population changes "
        f"across that year include the residents of the area {which}, not only births, deaths and migration."
        + (
            f" The pace of the population and its projection start from {change.year}, within the present boundaries."
            if pace_from
            else ""
        )
    )


def _boundary_clause(row: pd.Series, indicator_id: str, boundaries, language: str) -> str:
    """Beside a population change on page one: the boundary changes within its years that moved residents."""
    if indicator_id not in CHANGE_SPANS or pd.isna(row.get("year")):
        return ""
    year = int(row["year"])
    said = []
    for change in crossed(boundaries, year, CHANGE_SPANS[indicator_id]):
        if not change.moves_residents:  # land alone: the change of residents holds none of it
            continue
        before, after, which = area_words(change, language)
        said.append(
            f" W {change.year} r. zmieniły się granice gminy (z {before} do {after} km²): zmiana obejmuje "
            f"mieszkańców {which} obszaru."
            if language == "pl"
            else f" The boundaries changed in {change.year} (from {before} to {after} km²): the change includes the "
            f"residents of the area {which}."
        )
    return "".join(said)


def _no_trend_sentence(years: int, needed: int, language: str) -> str:
    """Why a population of `years` years has no trend: it wanders like a random walk (a stock), and a trend
    known with 95% confidence then needs `needed` years (`trends.fewest_years`)."""
    needed_years = with_noun(needed, YEARS[language], 0, language)
    if language == "pl":
        return (
            "Trendu liczby ludności nie podajemy: zmienia się ona z roku na rok jak błądzenie losowe (każda zmiana "
            f"przenosi się na kolejne lata), więc do jego oceny z 95% pewnością potrzeba co najmniej {needed_years} "
            f"danych, a jest ich {years}."
        )
    return (
        "No population trend is given: population changes from year to year like a random walk (each change "
        f"carries into later years), so a trend known with 95% confidence needs at least {needed_years} of data, "
        f"and there are {years}."
    )


def _trend_sentence(trend, language: str) -> str:
    """The population's yearly trend, printed as the demography's changes table prints it (to a tenth of a person):
    "25 osób" beside the table's "−25,5" would read as a slip of rounding (−25,46)."""
    pl = language == "pl"
    years = f"{trend.first_year}–{trend.last_year}"
    places = indicators()["population"].trend_decimals
    size = with_noun(abs(trend.slope), PERSONS[language], places, language)
    if trend.clear:
        grows = trend.slope > 0
        verb = ("rosła" if grows else "malała") if pl else ("grew" if grows else "fell")
        # The interval of the growth or of the fall, so that its bounds read with the same sign as the figure.
        low, high = (trend.low, trend.high) if grows else (-trend.high, -trend.low)
        low, high = format_bound(low, places, language), format_bound(high, places, language)
        return (
            f"W latach {years} liczba ludności {verb} średnio o {size} rocznie "
            f"(95% przedział: od {low} do {high} rocznie)."
            if pl
            else f"In {years} the population {verb} by {size} a year on average (95% interval: {low} to {high})."
        )
    printed_zero = round_half_up(abs(trend.slope), places) == 0
    sign = "" if printed_zero else ("+" if trend.slope > 0 else "−")
    slope = sign + size
    # Signed like the change they bound, which they hold on either side of zero.
    low, high = (format_bound(bound, places, language, signed=True) for bound in (trend.low, trend.high))
    return (
        f"W latach {years} trend liczby ludności jest niejednoznaczny: średnia zmiana roczna {slope}, "
        f"ale jej 95% przedział (od {low} do {high}) obejmuje zero."
        if pl
        else f"In {years} the population trend is unclear: {slope} a year on average, but its 95% interval "
        f"({low} to {high}) includes zero."
    )


# The trend of a level's difference from its peers (`analysis.trends.LEVEL_INDICATORS`: population) is in
# percentage points of the first year's level a year, whatever the indicator's unit: printed, here and in the
# spreadsheet (analysis.export), with this many decimals.
LEVEL_DIFFERENCE_DECIMALS = 2


def _versus_peers_sentence(versus, language: str) -> str:
    """How the town's population moves against the peer median, said as the gain or loss it is.

    The estimate is the trend of (town − peer median), both in % of the first year: its sign says
    whether the town gains or loses on its peers, whatever each of them does on its own."""
    pl = language == "pl"
    base = versus.first_year
    places = LEVEL_DIFFERENCE_DECIMALS
    if versus.clear:
        gains = versus.slope > 0
        size = format_number(abs(versus.slope), places, language)
        # The interval of the gain or of the loss, so that its bounds read with the same sign as the figure.
        low, high = (versus.low, versus.high) if gains else (-versus.high, -versus.low)
        low, high = format_bound(low, places, language), format_bound(high, places, language)
        if pl:
            return (
                f"Względem mediany grupy porównawczej liczba ludności gminy {'zyskuje' if gains else 'traci'} "
                f"średnio {size} pkt proc. rocznie (obie wielkości w % stanu z {base} r.; 95% przedział "
                f"od {low} do {high})."
            )
        return (
            f"Against the peer median, the town's population {'gains' if gains else 'loses'} {size} percentage "
            f"points a year on average (both as % of {base}; 95% interval {low} to {high})."
        )
    points = format_number(versus.slope, places, language, signed=True)
    low, high = (format_bound(bound, places, language, signed=True) for bound in (versus.low, versus.high))
    return (
        f"Czy liczba ludności gminy zyskuje, czy traci względem mediany grupy porównawczej, nie da się "
        f"rozstrzygnąć: średnio {points} pkt proc. rocznie (w % stanu z {base} r.), 95% przedział od {low} do {high}."
        if pl
        else f"Whether the town's population gains or loses against the peer median is unclear: {points} percentage "
        f"points a year on average (as % of {base}), 95% interval {low} to {high}."
    )


def projection_sentence(projection, language: str) -> str:
    """The projection's last year with its 95% interval, and how its method was chosen (the demography text,
    and the spreadsheet's method sheet)."""
    from analysis.projection import BENCHMARK, METHOD_NAMES

    pl = language == "pl"
    year, tens = projection.printed_end
    method = METHOD_NAMES[projection.method][0 if pl else 1]
    about = with_noun(tens["mean"], PERSONS[language], 0, language)
    low, high = format_number(tens["low"], 0, language), format_number(tens["high"], 0, language)
    error, benchmark = (
        format_number(projection.backtest_error, 1, language),
        format_number(projection.benchmark_error, 1, language),
    )
    towns = projection.backtest_towns
    # Drift is the benchmark: when it is chosen, no candidate beat it, and comparing it with itself says nothing.
    chosen_is_benchmark = projection.method == BENCHMARK
    if pl:
        comparison = (
            ", a żadna z pozostałych metod nie prognozowała dokładniej."
            if chosen_is_benchmark
            else f" (metoda naiwna z dryfem: {benchmark}%)."
        )
        return (
            f"Prognoza na {year} r.: ok. {about} (95% przedział predykcji: {low}–{high}). Metodę ({method}) "
            f"wybrano w teście wstecznym na danych {towns} gmin: jej średni błąd prognozy na 5 lat wyniósł "
            f"{error}%{comparison}{_lean_sentence(projection, language)}"
        )
    comparison = (
        ", and no other method forecast more accurately." if chosen_is_benchmark else f" (naive drift: {benchmark}%)."
    )
    return (
        f"Projection for {year}: about {about} (95% prediction interval {low}–{high}). The method ({method}) "
        f"was chosen in a backtest on {towns} municipalities: its mean 5-year error was {error}%{comparison}"
        f"{_lean_sentence(projection, language)}"
    )


def _lean_sentence(projection, language: str) -> str:
    """Where the backtest's populations mostly fell below the method's 5-year forecasts (or rose above them,
    `Projection.lean`): how often, that the forecast tends to be too high (low), and, where its interval
    reaches further that way, that this is why. A reader shown a forecast and a lopsided interval otherwise
    takes the forecast for the middle of what to expect."""
    lean = projection.lean
    if lean == 0:
        return ""
    pl = language == "pl"
    below = lean < 0
    share = projection.share_below if below else 1 - projection.share_below
    percent = format_number(share * 100, 0, language)
    last = projection.forecast.iloc[-1]
    down, up = last["mean"] - last["low"], last["high"] - last["mean"]
    lopsided = down > up if below else up > down
    if pl:
        text = (
            f" W tym teście po 5 latach rzeczywista liczba ludności była {'niższa' if below else 'wyższa'} od "
            f"prognozy w {percent}% przypadków: prognoza raczej ją {'zawyża' if below else 'zaniża'}"
        )
        reach = f" (dlatego przedział sięga dalej w {'dół niż w górę' if below else 'górę niż w dół'})"
    else:
        text = (
            f" In that backtest the actual population after 5 years was {'below' if below else 'above'} the "
            f"forecast in {percent}% of cases: the forecast tends to be too {'high' if below else 'low'}"
        )
        reach = f" (hence the interval reaches further {'down than up' if below else 'up than down'})"
    return f"{text}{reach if lopsided else ''}."


LEANING_MARKS = 2  # a "similar" section with this many more weaknesses than strengths (or back) says why


# Why a section has no verdict (`synthesis.scored_verdict`), in Polish and English.
NO_VERDICT_REASONS = {
    "no_data": ("brak danych do porównania z grupą", "no data to compare with the peers"),
    "low_coverage": ("za mało danych", "too little data"),
    "one_subdomain": ("ocenione wskaźniki tylko z jednej dziedziny", "judged indicators of one sub-domain only"),
}


@dataclass(frozen=True)
class VerdictLine:
    """One section's line of page one's verdict table: the verdict, its reason, and what it depends on."""

    section: str
    verdict: str  # analysis.synthesis: better, similar, worse, none
    reason: str  # `verdict_reason`
    depends_on: str  # `verdict_depends_on`; empty where neither the peer rule nor one indicator would change it
    # The indicator it depends on differs from the peers within chance (marked `WITHIN_CHANCE_MARK`).
    hinge_within_chance: bool = False


def verdict_lines(
    verdicts: pd.DataFrame,
    robust: dict,
    comparison: pd.DataFrame,
    language: str = "pl",
    other_groups: pd.DataFrame | None = None,
) -> list[VerdictLine]:
    """Page one's verdicts, one line per section, so a reader sees the three verdicts at a glance and reads
    on for the why; the score, its drop-one range and the coverage stand in the scores table beside it.
    `other_groups`: the sensitivity analysis's rows of the alternative peer rules, the report's own left out
    (`TownReport.other_peer_groups`, from `synthesis.peer_sensitivity`), whose verdicts a verdict that depends
    on the peers names."""
    lines = []
    for section, row in verdicts.iterrows():
        rows = comparison.loc[comparison["section"] == section]
        marks = (int((rows["assessment"] == STRENGTH).sum()), int((rows["assessment"] == WEAKNESS).sum()))
        hinge_within_chance = hinges_within_chance(row, comparison)
        lines.append(
            VerdictLine(
                section=str(section),
                verdict=str(row["verdict"]),
                reason=verdict_reason(row, language, marks, marked_themes(rows)),
                depends_on=verdict_depends_on(
                    row,
                    robust.get(section) is False,
                    language,
                    hinge_within_chance,
                    None if other_groups is None else other_groups[section],
                ),
                hinge_within_chance=hinge_within_chance,
            )
        )
    return lines


def hinges_within_chance(verdict: pd.Series, comparison: pd.DataFrame) -> bool:
    """Whether the indicator a section `verdict` hinges on differs from the peers only within chance (its
    interval holds the peer median), so counts as no difference in the score: marked `WITHIN_CHANCE_MARK`
    wherever that indicator is named as the hinge."""
    hinges_on = verdict.get("hinges_on")
    if not hinges_on or hinges_on not in comparison.index:
        return False
    hinge = comparison.loc[hinges_on]
    return bool(interval_includes_median(hinge["peer_median"], hinge["ci_low"], hinge["ci_high"]))


def verdict_reason(
    row: pd.Series, language: str, marks: tuple[int, int] | None = None, themes: Themes | None = None
) -> str:
    """Why a section's verdict is what it is: `1 mocna strona i 3 słabe strony; słaba strona waży więcej niż
    mocna`; `marks`: the section's numbers of strengths and weaknesses; `themes`: the sub-domains they are in
    (`marks_phrase`). A verdict on part of the section's indicators says on how many; a section without one
    says why (`NO_VERDICT_REASONS`)."""
    pl = language == "pl"
    judged, possible = int(row["judged"]), int(row["judgeable"])
    if pl:
        counted = f"ocenione wskaźniki: {judged} z {possible}"
    else:
        counted = f"{judged} of {possible} {noun(possible, INDICATORS[language], language)} judged"
    if row["verdict"] == NO_VERDICT:
        # "no data" alone would be contradicted by the key figures where the section's only value is one
        # the peers were matched on (PIT per capita on a store of few variables): it is not judged, so it
        # gives nothing to compare with, and the reason says exactly that.
        return f"{NO_VERDICT_REASONS[row['reason']][0 if pl else 1]} ({counted})"
    reason = ""
    if marks is not None:
        reason = marks_phrase(*marks, language, themes) + _what_carries_the_verdict(row, *marks, language)
    if judged < possible:
        reason += f"; {counted}" if reason else counted
    return reason


def _what_carries_the_verdict(row: pd.Series, strengths: int, weaknesses: int, language: str) -> str:
    """Why a verdict leans where the count of its strengths and weaknesses does not ("worse – 1 strength and
    1 weakness"): the score weighs each judged indicator by how far it is from the peers, so either the
    marked ones on the verdict's side weigh more, or the indicators too close to the peers to be marked
    outweigh them (`marked_part` of `analysis.synthesis.section_verdict`)."""
    if row["verdict"] == SIMILAR:
        return _what_keeps_it_similar(row, strengths, weaknesses, language)
    against = row["verdict"] == WORSE and strengths >= weaknesses
    favour = row["verdict"] == BETTER and weaknesses >= strengths
    marked = row.get("marked_part", math.nan)
    if not (against or favour) or pd.isna(marked):
        return ""
    side = -1 if against else 1
    pl = language == "pl"
    if side * (row["score"] - marked) > side * marked:  # the unmarked indicators carry more of it
        if pl:
            return f"; przeważają mniejsze różnice {'na niekorzyść' if against else 'na korzyść'} gminy"
        direction = "against the town" if against else "in the town's favour"
        return f"; smaller differences {direction} prevail"
    heavier, lighter = (weaknesses, strengths) if against else (strengths, weaknesses)
    if pl:
        kind, other = ("słab", "mocn") if against else ("mocn", "słab")
        subject = f"{kind}a strona waży" if heavier == 1 else f"{kind}e strony ważą"
        return f"; {subject} więcej niż {other}{'a' if lighter == 1 else 'e'}"
    plural = {"strength": "strengths", "weakness": "weaknesses"}
    kind, other = ("weakness", "strength") if against else ("strength", "weakness")
    subject = f"the {kind} weighs" if heavier == 1 else f"the {plural[kind]} weigh"
    return f"; {subject} more than the {other if lighter == 1 else plural[other]}"


def _what_keeps_it_similar(row: pd.Series, strengths: int, weaknesses: int, language: str) -> str:
    """Why "similar" although the marks lean one way by `LEANING_MARKS` or more ("podobnie – 5 słabych stron,
    bez mocnych stron"): either their part of the score is itself within the verdict's band (each counts
    only within its sub-domain, beside indicators close to the peers: together they weigh too little to
    lower, or raise, the verdict), or it is beyond the band and the other indicators pull the score back into
    it (the scores table beside page one's verdicts prints it)."""
    if abs(strengths - weaknesses) < LEANING_MARKS:
        return ""
    leaning_weak = weaknesses > strengths
    part = row.get("weaknesses_part" if leaning_weak else "strengths_part", math.nan)
    if pd.isna(part):
        return ""
    pl = language == "pl"
    # Named, not "they": the reason may list marks of both kinds before this clause.
    kind = ("słab" if leaning_weak else "mocn") if pl else ("weaknesses" if leaning_weak else "strengths")
    if abs(part) <= VERDICT_BAND:  # said as page one's reader needs it; the band itself is in the scores table
        if pl:
            return f"; {kind}e strony ważą jednak łącznie za mało, by {'obniżyć' if leaning_weak else 'podnieść'} ocenę"
        return f"; together the {kind} weigh too little to {'lower' if leaning_weak else 'raise'} the verdict"
    return (
        f"; pozostałe wskaźniki równoważą jednak {kind}e strony" if pl else f"; the other indicators offset the {kind}"
    )


Themes = tuple[list[str], list[str]]  # the themes (topics) of a section's strengths and of its weaknesses


def marks_phrase(strengths: int, weaknesses: int, language: str, themes: Themes | None = None) -> str:
    """The reason behind a section's verdict in words: `2 mocne strony i 1 słaba strona`,
    `bez wyraźnych mocnych i słabych stron`. With `themes`, each count names the topics its marks are in,
    as five weaknesses that are five views of one older population are not five problems: `5 słabych
    stron: struktura wieku; 2 mocne strony: migracje`. A topic with marks of both kinds is named once, as
    such, rather than on both lists, where it would read as a contradiction."""
    if not strengths and not weaknesses:
        return label("marks_none", language)
    strength_themes, weakness_themes = themes or ([], [])
    sides = [
        (with_noun(count, forms[language], 0, language), named)
        for count, forms, named in ((strengths, STRENGTHS, strength_themes), (weaknesses, WEAKNESSES, weakness_themes))
        if count
    ]
    both = [theme for theme in strength_themes if theme in weakness_themes]
    if both:
        lists = (
            ("marks_strengths", [theme for theme in strength_themes if theme not in both]),
            ("marks_weaknesses", [theme for theme in weakness_themes if theme not in both]),
            ("marks_both", both),
        )
        counted = f" {label('and', language)} ".join(count for count, _ in sides)
        named = (f"{label(key, language)}: {_theme_list(kept, language)}" for key, kept in lists if kept)
        return "; ".join([counted, *named])
    parts = [count + (f": {_theme_list(named, language)}" if themes else "") for count, named in sides]
    if len(parts) == 2:
        return f"{parts[0]}; {parts[1]}" if themes else f"{parts[0]} {label('and', language)} {parts[1]}"
    missing = label("marks_no_weaknesses" if strengths else "marks_no_strengths", language)
    return f"{parts[0]}{';' if themes else ','} {missing}"


def _theme_list(themes: list[str], language: str) -> str:
    return ", ".join(label(theme, language) for theme in themes)


def marked_themes(rows: pd.DataFrame) -> Themes:
    """The themes (catalogue topics, else sub-domains: `Indicator.theme`) of a section's strengths and of its
    weaknesses (`rows`: its rows of the comparison), in the order the section's text lists them: the
    sub-domain with the clearest mark first."""
    catalogue = indicators()
    return tuple(
        list(
            dict.fromkeys(
                catalogue[i].theme for i in _by_subdomain(rows.loc[rows["assessment"] == kind], kind == STRENGTH).index
            )
        )
        for kind in (STRENGTH, WEAKNESS)
    )


def summary_sentences(
    comparison: pd.DataFrame,
    areas: pd.DataFrame,
    strongest: list[str],
    weakest: list[str],
    language: str = "pl",
    without_steps: dict[str, ChangeWithoutStep] | None = None,
    peer_count: int | None = None,
    last_year: int | None = None,
    boundaries: tuple[BoundaryChange, ...] = (),
    gus_marks: dict[str, tuple[tuple[str, int], ...]] | None = None,
    reference_marks: dict[str, dict[str, tuple[tuple[str, int], ...]]] | None = None,
) -> list[str]:
    """Page one in words, after its verdict table (`verdict_lines`): a word on a small peer group (fewer than
    `SMALL_GROUP` towns), then the key findings (`key_findings`, with GUS's marks on their figures).
    `strongest`, `weakest`: every strength and weakness, furthest first (`analysis.synthesis.clearest`)."""
    sentences = []
    if peer_count is not None and peer_count < SMALL_GROUP:
        sentences.append(small_group_sentence(peer_count, language))
    sentences.append(
        key_findings(
            comparison,
            areas,
            strongest,
            weakest,
            language,
            without_steps,
            last_year,
            boundaries,
            gus_marks,
            reference_marks,
        )
    )
    return sentences


def small_group_sentence(peer_count: int, language: str) -> str:
    """A verdict among a handful of peers is read as firmly as one among twenty unless the page says it is not."""
    towns = with_noun(peer_count, MUNICIPALITIES_COUNTED[language], 0, language)
    if language == "pl":
        return f"Grupa porównawcza liczy tylko {towns}, więc pozycje w grupie, mocne i słabe strony oraz oceny są orientacyjne."
    return f"The peer group has only {towns}, so positions within it, strengths, weaknesses and verdicts are indicative only."


def verdict_otherwise(verdict_without: str, language: str) -> str:
    """The verdict a section would get without the indicator it hinges on, as page one's verdict table and the
    scores table both say it: "podobnie"; "bez oceny, za mało danych" where too little would be left to judge
    the section (`synthesis.scored_verdict`), lest "no verdict" read as a verdict."""
    otherwise = label(f"verdict_{verdict_without}", language)
    if verdict_without == NO_VERDICT:
        otherwise += ", za mało danych" if language == "pl" else ", too little data"
    return otherwise


def verdict_depends_on(
    verdict: pd.Series,
    peer_dependent: bool,
    language: str,
    hinge_within_chance: bool = False,
    other_verdicts: pd.Series | None = None,
) -> str:
    """What a verdict depends on, in the genitive that follows "Ocena zależy od" (the verdict table's column):
    the choice of peers (the sensitivity analysis) and a single indicator without which it would read
    otherwise (the scores table's drop-one column). Empty where it depends on neither.
    `hinge_within_chance`: that indicator's difference from the peers is within chance, so it counts as none
    (`scoring.bounded_score`): the verdict leans on it as on no difference, which the reader is told (the
    name's `WITHIN_CHANCE_MARK`, said once under the table: `within_chance_note`), lest a "similar" that
    hinges on it read as resting on a strength.
    `other_verdicts`: the section's verdicts under the alternative peer rules, so that the choice of peers is
    said with what the others give: "doboru grupy porównawczej (korzystniej przy 3 z 4 innych grup)"."""
    pl = language == "pl"
    reasons = []
    if peer_dependent:
        reasons.append("doboru grupy porównawczej" if pl else "how the peer group is chosen")
        if other_verdicts is not None:
            reasons[-1] += other_groups_phrase(verdict["verdict"], other_verdicts, language)
    if verdict.get("hinges_on"):
        name = indicators()[verdict["hinges_on"]].name(language)
        otherwise = verdict_otherwise(verdict["verdict_without"], language)
        without = f"bez niego: {otherwise}" if pl else f"without it: {otherwise}"
        chance = WITHIN_CHANCE_MARK if hinge_within_chance else ""
        reasons.append(
            f"jednego wskaźnika („{name}”{chance}) – {without}"
            if pl
            else f"one indicator (“{name}”{chance}) – {without}"
        )
    return (" i " if pl else " and on ").join(reasons)


def other_groups_phrase(verdict: str, other_verdicts: pd.Series, language: str) -> str:
    """What the other peer groups give where it is not `verdict`, counted among the groups that give one (as
    `synthesis.robust_to_peer_rule` counts them): " (korzystniej przy 3 z 4 innych grup; mniej korzystnie przy
    1)"; "" where every one agrees."""
    judged = other_verdicts[other_verdicts != NO_VERDICT]
    counts = judged.value_counts()
    differing = [
        (other, int(counts[other])) for other in (BETTER, SIMILAR, WORSE) if other != verdict and other in counts
    ]
    if not differing:
        return ""
    total, pl = len(judged), language == "pl"
    parts = []
    for position, (other, count) in enumerate(differing):
        word = label(f"verdict_{other}", language)
        if position:  # the total is said once, with the first
            parts.append(f"{word} przy {count}" if pl else f"{word} under {count}")
        elif pl:
            parts.append(f"{word} przy {count} z {total} {'innej grupy' if total == 1 else 'innych grup'}")
        else:
            parts.append(f"{word} under {count} of the {total} other {'group' if total == 1 else 'groups'}")
    return f" ({'; '.join(parts)})"


WITHIN_CHANCE_MARK = "¹"  # on the name of an indicator a verdict depends on whose difference is within chance


def within_chance_note(language: str) -> str:
    """What `WITHIN_CHANCE_MARK` means, said once under each table that marks a hinge with it (page one's
    verdict table, the scores table)."""
    if language == "pl":
        return (
            f"{WITHIN_CHANCE_MARK} różnica od mediany grupy mieści się w granicach przypadku, więc w wyniku liczy się "
            "jak brak różnicy"
        )
    return (
        f"{WITHIN_CHANCE_MARK} its difference from the peer median is within chance, so it counts as none in the score"
    )


FINDINGS_PER_KIND = 2  # strengths and weaknesses on page one; the section texts list them all


def _one_per_subdomain(ids: list[str], n: int) -> list[str]:
    """The first n of `ids` from different sub-domains: page one's few lines should not spend two on one
    matter (a 5- and a 10-year population change, two age shares that move together)."""
    catalogue, seen, chosen = indicators(), set(), []
    for indicator_id in ids:
        subdomain = catalogue[indicator_id].subdomain
        if subdomain not in seen:
            seen.add(subdomain)
            chosen.append(indicator_id)
    return chosen[:n]


def _beside(indicator: Indicator, row: pd.Series, area: pd.Series, language: str, change: bool = False) -> str:
    """`typowa gmina grupy: 16,5%; województwo: 17,0%; Polska: 17,0%` (values present only); with `change`,
    signed (`−4,7%`). A unit of a sign and words is said once, beside the town's own value (`_said_again`)."""
    pl = language == "pl"
    places = (
        (row["peer_median"], "typowa gmina grupy" if pl else "typical peer", False),
        (area.get("voivodeship"), "województwo" if pl else "voivodeship", _short_of_residents(area, "voivodeship")),
        (area.get("poland"), "Polska" if pl else "Poland", _short_of_residents(area, "poland")),
    )

    def show(value: float) -> str:
        if change:
            return _signed(value, indicator, language)
        return _in_sentence(indicator, value, language, again=True)

    shown = []
    for value, where, short in places:
        if value is not None and not pd.isna(value):
            shown.append(f"{where}: {show(value)}")
        elif short:  # the area has this figure, but too few of its residents are behind it: said, and why
            shown.append(f"{where}: {label('area_short_finding', language)}")
    if indicator.nets_out_nationally:  # Poland has no value by definition (its table's "x"): said, not dropped
        shown.append(label("poland_nets_out_finding", language))
    return "; ".join(shown)


def _short_of_residents(area: pd.Series, place: str) -> bool:
    """The area's value is missing only because the gminy with data hold too few of its residents
    (`aggregates.MIN_AREA_COVERAGE`): the indicator has area values, and a coverage was measured. An
    indicator without area values (a published rate, internal migration for Poland, a store short of
    the country) has no coverage and is left out of a sentence, as the tables explain."""
    return pd.isna(area.get(place)) and not pd.isna(area.get(f"{place}_coverage"))


def _in_sentence(indicator: Indicator, value: float, language: str, again: bool = False) -> str:
    """A value as page one gives it: with its unit (`12,5%`, `707 osób`), or bare where the unit would
    not say what the ratio counts (`unit_in_sentence: false` in the catalogue: the ageing index).
    `again`: beside the town's value (`_said_again`)."""
    if not indicator.unit_in_sentence:
        return format_number(value, indicator.decimals, language)
    unit = indicator.unit(language)
    return quantity(value, indicator.decimals, _said_again(unit) if again else unit, language)


def _signed(value: float, indicator: Indicator, language: str) -> str:
    """A change with its sign and unit: `−4,6%`, `+430 zł`."""
    text = quantity(abs(value), indicator.decimals, indicator.unit(language), language)
    if format_number(abs(value), indicator.decimals, language) == format_number(0.0, indicator.decimals, language):
        return text
    return ("+" if value > 0 else "−") + text


def gus_mark_notes(marks: tuple[tuple[str, int], ...], language: str) -> list[str]:
    """A note per kind of GUS's marks on the figures a value reads (`analysis.gus_marks.row_marks`), with their
    years: "zawiera szacunek wstępny GUS z 2024 r."; none for a row without any."""
    notes = []
    for kind, years in years_by_kind(marks).items():
        number = "one" if len(years) == 1 else "many"
        notes.append(label(f"gus_mark_{kind}_{number}", language, years=listed(_year_runs(years), language)))
    return notes


def _year_runs(years: list[int]) -> list[str]:
    """Sorted years as a list says them, three or more in a row as a span: [2019, 2022, 2023, 2024] ->
    ["2019", "2022–2024"]."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    said: list[str] = []
    for run in runs:
        said += [f"{run[0]}–{run[-1]}"] if len(run) >= 3 else [str(year) for year in run]
    return said


def key_findings(
    comparison: pd.DataFrame,
    areas: pd.DataFrame,
    strongest: list[str],
    weakest: list[str],
    language: str = "pl",
    without_steps: dict[str, ChangeWithoutStep] | None = None,
    last_year: int | None = None,
    boundaries: tuple[BoundaryChange, ...] = (),
    gus_marks: dict[str, tuple[tuple[str, int], ...]] | None = None,
    reference_marks: dict[str, dict[str, tuple[tuple[str, int], ...]]] | None = None,
) -> str:
    """The findings a mayor reads first, as a Markdown list: the clearest strengths and weaknesses (by the one
    rule, up to two each, from different sub-domains) and how the population is changing, each next to the
    typical peer, the voivodeship and Poland (a population change also without the census step, where its
    years hold one, and with a change of the gmina's boundaries within them; not again when a population
    change is a strength or weakness), and GUS's marks on the figures it reads (`TownReport.gus_marks`) and on
    those the figures beside it rest on (`TownReport.reference_marks`), said once after them all.
    Without a clear strength or weakness it says so."""
    pl = language == "pl"
    gus_marks = gus_marks or {}

    def marks_of(indicator: Indicator, row: pd.Series) -> tuple[tuple[str, int], ...]:
        beside = (reference_marks or {}).get(indicator.id, {})
        # a level: not its trend's marks
        return on_value(indicator, row, gus_marks.get(indicator.id, ())) + tuple(
            mark for cell in beside.values() for mark in cell
        )

    catalogue = indicators()
    items, named = [], []
    for ids, mark in ((strongest, STRENGTH), (weakest, WEAKNESS)):
        word = label(mark, language).capitalize()  # "Mocna strona", as the tables and the charts name it
        for indicator_id in _one_per_subdomain(ids, FINDINGS_PER_KIND):
            named.append(indicator_id)
            indicator, row = catalogue[indicator_id], comparison.loc[indicator_id]
            phrase = judged_phrase(indicator, row, language)
            if indicator.is_change:
                value = _signed(row["value"], indicator, language)
            else:
                value = _in_sentence(indicator, row["value"], language)
            value = with_uncertain_mark(value, row) + _period(indicator, row, language, last_year)
            area = areas.loc[indicator_id] if indicator_id in areas.index else pd.Series(dtype=float)
            beside = _beside(indicator, row, area, language, change=indicator.is_change)
            if row["reliability"] == "unreliable":  # page one says what "≈" means: no table's caption is above it
                beside = "; ".join(filter(None, [label("uncertain_value", language, events=UNRELIABLE_BELOW), beside]))
            beside = "; ".join(filter(None, [beside, *gus_mark_notes(marks_of(indicator, row), language)]))
            items.append(f"**{word}** – {phrase}: {value}" + (f" ({beside})." if beside else "."))
            items[-1] += _without_step_sentence(row, (without_steps or {}).get(indicator_id), language)
            items[-1] += _boundary_clause(row, indicator_id, boundaries, language)
    if not strongest and not weakest:
        items.append(
            "Żaden wskaźnik nie odbiega od grupy porównawczej na tyle, by uznać go za wyraźną mocną lub słabą stronę."
            if pl
            else "No indicator differs from the peers enough to count as a clear strength or weakness."
        )
    change = comparison.loc["population_change_5y"] if "population_change_5y" in comparison.index else None
    # One line per matter: a population change already named (over 5 or 10 years) has said how it changes.
    if change is not None and not pd.isna(change["value"]) and not set(named) & set(CHANGE_SPANS):
        indicator = catalogue["population_change_5y"]
        area = areas.loc["population_change_5y"] if "population_change_5y" in areas.index else pd.Series(dtype=float)
        context = _beside(indicator, change, area, language, change=True)
        context = "; ".join(filter(None, [context, *gus_mark_notes(marks_of(indicator, change), language)]))
        items.append(
            f"**{'Zmiana' if pl else 'Change'}** – "
            + (
                f"liczba ludności w ciągu 5 lat {_change_words(change['value'], indicator.decimals, language)}"
                if pl
                else f"over 5 years the population {_change_words(change['value'], indicator.decimals, language)}"
            )
            + (f" ({context})." if context else ".")
            + _without_step_sentence(change, (without_steps or {}).get("population_change_5y"), language)
            + _boundary_clause(change, "population_change_5y", boundaries, language)
        )
    return "\n".join(f"- {item}" for item in items)
