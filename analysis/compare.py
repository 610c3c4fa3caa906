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


def _town_arrays(values: pd.DataFrame, town: str, peers: tuple[str, ...], columns: list[str]):
    """Years, and the values as an array (town first, then peers) × years × columns.

    Numpy rather than pandas lookups: a report compares 32 indicators under several
    peer rules, and label lookups would dominate the batch's time.
    """
    years = np.arange(int(values.index.get_level_values("year").min()),
                      int(values.index.get_level_values("year").max()) + 1)
    towns = [town, *peers]
    full = pd.MultiIndex.from_product([towns, years], names=["teryt", "year"])
    block = values[columns].reindex(full).to_numpy(dtype=float)
    return years, block.reshape(len(towns), len(years), len(columns))


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else np.nan


def _latest(years: np.ndarray, town_values: np.ndarray, year: int) -> int | None:
    """Position of the latest year up to `year` in which the town has a value; None if there is none."""
    available = np.flatnonzero((years <= year) & ~np.isnan(town_values))
    return int(available.max()) if available.size else None


def _compare_arrays(indicator: Indicator, years: np.ndarray, town_values: np.ndarray, peer_values: np.ndarray,
                    town_population: np.ndarray | None, year: int) -> dict:
    """One comparison row from plain arrays: the town's series and the peers' (peers × years)."""
    row = {"indicator": indicator.id, "section": indicator.section, "direction": indicator.direction.value,
           "year": None, "value": np.nan, "peer_median": np.nan, "peer_q1": np.nan, "peer_q3": np.nan,
           "peer_count": 0, "percentile": np.nan, "robust_z": np.nan,
           "change": np.nan, "peer_median_change": np.nan, "change_10y": np.nan, "peer_median_change_10y": np.nan,
           "small_numbers": False, "missing_years": 0}
    at = _latest(years, town_values, year)
    if at is None:
        return row
    used_year = int(years[at])
    peers_now = peer_values[:, at]
    peers_now = peers_now[~np.isnan(peers_now)]
    value = float(town_values[at])
    in_period = (years >= years.min() + _max_lag(indicator)) & (years <= year)
    row.update(
        year=used_year,
        value=value,
        peer_count=int(peers_now.size),
        peer_median=_median(peers_now),
        peer_q1=float(np.quantile(peers_now, 0.25)) if peers_now.size else np.nan,
        peer_q3=float(np.quantile(peers_now, 0.75)) if peers_now.size else np.nan,
        percentile=percentile_rank(value, peers_now, indicator.direction),
        robust_z=robust_z(value, peers_now, indicator.direction),
        missing_years=int(np.isnan(town_values[in_period]).sum() + max(0, year - int(years.max()))),
    )
    if indicator.min_denominator and town_population is not None:
        row["small_numbers"] = bool(town_population[at] < indicator.min_denominator)
    for span, key, peer_key in ((5, "change", "peer_median_change"), (10, "change_10y", "peer_median_change_10y")):
        base = at - span
        if base >= 0:
            row[key] = value - float(town_values[base])
            peer_change = peer_values[:, at] - peer_values[:, base]
            row[peer_key] = _median(peer_change[~np.isnan(peer_change)])
    return row


def compare_indicator(
    indicator: Indicator, town: str, peers: tuple[str, ...], values: pd.DataFrame, year: int
) -> dict:
    """One indicator's comparison row, in the latest year up to `year` the town has a value.

    Flags: `small_numbers` when the town's population is below the indicator's
    minimum denominator; `missing_years`, how many years of the period lack a value
    (not counting the first years a lagged formula cannot have).
    """
    has_population = "population" in values.columns
    years, block = _town_arrays(values, town, peers, [indicator.id, "population"] if has_population else [indicator.id])
    return _compare_arrays(indicator, years, block[0, :, 0], block[1:, :, 0],
                           block[0, :, 1] if has_population else None, year)


def compare_town(
    town: str, peers: tuple[str, ...], values: pd.DataFrame, year: int,
    catalogue: dict[str, Indicator] | None = None,
) -> pd.DataFrame:
    """Every catalogue indicator for `town` beside its peers; one row per indicator."""
    catalogue = catalogue or indicators()
    columns = [i for i in catalogue if i in values.columns]
    has_population = "population" in values.columns
    years, block = _town_arrays(values, town, peers, columns + (["population"] if has_population else []))
    population = block[0, :, -1] if has_population else None
    rows = []
    for indicator in catalogue.values():
        if indicator.id in columns:
            k = columns.index(indicator.id)
            rows.append(_compare_arrays(indicator, years, block[0, :, k], block[1:, :, k], population, year))
        else:
            empty = np.full(len(years), np.nan)
            rows.append(_compare_arrays(indicator, years, empty, empty[None, :0].reshape(0, len(years)), None, year))
    return pd.DataFrame(rows).set_index("indicator")


def town_percentiles(
    town: str, peers: tuple[str, ...], values: pd.DataFrame, year: int,
    catalogue: dict[str, Indicator] | None = None,
) -> pd.Series:
    """The `percentile` column of `compare_town`, computed alone (the same year and rank per indicator).

    The peer-rule sensitivity needs only this, for three more peer groups of every town.
    """
    catalogue = catalogue or indicators()
    columns = [i for i in catalogue if i in values.columns]
    years, block = _town_arrays(values, town, peers, columns)
    percentiles = {}
    for k, indicator_id in enumerate(columns):
        at = _latest(years, block[0, :, k], year)
        if at is not None:
            peers_now = block[1:, at, k]
            percentiles[indicator_id] = percentile_rank(float(block[0, at, k]), peers_now[~np.isnan(peers_now)],
                                                        catalogue[indicator_id].direction)
    return pd.Series(percentiles, dtype=float).reindex(list(catalogue)).rename("percentile")
