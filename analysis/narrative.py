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
