"""A town beside its peers: median, quartiles, direction-aware percentile, bounded score and verdict.

One row per indicator. Whether an indicator is judged, and how, follows
`analysis.scoring` (the one rule) and `analysis.reliability` (counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.boundaries import EVERY_CHANGE, area_changes, changes_that_step, moves_residents
from analysis.catalogue import Direction, Indicator, indicators, split_lag
from analysis.gus_marks import reads_any
from analysis.indicators import window_counts
from analysis.params import MIN_PEERS
from analysis.reliability import count_interval
from analysis.scoring import (
    NONE,
    assess,
    bounded_score,
    distance_from_peers,
    held_back_by_chance,
    judged_by_design,
)

CHANGE_YEARS = (5, 10)
# The suffix of a change's columns in a comparison row, by its span: "change", "peer_median_change",
# "peers_left_out_change" for 5 years; "change_10y", … for 10.
CHANGE_SUFFIX = dict(zip(CHANGE_YEARS, ("", "_10y"), strict=True))


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
    years = np.arange(
        int(values.index.get_level_values("year").min()), int(values.index.get_level_values("year").max()) + 1
    )
    towns = [town, *peers]
    full = pd.MultiIndex.from_product([towns, years], names=["teryt", "year"])
    block = values[columns].reindex(full).to_numpy(dtype=float)
    return years, block.reshape(len(towns), len(years), len(columns))


def _latest(years: np.ndarray, with_values: np.ndarray, year: int, first: int) -> int | None:
    """Position of the latest year from `first` up to `year` that `with_values` (one flag per year) marks; None
    if none: the town's latest value, or, where it has none at all, the latest year enough peers for a median
    (`MIN_PEERS`) have one, in which its peers are shown."""
    available = np.flatnonzero((years >= first) & (years <= year) & with_values)
    return int(available.max()) if available.size else None


EMPTY_ROW = {
    "year": None,
    "period_start": None,
    "value": np.nan,
    "ci_low": np.nan,
    "ci_high": np.nan,
    "events": np.nan,
    "reliability": "",
    "peer_median": np.nan,
    "peer_q1": np.nan,
    "peer_q3": np.nan,
    "peer_count": 0,
    "percentile": np.nan,
    "distance": np.nan,  # from the peer median in scale units, better positive (`scoring.distance_from_peers`)
    "score": np.nan,  # the distance within ±2 (`scoring.bounded_score`)
    "matching": False,
    "judged": False,
    "assessment": NONE,
    "change": np.nan,
    "peer_median_change": np.nan,
    "change_10y": np.nan,
    "peer_median_change_10y": np.nan,
    "missing_years": 0,
    "boundary_change": np.nan,
    "low_precision": False,  # the value reads a figure GUS marks as of low precision: shown, not ranked
    "peers_left_out": (),
    "peers_left_out_change": (),
    "peers_left_out_change_10y": (),
}


@dataclass(frozen=True)
class BoundaryYears:
    """Per town of a comparison (the town, then its peers), the years its boundaries changed (`analysis.boundaries`):
    `every` change, and those that `moved_residents`."""

    every: list[np.ndarray]
    moved_residents: list[np.ndarray]

    @classmethod
    def none(cls, towns: int) -> BoundaryYears:
        return cls([np.array([], dtype=int)] * towns, [np.array([], dtype=int)] * towns)

    def stepping(self, indicator: Indicator) -> list[np.ndarray]:
        """The years that step `indicator` (`analysis.boundaries.changes_that_step`)."""
        kind = changes_that_step(indicator.inputs)
        if kind is None:
            return [np.array([], dtype=int)] * len(self.every)
        return self.every if kind == EVERY_CHANGE else self.moved_residents


def _boundary_years(years: np.ndarray, block: np.ndarray, columns: list[str]) -> BoundaryYears:
    """The changes of boundaries of every town of the block (`_town_arrays`: the town, then its peers), from the
    residents and their density; none without either."""
    if not {"population", "population_density"} <= set(columns):
        return BoundaryYears.none(len(block))
    population, density = block[:, :, columns.index("population")], block[:, :, columns.index("population_density")]
    changed, _, _, residents_step = area_changes(population, density)
    moved = changed & moves_residents(residents_step)
    return BoundaryYears([years[1:][town] for town in changed], [years[1:][town] for town in moved])


def _held_boundary_change(indicator: Indicator, boundary_years: BoundaryYears, start: int, end: int) -> np.ndarray:
    """Per town (the town first, then its peers): the last change of its boundaries that a value of
    `indicator` read over the years from `start` to `end` (each name at its lag) holds, or 0. Land taken in
    or given up steps the residents and their density, and so their 5- and 10-year changes, by residents
    no one gained or lost (or, for the density, by land alone): such a value is not ranked, nor counted among
    the peers'."""
    lags = [split_lag(name)[1] for name in indicator.inputs]
    low, high = start - max(lags), end - min(lags)
    held = np.zeros(len(boundary_years.every), dtype=int)
    for town, years in enumerate(boundary_years.stepping(indicator)):
        within = years[(years > low) & (years <= high)]
        held[town] = within.max() if within.size else 0
    return held


def _compare_arrays(
    indicator: Indicator,
    years: np.ndarray,
    town_values: np.ndarray,
    peer_values: np.ndarray,
    year: int,
    counts: pd.DataFrame | None,
    matching: bool,
    first: int,
    boundary_years: BoundaryYears | None = None,
    peers: tuple[str, ...] = (),
    low_precision: frozenset[tuple[str, int]] = frozenset(),
) -> dict:
    """One comparison row from plain arrays: the town's series and the peers' (peers × years). Years before
    `first`, the report's first year, serve only as the base of a 5- or 10-year change. `boundary_years`:
    per town (the town first), the years its boundaries changed (`_held_boundary_change`); `peers`, the peers'
    codes in the order of `peer_values`' rows; `low_precision`, the town's figures GUS marks so
    (`analysis.gus_marks.low_precision_figures`)."""
    row = {
        "indicator": indicator.id,
        "section": indicator.section,
        "subdomain": indicator.subdomain,
        "direction": indicator.direction.value,
        **EMPTY_ROW,
        "matching": matching,
    }
    # Where the town has no value at all, its peers' are still shown (median, quartiles, change): a reader then
    # sees that the town's figure is missing, not the group's. Nothing about the town is judged.
    at = _latest(years, ~np.isnan(town_values), year, first)
    town_has_value = at is not None
    if not town_has_value:
        at = _latest(years, (~np.isnan(peer_values)).sum(axis=0) >= MIN_PEERS, year, first)  # no peers: none
    if at is None:
        return row
    used_year = int(years[at])
    boundary_years = boundary_years or BoundaryYears.none(1 + len(peer_values))
    moved = _held_boundary_change(indicator, boundary_years, used_year, used_year)
    if not town_has_value:
        moved[0] = 0  # the town's boundaries step no value of its own: it has none
    peers_now = peer_values[:, at]
    left_out = ~np.isnan(peers_now) & (moved[1:] > 0)
    peers_now = peers_now[~np.isnan(peers_now) & ~left_out]
    value = float(town_values[at])
    in_period = (years >= first + _max_lag(indicator)) & (years <= year)
    # A pooled value's first year: from the town's counts where given, else its window within the data.
    interval, period_start = None, max(used_year - indicator.pool_years + 1, first)
    if town_has_value and counts is not None and used_year in counts.index and (indicator.counts or indicator.pooled):
        window, entered = window_counts(counts, indicator, used_year)
        interval = count_interval(indicator, window) if indicator.counts is not None else None
        period_start = min(entered, default=used_year)
    # Peers with a value that year too few for a median (a small group, gaps in the data): the town's value
    # stands alone, compared with nothing, as it would with none.
    compared = peers_now if peers_now.size >= MIN_PEERS else peers_now[:0]
    imprecise = town_has_value and reads_any(indicator, low_precision, period_start, used_year)
    ranked = (
        town_has_value
        and (interval is None or interval.ranked)
        and compared.size > 0
        and not moved[0]
        and not imprecise
    )
    interval_bounds = (interval.low, interval.high) if interval is not None else (np.nan, np.nan)
    percentile = percentile_rank(value, compared, indicator.direction) if ranked else np.nan
    distance = distance_from_peers(value, compared, indicator, *interval_bounds) if ranked else np.nan
    q1, median, q3 = np.quantile(compared, [0.25, 0.5, 0.75]) if compared.size else (np.nan,) * 3
    row.update(
        year=used_year,
        period_start=period_start,
        value=value,
        peer_count=int(peers_now.size),
        peer_median=float(median),
        peer_q1=float(q1),
        peer_q3=float(q3),
        percentile=percentile,
        distance=distance,
        score=bounded_score(distance),
        missing_years=int(np.isnan(town_values[in_period]).sum() + max(0, year - int(years.max()))),
        boundary_change=moved[0] or np.nan,
        low_precision=imprecise,
        peers_left_out=tuple(peer for peer, out in zip(peers, left_out) if out),
    )
    if interval is not None:
        row.update(
            ci_low=interval.low,
            ci_high=interval.high,
            events=interval.events,
            reliability="not_ranked" if not interval.ranked else "unreliable" if interval.unreliable else "ok",
        )
    row["judged"] = judged_by_design(indicator, matching) and not math.isnan(row["score"])
    if row["judged"]:
        row["assessment"] = assess(indicator, value, row["peer_median"], percentile, row["ci_low"], row["ci_high"])
    for span, suffix in CHANGE_SUFFIX.items():
        base = at - span
        if base >= 0:
            row[f"change{suffix}"] = value - float(town_values[base])
            peer_change = peer_values[:, at] - peer_values[:, base]
            across = _held_boundary_change(indicator, boundary_years, int(years[base]), used_year)[1:]
            left_out_of_change = ~np.isnan(peer_change) & (across > 0)
            row[f"peers_left_out_change{suffix}"] = tuple(peer for peer, out in zip(peers, left_out_of_change) if out)
            peer_change = peer_change[~np.isnan(peer_change) & ~left_out_of_change]
            row[f"peer_median_change{suffix}"] = (
                float(np.median(peer_change)) if peer_change.size >= MIN_PEERS else np.nan
            )
    return row


def within_chance(row, indicator: Indicator) -> bool:
    """A judged value that its position and difference would mark a strength or weakness, left unmarked
    because its 95% interval includes the peer median (`scoring.held_back_by_chance`)."""
    return bool(row.get("judged")) and held_back_by_chance(
        indicator, row["value"], row["peer_median"], row["percentile"], row["ci_low"], row["ci_high"]
    )


def too_few_peers(row) -> bool:
    """Some peers have a value, but fewer than `MIN_PEERS`: the row has no median, position or assessment."""
    return 0 < row["peer_count"] < MIN_PEERS


def unranked(row) -> bool:
    """A value shown but not placed among the peers: on too few events, beside too few peers, holding a
    change of the town's boundaries, or reading a figure GUS marks as of low precision. Its position reads
    "not ranked", where "no data" would deny its figure; without a value of the town, "no data" is what it reads."""
    if pd.isna(row.get("value")):
        return False
    return (
        row["reliability"] == "not_ranked"
        or too_few_peers(row)
        or pd.notna(row.get("boundary_change"))
        or bool(row.get("low_precision"))
    )


def section_without_values(comparison: pd.DataFrame, section: str) -> bool:
    """Whether no indicator of `section` has a value of the town or a peer median (a store without the section's
    variables). The report then says so once, in the section's text, instead of a note in place of each of its
    charts and tables: five lines of "no data" on a page tell a reader nothing the first did not."""
    rows = comparison.loc[comparison["section"] == section, ["value", "peer_median"]]
    return bool(rows.isna().all(axis=None))


def town_without_values(comparison: pd.DataFrame, section: str) -> bool:
    """Whether the town has no value of any indicator of `section` while its peers have some (the town's figures
    missing from the store, the group's not). The section's tables then show the peers' figures beside the town's
    "no data", and its text says once that the town's are missing; its charts, which would each say so again, are
    left out."""
    rows = comparison.loc[comparison["section"] == section]
    return bool(rows["value"].isna().all() and rows["peer_median"].notna().any())


def pooled_years(row) -> int:
    """How many years a compared value spans (1 unless pooled, `pool_years` in the catalogue); 0 without a value."""
    year, start = row.get("year"), row.get("period_start")
    if year is None or pd.isna(year):
        return 0
    return int(year) - int(start) + 1 if start is not None and pd.notna(start) else 1


def earlier_year(row, last_year: int) -> int | None:
    """The year of a value of one year before `last_year` (where the last year's is missing, the latest the
    town has), which the tables give in their year column and the texts must say; None otherwise (a value of
    the last year, one pooled over several, none)."""
    if pooled_years(row) != 1 or int(row["year"]) == last_year:
        return None
    return int(row["year"])


def value_period(row) -> str:
    """The year of a compared value ("2024"), or its years for a value pooled over several ("2022–2024")."""
    if pooled_years(row) == 0:
        return ""
    return f"{int(row['period_start'])}–{int(row['year'])}" if pooled_years(row) > 1 else str(int(row["year"]))


def compare_town(
    town: str,
    peers: tuple[str, ...],
    values: pd.DataFrame,
    year: int,
    catalogue: dict[str, Indicator] | None = None,
    counts: pd.DataFrame | None = None,
    matching: tuple[str, ...] = (),
    first_year: int | None = None,
    low_precision: frozenset[tuple[str, int]] = frozenset(),
) -> pd.DataFrame:
    """Every catalogue indicator for `town` beside its peers; one row per indicator.

    `values`: the indicators as compared (`indicator_table(..., pooled=True)`): an indicator with
    `pool_years` N is the town's last N years taken together, and `period_start` says from which year.
    Each row uses the latest year up to `year` in which the town has a value.
    `counts`: the town's source variables (index year), for the count-based interval
    and reliability of rates and shares (summed over the same years); without it no value is flagged.
    `matching`: indicators the peers were matched on; they are shown, never judged.
    `missing_years` counts the years of the period without a value (not the first
    years a lagged formula cannot have).
    `first_year`: the report's first year, where `values` reach earlier: the years before it are only the
    base of a 5- or 10-year change, which, like a lagged formula, may reach before the report's years.
    `boundary_change`: the year of the change of the town's boundaries its value holds (a 5-year change of
    its residents across land taken in), which is then shown but not ranked; peers whose value holds one are
    left out of that indicator's median, quartiles and position (`peers_left_out`); peers whose 5- or 10-year
    change of the indicator crosses one, of its median change (`peers_left_out_change`, `…_change_10y`): for the
    residents, a change that moved residents; for their density, any. Read from `values`' residents and their
    density (`analysis.boundaries`).
    `low_precision`: the town's figures GUS marks as of low precision (`analysis.gus_marks.low_precision_figures`);
    a value reading one is shown but not ranked (`low_precision`).
    """
    catalogue = catalogue or indicators()
    # The catalogue's indicators, and the residents and their density, which tell changes of boundaries.
    columns = [i for i in catalogue if i in values.columns]
    columns += [i for i in ("population", "population_density") if i in values.columns and i not in columns]
    years, block = _town_arrays(values, town, peers, columns)
    first = max(first_year or int(years.min()), int(years.min()))
    boundary_years = _boundary_years(years, block, columns)
    rows = []
    for indicator in catalogue.values():
        if indicator.id in columns:
            k = columns.index(indicator.id)
            town_values, peer_values = block[0, :, k], block[1:, :, k]
        else:
            town_values = np.full(len(years), np.nan)
            peer_values = town_values[None, :0].reshape(0, len(years))
        rows.append(
            _compare_arrays(
                indicator,
                years,
                town_values,
                peer_values,
                year,
                counts,
                indicator.id in matching,
                first,
                boundary_years,
                tuple(peers),
                low_precision,
            )
        )
    return pd.DataFrame(rows).set_index("indicator")


def compare_indicator(
    indicator: Indicator,
    town: str,
    peers: tuple[str, ...],
    values: pd.DataFrame,
    year: int,
    counts: pd.DataFrame | None = None,
) -> dict:
    """One indicator's comparison row (see `compare_town`)."""
    row = compare_town(town, peers, values, year, {indicator.id: indicator}, counts).iloc[0]
    return {"indicator": indicator.id, **row.to_dict()}
