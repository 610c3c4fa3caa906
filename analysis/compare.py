"""A town beside its peers: median, quartiles, direction-aware percentile rank."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalogue import Direction, Indicator, indicators, split_lag

CHANGE_YEARS = (5, 10)
MAD_TO_SD = 1.4826  # makes the MAD comparable to a standard deviation for normal data


def robust_z(value: float, peer_values, direction: Direction = Direction.HIGHER_BETTER) -> float:
    """(value − peer median) / (1.4826 × MAD of peers), signed so that positive is better.

    Robust to one extreme peer, unlike mean and standard deviation. Neutral
    indicators keep the plain sign (above the median is positive). NaN when the
    peers do not vary (MAD 0) or are missing.
    """
    peers = np.asarray(peer_values, dtype=float)
    peers = peers[~np.isnan(peers)]
    if np.isnan(value) or peers.size == 0:
        return float("nan")
    median = np.median(peers)
    mad = MAD_TO_SD * np.median(np.abs(peers - median))
    if mad == 0:
        return float("nan")
    z = (value - median) / mad
    return -z if direction == Direction.LOWER_BETTER else z


def percentile_rank(value: float, peer_values, direction: Direction = Direction.HIGHER_BETTER) -> float:
    """Share of peers the town does better than, in percent (ties count half).

    For a lower-is-better indicator the rank is mirrored, so 100 always means
    "best among peers"; a neutral indicator is ranked from low to high.
    """
    peers = np.asarray(peer_values, dtype=float)
    peers = peers[~np.isnan(peers)]
    if np.isnan(value) or peers.size == 0:
        return float("nan")
    below = np.sum(peers < value) + 0.5 * np.sum(peers == value)
    rank = 100.0 * below / peers.size
    return 100.0 - rank if direction == Direction.LOWER_BETTER else rank


def _max_lag(indicator: Indicator) -> int:
    """Years at the start of a series that cannot have a value by construction (a 5-year change needs 5 years)."""
    return max((split_lag(name)[1] for name in indicator.inputs), default=0)


def _latest_year_with_value(series: pd.Series, year: int) -> int | None:
    available = series.loc[(series.index <= year) & series.notna()]
    return int(available.index.max()) if not available.empty else None


def compare_indicator(
    indicator: Indicator, town: str, peers: tuple[str, ...], values: pd.DataFrame, year: int
) -> dict:
    """One indicator's comparison row, in the latest year up to `year` the town has a value.

    Flags: `small_numbers` when the town's population is below the indicator's
    minimum denominator; `missing_years`, how many years of the period lack a value.
    """
    population = values["population"] if "population" in values else None
    column = values[indicator.id].unstack("teryt")  # index: year, columns: teryt
    town_series = column[town] if town in column else pd.Series(dtype=float)
    used_year = _latest_year_with_value(town_series, year)
    row = {"indicator": indicator.id, "section": indicator.section, "direction": indicator.direction.value,
           "year": used_year, "value": np.nan, "peer_median": np.nan, "peer_q1": np.nan, "peer_q3": np.nan,
           "peer_count": 0, "percentile": np.nan, "robust_z": np.nan,
           "change": np.nan, "peer_median_change": np.nan, "change_10y": np.nan, "peer_median_change_10y": np.nan,
           "small_numbers": False, "missing_years": 0}
    if used_year is None:
        return row
    peer_values = column.loc[used_year, list(peers)].dropna()
    value = float(town_series.loc[used_year])
    row.update(
        value=value,
        peer_count=int(peer_values.size),
        peer_median=float(peer_values.median()) if peer_values.size else np.nan,
        peer_q1=float(peer_values.quantile(0.25)) if peer_values.size else np.nan,
        peer_q3=float(peer_values.quantile(0.75)) if peer_values.size else np.nan,
        percentile=percentile_rank(value, peer_values, indicator.direction),
        robust_z=robust_z(value, peer_values, indicator.direction),
        missing_years=int(town_series.reindex(range(int(column.index.min()) + _max_lag(indicator), year + 1)).isna().sum()),
    )
    if indicator.min_denominator and population is not None:
        town_population = population.get((town, used_year), np.nan)
        row["small_numbers"] = bool(town_population < indicator.min_denominator)
    for years, key, peer_key in ((5, "change", "peer_median_change"), (10, "change_10y", "peer_median_change_10y")):
        base_year = used_year - years
        if base_year in column.index:
            row[key] = value - float(column.at[base_year, town])
            peer_change = (column.loc[used_year, list(peers)] - column.loc[base_year, list(peers)]).dropna()
            row[peer_key] = float(peer_change.median()) if peer_change.size else np.nan
    return row


def compare_town(
    town: str, peers: tuple[str, ...], values: pd.DataFrame, year: int,
    catalogue: dict[str, Indicator] | None = None,
) -> pd.DataFrame:
    """Every catalogue indicator for `town` beside its peers; one row per indicator."""
    catalogue = catalogue or indicators()
    rows = [compare_indicator(ind, town, peers, values, year) for ind in catalogue.values()]
    return pd.DataFrame(rows).set_index("indicator")
