"""GUS's marks on a figure it publishes (its "znaki umowne"): a preliminary estimate, low precision, a change of method.

BDL sends each value with an attribute (`attrId`); most say "a value" or "missing" (`analysis.bdl.fetch.Markers`),
but some mark a figure that is there yet is not like the others: "s" (szacunki wstępne), "v" (dane o niskiej
precyzji), "M" (zmiany metodologiczne) and their kin. The store keeps each figure's mark beside it
(`Store.observations["mark"]`, "" for a plain figure); a report uses such a figure as published, as GUS does in
its own tables, and says beside the indicator which of the figures it reads carry which mark (`row_marks`), so a
reader weighs a preliminary or low-precision figure as GUS asks. The figures printed beside the town's rest on
other gminy's figures, which may carry marks too (a mark GUS gives to a whole year of a variable does): the peers'
median and quartiles, and the voivodeship's and Poland's sums over their gminy carry the marks of the figures they
are taken or summed over (`marks_over`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pandas as pd

from analysis.catalogue import Indicator, split_lag, variable_keys

# The marks kept, by GUS's symbol (as `/attributes` gives it): what each says of a figure that is there. The
# symbols of missing values (".", "-", "x", "n") make no figure (`analysis.bdl.fetch`); "a" (less than the
# format shows), "z" (a zero from non-zero inputs) and "p" (a powiat and its city together: set aside, not
# kept) say nothing a reader must weigh, so are not kept. Each kept mark's words are in `analysis.labels`
# (`gus_mark_<kind>`); marks that say the same are one kind.
MARK_KINDS = {
    "s": "preliminary",  # szacunki wstępne
    "v": "low_precision",  # dane o niskiej precyzji
    "M": "method_changed",  # zmiany metodologiczne
    "A": "method_changed",  # zmiany metodologiczne, a value below the format shown
    "Z": "method_changed",  # zmiany metodologiczne, a zero from non-zero inputs
    "K": "method_changed_incomplete",  # zmiany metodologiczne, agregat może być niekompletny
    "k": "incomplete",  # agregat może być niekompletny
}
KIND_ORDER = ("preliminary", "low_precision", "incomplete", "method_changed", "method_changed_incomplete")
NO_MARK = ""
# After a printed value (or change) that reads a figure GUS marks, wherever a table prints it; its caption says
# what the mark is. A superscript, as the key figures' other marks (¹ census step, ² boundary change).
GUS_MARK = "³"


def marks_panel(observations: pd.DataFrame, teryt: str, last_year: int) -> pd.DataFrame:
    """The town's marks as a wide frame like `analysis.store.variable_panel`: index year (up to `last_year`),
    one column per variable key, "" where a figure carries none (or is missing). Only marked figures are
    looked at, so a town without any gives an empty frame."""
    key_of = variable_keys()
    rows = observations.loc[
        (observations["teryt"] == teryt)
        & (observations["mark"] != NO_MARK)
        & (observations["year"] <= last_year)
        & observations["var_id"].isin(key_of)
    ]
    if rows.empty:
        return pd.DataFrame(index=pd.Index([], name="year", dtype="int64"))
    wide = rows.assign(variable=rows["var_id"].map(key_of)).set_index(["year", "variable"])["mark"].unstack()
    wide.columns.name = None
    return wide.fillna(NO_MARK)


def figure_years(indicator: Indicator, row: pd.Series, change_years: int | None) -> dict[str, set[int]]:
    """Variable key -> the years of its figures that a comparison `row` reads: each input at its lag over the
    value's years (several, where pooled), and over the same years `change_years` (5 or 10) earlier where the row
    shows a change from them."""
    from analysis.compare import CHANGE_SUFFIX  # compare reads this module's marks

    if (span := value_span(row)) is None:
        return {}
    first, last = span
    has_change = change_years and pd.notna(row.get(f"change{CHANGE_SUFFIX[change_years]}"))
    spans = [0] + ([change_years] if has_change else [])
    read: dict[str, set[int]] = {}
    for name in indicator.inputs:
        variable, lag = split_lag(name)
        read.setdefault(variable, set()).update(
            value_year - lag - back for back in spans for value_year in range(first, last + 1)
        )
    return read


def row_marks(panel: pd.DataFrame, read: dict[str, set[int]], since: int | None = None) -> tuple[tuple[str, int], ...]:
    """(kind, year) of every marked figure among those `read` (`figure_years`), in `KIND_ORDER`, then by year.
    A change of method counts also between the years read, and from `since` (the first year of the trend
    beside the value): a change or a trend across it compares figures counted two ways."""
    found = set()
    for variable, years in read.items():
        if variable not in panel.columns or not years:
            continue
        column = panel[variable]
        start = min(min(years), since) if since is not None else min(years)
        for year, mark in column.items():
            kind = MARK_KINDS.get(mark)
            if kind is not None and _reaches(kind, int(year), years, start):
                found.add((kind, int(year)))
    return merged(found)


def _reaches(kind: str, year: int, read: set[int], start: int) -> bool:
    """Whether a mark of `kind` in `year` bears on figures of the years `read`: a mark on one of them; a change of
    method also after `start` up to the last of them (figures before and after it were counted two ways)."""
    return year in read or (kind.startswith("method_changed") and start < year <= max(read))


def comparison_marks(
    comparison: pd.DataFrame,
    panel: pd.DataFrame,
    catalogue: dict[str, Indicator],
    change_years: int,
    since: int | None = None,
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Per indicator of `comparison`, `row_marks` of the figures its row reads (its value, and its change's
    start), and of a change of method since `since`."""
    if panel.empty:
        return dict.fromkeys(comparison.index, ())
    return {
        indicator_id: row_marks(panel, figure_years(catalogue[indicator_id], row, change_years), since)
        for indicator_id, row in comparison.iterrows()
    }


def on_value(indicator: Indicator, row: pd.Series, marks: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """Of a row's `marks` (`row_marks`), those on its value itself: on the figures the value reads, or a change of
    method between them (within a pooled value's years, within the span of a value that is itself a change). The
    rest are on its change or its trend only: a level stated alone (page one, the comparison table) holds none."""
    return _reaching(marks, figure_years(indicator, row, None))


def on_change(
    indicator: Indicator, row: pd.Series, marks: tuple[tuple[str, int], ...], change_years: int
) -> tuple[tuple[str, int], ...]:
    """Of a row's `marks` (`row_marks`), those on its change over `change_years`: on the figures of either end
    (the value's own among them), or a change of method between them. None where the row has no change; a mark
    on the trend's earlier years alone is on neither."""
    from analysis.compare import CHANGE_SUFFIX  # compare reads this module's marks

    if pd.isna(row.get(f"change{CHANGE_SUFFIX[change_years]}")):
        return ()
    return _reaching(marks, figure_years(indicator, row, change_years))


def merged(*marks: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Several sets of (kind, year) marks as one, each once, in `KIND_ORDER` then by year."""
    return tuple(sorted(set().union(*marks), key=lambda item: (KIND_ORDER.index(item[0]), item[1])))


def _reaching(marks: tuple[tuple[str, int], ...], figures: dict[str, set[int]]) -> tuple[tuple[str, int], ...]:
    """Of `marks`, those that bear on the `figures` read (`figure_years`): on one of their years, or a change of
    method between the first and the last (`_reaches`)."""
    read = set().union(*figures.values())
    if not read:
        return ()
    return tuple((kind, year) for kind, year in marks if _reaches(kind, year, read, min(read)))


@dataclass(frozen=True)
class StoreMarks:
    """A store's marked figures, and which figures it holds at all: what `marks_over` reads, once per store."""

    marked: dict[str, tuple[tuple[str, int, str], ...]]  # variable key -> (teryt, year, kind) of its marked figures
    held: frozenset[tuple[str, int, str]]  # (teryt, year, variable) of every figure with a value
    published: frozenset[str] = frozenset()  # variables with a marked figure GUS publishes of an area


def store_marks(observations: pd.DataFrame, area_values: pd.DataFrame | None = None) -> StoreMarks:
    """`StoreMarks` of a store's observations and published area figures (the catalogue's variables only)."""
    key_of = variable_keys()
    rows = observations.loc[observations["var_id"].isin(key_of) & observations["value"].notna()]
    teryts, years, variables = rows["teryt"], rows["year"].astype(int), rows["var_id"].map(key_of)
    marked: dict[str, list[tuple[str, int, str]]] = {}
    is_marked = rows["mark"].isin(MARK_KINDS.keys())
    for teryt, year, variable, mark in zip(
        teryts[is_marked], years[is_marked], variables[is_marked], rows["mark"][is_marked], strict=True
    ):
        marked.setdefault(variable, []).append((teryt, int(year), MARK_KINDS[mark]))
    held = frozenset(zip(teryts, years, variables, strict=True))
    published = set()
    if area_values is not None:
        published = set(area_values.loc[area_values["mark"].isin(MARK_KINDS.keys()), "var_id"].map(key_of).dropna())
    return StoreMarks({variable: tuple(figures) for variable, figures in marked.items()}, held, frozenset(published))


def marks_over(
    marks: StoreMarks, towns: Collection[str], inputs: Iterable[str], first: int, last: int, back: int = 0
) -> tuple[tuple[str, int], ...]:
    """(kind, year) of GUS's marks on the figures that a value taken or summed over `towns` reads, in `KIND_ORDER`
    then by year: the peers' median, a voivodeship's sum over its gminy. The value's years run `first`..`last`
    (several, where pooled); each of `inputs` (variable keys, with lags) is read at its lag. A town's figures of a
    year count only where it has every input that year: a town without one is in neither the sum nor the median.
    A change of method within a pooled value's years is on a figure of those years (its first under the new
    method).

    With `back`, of the median of the towns' changes over `back` years (the changes tables): the figures of the
    value's years and of the same years `back` earlier, of the towns with a figure at both ends (the others have
    no change), and a change of method between the two ends, which the change crosses (as the town's own,
    `row_marks`)."""
    inputs = [split_lag(name) for name in inputs]
    ends = [range(first, last + 1)] + ([range(first - back, last - back + 1)] if back else [])

    def holds(teryt: str, value_year: int) -> bool:
        return all((teryt, value_year - lag, variable) in marks.held for variable, lag in inputs)

    towns = set(towns)
    if back:  # only the towns with a change
        towns = {teryt for teryt in towns if all(any(holds(teryt, year) for year in end) for end in ends)}
    found = set()
    for variable, lag in inputs:
        for teryt, year, kind in marks.marked.get(variable, ()):
            if teryt not in towns:
                continue
            value_year = year + lag
            read = any(value_year in end for end in ends) and holds(teryt, value_year)
            crossed = bool(back) and kind.startswith("method_changed") and first - back < value_year <= last
            if read or crossed:
                found.add((kind, year))
    return merged(found)


def low_precision_figures(observations: pd.DataFrame, teryt: str) -> frozenset[tuple[str, int]]:
    """(variable key, year) of the town's figures GUS marks as of low precision ("v"). A value that reads one is
    shown, with its mark, but not ranked among its peers (`analysis.compare`): how far it may be from the truth
    GUS does not say, so no difference from the peers can be shown to clear it."""
    key_of = variable_keys()
    low = {mark for mark, kind in MARK_KINDS.items() if kind == "low_precision"}
    rows = observations.loc[
        (observations["teryt"] == teryt) & observations["mark"].isin(low) & observations["var_id"].isin(key_of)
    ]
    return frozenset(zip(rows["var_id"].map(key_of), rows["year"].astype(int), strict=True))


def reads_any(indicator: Indicator, figures: frozenset[tuple[str, int]], first: int, last: int) -> bool:
    """Whether a value of the years `first`..`last` (several, where pooled) reads any of `figures` ((variable key,
    year)), each input at its lag."""
    return any(
        (variable, year - lag) in figures
        for variable, lag in map(split_lag, indicator.inputs)
        for year in range(first, last + 1)
    )


def value_span(row: pd.Series) -> tuple[int, int] | None:
    """The first and last year of the value of a comparison `row` (several, where pooled); None without one."""
    year, start = row.get("year"), row.get("period_start")
    if year is None or pd.isna(year):
        return None
    return (int(start) if start is not None and pd.notna(start) else int(year)), int(year)


def years_by_kind(marks: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    """(kind, year) pairs as kind -> its years (each once), in `KIND_ORDER`."""
    grouped: dict[str, set[int]] = {}
    for kind, year in marks:
        grouped.setdefault(kind, set()).add(year)
    return {kind: sorted(grouped[kind]) for kind in KIND_ORDER if kind in grouped}


def marked_figures_note(
    observations: pd.DataFrame, first_year: int, last_year: int, area_values: pd.DataFrame | None = None
) -> str:
    """What GUS marks among a store's figures of a batch's years, per variable and mark: "note: GUS marks figures
    the reports read: net_migration preliminary in 2024 (332 gminy), …", and among its own figures of the areas
    (`area_values`): "…, nursery_places_per_1000_under3 preliminary in 2024 (published for Poland)". Not an error
    (GUS publishes them so): `diagnoza validate` and the build say it before the batch goes out, so that the
    analyst knows which notes the reports will carry. "" where none is marked."""
    key_of = variable_keys()
    parts = []
    for frame, unit in ((observations, "teryt"), (area_values, "area")):
        if frame is None:
            continue
        marked = frame.loc[
            (frame["mark"] != NO_MARK) & frame["year"].between(first_year, last_year) & frame["var_id"].isin(key_of)
        ]
        groups = marked.assign(kind=marked["mark"].map(MARK_KINDS), variable=marked["var_id"].map(key_of))
        for (variable, kind), rows in groups.groupby(["variable", "kind"], sort=True):
            years = sorted(set(rows["year"].astype(int)))
            span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
            parts.append(f"{variable} {kind.replace('_', ' ')} in {span} ({_whose(set(rows[unit]), unit)})")
    if not parts:
        return ""
    return (
        "note: GUS marks figures the reports read (kept as published; each report marks the values they reach, the "
        "town's and those beside it: its peers' median, its voivodeship, Poland): " + "; ".join(parts)
    )


def _whose(units: set[str], unit: str) -> str:
    """Whose figures a note counts: "332 gminy", "1 gmina"; of the areas, "published for Poland and 2 voivodeships"."""
    from analysis.store import COUNTRY_AREA  # the store reads this module's marks

    if unit == "teryt":
        return f"{len(units)} gmin{'a' if len(units) == 1 else 'y'}"
    voivodeships = len(units - {COUNTRY_AREA})
    named = ["Poland"] * (COUNTRY_AREA in units)
    named += [f"{voivodeships} voivodeship{'' if voivodeships == 1 else 's'}"] * bool(voivodeships)
    return "published for " + " and ".join(named)
