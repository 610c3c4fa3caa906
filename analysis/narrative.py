"""Sentences generated from the numbers, in Polish (default) or English, as Markdown.

Only comparisons the numbers support are stated: a strength is an indicator on
which the town does better than at least three quarters of its peers, a weakness
one on which it does worse than three quarters; neutral indicators are never
judged.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.catalogue import Direction, Indicator, indicators
from analysis.formatting import PERSONS, escape_markdown, format_number, is_symbol_unit, with_noun, with_unit

STRONG, WEAK = 75.0, 25.0


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _value_phrase(indicator: Indicator, row: pd.Series, language: str) -> str:
    """`name (value against the peer median)`; noun units are left to the name."""
    unit = indicator.unit(language)

    def show(number: float) -> str:
        text = format_number(number, indicator.decimals, language)
        return with_unit(text, unit) if is_symbol_unit(unit) else text

    name = _lower_first(indicator.name(language))
    if language == "pl":
        return f"{name} ({show(row['value'])} wobec mediany grupy {show(row['peer_median'])})"
    return f"{name} ({show(row['value'])} against a peer median of {show(row['peer_median'])})"


def judged(comparison: pd.DataFrame, section: str) -> pd.DataFrame:
    """Rows of one section whose indicator has a direction and a percentile."""
    catalogue = indicators()
    rows = comparison.loc[comparison["section"] == section]
    directional = [i for i in rows.index if catalogue[i].direction != Direction.NEUTRAL]
    return rows.loc[directional].dropna(subset=["percentile"])


def strengths_and_weaknesses(comparison: pd.DataFrame, section: str) -> tuple[list[str], list[str]]:
    rows = judged(comparison, section)
    strong = rows.loc[rows["percentile"] >= STRONG].sort_values("percentile", ascending=False)
    weak = rows.loc[rows["percentile"] <= WEAK].sort_values("percentile")
    return list(strong.index), list(weak.index)


def section_sentences(comparison: pd.DataFrame, section: str, language: str = "pl") -> list[str]:
    catalogue = indicators()
    strong, weak = strengths_and_weaknesses(comparison, section)
    phrases = {
        "pl": ("Na tle grupy porównawczej najkorzystniej wypada: ", "Najmniej korzystnie wypada: ",
               "Żaden wskaźnik tej części nie odbiega wyraźnie od grupy porównawczej: "
               "wszystkie mieszczą się w jej środkowej połowie."),
        "en": ("Compared with its peers, the town does best on: ", "It does least well on: ",
               "No indicator in this section stands out from the peer group: "
               "all lie within its middle half."),
    }[language]
    sentences = []
    if strong:
        sentences.append(phrases[0] + "; ".join(_value_phrase(catalogue[i], comparison.loc[i], language) for i in strong) + ".")
    if weak:
        sentences.append(phrases[1] + "; ".join(_value_phrase(catalogue[i], comparison.loc[i], language) for i in weak) + ".")
    if not strong and not weak:
        sentences.append(phrases[2])
    return sentences


def population_sentence(comparison: pd.DataFrame, town_name: str, language: str = "pl") -> str:
    population = comparison.loc["population"]
    change = comparison.loc["population_change_5y"]
    year = int(population["year"])
    town_name = escape_markdown(town_name)
    people = with_noun(population["value"], PERSONS[language], 0, language)
    if language == "pl":
        text = f"Liczba ludności gminy {town_name} w {year} r.: {people}."
        if not math.isnan(change["value"]):
            text += (f" W ciągu pięciu lat zmieniła się o {format_number(change['value'], 1, language, signed=True)}% "
                     f"(mediana grupy porównawczej: {format_number(change['peer_median'], 1, language, signed=True)}%).")
        return text
    text = f"Population of {town_name} in {year}: {people}."
    if not math.isnan(change["value"]):
        text += (f" Over five years it changed by {format_number(change['value'], 1, language, signed=True)}% "
                 f"(peer median: {format_number(change['peer_median'], 1, language, signed=True)}%).")
    return text


def trend_sentences(trend, versus_peers, projection, language: str = "pl") -> list[str]:
    """Population trend, its difference from the peers' and the projection; each with its interval."""
    if trend is None:
        return []
    per_year = with_noun(trend.slope, PERSONS[language], 0, language)
    low, high = format_number(trend.low, 0, language), format_number(trend.high, 0, language)
    pl = language == "pl"
    if not trend.significant:
        sentences = [f"W latach {trend.first_year}–{trend.last_year} liczba ludności nie zmieniała się w wyraźnym kierunku "
                     f"(95% przedział średniej zmiany rocznej: od {low} do {high})." if pl else
                     f"In {trend.first_year}–{trend.last_year} the population showed no clear direction "
                     f"(95% interval of the average yearly change: {low} to {high})."]
    else:
        sentences = [f"W latach {trend.first_year}–{trend.last_year} liczba ludności zmieniała się średnio o {per_year} "
                     f"rocznie (95% przedział: od {low} do {high})." if pl else
                     f"In {trend.first_year}–{trend.last_year} the population changed on average by {per_year} a year "
                     f"(95% interval: {low} to {high})."]
    if versus_peers is not None:
        points = format_number(versus_peers.difference, 2, language, signed=True)
        if versus_peers.significant:
            faster = versus_peers.difference > 0
            sentences.append(
                (f"Na tle mediany grupy porównawczej liczba ludności {'rośnie szybciej lub maleje wolniej' if faster else 'maleje szybciej lub rośnie wolniej'}: "
                 f"różnica {points} pkt proc. rocznie (w % stanu z pierwszego roku; 95% przedział od "
                 f"{format_number(versus_peers.low, 2, language)} do {format_number(versus_peers.high, 2, language)}).") if pl else
                (f"Compared with the peer median the population {'grows faster or shrinks more slowly' if faster else 'shrinks faster or grows more slowly'}: "
                 f"{points} percentage points a year (as % of the first year; 95% interval "
                 f"{format_number(versus_peers.low, 2, language)} to {format_number(versus_peers.high, 2, language)})."))
        else:
            sentences.append("Tempo zmian liczby ludności nie różni się istotnie od mediany grupy porównawczej." if pl else
                             "The pace of population change does not differ significantly from the peer median.")
    if projection is not None:
        last = projection.forecast.iloc[-1]
        year = int(projection.forecast.index[-1])
        years = f"{projection.backtest_years[0]}–{projection.backtest_years[-1]}"
        mape = format_number(projection.backtest_mape, 1, language)
        sentences.append(
            f"Prognoza (wygładzanie wykładnicze z tłumionym trendem) na {year} r.: ok. "
            f"{with_noun(last['mean'], PERSONS[language], 0, language)} (95% przedział predykcji: "
            f"{format_number(last['low'], 0, language)}–{format_number(last['high'], 0, language)}); "
            f"przy prognozowaniu lat {years} z danych wcześniejszych średni błąd wyniósł {mape}%." if pl else
            f"Projection (exponential smoothing with damped trend) for {year}: about "
            f"{with_noun(last['mean'], PERSONS[language], 0, language)} (95% prediction interval "
            f"{format_number(last['low'], 0, language)}–{format_number(last['high'], 0, language)}); forecasting "
            f"{years} from earlier data missed by {mape}% on average.")
    return sentences


SCORE_BAND = 0.5  # |mean robust z| below this is "close to the peers"


def summary_sentences(scores, strongest, weakest, comparison, language: str = "pl") -> list[str]:
    from analysis.labels import label

    catalogue = indicators()
    pl = language == "pl"
    parts = []
    for section, score in scores.items():
        name = label(section, language)
        if math.isnan(score):
            continue
        shown = format_number(score, 2, language, signed=True)
        if score >= SCORE_BAND:
            verdict = "korzystniej niż typowa gmina grupy porównawczej" if pl else "better than the typical peer"
        elif score <= -SCORE_BAND:
            verdict = "mniej korzystnie niż typowa gmina grupy porównawczej" if pl else "worse than the typical peer"
        else:
            verdict = "podobnie jak typowa gmina grupy porównawczej" if pl else "close to the typical peer"
        parts.append(f"{name}: {verdict} (wynik {shown})" if pl else f"{name}: {verdict} (score {shown})")
    sentences = ["; ".join(parts) + "."] if parts else []
    if strongest:
        names = ", ".join(_lower_first(catalogue[i].name(language)) for i in strongest)
        sentences.append(f"Najmocniejsze strony na tle grupy: {names}." if pl else f"Clearest strengths against the peers: {names}.")
    if weakest:
        names = ", ".join(_lower_first(catalogue[i].name(language)) for i in weakest)
        sentences.append(f"Najsłabsze strony na tle grupy: {names}." if pl else f"Clearest weaknesses against the peers: {names}.")
    return sentences
