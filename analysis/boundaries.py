"""Changes of a gmina's boundaries, read off its published population and density.

When a town takes in villages of its neighbours (Opole in 2017, Zielona Góra in 2015), its
population steps up in one year with no one having moved: a 5- or 10-year change across that
year, and a trend, show the annexation as growth. The store holds no area, but GUS's density is
residents per km², so population / density is the gmina's area. Density is published rounded:
each year's area is known only within the bounds the rounding leaves (`ROUNDING`, half a person
per km²). Where two consecutive years' bounds do not meet and the area moved by at least
`MIN_CHANGE`, the boundaries changed (a survey's correction of a fraction of a per cent is no
new territory). The report says so beside the population figures; it does not take the step out,
since the residents gained are residents now. Land often moves with few or no residents (an industrial
zone, fields): only a change whose year moved the residents beyond their usual yearly change by at least
`MIN_RESIDENTS_STEP` breaks their series. From such a change the pace of the population and its projection
start (`analysis.report`), the projection's backtest leaves the town out, and a 5- or 10-year change of
residents across it is not judged (`analysis.compare`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalogue import indicators, split_lag
from analysis.census import steps_at_breaks

ROUNDING = 0.5  # persons per km²: density as GUS publishes it, whole persons
MIN_CHANGE = 0.01  # of the area: less is a survey's correction, not territory gained or lost
# Of the residents, beyond the town's usual yearly change: half a per cent, the least difference the 5-year
# population change is judged on (its `min_difference` in the catalogue, in points). Less cannot move that
# judgement, and a yearly change's noise in a town of 10,000 is of that size.
MIN_RESIDENTS_STEP = 0.005


@dataclass(frozen=True)
class BoundaryChange:
    year: int  # the first year within the new boundaries
    area_before: float  # km², the year before
    area_after: float  # km²
    # Residents gained (+) or lost with the land, as a share: the year's change of log population beyond the
    # median of the town's other yearly changes. NaN where unknown, read as moving residents.
    residents_step: float = math.nan

    @property
    def moves_residents(self) -> bool:
        """Whether the change breaks the residents' series (`MIN_RESIDENTS_STEP`), not only their density's."""
        return bool(moves_residents(self.residents_step))


def moves_residents(residents_step):
    """Whether a change that moved this share of residents (a number or an array; NaN: unknown) breaks their
    series: at least `MIN_RESIDENTS_STEP` either way, or unknown (the careful side)."""
    return ~(np.abs(residents_step) < MIN_RESIDENTS_STEP)


def implied_area(population, density):
    """The bounds of a gmina's area (km²) given its population and its density rounded to `ROUNDING`
    (numbers, or arrays of them)."""
    return population / (density + ROUNDING), population / np.maximum(density - ROUNDING, 1e-9)


def boundary_changes(counts: pd.DataFrame) -> list[BoundaryChange]:
    """The years a town's boundaries changed, from its variables by year (`TownReport.counts`: index year,
    with `population` and `population_density`); only between consecutive years that have both."""
    if not {"population", "population_density"} <= set(counts.columns):
        return []
    table = boundary_change_table(pd.concat({"": counts}, names=["teryt", "year"]))
    return [
        BoundaryChange(int(year), float(row["area_before"]), float(row["area_after"]), float(row["residents_step"]))
        for (_, year), row in table.iterrows()
    ]


def area_changes(population: np.ndarray, density: np.ndarray):
    """The rule, on arrays of towns × consecutive years (NaN where a year has no figure): for each town and
    each year from the second, whether its boundaries changed into that year, the areas before and after,
    and the residents that moved with the land (`BoundaryChange.residents_step`). Only between consecutive
    years that both have the residents and their density."""
    present = (population > 0) & (density > 0)  # NaN compares False
    population, density = np.where(present, population, np.nan), np.where(present, density, np.nan)
    low, high = implied_area(population, density)
    area = population / density
    both = present[:, 1:] & present[:, :-1]
    apart = (low[:, 1:] > high[:, :-1]) | (high[:, 1:] < low[:, :-1])
    changed = both & apart & (np.abs(area[:, 1:] / area[:, :-1] - 1) >= MIN_CHANGE)
    # The residents moved with the land: the year's change beyond the town's usual one, the median of its
    # yearly changes in the years its boundaries stood (none such: all of the year's change).
    yearly = np.where(both, np.diff(np.log(population), axis=1), np.nan)
    stood = np.where(changed, np.nan, yearly)
    counted = (~np.isnan(stood)).any(axis=1)
    usual = np.zeros(len(stood))
    usual[counted] = np.nanmedian(stood[counted], axis=1)
    return changed, area[:, :-1], area[:, 1:], yearly - usual[:, None]


def boundary_change_table(values: pd.DataFrame) -> pd.DataFrame:
    """Every boundary change of every town of `values` (index (teryt, year); `population` and
    `population_density`; `area_changes`): index (teryt, year) of the first year within the new boundaries,
    the areas before and after, and the residents that moved with the land. All towns at once: the
    projection's backtest leaves out every town whose residents' series such a change breaks."""
    if values.empty:
        return pd.DataFrame(columns=["area_before", "area_after", "residents_step"], dtype=float)
    grid = values[["population", "population_density"]].astype(float).unstack("year")
    years = np.arange(
        int(grid.columns.get_level_values("year").min()), int(grid.columns.get_level_values("year").max()) + 1
    )
    grid = grid.reindex(columns=pd.MultiIndex.from_product([["population", "population_density"], years]))
    changed, before, after, step = area_changes(grid["population"].to_numpy(), grid["population_density"].to_numpy())
    towns, at = np.nonzero(changed)
    index = pd.MultiIndex.from_arrays([grid.index[towns], years[1:][at]], names=["teryt", "year"])
    return pd.DataFrame(
        {"area_before": before[towns, at], "area_after": after[towns, at], "residents_step": step[towns, at]},
        index=index,
    )


def residents_breaks(values: pd.DataFrame) -> pd.MultiIndex:
    """(teryt, year) of every change of boundaries of `values` (`boundary_change_table`) that moved residents
    (`BoundaryChange.moves_residents`): where the residents' series breaks."""
    table = boundary_change_table(values)
    return table.index[moves_residents(table["residents_step"].to_numpy())]


def last_change_within(changes, first_year: int, last_year: int) -> int | None:
    """The year of the last boundary change after `first_year` and up to `last_year` that moved residents:
    the town has had its present residents' boundaries since, and their pace and projection start there."""
    return max(
        (change.year for change in changes if first_year < change.year <= last_year and change.moves_residents),
        default=None,
    )


EVERY_CHANGE, CHANGES_OF_RESIDENTS = "every", "residents"


def changes_that_step(formula_names) -> str | None:
    """Which changes of boundaries step an indicator read from these names (variables, `_lagN` allowed): for
    the residents' density, `EVERY_CHANGE` (land alone moves its area); for the residents, the changes that moved
    residents (`CHANGES_OF_RESIDENTS`); for a rate per resident, none (land moves its numerator and denominator
    alike). The one rule, for lists of changes (`stepping`) and for arrays of years (`analysis.compare`)."""
    if not steps_at_breaks(formula_names):
        return None
    return EVERY_CHANGE if "population_density" in {split_lag(n)[0] for n in formula_names} else CHANGES_OF_RESIDENTS


def stepping(changes, formula_names) -> list[BoundaryChange]:
    """The `changes` that step an indicator read from these names (`changes_that_step`)."""
    kind = changes_that_step(formula_names)
    if kind is None:
        return []
    return list(changes) if kind == EVERY_CHANGE else [c for c in changes if c.moves_residents]


def crossed(changes, end: int, span: int) -> list[BoundaryChange]:
    """The boundary changes a change of `span` years up to `end` crosses: those of a year after its start."""
    return [change for change in changes if end - span < change.year <= end]


def within_present_boundaries(
    values: pd.DataFrame, teryt: str, changes, first_year: int, last_year: int
) -> pd.DataFrame:
    """`values` (index (teryt, year), a column per indicator) with each of the town's indicators that a change
    of its boundaries steps (`stepping`: its residents, their density, their changes) only from the last such
    change after `first_year` and up to `last_year`: the land taken in or given up is no trend, so their
    trends start there. Rates per resident keep every year: land moves their numerator and denominator alike;
    the residents keep every year across land that moved none of them, their density does not."""
    at_town, years = values.index.get_level_values("teryt") == teryt, values.index.get_level_values("year")
    values = values.copy()
    for indicator_id in values.columns:
        if indicator_id not in indicators():
            continue
        moved = [change.year for change in stepping(changes, indicators()[indicator_id].inputs)]
        since = max((year for year in moved if first_year < year <= last_year), default=None)
        if since is not None:
            values.loc[at_town & (years < since), indicator_id] = np.nan
    return values
