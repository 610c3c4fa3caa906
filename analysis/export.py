"""A town's numbers as data: the spreadsheet (XLSX) and CSV a statistician receives with the report.

The figures are the report's own (`TownReport.comparison`). The sheets people read show them
rounded as the report does (each indicator's decimals from the catalogue), so a number copied
from the spreadsheet is the number printed in the report; the `full precision` sheet and
`data.csv` (for programs) keep them unrounded. The peer group's series of every charted
indicator and the population projection are there too, so each chart can be rebuilt from
the files. Every column is explained in the `method` sheet, and the column headers follow the
report's language. Which figures appear is driven by the indicator catalogue.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import __version__ as analysis_version
from analysis.aggregates import MIN_AREA_COVERAGE, published_rate
from analysis.catalogue import TREND_EXTRA_DECIMALS, Direction, Indicator, indicators, split_lag, variables
from analysis.census import CHANGE_SPANS, steps_in_changes
from analysis.compare import CHANGE_YEARS, within_chance
from analysis.display import area_budgets_note, hinge_cell, rule_name
from analysis.editions import changes_since, kept_marks, verdict_grounds
from analysis.formatting import format_number, number_pattern, voivodeship_name, with_noun
from analysis.gus_marks import merged
from analysis.labels import label
from analysis.narrative import (
    LEVEL_DIFFERENCE_DECIMALS,
    WITHIN_CHANCE_MARK,
    gus_mark_notes,
    no_projection_sentence,
    projection_sentence,
    within_chance_note,
)
from analysis.params import MIN_PEERS
from analysis.reliability import NOT_RANKED_BELOW, UNRELIABLE_BELOW
from analysis.report import TownReport, shown_method_version
from analysis.rounding import as_printed
from analysis.scoring import PERCENTILE_DECIMALS, score_scale
from analysis.synthesis import MIN_COVERAGE, MIN_SUBDOMAINS, SCORE_DECIMALS, VERDICT_BAND, rule_key
from analysis.trends import LEVEL_INDICATORS, MAX_RHO, MIN_POINTS, RHO_CONFIDENCE, fewest_years

# Column key -> (Polish header, English header). The order is the sheet's order.
INDICATOR_COLUMNS: dict[str, tuple[str, str]] = {
    "indicator": ("Kod wskaźnika", "Indicator code"),
    "name": ("Wskaźnik", "Indicator"),
    "section": ("Dział", "Section"),
    "subdomain": (
        "Dziedzina (wynik części to średnia średnich dziedzin)",
        "Sub-domain (a section's score is the mean of its sub-domains' means)",
    ),
    "unit": ("Jednostka", "Unit"),
    "direction": ("Kierunek", "Direction"),
    "year": ("Rok wartości", "Year of value"),
    "period_start": (
        "Od roku (jeśli wcześniejszy niż rok wartości, wartość jest z tych lat łącznie: zob. arkusz Metoda)",
        "From year (if earlier than the year of value, the value is of those years together: see the Method sheet)",
    ),
    "value": ("Wartość", "Value"),
    "peer_median": ("Mediana grupy", "Peer median"),
    "peer_q1": ("Kwartyl 1 grupy", "Peer first quartile"),
    "peer_q3": ("Kwartyl 3 grupy", "Peer third quartile"),
    "voivodeship_value": ("Województwo (suma gmin lub wartość GUS)", "Voivodeship (sum of its gminy, or GUS's figure)"),
    "poland_value": ("Polska (suma gmin lub wartość GUS)", "Poland (sum of gminy, or GUS's figure)"),
    "voivodeship_coverage": (
        f"Województwo – % ludności w gminach z danymi (wartość od {MIN_AREA_COVERAGE:.0%}; 100: wartość GUS)",
        f"Voivodeship – % of residents in gminy with data (a value from {MIN_AREA_COVERAGE:.0%}; 100: GUS's figure)",
    ),
    "poland_coverage": (
        f"Polska – % ludności w gminach z danymi (wartość od {MIN_AREA_COVERAGE:.0%}; 100: wartość GUS)",
        f"Poland – % of residents in gminy with data (a value from {MIN_AREA_COVERAGE:.0%}; 100: GUS's figure)",
    ),
    "peer_count": ("Gminy grupy z wartością", "Peers with a value"),
    "rank": ("Miejsce (1 = najkorzystniej)", "Rank (1 = best)"),
    "rank_of": ("Miejsce spośród", "Rank out of"),
    "percentile": ("Percentyl w grupie", "Percentile among peers"),
    "score": ("Wynik (od −2 do +2)", "Score (−2 to +2)"),
    "distance": (
        "Odległość od mediany grupy w skalach wyniku (wynik przed ograniczeniem do ±2; porządkuje mocne i słabe strony)",
        "Distance from the peer median in score scales (the score before its cap of ±2; orders strengths and weaknesses)",
    ),
    "scale": (
        "Skala wyniku: max(1,4826 × MAD; IQR / 1,349; minimalna istotna różnica) wartości grupy",
        "Score scale: max(1.4826 × MAD, IQR / 1.349, minimum meaningful difference) of the peers' values",
    ),
    "assessment": ("Ocena", "Assessment"),
    "within_chance": (
        "Różnica w granicach przypadku (pozycja i różnica jak mocnej lub słabej strony, przedział obejmuje medianę)",
        "Difference within chance (position and size of a strength or weakness, interval includes the median)",
    ),
    "judged": ("Oceniany", "Judged"),
    "matching": ("Zmienna doboru grupy", "Peer-matching variable"),
    "ci_low": ("95% przedział – dolna granica", "95% interval – lower bound"),
    "ci_high": ("95% przedział – górna granica", "95% interval – upper bound"),
    "events": (
        "Liczba zdarzeń (dla sald i zmian ludności: założona, zob. metodologię)",
        "Events (for net flows and population changes: assumed, see the methodology)",
    ),
    "reliability": ("Wiarygodność", "Reliability"),
    "boundary_change": (
        "Wartość obejmuje zmianę granic gminy: rok (wartość nieoceniana)",
        "Value includes a change of the municipality's boundaries: year (value not judged)",
    ),
    "peers_left_out": (
        "Gminy grupy pominięte: ich wartość obejmuje zmianę ich granic (TERYT)",
        "Peers left out: their value includes a change of their boundaries (TERYT)",
    ),
    "change": ("Zmiana w 5 lat", "5-year change"),
    "peer_median_change": ("Zmiana w 5 lat – mediana grupy", "5-year change – peer median"),
    "peers_left_out_change": (
        "Zmiana w 5 lat – gminy grupy pominięte: ich zmiana obejmuje zmianę ich granic (TERYT)",
        "5-year change – peers left out: their change includes a change of their boundaries (TERYT)",
    ),
    "change_10y": ("Zmiana w 10 lat", "10-year change"),
    "peer_median_change_10y": ("Zmiana w 10 lat – mediana grupy", "10-year change – peer median"),
    "peers_left_out_change_10y": (
        "Zmiana w 10 lat – gminy grupy pominięte: ich zmiana obejmuje zmianę ich granic (TERYT)",
        "10-year change – peers left out: their change includes a change of their boundaries (TERYT)",
    ),
    "census_step": (
        "Zmiany zawierają skok po NSP (rok przeliczenia ludności)",
        "Changes include the census step (year population was re-based)",
    ),
    "trend": ("Trend roczny (zmiana na rok)", "Yearly trend (change a year)"),
    "trend_low": ("Trend – dolna granica 95%", "Trend – 95% lower bound"),
    "trend_high": ("Trend – górna granica 95%", "Trend – 95% upper bound"),
    "trend_clear": ("Trend wyraźny (przedział bez zera)", "Trend clear (interval excludes zero)"),
    # A level's (analysis.trends.LEVEL_INDICATORS) is in points of its first year's level, as the report says it.
    "trend_vs_peers": (
        "Trend różnicy od mediany grupy (na rok; liczba ludności: w pkt proc. stanu z pierwszego roku)",
        "Trend of the difference from the peer median (a year; population: in percentage points of its first "
        "year's level)",
    ),
    "trend_vs_peers_low": ("Trend różnicy – dolna granica 95%", "Trend of the difference – 95% lower bound"),
    "trend_vs_peers_high": ("Trend różnicy – górna granica 95%", "Trend of the difference – 95% upper bound"),
    "trend_vs_peers_clear": ("Trend różnicy wyraźny", "Trend of the difference clear"),
    "trend_rho": (
        f"Autokorelacja rocznych odchyleń (ρ: górna granica {RHO_CONFIDENCE:.0%} z grupy, 1 dla zasobu jak liczba "
        "ludności; poszerza przedziały trendu)",
        f"Autocorrelation of yearly noise (ρ: the group's {RHO_CONFIDENCE:.0%} upper bound, 1 for a stock such as "
        "population; widens the trend intervals)",
    ),
    "missing_years": ("Lata bez danych", "Years without data"),
    "gus_marks": ("Znaki GUS w danych", "GUS marks on the data"),  # analysis.gus_marks: preliminary, method changed…
    "gus_marks_beside": (
        "Znaki GUS w danych mediany grupy, województwa i Polski",
        "GUS marks on the data of the peer median, the voivodeship and Poland",
    ),
    "data_years": ("Lata danych", "Data years"),
    "formula": ("Wzór", "Formula"),
    "sources": ("Zmienne BDL (id)", "BDL variables (id)"),
    "direction_reason": ("Uzasadnienie kierunku", "Why this direction"),
}

DIRECTION_WORDS = {
    Direction.HIGHER_BETTER: ("wyżej = korzystniej", "higher is better"),
    Direction.LOWER_BETTER: ("niżej = korzystniej", "lower is better"),
    Direction.NEUTRAL: ("neutralny", "neutral"),
}

ASSESSMENT_WORDS = {"strength": ("mocna strona", "strength"), "weakness": ("słaba strona", "weakness"), "": ("—", "—")}
# The figures printed beside the town's (`TownReport.reference_marks`, `.peer_change_marks`), as the column of
# their GUS marks names them.
BESIDE_WORDS = {
    "peer_median": ("mediana grupy", "peer median"),
    "voivodeship": ("województwo", "voivodeship"),
    "poland": ("Polska", "Poland"),
    "peer_median_change": ("mediana zmian w 5 lat", "median 5-year change"),
    "peer_median_change_10y": ("mediana zmian w 10 lat", "median 10-year change"),
}

RELIABILITY_WORDS = {
    "ok": ("wystarczająca", "sufficient"),
    "unreliable": (f"niepewna (< {UNRELIABLE_BELOW} zdarzeń)", f"uncertain (< {UNRELIABLE_BELOW} events)"),
    "not_ranked": (f"nieoceniana (< {NOT_RANKED_BELOW} zdarzeń)", f"not judged (< {NOT_RANKED_BELOW} events)"),
    "": ("", ""),
}

SHEET_NAMES = {
    "indicators": ("Wskaźniki", "Indicators"),
    "verdicts": ("Oceny części", "Section verdicts"),
    "series": ("Szeregi czasowe", "Time series"),
    "peer_series": ("Szeregi grupy", "Peer series"),
    "projection": ("Prognoza ludności", "Population projection"),
    "peers": (label("peers_sheet", "pl"), label("peers_sheet", "en")),  # a report names it (display.peers_table)
    "since_previous": ("Od poprzedniej edycji", "Since the previous edition"),  # with --previous
    "full": ("Pełna precyzja", "Full precision"),
    "method": ("Metoda", "Method"),
}

# Columns in the indicator's own unit, rounded to its decimals; the others by their own rule.
UNIT_COLUMNS = (
    "value",
    "peer_median",
    "peer_q1",
    "peer_q3",
    "scale",
    "voivodeship_value",
    "poland_value",
    "ci_low",
    "ci_high",
    "change",
    "peer_median_change",
    "change_10y",
    "peer_median_change_10y",
)
OTHER_DECIMALS = {
    "rank": 0,  # a whole place, NaN without a value
    "percentile": PERCENTILE_DECIMALS,
    "score": SCORE_DECIMALS,
    "distance": SCORE_DECIMALS,
    "trend_rho": 2,
}  # as the report prints them
# Cut (not rounded), as the report prints them, where a number is read against a threshold: shares of residents
# against the share an area's value needs (MIN_AREA_COVERAGE), to one decimal (89.96% must not read 90.0% beside a
# value withheld for being under 90%), and the events behind a value (9.6 assumed moves, not judged for being
# fewer than 10, must not read 10: `reliability.events_text`).
CUT_DECIMALS = {"voivodeship_coverage": 1, "poland_coverage": 1, "events": 0}
# Trends: a change a year, printed with one decimal more than the indicator (analysis.display).
TREND_COLUMNS = ("trend", "trend_low", "trend_high", "trend_vs_peers", "trend_vs_peers_low", "trend_vs_peers_high")
# report.trends' columns behind them
TREND_SOURCES = dict(zip(TREND_COLUMNS, ("slope", "low", "high", "vs_peers", "vs_peers_low", "vs_peers_high")))


def _beside_marks(beside: dict[str, tuple], language: str) -> str:
    """GUS's marks on the figures beside the town's, the figures that carry the same named together: "mediana grupy,
    województwo, Polska: zawiera szacunek wstępny GUS z 2024 r.". "" where none carries any."""
    named: dict[str, list[str]] = {}
    for column, words in BESIDE_WORDS.items():
        if marks := beside.get(column):
            named.setdefault("; ".join(gus_mark_notes(marks, language)), []).append(_word(words, language))
    return " | ".join(f"{', '.join(columns)}: {notes}" for notes, columns in named.items())


def _word(pair: tuple[str, str], language: str) -> str:
    return pair[0] if language == "pl" else pair[1]


def rank_among(value: float, peer_values, direction: Direction) -> tuple[float, int]:
    """The town's place among itself and its peers with a value: 1 is the best.

    For a neutral indicator, 1 is the highest value. Ties share the better place.
    Returns (NaN, 0) when the town has no value.
    """
    peers = np.asarray(peer_values, dtype=float)
    peers = peers[~np.isnan(peers)]
    if np.isnan(value):
        return float("nan"), 0
    better = np.sum(peers < value) if direction == Direction.LOWER_BETTER else np.sum(peers > value)
    return float(better + 1), int(peers.size + 1)


def _sources(indicator: Indicator) -> str:
    catalogue = variables()
    names = dict.fromkeys(split_lag(name)[0] for name in indicator.inputs)
    return ", ".join(f"{name} ({catalogue[name].bdl_id})" for name in names)


def _cut(value: float, decimals: int) -> float:
    """`value` cut down to `decimals` (a hair of float error, 56.99999999999999 for 57, is not cut)."""
    if pd.isna(value):
        return value
    return math.floor(value * 10**decimals + 1e-9) / 10**decimals


def reported_decimals(frame: pd.DataFrame, decimals: pd.Series) -> dict[str, list[int]]:
    """The decimals the report prints each number of `frame` (rows: indicators, each with its `decimals`) with,
    by column: unit columns the row's own, trends one more, the percentile, score and event count their own
    rule, the shares of residents behind area values one."""
    places = {column: [int(d) for d in decimals] for column in UNIT_COLUMNS if column in frame}
    # A level's difference from the peers is in percentage points of its first year (analysis.trends).
    levels = frame["indicator"].isin(LEVEL_INDICATORS) if "indicator" in frame else pd.Series(False, frame.index)
    for column in (c for c in TREND_COLUMNS if c in frame):
        places[column] = [
            LEVEL_DIFFERENCE_DECIMALS
            if level and column.startswith("trend_vs_peers")
            else int(d) + TREND_EXTRA_DECIMALS
            for d, level in zip(decimals, levels)
        ]
    for column, fixed in (OTHER_DECIMALS | CUT_DECIMALS).items():
        if column in frame:
            places[column] = [fixed] * len(frame)
    return places


def round_as_reported(frame: pd.DataFrame, decimals: pd.Series) -> pd.DataFrame:
    """`frame` (rows: indicators) with its numbers rounded as the report prints them (`reported_decimals`),
    and the shares of residents behind area values cut instead: 89.96% must not read 90.0%."""
    rounded = frame.copy()
    for column, places in reported_decimals(frame, decimals).items():
        shorten = _cut if column in CUT_DECIMALS else as_printed
        rounded[column] = [shorten(v, d) for v, d in zip(rounded[column], places)]
    return rounded


@dataclass(frozen=True)
class PrintedDecimals:
    """A sheet's column headers -> the decimals of each row's number, which the workbook shows them with
    ("26,0", "8 738 002"; Excel's General format shows "26" and "8738002"). Kept in the sheet's `attrs` (under
    `DECIMALS`) for `write_town_data`. Never changed, so the copy of a frame's attrs that pandas makes at each
    operation shares it (`__deepcopy__`) instead of copying thousands of numbers (0.2 s of a town's workbook)."""

    columns: dict[object, tuple[int, ...]]

    def __deepcopy__(self, memo) -> PrintedDecimals:
        return self


DECIMALS = "decimals"


def with_decimals(frame: pd.DataFrame, decimals: dict[object, list[int] | int]) -> pd.DataFrame:
    """`frame`, marked with the decimals its numbers are printed with (one for a column, or one per row)."""
    frame.attrs[DECIMALS] = PrintedDecimals(
        {
            column: (places,) * len(frame) if isinstance(places, int) else tuple(int(d) for d in places)
            for column, places in decimals.items()
        }
    )
    return frame


def asas_printed(frame: pd.DataFrame, decimals: pd.Series, headers: dict[str, str]) -> pd.DataFrame:
    """A sheet of indicators (`frame`, each row's `decimals`) as people read it: rounded as the report prints
    it (`round_as_reported`), its columns named by `headers`, and marked with those decimals for the workbook."""
    places = {headers.get(column, column): rows for column, rows in reported_decimals(frame, decimals).items()}
    return with_decimals(round_as_reported(frame, decimals).rename(columns=headers), places)


def printed_decimals(frame: pd.DataFrame) -> dict[object, tuple[int, ...]]:
    """The decimals a sheet's numbers are printed with, by column (`with_decimals`); none for a sheet without."""
    marked = frame.attrs.get(DECIMALS)
    return marked.columns if marked else {}


def _census_step(indicator: Indicator, row: pd.Series) -> str:
    """The census re-basings the town's 5- and 10-year changes hold as a step (`analysis.census.steps_in_changes`):
    "2021" for population to 2024, "" for a rate per resident."""
    if pd.isna(row["year"]):
        return ""
    spans = [span for span, key in zip(CHANGE_YEARS, ("change", "change_10y")) if pd.notna(row[key])]
    return ", ".join(str(year) for year in steps_in_changes(indicator.inputs, int(row["year"]), spans))


def _trend_columns(report: TownReport, indicator_id: str, reliability: str) -> dict:
    """The yearly trend and that of the difference from the peers' median, with their 95% intervals; none
    for a value not ranked for too few events, as in the report."""
    if reliability == "not_ranked" or indicator_id not in report.trends.index:
        return {
            **dict.fromkeys(TREND_COLUMNS, np.nan),
            "trend_clear": pd.NA,
            "trend_vs_peers_clear": pd.NA,
            "trend_rho": np.nan,
        }
    trend = report.trends.loc[indicator_id]
    values = {column: trend[source] for column, source in TREND_SOURCES.items()}
    clear = {
        "trend_clear": bool(trend["clear"]) if pd.notna(trend["slope"]) else pd.NA,
        "trend_vs_peers_clear": bool(trend["vs_peers_clear"]) if pd.notna(trend["vs_peers"]) else pd.NA,
    }
    return {**values, **clear, "trend_rho": trend["rho"] if pd.notna(trend["slope"]) else np.nan}


def _scale(row: pd.Series, peer_values, indicator: Indicator) -> float:
    """The spread a score is counted in (`analysis.scoring.score_scale`), from the peers' values the rank is
    counted among, so that score = (value − median) / scale, signed by direction and within ±2 (0 where the
    value's 95% interval includes the median); NaN without a score."""
    if pd.isna(row["score"]):
        return math.nan
    peers = np.asarray(peer_values, dtype=float)
    return score_scale(peers[~np.isnan(peers)], indicator.min_difference)


def indicator_sheet(report: TownReport, rounded: bool = True) -> pd.DataFrame:
    """One row per catalogue indicator: the report's comparison, with rank, unit and definition;
    rounded as the report prints it, or with `rounded=False` at full precision."""
    language = report.language
    catalogue = indicators()
    peers_in_year: dict[int, pd.DataFrame] = {}  # the peers' values of one year, taken out once per year
    rows = []
    for indicator_id, row in report.comparison.iterrows():
        indicator = catalogue[indicator_id]
        year = row["year"]
        if pd.notna(year) and int(year) not in peers_in_year:
            peers_in_year[int(year)] = report.compared.xs(int(year), level="year").reindex(list(report.peers.members))
        peer_values = peers_in_year[int(year)][indicator_id] if pd.notna(year) else pd.Series(dtype=float)
        peer_values = peer_values.drop(list(row["peers_left_out"]))  # as the comparison: their land moved
        rank, rank_of = rank_among(row["value"], peer_values, indicator.direction)
        if pd.notna(row["boundary_change"]):  # the town's own value holds its land moved: not ranked
            rank = math.nan
        rows.append(
            {
                "indicator": indicator_id,
                "name": indicator.name(language),
                "section": label(indicator.section, language),
                "subdomain": label(indicator.subdomain, language),
                "unit": indicator.unit(language),
                "direction": _word(DIRECTION_WORDS[indicator.direction], language),
                "year": int(year) if pd.notna(year) else pd.NA,
                "period_start": int(row["period_start"]) if pd.notna(row["period_start"]) else pd.NA,
                **{key: row[key] for key in ("value", "peer_median", "peer_q1", "peer_q3")},
                "voivodeship_value": report.areas.at[indicator_id, "voivodeship"],
                "poland_value": report.areas.at[indicator_id, "poland"],
                "voivodeship_coverage": 100 * report.areas.at[indicator_id, "voivodeship_coverage"],
                "poland_coverage": 100 * report.areas.at[indicator_id, "poland_coverage"],
                "peer_count": int(row["peer_count"]),
                "rank": rank,
                "rank_of": rank_of,
                "percentile": row["percentile"],
                "score": row["score"],
                "distance": row["distance"],
                "scale": _scale(row, peer_values, indicator),
                "assessment": _word(ASSESSMENT_WORDS[row["assessment"]], language),
                "within_chance": within_chance(row, indicator),
                "judged": bool(row["judged"]),
                "matching": bool(row["matching"]),
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "events": row["events"],
                "reliability": _word(RELIABILITY_WORDS[row["reliability"]], language),
                "boundary_change": int(row["boundary_change"]) if pd.notna(row["boundary_change"]) else pd.NA,
                "peers_left_out": " ".join(row["peers_left_out"]),
                **{key: row[key] for key in ("change", "peer_median_change", "change_10y", "peer_median_change_10y")},
                **{key: " ".join(row[key]) for key in ("peers_left_out_change", "peers_left_out_change_10y")},
                "census_step": _census_step(indicator, row),
                **_trend_columns(report, indicator_id, row["reliability"]),
                "missing_years": int(row["missing_years"]),
                # The town's figures that the row reads: its value, its changes and its trend.
                "gus_marks": "; ".join(
                    gus_mark_notes(
                        merged(report.gus_marks.get(indicator_id, ()), report.change_10y_marks.get(indicator_id, ())),
                        language,
                    )
                ),
                "gus_marks_beside": _beside_marks(
                    {
                        **report.reference_marks.get(indicator_id, {}),
                        "peer_median_change": report.peer_change_marks.get(indicator_id, ()),
                        "peer_median_change_10y": report.peer_change_10y_marks.get(indicator_id, ()),
                    },
                    language,
                ),
                "data_years": f"{report.first_year}–{report.last_year}",
                "formula": indicator.formula,
                "sources": _sources(indicator),
                "direction_reason": indicator.reason(language),
            }
        )
    frame = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    frame[["year", "period_start", "boundary_change"]] = frame[["year", "period_start", "boundary_change"]].astype(
        "Int64"
    )
    headers = {key: _word(pair, language) for key, pair in INDICATOR_COLUMNS.items()}
    if not rounded:
        return frame.rename(columns=headers)
    return asas_printed(frame, frame["indicator"].map(lambda i: catalogue[i].decimals), headers)


def _yearly(frame: pd.DataFrame, decimals: list[int]) -> pd.DataFrame:
    """Rows of yearly values (one number of decimals per row), columns the years as integers, rounded as
    the report prints them."""
    rows = [[as_printed(value, places) for value in row] for row, places in zip(frame.to_numpy(dtype=float), decimals)]
    return pd.DataFrame(rows, index=frame.index, columns=[int(year) for year in frame.columns], dtype=float)


def series_sheet(report: TownReport) -> pd.DataFrame:
    """The town's value of every indicator in every year of the report (rows: indicators)."""
    language = report.language
    town = report.values.xs(report.teryt, level="teryt")
    catalogue = indicators()
    frame = _yearly(town[list(catalogue)].T, [indicator.decimals for indicator in catalogue.values()])
    frame.insert(0, _word(INDICATOR_COLUMNS["unit"], language), [catalogue[i].unit(language) for i in frame.index])
    frame.insert(0, _word(INDICATOR_COLUMNS["name"], language), [catalogue[i].name(language) for i in frame.index])
    frame.index.name = _word(INDICATOR_COLUMNS["indicator"], language)
    places = [catalogue[i].decimals for i in frame.index]
    return with_decimals(frame.reset_index(), {year: places for year in frame.columns if isinstance(year, int)})


def charted_indicators() -> list[str]:
    """The indicators the report draws over the years: the catalogue's headline ones, and population
    (the projection chart)."""
    return list(dict.fromkeys(["population", *(i.id for i in indicators().values() if i.headline)]))


PEER_SUMMARY_ROWS = {  # the lines and band of a trend chart, from the peers' values of each year
    "median": (0.5, ("mediana grupy", "peer median")),
    "q1": (0.25, ("kwartyl 1 grupy", "peer first quartile")),
    "q3": (0.75, ("kwartyl 3 grupy", "peer third quartile")),
}


def peer_series_sheet(report: TownReport) -> pd.DataFrame:
    """For every charted indicator: the town's and each peer's yearly values, and the peers' median and
    quartiles of each year (what the trend chart draws; quartiles by linear interpolation, as seaborn's)."""
    language = report.language
    catalogue = indicators()
    names = {report.teryt: report.name, **dict(zip(report.peer_units["teryt"], report.peer_units["name"]))}
    members = [report.teryt, *report.peers.members]
    blocks = []
    for indicator_id in charted_indicators():
        indicator = catalogue[indicator_id]
        wide = report.values[indicator_id].unstack("year").reindex(members)
        peers = wide.loc[list(report.peers.members)]
        summary = peers.quantile([q for q, _ in PEER_SUMMARY_ROWS.values()])  # rows: median, q1, q3
        summary.loc[:, peers.count() < MIN_PEERS] = np.nan  # too few peers that year: none (as the tables)
        summary.index = list(PEER_SUMMARY_ROWS)
        rows = _yearly(pd.concat([wide, summary]), [indicator.decimals] * (len(wide) + len(summary)))
        rows.insert(0, "TERYT", [t if t in names else "" for t in rows.index])
        rows.insert(
            1,
            label("town", language),
            [names.get(t) or _word(PEER_SUMMARY_ROWS[t][1], language) for t in rows.index],
        )
        rows.insert(0, _word(INDICATOR_COLUMNS["unit"], language), indicator.unit(language))
        rows.insert(0, _word(INDICATOR_COLUMNS["name"], language), indicator.name(language))
        rows.insert(0, _word(INDICATOR_COLUMNS["indicator"], language), indicator_id)
        blocks.append(rows)
    frame = pd.concat(blocks, ignore_index=True)
    places = [catalogue[i].decimals for i in frame[_word(INDICATOR_COLUMNS["indicator"], language)]]
    return with_decimals(frame, {year: places for year in frame.columns if isinstance(year, int)})


def projection_sheet(report: TownReport) -> pd.DataFrame:
    """The population projection the summary's chart draws: yearly mean and its 95% prediction interval."""
    pl = report.language == "pl"
    columns = (
        ["Rok", "Prognoza", "95% przedział – dolna granica", "95% przedział – górna granica"]
        if pl
        else ["Year", "Projection", "95% interval – lower bound", "95% interval – upper bound"]
    )
    if report.projection is None:
        return pd.DataFrame(columns=columns)
    decimals = indicators()["population"].decimals
    forecast = report.projection.forecast[["mean", "low", "high"]].map(lambda value: as_printed(value, decimals))
    frame = forecast.reset_index()
    frame.columns = columns
    frame[columns[0]] = frame[columns[0]].astype(int)
    return with_decimals(frame, dict.fromkeys(columns[1:], decimals))


def peers_sheet(report: TownReport) -> pd.DataFrame:
    language = report.language
    frame = report.peer_units[["teryt", "name", "kind", "voivodeship", "population"]].copy()
    frame["kind"] = [label(kind, language) for kind in frame["kind"]]
    frame["voivodeship"] = [voivodeship_name(name, language) for name in frame["voivodeship"]]
    population = f"{label('population', language)} ({report.last_year})"
    frame = frame.rename(
        columns={
            "teryt": "TERYT",
            "name": label("town", language),
            "kind": label("kind", language),
            "voivodeship": label("voivodeship", language),
            "population": population,
        }
    )
    return with_decimals(frame, {population: indicators()["population"].decimals})


# What a column means, for the method sheets of a town's workbook and of the batch's: (name, meaning) per language.
COLUMN_NOTES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "percentile": (
        (
            "Percentyl",
            "odsetek gmin grupy, od których gmina wypada korzystniej (remisy liczone po połowie); dla wskaźnika "
            "neutralnego (nieocenianego) – odsetek gmin grupy o niższej wartości",
        ),
        (
            "Percentile",
            "share of peers the town does better than (ties count half); for a neutral indicator (not judged), "
            "the share of peers with a lower value",
        ),
    ),
    "assessment": (
        (
            "Ocena",
            "mocna strona: percentyl ≥ 75, różnica od mediany ≥ minimalnej istotnej, a 95% przedział (gdy jest) nie "
            "obejmuje mediany; słaba strona – odwrotnie (ta sama reguła co w raporcie); gdy percentyl i różnica "
            "wystarczają, a przedział obejmuje medianę: bez oceny, z zaznaczeniem w kolumnie „Różnica w granicach "
            "przypadku”",
        ),
        (
            "Assessment",
            "strength: percentile ≥ 75, difference from the median ≥ the minimum meaningful one, and the 95% interval "
            "(where there is one) excludes the median; weakness mirrors it (the report's own rule); where the "
            "percentile and the difference qualify but the interval includes the median: no mark, and the column "
            "“Difference within chance” says so",
        ),
    ),
}


def _column_note(key: str, language: str) -> tuple[str, str]:
    return _word(COLUMN_NOTES[key], language)


def method_sheet(report: TownReport, edition: str) -> pd.DataFrame:
    """Who, what and how: the town, its peer rule, the source and what each column means."""
    pl = report.language == "pl"
    rule = report.peers.rule
    rows = [
        (label("town", report.language), report.name),
        ("TERYT", report.teryt),
        (label("voivodeship", report.language), voivodeship_name(report.voivodeship, report.language)),
        (label("data_years", report.language), f"{report.first_year}–{report.last_year}"),
        # In words, with the batch file's name of the rule (`peers: method:`) beside it.
        (
            "Metoda doboru grupy" if pl else "Peer selection method",
            f"{rule_name(rule_key(rule), report.language)} ({rule.method})",
        ),
        ("Liczba gmin w grupie" if pl else "Peer group size", len(report.peers.members)),
        ("Rok doboru grupy" if pl else "Peer selection year", report.peers.reference_year),
        (label("source_heading", report.language), report.source_name),
        (
            "Dane syntetyczne" if pl else "Synthetic data",
            label("yes" if report.synthetic else "no", report.language),
        ),
        (label("edition", report.language), edition),
        ("Wersja pakietu analysis" if pl else "analysis package version", analysis_version),
        (
            label("method_version", report.language),
            f"{shown_method_version()} ("
            + (
                "skrót kodu obliczeń, katalogu wskaźników i wersji bibliotek"
                if pl
                else "a hash of the computation code, the indicator catalogue and the libraries' versions"
            )
            + ")",
        ),
        (
            "Miejsce" if pl else "Rank",
            "1 = najkorzystniej wśród gminy i jej grupy; dla wskaźników neutralnych 1 = najwyższa wartość"
            if pl
            else "1 = best among the town and its peers; for neutral indicators 1 = highest value",
        ),
        _column_note("percentile", report.language),
        (
            "Wynik" if pl else "Score",
            "(wartość − mediana grupy) / max(1,4826 × MAD, IQR / 1,349, minimalna istotna różnica), ograniczony do "
            "±2; dodatnie = korzystniej; 0, gdy 95% przedział wartości obejmuje medianę (różnica w granicach przypadku)"
            if pl
            else "(value − peer median) / max(1.4826 × MAD, IQR / 1.349, minimum meaningful difference), capped at ±2; "
            "positive is better; 0 where the value's 95% interval includes the median (a difference within chance)",
        ),
        _column_note("assessment", report.language),
        verdict_note(report.language),
    ]
    rows.append(
        (
            "Zaokrąglenia" if pl else "Rounding",
            "arkusze i data-excel.csv: liczby zaokrąglone jak w raporcie (miejsca po przecinku wskaźnika, percentyl "
            "do całości, wynik do 0,01); pełna precyzja: arkusz „Pełna precyzja” i data.csv"
            if pl
            else "sheets and data-excel.csv: numbers rounded as in the report (the indicator's decimals, percentile to "
            "a whole number, score to 0.01); full precision: the Full precision sheet and data.csv",
        )
    )
    pooled = "; ".join(f"{ind.name(report.language)} ({ind.pool_years})" for ind in indicators().values() if ind.pooled)
    rows.append(
        (
            "Wartości z kilku lat" if pl else "Values pooled over years",
            f"porównujemy za ostatnie lata łącznie (w nawiasie: ile lat): {pooled}; wartość to wzór wskaźnika "
            "na sumach zmiennych z tych lat (np. urodzenia z 3 lat przez ludność z 3 lat), czyli średnia roczna, "
            "a dla udziału kwot z budżetu – udział z tych lat łącznie (wydatki inwestycyjne z 3 lat przez wszystkie "
            "wydatki z 3 lat), kolumna „Od roku”; "
            "wykresy i szeregi pokazują wartości roczne"
            if pl
            else f"compared over the last years together (in brackets: how many): {pooled}; the value is the "
            "indicator's formula over the variables summed over those years (e.g. births of 3 years over the "
            "population of 3 years), a yearly average, and for a share of budget amounts the share of those years "
            "together (investment spending of 3 years over all spending of 3 years), column From year; charts and "
            "series show yearly values",
        )
    )
    nets_out = ", ".join(
        ind.name_in_sentence(report.language) for ind in indicators().values() if ind.nets_out_nationally
    )
    share = format_number(100 * MIN_AREA_COVERAGE, 0, report.language) + "%"
    published = ", ".join(ind.name_in_sentence(report.language) for ind in indicators().values() if published_rate(ind))
    rows.append(
        (
            "Województwo i Polska" if pl else "Voivodeship and Poland",
            "wzór wskaźnika na sumach zmiennych gmin obszaru (iloraz sum, nie średnia stóp gmin); puste, gdy gminy "
            f"z danymi mają mniej niż {share} ludności obszaru (liczba ludności: gdy brak jej dla którejkolwiek gminy) "
            "albo gdy GUS podaje dla gmin tylko stopę, bez mianownika; "
            f"wyjątek: {published} – wartość, którą GUS podaje dla województwa i Polski (puste, gdy jej brak w danych)"
            if pl
            else "the indicator's formula over the variables summed over the area's gminy (a ratio of sums, not a "
            f"mean of their rates); empty where the gminy with data hold less than {share} of the area's residents "
            "(the population: where any gmina lacks it), "
            "or where GUS publishes the gminy's values only as rates, without their denominators; "
            f"except {published}: the figure GUS publishes for the voivodeship and Poland (empty where the data lack it)",
        )
    )
    if budgets := area_budgets_note(report):  # the store holds cities with powiat rights: budgets summed apart
        rows.append(
            (
                "Województwo i Polska: dochody i wydatki" if pl else "Voivodeship and Poland: revenue and spending",
                budgets.removeprefix("; "),
            )
        )
    rows.append(
        (
            _word(INDICATOR_COLUMNS["poland_value"], report.language),
            f"puste dla: {nets_out}; przepływy między gminami w skali kraju się równoważą (z definicji 0)"
            if pl
            else f"empty for: {nets_out}; flows between gminy net out over the country (zero by definition)",
        )
    )
    rows.append(
        (
            "Kwoty w zł" if pl else "Amounts in PLN",
            "w cenach bieżących, jak publikują je GUS i Ministerstwo Finansów: zmiany w 5 i 10 lat oraz trendy "
            "obejmują wzrost cen, porównanie z grupą, województwem i Polską w tym samym roku – nie"
            if pl
            else "at current prices, as GUS and the Ministry of Finance publish them: the 5- and 10-year changes and "
            "the trends include inflation, a comparison with the peers, the voivodeship and Poland in one year does not",
        )
    )
    rows.append(
        (
            "Trend",
            "mediana nachyleń między parami lat (Theil–Sen) z 95% przedziałem Sena, poszerzonym przy autokorelacji; "
            "wyraźny, gdy przedział nie obejmuje zera; trend różnicy: ten sam dla szeregu gmina − mediana grupy, "
            "w jednostce wskaźnika, a dla liczby ludności – w punktach procentowych rocznie (gmina i każda gmina grupy "
            f"w % swojego stanu z pierwszego roku); brak dla wartości nieocenianych (< {NOT_RANKED_BELOW} zdarzeń) "
            f"i przy zbyt krótkim szeregu (mniej niż {MIN_POINTS} lat, a dla szeregu zmieniającego się jak błądzenie "
            f"losowe, np. liczby ludności, mniej niż {fewest_years(MAX_RHO)}); zob. metodologię"
            if pl
            else "median of the slopes between pairs of years (Theil–Sen) with Sen's 95% interval, widened for "
            "autocorrelation; clear where the interval excludes zero; trend of the difference: the same for the "
            "series town − peer median, in the indicator's unit, and for population in percentage points a year "
            "(the town and each peer as % of its own first-year level); none for values not judged "
            f"(< {NOT_RANKED_BELOW} events) "
            f"and for too short a series (fewer than {MIN_POINTS} years, or {fewest_years(MAX_RHO)} for a series "
            "that changes like a random walk, such as population); see the methodology",
        )
    )
    rows.append(
        (
            "Szeregi grupy" if pl else "Peer series",
            "wartości gminy i każdej gminy grupy dla wskaźników z wykresów; mediana i kwartyle grupy w każdym roku "
            "(interpolacja liniowa) to linia i pasmo wykresu"
            if pl
            else "the town's and every peer's values of the charted indicators; the peers' median and quartiles of "
            "each year (linear interpolation) are the chart's line and band",
        )
    )
    projection = (
        projection_sentence(report.projection, report.language)
        if report.projection is not None
        else no_projection_sentence(report.projection_years, report.language)
    )
    if projection:  # the sheet of that name: how its figures were made, or why it is empty
        rows.append((_word(SHEET_NAMES["projection"], report.language), projection))
    changes = ", ".join(ind.name_in_sentence(report.language) for ind in indicators().values() if ind.is_change)
    rows.append(
        (
            "Zmiana wskaźnika, który sam jest zmianą" if pl else "Change of an indicator that is itself a change",
            f"dla: {changes}; kolumny zmian w 5 i 10 lat podają zmianę tej zmiany (w punktach procentowych; tabele "
            "raportu jej nie pokazują), nie samą zmianę – ta jest w kolumnie wartości"
            if pl
            else f"for: {changes}; the 5- and 10-year change columns give the change of that change (in percentage "
            "points; the report's tables omit it), not the change itself – that is the value column",
        )
    )
    for step in report.changes_without_step.values():
        town, peers = (format_number(v, 1, report.language, signed=True) for v in (step.town, step.peers))
        span = CHANGE_SPANS[step.indicator_id]
        rows.append(
            (
                f"Zmiana liczby ludności w ciągu {span} lat bez skoku ze spisu {step.break_year} (%)"
                if pl
                else f"Population change over {span} years without the {step.break_year} census step (%)",
                f"gmina: {town}; mediana grupy: {peers} (lata przed {step.break_year} przeliczone na podstawę spisu; "
                "zob. metodologię)"
                if pl
                else f"town: {town}; peer median: {peers} (years before {step.break_year} put on the census basis; "
                "see the methodology)",
            )
        )
    key, value = ("Pozycja", "Wartość") if pl else ("Item", "Value")
    return pd.DataFrame(rows, columns=[key, value]).astype({value: str})


def verdicts_sheet(report: TownReport) -> pd.DataFrame:
    """Each section's verdict and what it rests on, as the batch workbook lists them for every town."""
    return grounds_sheet(
        [
            _verdict_grounds(section, report.verdicts.at[section, "verdict"], details, report.language)
            for section, details in verdict_grounds(report).items()
        ],
        report.language,
    )


def grounds_sheet(rows: list[dict], language: str) -> pd.DataFrame:
    """Rows of `_verdict_grounds` as a sheet, its scores shown with the report's decimals."""
    frame = pd.DataFrame(rows)
    return with_decimals(frame, {label("score", language): SCORE_DECIMALS} if len(frame) else {})


# The indicators of a town that moved since the edition its report compares with (a build with --previous), as
# the report's table lists them: the numbers behind each of its cells, rounded as printed there.
EDITION_CHANGE_COLUMNS = {
    "old_value": ("Wartość – poprzednia edycja", "Value – previous edition"),
    "old_period": ("Lata wartości – poprzednia edycja", "Years of the value – previous edition"),
    "new_value": ("Wartość – ta edycja", "Value – this edition"),
    "new_period": ("Lata wartości – ta edycja", "Years of the value – this edition"),
    "value_change": ("Zmiana wartości (ta − poprzednia)", "Change of the value (this − previous)"),
    "old_percentile": ("Percentyl – poprzednia edycja", "Percentile – previous edition"),
    "new_percentile": ("Percentyl – ta edycja", "Percentile – this edition"),
    "old_assessment": ("Ocena – poprzednia edycja", "Assessment – previous edition"),
    "new_assessment": ("Ocena – ta edycja", "Assessment – this edition"),
    "old_judged": (
        "Oceniany z założenia (nie neutralny, nie zmienna doboru grupy) – poprzednia edycja",
        "Judged by design (not neutral, not a peer-matching variable) – previous edition",
    ),
    "new_judged": (
        "Oceniany z założenia (nie neutralny, nie zmienna doboru grupy) – ta edycja",
        "Judged by design (not neutral, not a peer-matching variable) – this edition",
    ),
    "old_marks": ("Znaki GUS – poprzednia edycja", "GUS marks – previous edition"),
    "new_marks": ("Znaki GUS – ta edycja", "GUS marks – this edition"),
}


def edition_changes_sheet(report: TownReport) -> pd.DataFrame | None:
    """The report's table of what moved since the previous edition (`analysis.display.edition_changes`), with its
    numbers as numbers; None for a report that compares with no edition. The change of a value is that of the two
    values as printed, so that it is the difference a reader of the table computes."""
    changes = changes_since(report, report.params.previous)
    if changes is None:
        return None
    language, catalogue = report.language, indicators()
    rows = []
    for indicator_id, row in changes.indicators.iterrows():
        indicator = catalogue[indicator_id]
        old, new = (as_printed(row[key], indicator.decimals) for key in ("old_value", "new_value"))
        rows.append(
            {
                "indicator": indicator_id,
                "name": indicator.name(language),
                "unit": indicator.unit(language),
                "old_value": old,
                "old_period": row["old_period"],
                "new_value": new,
                "new_period": row["new_period"],
                "value_change": as_printed(new - old, indicator.decimals),
                **{key: as_printed(row[key], PERCENTILE_DECIMALS) for key in ("old_percentile", "new_percentile")},
                **{
                    key: _word(ASSESSMENT_WORDS[row[key] or ""], language)
                    for key in ("old_assessment", "new_assessment")
                },
                **{key: bool(row[key]) for key in ("old_judged", "new_judged")},
                **{key: "; ".join(gus_mark_notes(row[key], language)) for key in ("old_marks", "new_marks")},
            }
        )
    headers = {key: _word(INDICATOR_COLUMNS[key], language) for key in ("indicator", "name", "unit")}
    headers |= {key: _word(words, language) for key, words in EDITION_CHANGE_COLUMNS.items()}
    frame = pd.DataFrame(rows, columns=list(headers)).rename(columns=headers)
    places = [catalogue[indicator_id].decimals for indicator_id in changes.indicators.index]
    decimals = {headers[key]: places for key in ("old_value", "new_value", "value_change")}
    return with_decimals(
        frame, decimals | {headers[key]: PERCENTILE_DECIMALS for key in ("old_percentile", "new_percentile")}
    )


def town_tables(report: TownReport, edition: str) -> dict[str, pd.DataFrame]:
    """The sheets of a town's workbook, keyed by sheet name in the report's language; with --previous, also
    what moved since that edition (`edition_changes_sheet`)."""
    language = report.language
    tables = {
        _word(SHEET_NAMES["indicators"], language): indicator_sheet(report),
        _word(SHEET_NAMES["verdicts"], language): verdicts_sheet(report),
        _word(SHEET_NAMES["series"], language): series_sheet(report),
        _word(SHEET_NAMES["peer_series"], language): peer_series_sheet(report),
        _word(SHEET_NAMES["projection"], language): projection_sheet(report),
        _word(SHEET_NAMES["peers"], language): peers_sheet(report),
    }
    changes = edition_changes_sheet(report)
    if changes is not None:
        tables[_word(SHEET_NAMES["since_previous"], language)] = changes
    return tables | {
        _word(SHEET_NAMES["full"], language): indicator_sheet(report, rounded=False),
        _word(SHEET_NAMES["method"], language): method_sheet(report, edition),
    }


BATCH_SHEETS = {
    "verdicts": ("Oceny części", "Section verdicts"),
    "grounds": ("Podstawy ocen", "Verdict grounds"),
    "since_previous": SHEET_NAMES["since_previous"],
}
# The batch's "since the previous edition" sheet (a build with --previous): a town per row, from its record.
SINCE_PREVIOUS_COLUMNS = {
    "edition": ("Poprzednia edycja", "Previous edition"),
    "new_to_batch": ("Nowa w zestawie (nie było jej w tamtej edycji)", "New to the batch (not in that edition)"),
    "verdicts": ("Zmienione oceny części", "Changed section verdicts"),
    "indicators": (
        "Wskaźniki, których wartość, pozycja lub ocena się zmieniły",
        "Indicators whose value, position or assessment changed",
    ),
    "new_years": ("Nowe lata danych", "New data years"),
    "boundary_changes": ("Nowe w danych zmiany granic gminy (rok)", "Changes of boundaries new to the data (year)"),
    "peers_joined": ("Dołączyły do grupy (TERYT)", "Joined the peer group (TERYT)"),
    "peers_left": ("Odeszły z grupy (TERYT)", "Left the peer group (TERYT)"),
    "peer_rule": ("Zmieniona reguła doboru grupy", "Changed peer rule"),
    "method_changed": ("Inna wersja metody", "Another method version"),
}
BATCH_NOTES = (  # (item, meaning) per language: the batch workbook's method sheet, beside the shared column notes
    (
        ("Skąd liczby", "z rekordu raportu każdej gminy (figures.json): te same liczby co w raporcie i w jego "
         "arkuszu data.xlsx, gdzie są też kwartyle, województwo, Polska, przedziały i trendy"),
        ("Where the figures come from", "each town's report record (figures.json): the same figures as in the "
         "report and its data.xlsx, which also holds quartiles, voivodeship, Poland, intervals and trends"),
    ),
    (
        ("Mediana grupy", "każda gmina ma własną grupę porównawczą (zob. jej raport): mediany różnych gmin "
         "opisują różne grupy"),
        ("Peer median", "each town has its own peer group (see its report): the medians of two towns describe "
         "two different groups"),
    ),
    (
        ("Podstawy ocen", "na czym stoi każda ocena części, jak w tabeli ocen raportu: wynik, ocenione "
         "wskaźniki, czy ocena jest ta sama przy każdej innej grupie porównawczej (analiza wrażliwości raportu) "
         "i wskaźnik, bez którego brzmiałaby inaczej; oceny zależne od jednego z nich warto przeczytać w raporcie, "
         "zanim zestaw wyjdzie"),
        ("Verdict grounds", "what each section verdict rests on, as in the report's verdicts table: the score, the "
         "indicators judged, whether the verdict is the same under every other peer group (the report's "
         "sensitivity analysis) and the indicator without which it would read otherwise; verdicts that depend on "
         "either are worth reading in the report before the batch goes out"),
    ),
    (
        ("Zaokrąglenia", "arkusz „Wskaźniki” i batch-excel.csv: jak w raportach; pełna precyzja: arkusz „Pełna "
         "precyzja” i batch.csv"),
        ("Rounding", "the Indicators sheet and batch-excel.csv: as the reports print; full precision: the Full "
         "precision sheet and batch.csv"),
    ),
)  # fmt: skip
BATCH_INDICATOR_KEYS = ("year", "period_start", "value", "peer_median", "percentile", "assessment")
# GUS's marks in words after them: the value's (as the towns' sheets), and its peer median's (the towns' sheets
# say them with the voivodeship's and Poland's, which the batch workbook has not).
BATCH_MARK_COLUMNS = {
    "gus_marks": INDICATOR_COLUMNS["gus_marks"],
    "gus_marks_peer_median": ("Znaki GUS w danych mediany grupy", "GUS marks on the data of the peer median"),
}
BATCH_MARKS = tuple(BATCH_MARK_COLUMNS)


def batch_tables(towns: list[dict], language: str) -> dict[str, pd.DataFrame]:
    """Every built town of a batch in one workbook, for the programme's analysts: each indicator's value,
    peer median, percentile and assessment (one row per town and indicator), and each town's section
    verdicts. `towns`: dicts of teryt, name, voivodeship, kind (as shown) and the `record` each report kept
    for the next edition (figures.json, `analysis.editions`), so every number is the report's own.
    The first sheet is rounded as the reports print; the full-precision sheet is not; the method sheet
    says where the figures come from and what the columns mean."""
    catalogue = indicators()
    where = {
        "TERYT": "teryt",
        label("town", language): "name",
        label("voivodeship", language): "voivodeship",
        label("kind", language): "kind",
    }
    rows, verdicts, grounds, since_previous = [], [], [], []
    for town in towns:
        place = {header: town[key] for header, key in where.items()}
        record = town["record"]
        if "since_previous" in record:
            since_previous.append(place | _since_previous(record["since_previous"], language))
        verdicts.append(
            place
            | {label("edition", language): record.get("edition", "")}
            | {
                label(section, language): label(f"verdict_{verdict}", language)
                for section, verdict in record.get("verdicts", {}).items()
            }
        )
        grounds += [  # none from a record of an edition that did not keep them
            place | _verdict_grounds(section, record["verdicts"].get(section, "none"), details, language)
            for section, details in record.get("sections", {}).items()
        ]
        for indicator_id, figures in record.get("indicators", {}).items():
            if indicator_id not in catalogue:
                continue
            indicator = catalogue[indicator_id]
            rows.append(
                place
                | {
                    "indicator": indicator_id,
                    "name": indicator.name(language),
                    "unit": indicator.unit(language),
                    "decimals": indicator.decimals,
                }
                | {key: figures.get(key) for key in BATCH_INDICATOR_KEYS}
                # GUS's marks on the value's figures and on the median's, in words (none kept by a record of an
                # earlier edition)
                | {
                    "gus_marks": "; ".join(gus_mark_notes(kept_marks(figures) or (), language)),
                    "gus_marks_peer_median": "; ".join(
                        gus_mark_notes(kept_marks(figures, "peer_median_gus_marks") or (), language)
                    ),
                }
            )
    columns = [*where, "indicator", "name", "unit", "decimals", *BATCH_INDICATOR_KEYS, *BATCH_MARKS]
    full = pd.DataFrame(rows, columns=columns)
    full = full.astype({"year": "Int64", "period_start": "Int64", "value": float, "peer_median": float})
    full["percentile"] = full["percentile"].astype(float)
    full["assessment"] = [_word(ASSESSMENT_WORDS[mark or ""], language) for mark in full["assessment"]]
    decimals, full = full["decimals"], full.drop(columns="decimals")
    headers = {
        key: _word({**INDICATOR_COLUMNS, **BATCH_MARK_COLUMNS}[key], language)
        for key in ("indicator", "name", "unit", *BATCH_INDICATOR_KEYS, *BATCH_MARKS)
    }
    notes = [_word(note, language) for note in BATCH_NOTES] + [verdict_note(language)]
    notes += [_column_note(key, language) for key in COLUMN_NOTES]
    item, meaning = ("Pozycja", "Znaczenie") if language == "pl" else ("Item", "Meaning")
    sheets = {
        _word(SHEET_NAMES["indicators"], language): asas_printed(full, decimals, headers),
        _word(BATCH_SHEETS["verdicts"], language): pd.DataFrame(verdicts),
        _word(BATCH_SHEETS["grounds"], language): grounds_sheet(grounds, language),
    }
    if since_previous:  # built with --previous
        sheets[_word(BATCH_SHEETS["since_previous"], language)] = pd.DataFrame(since_previous)
    sheets[_word(SHEET_NAMES["full"], language)] = full.rename(columns=headers)
    sheets[_word(SHEET_NAMES["method"], language)] = pd.DataFrame(notes, columns=[item, meaning])
    return sheets


def _since_previous(changes: dict, language: str) -> dict:
    """One town's row of the batch's "since the previous edition" sheet, from the brief its record keeps
    (`analysis.editions.write_figures`): "—" where nothing of a kind changed, and for all but the edition of a
    town new to the batch, which it has nothing to compare with."""
    catalogue = indicators()
    if changes.get("new_to_batch"):
        cells = {"edition": changes["edition"], "new_to_batch": label("yes", language)}
        return {_word(header, language): cells.get(key) or "—" for key, header in SINCE_PREVIOUS_COLUMNS.items()}
    verdicts = "; ".join(
        f"{label(section, language)}: {label('verdict_' + old, language)} → {label('verdict_' + new, language)}"
        for section, (old, new) in changes["verdicts"].items()
    )
    moved = ", ".join(catalogue[i].name(language) for i in changes["indicators"] if i in catalogue)
    cells = {
        "edition": changes["edition"],
        "new_to_batch": label("no", language),
        "verdicts": verdicts,
        "indicators": moved,
        "new_years": ", ".join(map(str, changes["new_years"])),
        "boundary_changes": ", ".join(map(str, changes.get("boundary_changes", []))),  # older records: none
        "peers_joined": ", ".join(changes["peers_joined"]),
        "peers_left": ", ".join(changes["peers_left"]),
        "peer_rule": " → ".join(rule_name(rule, language) for rule in changes.get("peer_rule") or ()),  # older: none
        "method_changed": label(
            "method_unknown" if changes["method_changed"] is None else "yes" if changes["method_changed"] else "no",
            language,
        ),
    }
    return {_word(SINCE_PREVIOUS_COLUMNS[key], language): value or "—" for key, value in cells.items()}


def verdict_note(language: str) -> tuple[str, str]:
    """How a section's score and verdict are made (`analysis.synthesis`), for the method sheets."""
    band = format_number(VERDICT_BAND, SCORE_DECIMALS, language)
    coverage = f"{MIN_COVERAGE:.0%}"
    chance = within_chance_note(language).removeprefix(f"{WITHIN_CHANCE_MARK} ")  # as the report's tables say it
    if language == "pl":
        fields = with_noun(
            MIN_SUBDOMAINS, {"one": "dziedzina", "few": "dziedziny", "many": "dziedzin", "other": "dziedziny"}
        )
        return (
            "Oceny części",
            f"wynik części: średnia wyników ocenionych wskaźników najpierw w dziedzinach, potem między nimi; +{band} "
            f"i więcej: korzystniej, −{band} i mniej: mniej korzystnie, pomiędzy: podobnie jak typowa gmina grupy; "
            f"bez oceny, gdy oceniono mniej niż {coverage} wskaźników części podlegających ocenie lub mniej niż {fields}; "
            f"{WITHIN_CHANCE_MARK} po nazwie wskaźnika, od którego zależy ocena: {chance}",
        )
    return (
        "Section verdicts",
        f"section score: the mean of the judged indicators' scores, first within sub-domains, then across them; "
        f"+{band} or more: better, −{band} or less: worse, in between: similar to the typical peer; no verdict "
        f"where fewer than {coverage} of the section's judgeable indicators or fewer than {MIN_SUBDOMAINS} sub-domains are "
        f"judged; {WITHIN_CHANCE_MARK} after the name of the indicator a verdict depends on: {chance}",
    )


def _verdict_grounds(section: str, verdict: str, details: dict, language: str) -> dict:
    """One section's row of the verdict sheets (the town's and the batch's), from its record
    (`analysis.editions.verdict_grounds`)."""
    same = details.get("same_under_other_peers")
    hinge = details.get("hinges_on", "")
    return {
        label("report_section", language): label(section, language),
        label("verdict", language): label(f"verdict_{verdict}", language),
        label("score", language): as_printed(details.get("score"), SCORE_DECIMALS)
        if details.get("score") is not None
        else None,
        label("judged", language): label(
            "judged_of", language, judged=details.get("judged", 0), judgeable=details.get("judgeable", 0)
        ),
        label("same_under_other_peers", language): "—" if same is None else label("yes" if same else "no", language),
        label("hinges_on", language): hinge_cell(
            hinge, details.get("verdict_without", ""), language, details.get("hinge_within_chance", False)
        ),  # an edition that did not keep the flag: unmarked
    }


def for_excel(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """A sheet as a CSV for Excel should give it: yes and no as words (a CSV's "True" is text to Excel
    in a Polish locale), TERYT codes as text formulas, ="0290011", without which Excel reads the code
    as the number 290011 and drops the leading zero of four voivodeships' codes, and numbers with the
    decimals they are printed with (the sheet's `PrintedDecimals`)."""
    frame = frame.copy()
    words = {True: label("yes", language), False: label("no", language)}
    for column in frame.columns:
        given = frame[column].dropna()
        if len(given) and given.map(lambda value: isinstance(value, bool | np.bool_)).all():
            frame[column] = frame[column].map(words, na_action="ignore")
    if "TERYT" in frame.columns:
        frame["TERYT"] = '="' + frame["TERYT"].astype(str) + '"'
    # Numbers as printed, with a decimal comma: "8009" and "26,0", not "8009,0" and "26" (pandas writes floats).
    for column, places in printed_decimals(frame).items():
        frame[column] = [
            "" if pd.isna(value) else f"{value:.{decimals}f}".replace(".", ",")
            for value, decimals in zip(frame[column], places)
        ]
    return frame


def write_town_data(
    tables: dict[str, pd.DataFrame], xlsx: Path, csv: Path, excel_csv: Path | None = None, language: str = "pl"
) -> None:
    """The workbook, and the indicators as CSV twice: for programs, UTF-8 with commas and dot decimals
    at full precision (the workbook's full-precision sheet); for people, with semicolons and decimal
    commas (what Excel in a Polish locale opens in columns), rounded as in the report (its first
    sheet), with yes/no and TERYT codes as Excel should show them (`for_excel`). Both CSVs carry a BOM,
    so spreadsheets see the diacritics.

    Every file is written beside its target and renamed into place.
    """
    staged_xlsx, staged_csv = xlsx.with_name(f".{xlsx.name}.tmp"), csv.with_name(f".{csv.name}.tmp")
    with pd.ExcelWriter(staged_xlsx, engine="xlsxwriter") as writer:  # a third faster than openpyxl
        number_formats = {}  # decimals -> the workbook's cell format
        for sheet, frame in tables.items():
            frame.to_excel(writer, sheet_name=sheet[:31], index=False)
            worksheet = writer.sheets[sheet[:31]]
            worksheet.freeze_panes(1, 0)  # the header row stays in view
            if len(frame):  # and filters, e.g. the batch workbook's rows of one indicator, or its weaknesses
                worksheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
            for position, column in enumerate(frame.columns):
                width = max([len(str(column))] + [len(str(value)) for value in frame[column] if not pd.isna(value)])
                worksheet.set_column(position, position, min(max(10, width + 2), 60))
            # Numbers shown with the decimals they are printed with: "26,0" and "8 738 002" in a Polish Excel.
            for column, places in printed_decimals(frame).items():
                position = frame.columns.get_loc(column)
                for row, (value, decimals) in enumerate(zip(frame[column], places), start=1):
                    if decimals not in number_formats:
                        number_formats[decimals] = writer.book.add_format({"num_format": number_pattern(decimals)})
                    if not pd.isna(value):
                        worksheet.write_number(row, position, float(value), number_formats[decimals])
    frames = list(tables.values())
    full = next(
        (frame for name, frame in tables.items() if name in SHEET_NAMES["full"]), frames[0]
    )  # the unrounded indicators
    full.to_csv(staged_csv, index=False, encoding="utf-8-sig")
    if excel_csv is not None:
        staged_excel = excel_csv.with_name(f".{excel_csv.name}.tmp")
        for_excel(frames[0], language).to_csv(staged_excel, index=False, encoding="utf-8-sig", sep=";", decimal=",")
        os.replace(staged_excel, excel_csv)
    os.replace(staged_xlsx, xlsx)
    os.replace(staged_csv, csv)
