"""Changes of a gmina's boundaries, read off its published population and density.

When a town takes in villages of its neighbours (Opole in 2017, Zielona Góra in 2015), its
population steps up in one year with no one having moved: a 5- or 10-year change across that
year, and a trend, show the annexation as growth. The store holds no area, but GUS's density is
residents per km², so population / density is the gmina's area. Density is published rounded:
each year's area is known only within the bounds the rounding leaves (`ROUNDING`, half a person
per km²). Where two consecutive years' bounds do not meet and the area moved by at least
`MIN_CHANGE`, the boundaries changed (a survey's correction of a fraction of a per cent is no
new territory). The report says so beside the population figures; it does not take the step out,
since the residents gained are residents now. The pace of the population and its projection start from
the change (`analysis.report`), and the projection's backtest leaves such towns out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalogue import indicators
from analysis.census import steps_at_breaks

ROUNDING = 0.5  # persons per km²: density as GUS publishes it, whole persons
MIN_CHANGE = 0.01  # of the area: less is a survey's correction, not territory gained or lost


@dataclass(frozen=True)
class BoundaryChange:
    year: int  # the first year within the new boundaries
    area_before: float  # km², the year before
    area_after: float  # km²


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
        BoundaryChange(int(year), float(row["area_before"]), float(row["area_after"]))
        for (_, year), row in table.iterrows()
    ]


def boundary_change_table(values: pd.DataFrame) -> pd.DataFrame:
    """Every boundary change of every town of `values` (index (teryt, year); `population` and
    `population_density`): index (teryt, year) of the first year within the new boundaries, the areas before
    and after. All towns at once: the projection's backtest leaves out every town whose boundaries moved."""
    both = values[["population", "population_density"]].dropna().astype(float)
    both = both.loc[(both["population"] > 0) & (both["population_density"] > 0)].sort_index()
    before = both.groupby(level="teryt").shift(1)
    years = pd.Series(both.index.get_level_values("year").to_numpy(dtype=float), index=both.index)
    consecutive = (years - years.groupby(level="teryt").shift(1)).eq(1)
    low_before, high_before = implied_area(before["population"], before["population_density"])
    low_after, high_after = implied_area(both["population"], both["population_density"])
    area_before = before["population"] / before["population_density"]
    area_after = both["population"] / both["population_density"]
    apart = (low_after > high_before) | (high_after < low_before)
    changed = consecutive & apart & (area_after / area_before - 1).abs().ge(MIN_CHANGE)
    return pd.DataFrame({"area_before": area_before, "area_after": area_after}).loc[changed]


def last_change_within(changes, first_year: int, last_year: int) -> int | None:
    """The year of the last boundary change after `first_year` and up to `last_year`: the town has had its
    present boundaries since, and the pace of its residents and its projection start there."""
    return max((change.year for change in changes if first_year < change.year <= last_year), default=None)


def crossed(changes, end: int, span: int) -> list[BoundaryChange]:
    """The boundary changes a change of `span` years up to `end` crosses: those of a year after its start."""
    return [change for change in changes if end - span < change.year <= end]


def within_present_boundaries(values: pd.DataFrame, teryt: str, since: int) -> pd.DataFrame:
    """`values` (index (teryt, year), a column per indicator) without the town's residents counted before
    `since`, its last change of boundaries: the indicators made of them (`census.steps_at_breaks`: population,
    its density, their changes) step there by the land taken in or given up, so their trends start from it.
    Rates per resident keep every year: land moves their numerator and denominator alike."""
    stepped = [i for i in values.columns if i in indicators() and steps_at_breaks(indicators()[i].inputs)]
    before = (values.index.get_level_values("teryt") == teryt) & (values.index.get_level_values("year") < since)
    values = values.copy()
    values.loc[before, stepped] = np.nan
    return values
