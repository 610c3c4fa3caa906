"""Indicator values computed from source variables with the catalogue's formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalogue import Indicator, indicators, split_lag, variables
from analysis.peers import no_one_matched_without
from analysis.store import Store, variable_panel


def with_lags(panel: pd.DataFrame, names: set[str]) -> pd.DataFrame:
    """Add `<variable>_lag<N>` columns: the value N calendar years earlier, same town."""
    lagged = {}
    for name in names:
        variable, years = split_lag(name)
        if years:
            shifted = panel[variable].rename(None).reset_index()
            shifted["year"] = shifted["year"] + years
            lagged[name] = shifted.set_index(["teryt", "year"]).iloc[:, 0].reindex(panel.index)
    return panel.assign(**lagged) if lagged else panel


def evaluate(indicator: Indicator, panel: pd.DataFrame) -> pd.Series:
    """One indicator for every row of a variable panel; division by 0 gives NaN."""
    columns = {name: panel[name].astype("float64") for name in indicator.inputs}
    with np.errstate(divide="ignore", invalid="ignore"):
        values = pd.eval(indicator.formula, local_dict=columns, engine="python")
    if not isinstance(values, pd.Series):  # a formula that is a bare constant
        values = pd.Series(float(values), index=panel.index)
    return values.replace([np.inf, -np.inf], np.nan).rename(indicator.id)


def window_counts(counts: pd.DataFrame, indicator: Indicator, year: int) -> tuple[dict[str, float], list[int]]:
    """One town's variables behind the indicator's compared value in `year`, and the years they come from.

    For an indicator pooled over N years (`pool_years` in the catalogue) these are the sums over the
    years of the window ending in `year` that have every variable of the formula (a missing count
    never counts as zero); otherwise that year's own. `counts`: the town's variables, index year."""
    names = list(indicator.inputs)
    years = counts.index.to_numpy()
    in_window = (years > year - indicator.pool_years) & (years <= year)
    block = _by_year(counts, names)[in_window]
    complete = ~np.isnan(block).any(axis=1)
    return dict(zip(names, block[complete].sum(axis=0).tolist())), [int(y) for y in years[in_window][complete]]


def _by_year(counts: pd.DataFrame, names: list[str]) -> np.ndarray:
    """The town's variables as an array, years × names; `x_lagN` is x N years before each year. Arrays: this
    runs per indicator and peer rule of every town."""
    if not any(split_lag(name)[1] for name in names):
        return counts.reindex(columns=names).to_numpy(dtype=float)
    years = counts.index.to_numpy()
    return np.column_stack(
        [
            counts.reindex(columns=[var])[var].reindex(years - lag).to_numpy(dtype=float)
            for var, lag in map(split_lag, names)
        ]
    )


def pooled_inputs(panel: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Every town's variables of a pooled indicator summed over its window (`window_counts`, for all
    towns at once): index as `panel`, defined where the year itself has every variable."""
    inputs = panel[list(indicator.inputs)].astype("float64")
    complete = inputs.notna().all(axis=1)
    teryts, years = panel.index.get_level_values("teryt").unique(), panel.index.get_level_values("year")
    calendar = np.arange(years.min(), years.max() + 1)  # every year, so that a gap in the data is not skipped over
    grid = inputs.where(complete, axis=0).reindex(
        pd.MultiIndex.from_product([teryts, calendar], names=["teryt", "year"])
    )
    block = grid.to_numpy().reshape(len(teryts), len(calendar), len(inputs.columns))  # town × year × variable
    # Sum over the window ending in each year: running total now minus running total N years earlier.
    running = np.concatenate([np.zeros_like(block[:, :1]), np.nancumsum(block, axis=1)], axis=1)
    entered = np.concatenate([np.zeros_like(block[:, :1, :1]), np.cumsum(~np.isnan(block[..., :1]), axis=1)], axis=1)
    n = indicator.pool_years
    sums = running[:, 1:] - running[:, np.maximum(np.arange(1, len(calendar) + 1) - n, 0)]
    years_in = entered[:, 1:] - entered[:, np.maximum(np.arange(1, len(calendar) + 1) - n, 0)]
    sums = np.where(years_in > 0, sums, np.nan).reshape(-1, len(inputs.columns))
    return pd.DataFrame(sums, index=grid.index, columns=inputs.columns).reindex(panel.index).where(complete, axis=0)


def compute_indicators(
    panel: pd.DataFrame, catalogue: dict[str, Indicator] | None = None, pooled: bool = False
) -> pd.DataFrame:
    """All indicators as a wide frame: index (teryt, year), one column per indicator.

    Year by year by default (what charts and trends show); with `pooled`, as compared: an indicator
    with `pool_years` N is its formula over the variables summed over the last N years (`pooled_inputs`)."""
    catalogue = catalogue or indicators()
    needed = {name for indicator in catalogue.values() for name in indicator.inputs}
    panel = with_lags(panel, needed)
    return pd.concat(
        [evaluate(ind, pooled_inputs(panel, ind) if pooled and ind.pooled else panel) for ind in catalogue.values()],
        axis=1,
    )


def indicator_table(store: Store, teryts=None, pooled: bool = False) -> pd.DataFrame:
    """Indicators for the given towns (all towns by default) from a store; `pooled`: as compared."""
    return compute_indicators(variable_panel(store, teryts), pooled=pooled)


def indicators_without_data(store: Store) -> dict[str, list[str]]:
    """Each indicator no town of the store can have a value of, with the catalogue variables it reads that
    the store holds no value of in any year: a store fetched before they joined the catalogue, or a partial
    one. Every report then says "no data" for it; `diagnoza validate` says so before a build."""
    observations = store.observations
    present = set(observations["var_id"][observations["value"].notna()].unique())
    absent = {key for key, variable in variables().items() if variable.bdl_id not in present}
    lacking = {
        indicator.id: sorted(absent & {split_lag(name)[0] for name in indicator.inputs})
        for indicator in indicators().values()
    }
    return {indicator_id: names for indicator_id, names in lacking.items() if names}


def not_yet_in_year_note(store: Store, year: int) -> str:
    """The catalogue variables `store` holds in some year but in none of its towns in `year`, the batch's last:
    a store fetched before GUS published that year's figures of them (budgets come months after the residents).
    Not an error: each indicator reading them is shown as of its latest year with data, and where no town has its
    population or income that year, the towns are matched on an earlier one (`analysis.peers.matching_year`).
    "" where every variable the store holds has a value in `year`."""
    observations = store.observations
    held = observations["value"].notna()  # masks on the two columns read: a full store has a million rows
    present = set(observations["var_id"][held].unique())
    in_year = set(observations["var_id"][held & (observations["year"] == year)].unique())
    late = [key for key, variable in variables().items() if variable.bdl_id in present - in_year]
    if not late:
        return ""
    unmatched = no_one_matched_without(late)
    return (
        f"note: the store holds no value in {year} of {len(late)} catalogue variable{'' if len(late) == 1 else 's'}: "
        + ", ".join(late)
        + "; the reports show the indicators that read them as of their latest year with data (the tables' year "
        "column)" + (", and match nearest peers on an earlier year (the peer-group text says so)" if unmatched else "")
    )


def without_data_note(store: Store) -> str:
    """What no report from `store` can have (`indicators_without_data`), and how to get it; "" for a store
    with every variable. Not an error (a partial store is a store): `diagnoza validate` and the build say it
    before the reports do, and so does the report notebook's validation cell, for an analyst in JupyterLab."""
    lacking = indicators_without_data(store)
    if not lacking:
        return ""
    names = sorted({name for names in lacking.values() for name in names})
    catalogue = variables()
    hint = (
        "a synthetic store has only the variables analysis/demo_data.py draws (then: diagnoza data demo)"
        if store.synthetic
        else "fetch them: diagnoza data fetch"
    )
    return (
        f"note: the store holds no value of {len(names)} catalogue variable{'' if len(names) == 1 else 's'}: "
        + ", ".join(f"{name} (BDL {catalogue[name].bdl_id})" for name in names)
        + f'; every report from this store says "no data" for {len(lacking)} indicator{"" if len(lacking) == 1 else "s"}: '
        + f"{', '.join(lacking)}; {hint}"
    )


def store_notes(store: Store, first_year: int, last_year: int) -> list[str]:
    """What a batch of `first_year`–`last_year` is told of `store` before its reports say it, in order: the
    variables it lacks (`without_data_note`), those its last year lacks (`not_yet_in_year_note`), the figures GUS
    marks (`analysis.gus_marks.marked_figures_note`). The one list `diagnoza validate`, the build and the
    notebooks' validation cell print."""
    from analysis.gus_marks import marked_figures_note

    notes = (
        without_data_note(store),
        not_yet_in_year_note(store, last_year),
        marked_figures_note(store.observations, first_year, last_year, store.area_values),
    )
    return [note for note in notes if note]
