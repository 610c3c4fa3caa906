"""Indicator values computed from source variables with the catalogue's formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalogue import Indicator, indicators, split_lag
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


def compute_indicators(panel: pd.DataFrame, catalogue: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """All indicators as a wide frame: index (teryt, year), one column per indicator."""
    catalogue = catalogue or indicators()
    needed = {name for indicator in catalogue.values() for name in indicator.inputs}
    panel = with_lags(panel, needed)
    return pd.concat([evaluate(ind, panel) for ind in catalogue.values()], axis=1)


def indicator_table(store: Store, teryts=None) -> pd.DataFrame:
    """Indicators for the given towns (all towns by default) from a store."""
    return compute_indicators(variable_panel(store, teryts))
