"""Looking at several towns at once, and at how a town's verdicts move with its peer rule.

For `notebooks/explore.ipynb`. The tables are plain DataFrames of the reports' own numbers
(nothing is computed here that a report does not compute); `peer_explorer` adds ipywidgets
controls where a live kernel can answer them.
"""

from __future__ import annotations

import difflib
import os
import re
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from analysis.catalogue import Direction, Indicator, indicators
from analysis.compare import CHANGE_YEARS, earlier_year, unranked, value_period
from analysis.display import assessment_cell
from analysis.formatting import format_number
from analysis.gus_marks import GUS_MARK, on_change, on_value
from analysis.labels import label
from analysis.params import ParamsError, normalise_teryt
from analysis.reliability import UNCERTAIN_MARK
from analysis.report import TownReport, prepare_report, towns_compared
from analysis.store import load_store
from analysis.synthesis import SCORE_DECIMALS
from analysis.teryt import codes_named, codes_told_apart, name_like
from analysis.town import (
    TownParams,
    resolve_data_dir,
    say_the_stores_notes,
    unknown_parameters,
    unused_parameters,
    validate_town,
)

PEER_METHODS = ("nearest", "voivodeship", "powiat", "population_class")  # "explicit" needs a list

# The explore notebook's parameters: a name papermill passes that is not one of them is refused.
PARAMETERS = ("towns", "indicator", "first_year", "last_year", "language", "peer_method", "peer_k", "data_dir")


def validate_towns(
    towns: str | int | Sequence[str | int],
    indicator: str = "population",
    source: str = "parameters",
    history: Sequence[str] = (),
    **common,
) -> list[TownParams]:
    """One `TownParams` per comma-separated TERYT code, all with the same other parameters, and the
    indicator to chart; every problem is named at once, a problem of the shared parameters once, not per town.

    `towns` may also be one number (papermill reads `-p towns 0290011` as 290011) or a list of codes, and a
    town may be given by its name ("Bursztynojar", or "blawatkopole" without its Polish letters).
    `history`: the kernel's executed cells (`In`), where papermill's injected cell shows a mistyped name."""
    problems = unknown_parameters(history, PARAMETERS) + unused_parameters(history, common)
    listed = towns if isinstance(towns, (list, tuple)) else str(towns).split(",")
    codes, entries = [], [str(normalise_teryt(entry)).strip() for entry in listed if str(entry).strip()]
    for given in entries:
        if given.isdigit():  # a code, checked against the store with the other parameters below
            codes.append(given)
            continue
        units = load_store(resolve_data_dir(common.get("data_dir", "")) or None).units
        named = codes_named(given, units)
        if len(named) == 1:
            codes += named
        else:
            problems.append(
                f"towns: {given} names {len(named)} gminy of the store: give {codes_told_apart(named, units)}"
                if named
                else f"towns: no gmina of the store is named {given}"
                + (" (separate TERYT codes with commas)" if re.search(r"\d[;\s]+\d", given) else "")
                + (f" (did you mean {like}?)" if (like := name_like(given, units)) else "")
            )
    if not entries:
        problems.append('towns: give at least one TERYT code, e.g. "0290011,0490013"')
    problems += [f"towns: {code} is listed twice" for code, n in Counter(codes).items() if n > 1]
    codes = list(dict.fromkeys(codes))
    if indicator not in indicators():
        close = difflib.get_close_matches(indicator, list(indicators()), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(f"indicator: no indicator {indicator!r} in analysis/catalogue/indicators.yaml{hint}")
    if common.get("peer_method") == "explicit":  # its list is a parameter of the report notebook only
        problems.append(f"peer_method: 'explicit' is not offered here; one of {' | '.join(PEER_METHODS)}")
        common = {**common, "peer_method": "nearest"}
    checked, per_town = [], {}
    for code in codes:
        try:
            town = validate_town(source, teryt=code, say_missing_data=False, **common)
        except ParamsError as error:
            per_town[code] = error.problems
            continue
        try:  # a town whose peer group cannot be formed (a city with powiat rights under `powiat`): said now
            towns_compared(town)
        except (KeyError, ValueError) as error:
            problems.append(f"towns ({code}): {str(error.args[0]).removeprefix(f'{code}: ')}")
            continue
        checked.append(town)
    shared = set.intersection(*map(set, per_town.values())) if len(per_town) == len(codes) > 1 else set()
    problems += [problem for problem in next(iter(per_town.values()), []) if problem in shared]
    problems += [f"towns ({code}): {p}" for code, found in per_town.items() for p in found if p not in shared]
    if problems:
        raise ParamsError(source, problems, "parameters")
    first = checked[0]  # the towns share the store and the years: said once
    say_the_stores_notes(load_store(first.data_dir or None), first.first_year, first.last_year)
    return checked


def prepare_reports(towns: list[TownParams]) -> list[TownReport]:
    return [prepare_report(town) for town in towns]


def _column(report: TownReport) -> str:
    return f"{report.name} ({report.teryt})"


def side_by_side(reports: list[TownReport], column: str = "value") -> pd.DataFrame:
    """One row per indicator, one column per town: the reports' `column` (value, percentile, score...)."""
    return _named_rows(_by_indicator(reports, column), reports)


# How a report prints a figure: columns in the indicator's unit and decimals; percentiles whole, scores
# to two places; changes and scores with their sign.
IN_UNIT = ("value", "ci_low", "ci_high", "peer_median", "peer_q1", "peer_q3")
CHANGES = ("change", "peer_median_change", "change_10y", "peer_median_change_10y")
DECIMALS = {"percentile": 0, "score": 2}


# Those a report's tables mark with GUS_MARK: the town's change in the key figures, its peers' median change in
# the changes tables, and the levels in both; and the 10-year changes, whose marks the spreadsheet names.
MARKED_COLUMNS = (
    "value",
    "peer_median",
    "peer_q1",
    "peer_q3",
    "change",
    "peer_median_change",
    "change_10y",
    "peer_median_change_10y",
)


def _gus_marked(report: TownReport, indicator: Indicator, row: pd.Series, column: str) -> bool:
    """Whether a report marks the figure of `column` (`MARKED_COLUMNS`) as resting on figures GUS marks: the
    value, on the town's own (`analysis.gus_marks.on_value`), its 5-year change likewise (`on_change`); the peers'
    median and quartiles, on the peers' (`TownReport.reference_marks`), their median change likewise
    (`TownReport.peer_change_marks`); the 10-year changes, as the spreadsheet names their marks
    (`TownReport.change_10y_marks`, `.peer_change_10y_marks`)."""
    marks = report.gus_marks.get(indicator.id, ())
    if column == "value":
        return bool(on_value(indicator, row, marks))
    if column == "change":
        return bool(on_change(indicator, row, marks, CHANGE_YEARS[0]))
    if column == "peer_median_change":
        return bool(report.peer_change_marks.get(indicator.id))
    if column == "change_10y":
        return bool(report.change_10y_marks.get(indicator.id))
    if column == "peer_median_change_10y":
        return bool(report.peer_change_10y_marks.get(indicator.id))
    return bool(report.reference_marks.get(indicator.id, {}).get("peer_median"))


def side_by_side_printed(reports: list[TownReport], column: str = "value") -> pd.DataFrame:
    """`side_by_side` as a report prints it, for reading: each indicator's decimals and unit (percentiles
    whole, scores to two places, changes and scores with their sign), the language's number format,
    "b.d." where a figure is missing, "nie oceniono" for the position or score of a value on too few
    events (as the reports' tables), "—" for the score of a neutral indicator, and the assessment in words
    ("mocna strona", "—", "nieoceniany"), "≈" before a value on few events, "³" after one, after a peer median or
    quartile, and after a 5- or 10-year change (the town's, its peers' median), on figures GUS marks
    (`analysis.gus_marks`), and the year after a figure of a year before the last ("2,5 (2023)"), which the
    reports give in their year column. Compute on `side_by_side`; other
    columns (a year, a count) are shown as they are."""
    frame = _by_indicator(reports, column)
    language, catalogue = reports[0].language, indicators()
    if column == "assessment":  # "mocna strona" / "słaba strona" / "—" / "nieoceniany", as the reports' tables
        shown = _each_row(reports, lambda report, row: assessment_cell(catalogue[row.name], row, language))
        return _named_rows(shown, reports)
    if column not in (*IN_UNIT, *CHANGES, *DECIMALS):
        return _named_rows(frame, reports)

    def printed(row: pd.Series) -> pd.Series:
        indicator = catalogue[row.name]
        decimals = DECIMALS.get(column, indicator.decimals)
        # Signed: a change, a score, and any figure of an indicator that is itself a change (as the tables).
        signed = column in CHANGES or column == "score" or (column in IN_UNIT and indicator.is_change)
        return row.map(lambda value: format_number(value, decimals, language, signed=signed))

    shown = frame.apply(printed, axis=1)
    if column in MARKED_COLUMNS:  # on figures GUS marks (a preliminary estimate…), as the reports' tables mark it
        marked = _each_row(reports, lambda report, row: _gus_marked(report, catalogue[row.name], row, column))
        shown = shown.mask(marked, shown + GUS_MARK)
    if column in (*IN_UNIT, *CHANGES):  # a figure of an earlier year (the last one missing) says which
        shown = shown.where(frame.isna(), shown + _earlier_year(reports))
    if column == "value":  # a value on few events, marked as the reports' tables mark it
        unreliable = _by_indicator(reports, "reliability") == "unreliable"
        shown = shown.mask(unreliable, UNCERTAIN_MARK + shown)
    if column in DECIMALS:  # a position or a score: none for a value shown but not ranked (`compare.unranked`)
        not_ranked = pd.DataFrame({_column(report): report.comparison.apply(unranked, axis=1) for report in reports})
        shown = shown.mask(not_ranked, label("position_not_ranked", language))
    if column == "score":  # a neutral indicator (population) is never scored: nothing is missing
        neutral = [i for i in shown.index if catalogue[i].direction == Direction.NEUTRAL]
        shown.loc[neutral] = "—"
    return _named_rows(shown, reports, units=column not in DECIMALS)


def _earlier_year(reports: list[TownReport]) -> pd.DataFrame:
    """ " (2023)" beside a town's figure of a single year before the towns' last one, where its last is missing
    (the reports print it in their "Rok" column); "" elsewhere, and for a pooled figure, whose row names its
    years (`_row_name`)."""

    def note(report: TownReport, row: pd.Series) -> str:
        year = earlier_year(row, report.last_year)
        return f" ({year})" if year is not None else ""

    return _each_row(reports, note)


def _each_row(reports: list[TownReport], cell) -> pd.DataFrame:
    """Indicators × towns: `cell(report, row)` of each town's comparison row (the row's name is the indicator)."""
    return pd.DataFrame(
        {_column(report): [cell(report, row) for _, row in report.comparison.iterrows()] for report in reports},
        index=reports[0].comparison.index,
    )


def _by_indicator(reports: list[TownReport], column: str) -> pd.DataFrame:
    return pd.DataFrame({_column(report): report.comparison[column] for report in reports})


def _named_rows(frame: pd.DataFrame, reports: list[TownReport], units: bool = False) -> pd.DataFrame:
    language = reports[0].language
    frame = frame.copy()
    frame.index = [_row_name(reports, indicator_id, language, units) for indicator_id in frame.index]
    frame.index.name = label("indicator", language)
    return frame


def _row_name(reports: list[TownReport], indicator_id: str, language: str, units: bool = False) -> str:
    """The indicator's name, with its years where a value is pooled over several ("2022–2024"): one
    figure of three years must not pass for a year's; with `units`, its unit first ("‰, 2022–2024")."""
    indicator = indicators()[indicator_id]
    periods = {value_period(report.comparison.loc[indicator_id]) for report in reports}
    pooled = sorted(period for period in periods if "–" in period)
    if units:
        return indicator.name_with_unit(language, *pooled)
    return f"{indicator.name(language)} ({', '.join(pooled)})" if pooled else indicator.name(language)


def verdicts_side_by_side(reports: list[TownReport]) -> pd.DataFrame:
    """Section verdicts and scores per town, each against its own peers."""
    language = reports[0].language
    rows = {}
    for report in reports:
        verdicts = report.verdicts
        rows[_column(report)] = {
            label(section, language): f"{label('verdict_' + row['verdict'], language)} "
            f"({format_number(row['score'], SCORE_DECIMALS, language, signed=True)})"
            if pd.notna(row["score"])
            else label("verdict_none", language)
            for section, row in verdicts.iterrows()
        }
    return pd.DataFrame(rows).T


# Jupyter Server (JupyterLab, Notebook) names the notebook of every kernel it starts in this variable;
# VS Code names it in the kernel's namespace instead; papermill and nbclient start theirs without either.
NOTEBOOK_FRONTEND = "JPY_SESSION_NAME"
VSCODE_NOTEBOOK = "__vsc_ipynb_file__"


def has_notebook_frontend() -> bool:
    """Whether this kernel's notebook is open in a frontend that shows widgets (Lab, Notebook, VS Code)."""
    if os.environ.get(NOTEBOOK_FRONTEND):
        return True
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and VSCODE_NOTEBOOK in shell.user_ns


def peer_explorer(town: TownParams, indicator_id: str = "population"):
    """Controls for the peer rule, k and indicator, redrawing the town's verdicts and the peers'
    distribution; None (nothing shown) where no notebook frontend can show them.

    Under papermill a widget shows nothing, and building one there can leave the run waiting for ever:
    nbclient now and then never receives the reply to a cell that opens widgets (jupyter/nbclient#312).
    The report's sensitivity table (`analysis.display.sensitivity_table`) is the static view of the same
    question."""
    if not has_notebook_frontend():
        return None
    import ipywidgets as widgets
    from IPython.display import display

    from analysis import charts

    def show(peer_method: str, peer_k: int, indicator: str) -> None:
        try:
            report = prepare_report(
                town.model_copy(update={"peer_method": peer_method, "peer_k": peer_k, "peer_members": ""})
            )
        except ValueError as error:  # e.g. too few towns in the powiat for a peer group
            print(error)
            return
        display(verdicts_side_by_side([report]))
        display(charts.distribution_chart(report, indicator))

    names = {indicators()[i].name(town.language): i for i in indicators()}
    method = widgets.Dropdown(
        options=PEER_METHODS,
        value=town.peer_method if town.peer_method in PEER_METHODS else "nearest",
        description="peers",
    )
    k = widgets.IntSlider(value=town.peer_k, min=5, max=60, step=5, description="k")

    def k_only_for_nearest(change=None) -> None:  # the other rules take no k: moving it would redraw the same
        k.disabled = method.value != "nearest"

    method.observe(k_only_for_nearest, names="value")
    k_only_for_nearest()
    indicator = widgets.Dropdown(options=list(names.items()), value=indicator_id, description="indicator")
    return widgets.interactive(show, peer_method=method, peer_k=k, indicator=indicator)
