"""The 2021 census re-basing of population: a break in the statistics, not in the towns.

GUS re-based every gmina's population on the 2021 census, so the published series steps
between 2020 and 2021 by the census's correction (about −1 % to −3 % in many towns). A
forecast must not extrapolate that step, and a trend must not read it as a decline: both
work on the series with the years before the break put on the new basis (`rebase`), as GUS
back-casts a series after a census. Published values (tables, charts, the 5- and 10-year
changes) stay as published; beside a published 5- or 10-year change, the text gives it without
the step (`change_without_step`), so that a reader can tell the census's correction from a
change in the number of residents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalogue import split_lag

LEVEL_BREAKS = (2021,)  # years GUS re-based population (the 2021 census)
REBASED_VARIABLES = ("population", "population_density")  # published from the re-based count of residents
# The changes the text also gives without the step, with the years each spans.
CHANGE_SPANS = {"population_change_5y": 5, "population_change_10y": 10}


def breaks_within(years) -> list[int]:
    """The re-basings that fall inside a run of years: a year with values on both sides of its step."""
    years = [int(y) for y in years]
    return [year for year in LEVEL_BREAKS if years and min(years) < year <= max(years)]


def steps_at_breaks(formula_names) -> bool:
    """Whether an indicator read from these names (variables, `_lagN` suffixes allowed) is made of re-based
    counts only (the number of residents, its density, their changes), so that its published series shows the
    re-basing as a step. Rates per resident move by the census's correction of their denominator only (a few
    per cent of the rate)."""
    variables = {split_lag(name)[0] for name in formula_names}
    return bool(variables) and variables <= set(REBASED_VARIABLES)


def value_steps(formula_names, year: int) -> list[int]:
    """The re-basings one value holds as a step: those between the years its names read (each at its lag).
    The 5-year change of population in 2024 (2019 against 2024) holds 2021's; the population of 2024 none."""
    if not steps_at_breaks(formula_names):
        return []
    return breaks_within([year - split_lag(name)[1] for name in formula_names])


def change_steps(formula_names, start: int, end: int) -> list[int]:
    """The re-basings an indicator's change from `start` to `end` holds as a step: those at which the years
    its values read (each name at its lag) lie on a different basis at the two ends. The 5-year change of
    population to 2024 holds 2021's; so does the change of the 5-year change (2019–2024 against 2014–2019)."""
    if not steps_at_breaks(formula_names):
        return []
    lags = {split_lag(name)[1] for name in formula_names}

    def bases(year: int, level_break: int) -> set[tuple[int, bool]]:
        return {(lag, year - lag >= level_break) for lag in lags}

    return [year for year in LEVEL_BREAKS if bases(start, year) != bases(end, year)]


def steps_in_changes(formula_names, end: int, spans) -> list[int]:
    """The re-basings that any of an indicator's changes over `spans` years up to `end` holds (`change_steps`)."""
    return sorted({year for span in spans for year in change_steps(formula_names, end - span, end)})


def rebase(logs: np.ndarray, years) -> np.ndarray:
    """Log population (towns × years) with the years before each re-basing put on the new basis.

    A town's jump is its change across the break (from its last year before it to its first year from it on)
    beyond its median yearly change over as many years (the part no trend explains), added to every earlier
    year. The years from the break on are left as published. `years` may have gaps (a town's years with a
    value): a change over two years is two years' change, so it is taken per year for the median, and the
    break year itself may be the one missing.
    """
    logs = logs.copy()
    years = np.array([int(y) for y in years])
    for year in LEVEL_BREAKS:
        at = int(np.searchsorted(years, year))  # the first year on the new basis
        if at == 0 or at == len(years):
            continue
        gaps = np.diff(years)
        yearly = np.diff(logs, axis=1) / gaps
        usual = np.median(np.delete(yearly, at - 1, axis=1), axis=1) if yearly.shape[1] > 1 else 0.0
        jump = (logs[:, at] - logs[:, at - 1]) - usual * gaps[at - 1]
        logs[:, :at] += jump[:, None]
    return logs


def rebased(series: pd.Series) -> pd.Series:
    """One town's population (index year) re-based (`rebase`), as `rebased_towns` re-bases a row."""
    return rebased_towns(series.to_frame().T).iloc[0].rename(series.name)


def rebased_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """A variable panel (index teryt, year) with every town's population (and density) re-based: the
    indicators computed from it (changes, rates per resident) are what trends rest on."""
    return panel.assign(
        **{
            name: rebased_towns(panel[name].unstack("year")).stack().reindex(panel.index)
            for name in REBASED_VARIABLES
            if name in panel
        }
    )


def rebased_towns(wide: pd.DataFrame) -> pd.DataFrame:
    """Every town's series (a row per town, a column per year) re-based (`rebase`). Years without a value stay
    without; a town with no value, or one not above zero (no logarithm), is left as it is. `rebase` is taken
    once for all the towns with values in the same years (nearly all of a store's): a call per town took
    0.3 s of every process's first report on the demo store's 300 towns, 0.01 s so."""
    values = wide.to_numpy(dtype=float)
    result = values.copy()
    present = ~np.isnan(values)
    usable = present.any(axis=1) & ~np.any(present & (np.nan_to_num(values, nan=1.0) <= 0), axis=1)
    years = wide.columns.to_numpy()
    patterns, group_of = np.unique(present[usable], axis=0, return_inverse=True)
    rows = np.flatnonzero(usable)
    for number, pattern in enumerate(patterns):
        towns, columns = rows[group_of.ravel() == number], np.flatnonzero(pattern)
        logs = np.log(values[np.ix_(towns, columns)])
        result[np.ix_(towns, columns)] = np.exp(rebase(logs, years[columns]))
    return pd.DataFrame(result, index=wide.index, columns=wide.columns)


@dataclass(frozen=True)
class ChangeWithoutStep:
    """A population change (%, one of `CHANGE_SPANS`) on the re-based series: the town's and its peers' median,
    over a span that holds the re-basing of `break_year`. What the published change would have been without
    the step."""

    indicator_id: str
    break_year: int
    town: float
    peers: float


def change_without_step(
    trending: pd.DataFrame, town: str, peers: tuple[str, ...], year: int, indicator_id: str = "population_change_5y"
) -> ChangeWithoutStep | None:
    """`ChangeWithoutStep` of `indicator_id` in `year` from the re-based indicators
    (`analysis.report.trend_values`), or None when its span up to `year` holds no re-basing or the town
    has no such value."""
    crossed = [b for b in LEVEL_BREAKS if year - CHANGE_SPANS[indicator_id] < b <= year]
    if not crossed or indicator_id not in trending:
        return None
    changes = trending[indicator_id]
    town_value = changes.get((town, year), np.nan)
    if pd.isna(town_value):
        return None
    peer_values = changes.reindex(pd.MultiIndex.from_tuples([(p, year) for p in peers], names=changes.index.names))
    return ChangeWithoutStep(indicator_id, crossed[0], float(town_value), float(peer_values.median()))
