"""A voivodeship's and Poland's value of each indicator, from the gminy of the store.

An area's value is the indicator's formula applied to the sums of its source variables over the
area's gminy: births per 1000 residents of a voivodeship is all its births over all its residents,
not the mean of its gminy's rates (a ratio of sums, as GUS computes area figures). A gmina enters
an indicator's sums only in a year where it has every input of that indicator, so a missing value
never counts as zero. An indicator pooled over N years (`pool_years`) sums its variables over the
area's gminy and the N years. Indicators built on variables GUS publishes as rates (`additive: false` in
the variable catalogue) have no area value: summing rates means nothing. Except a published rate of a
count the store holds (`rate_of`): a share of residents times the residents is a count of people, so
the area's share is the ratio of those counts' sums to its residents, its gminy's shares weighted by
residents. And except a rate GUS also publishes for each voivodeship and Poland (`published_for_areas`:
density, nursery places per 1000 children under 3): an indicator that is that rate alone takes GUS's own
figure of the area, from the store's `area_values`; it rests on the whole area (coverage 1). "Poland" is
every gmina of the store: on the embedded demo store, the synthetic country.
A city with powiat rights has one budget for its gmina's and its powiat's tasks: an indicator built on
budget amounts (`budget` in the variable catalogue) is summed over the area's cities for a city and over its
other gminy for any other town (`budget_kinds`). A flow between gminy of Poland (`nets_out_nationally` in the
catalogue: internal migration) has no Poland value: over the whole country it is zero by definition, whatever
the store holds. A voivodeship keeps its value: what crosses its border.

An area's value stands only where the gminy it is summed over hold at least `MIN_AREA_COVERAGE` of the area's
residents (over the indicator's years): a voivodeship "value" from the gminy holding 60% of its people,
its largest town missing, would be some other area's. A total (`is_total`: the population itself, not a
ratio) needs all of them: over 95% of an area it is simply a smaller number. Below that the area has no
value ("b.d."), as it has none where no gmina has the figure. Residents are the store's population figures,
which GUS publishes for every gmina. In a year the store has population figures of, a gmina without one
still has residents: for this share they are the gmina's figure of its nearest earlier year (else its
nearest later one), so a gap in the population figures themselves makes the area's population, and every
value over those gminy, "b.d." rather than a sum over part of the area shown as the whole. Only a gmina
without any population figure counts on neither side, and a gmina counts only in the years it is in the store
(`_in_store`): one that ended, and its successor under a new code, are not each other's missing residents.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.catalogue import Indicator, indicators, split_lag, variable_ids, variables
from analysis.indicators import evaluate, with_lags
from analysis.store import CITY_WITH_POWIAT_RIGHTS, COUNTRY_AREA, UNIT_KINDS, Store, variable_panel
from analysis.teryt import VOIVODESHIPS

COUNTRY = "Polska"
RESIDENTS = "population"
MIN_AREA_COVERAGE = 0.9  # of an area's residents, in the gminy its value is summed over (see above)


def is_aggregable(indicator: Indicator) -> bool:
    """Whether a ratio of sums is defined: every input variable is a count or an amount, or the
    indicator is one published rate of a count (`rate_of`: a share of residents is one of population)."""
    catalogue = variables()
    if all(catalogue[split_lag(name)[0]].additive for name in indicator.inputs):
        return True
    return _rate_base(indicator) is not None


def published_rate(indicator: Indicator) -> str | None:
    """The variable whose published area figures are the indicator's area values: where the indicator is
    one rate that cannot be summed (`is_aggregable` False) and GUS publishes it for voivodeships and Poland
    (`published_for_areas`). None otherwise. A rate pooled over years has no published figure to take."""
    formula = indicator.formula.strip()
    if is_aggregable(indicator) or indicator.pool_years != 1 or formula not in variables():
        return None
    return formula if variables()[formula].published_for_areas else None


def of_budgets(indicator: Indicator) -> bool:
    """Whether the indicator is built on amounts of gminy's budgets (`budget` in the variable catalogue), which
    a city with powiat rights shares with its powiat: an area's value then sums one kind of budget only."""
    return any(variables()[split_lag(name)[0]].budget for name in indicator.inputs)


def is_total(indicator: Indicator) -> bool:
    """Whether the indicator is a count or an amount itself (the population), not a ratio of them: summed
    over part of an area it is not an estimate of the area's figure but a smaller number."""
    names = indicator.inputs
    return len(names) == 1 and indicator.formula.strip() == names[0] and variables()[split_lag(names[0])[0]].additive


def summed_inputs(indicator: Indicator) -> list[str]:
    """The variables (with lags) an area's value sums over its gminy: the indicator's inputs, and the count a
    published rate is of (`rate_of`). A gmina enters a year's sums only with every one of them."""
    base = _rate_base(indicator)
    return [*indicator.inputs, *([base] if base else [])]


def required_coverage(indicator: Indicator) -> float:
    """The share of an area's residents the gminy with data must hold for the area to have a value."""
    return 1.0 if is_total(indicator) else MIN_AREA_COVERAGE


def holds_enough_residents(indicator: Indicator, coverage):
    """Whether the gminy behind an area's value hold `required_coverage` of its residents (False for NaN)."""
    return coverage >= required_coverage(indicator) - 1e-12  # the two sums of a total may differ in their last bit


def _rate_base(indicator: Indicator) -> str | None:
    """The variable the indicator is a rate of, where the indicator is one published rate (its formula
    the variable itself); None otherwise: a rate inside a longer formula has no sum to be a ratio of."""
    if len(indicator.inputs) != 1 or indicator.formula.strip() not in variables():
        return None
    return variables()[indicator.formula.strip()].rate_of


@dataclass(frozen=True)
class AreaFigures:
    """Each area's value of every indicator (index area, a column per indicator), and the share of the
    area's residents in the gminy that value is summed over (0–1; NaN where the indicator has no sums)."""

    values: pd.DataFrame
    coverage: pd.DataFrame


def area_indicators(panel: pd.DataFrame, area_of: pd.Series, year: int) -> AreaFigures:
    """Each area's value of every indicator in `year` (index area, one column per indicator), and the share
    of the area's residents behind each.

    `panel` is a variable panel (index teryt, year) of the gminy; `area_of` maps TERYT -> area."""
    needed = {name for indicator in indicators().values() for name in indicator.inputs}
    needed |= {base for indicator in indicators().values() if (base := _rate_base(indicator))}
    needed |= {RESIDENTS}
    lagged = with_lags(panel, needed)
    longest = max(indicator.pool_years for indicator in indicators().values())
    lagged = lagged.loc[lagged.index.get_level_values("year").isin(range(year - longest + 1, year + 1))]
    years = lagged.index.get_level_values("year")
    areas = area_of.reindex(lagged.index.get_level_values("teryt")).to_numpy()
    # Every gmina of every area in each year the store has population figures of, whether or not it has one.
    counted = set(panel[RESIDENTS].dropna().index.get_level_values("year"))
    every = _residents(panel, area_of.index, [y for y in range(year - longest + 1, year + 1) if y in counted])
    every_years = every.index.get_level_values("year")
    every_areas = area_of.reindex(every.index.get_level_values("teryt")).to_numpy()
    residents = every.reindex(lagged.index)
    names = sorted(area_of.unique())
    result, coverage = {}, {}
    for indicator in indicators().values():
        if not is_aggregable(indicator):
            result[indicator.id] = coverage[indicator.id] = pd.Series(float("nan"), index=names)
            continue
        # The year's gminy; for an indicator pooled over N years, their last N years together.
        window = (years > year - indicator.pool_years) & (years <= year)
        base = _rate_base(indicator)
        inputs = lagged.loc[window, summed_inputs(indicator)].astype("float64")
        complete = inputs.notna().all(axis=1).to_numpy()
        groups = areas[window][complete]
        if base:  # the rate times its base is a count: the area's rate is the ratio of their sums
            [rate] = indicator.inputs
            counts = (inputs.loc[complete, rate] * inputs.loc[complete, base]).groupby(groups).sum(min_count=1)
            sums = (counts / inputs.loc[complete, base].groupby(groups).sum(min_count=1)).to_frame(rate)
        else:
            sums = inputs.loc[complete].groupby(groups).sum(min_count=1)
        held = residents[window][complete].groupby(groups).sum()
        in_window = (every_years > year - indicator.pool_years) & (every_years <= year)
        area_residents = every[in_window].groupby(every_areas[in_window]).sum()
        covered = (held.reindex(names, fill_value=0.0) / area_residents).reindex(names)
        values = evaluate(indicator, sums).reindex(names)
        result[indicator.id] = values.where(holds_enough_residents(indicator, covered))
        coverage[indicator.id] = covered
    return AreaFigures(pd.DataFrame(result), pd.DataFrame(coverage))


def _residents(panel: pd.DataFrame, teryts: pd.Index, years: list[int]) -> pd.Series:
    """Each gmina's residents in each of `years` (index teryt, year), which weigh how much of an area a value
    rests on: the year's population figure, else the gmina's nearest earlier one, else its nearest later one;
    NaN for a gmina without any, and outside the years the gmina is in the store at all (`_in_store`)."""
    by_year = panel[RESIDENTS].astype("float64").unstack("year")
    columns = sorted(set(by_year.columns) | set(years))
    filled = by_year.reindex(index=teryts, columns=columns).ffill(axis=1).bfill(axis=1)
    filled = filled.where(_in_store(panel, filled.index, filled.columns))[years]
    index = pd.MultiIndex.from_product([filled.index, years], names=["teryt", "year"])
    return pd.Series(filled.to_numpy().ravel(), index=index)


def _in_store(panel: pd.DataFrame, teryts: pd.Index, years: pd.Index) -> pd.DataFrame:
    """Whether each gmina is in the store in each year: from its first to its last year with any figure.

    BDL lists a gmina that ended (abolished, merged, moved to another powiat, or a rural gmina that gained town
    rights and became urban-rural, which gives it a new TERYT code) beside its successor, its figures up to
    its last year and the successor's from the next. Its last population is no one's after that year, nor is
    the successor's anyone's before its first: counted, they would stand for residents without data, and an
    area's population would have no value from the first such change in it on."""
    present = panel.notna().any(axis=1)
    present = present[present].index.to_frame(index=False)
    span = present.groupby("teryt")["year"].agg(["min", "max"]).reindex(teryts)
    grid = years.to_numpy()[None, :]
    alive = (grid >= span["min"].to_numpy()[:, None]) & (grid <= span["max"].to_numpy()[:, None])
    return pd.DataFrame(alive, index=teryts, columns=years)


def budget_kinds(store: Store, kind: str) -> frozenset[str] | None:
    """The kinds of gminy whose budgets an area's value of a budget indicator (`of_budgets`) sums for a town of
    `kind`: the cities with powiat rights for a city, the other gminy for any other town. None (every gmina)
    where the store holds no city, so that both are the same."""
    if not store.units["kind"].eq(CITY_WITH_POWIAT_RIGHTS).any():
        return None
    if kind == CITY_WITH_POWIAT_RIGHTS:
        return frozenset({CITY_WITH_POWIAT_RIGHTS})
    return frozenset(UNIT_KINDS) - {CITY_WITH_POWIAT_RIGHTS}


def covers_country(store: Store) -> bool:
    """Whether the store's gminy are Poland's: every voivodeship, and not a fetch of one (`diagnoza data
    fetch --voivodeship`). Only then is the sum over them Poland's; over one voivodeship it is that one's."""
    return not store.metadata.get("voivodeship") and set(store.units["voivodeship"]) >= set(VOIVODESHIPS.values())


def voivodeship_and_country(store: Store, year: int, kinds: frozenset[str] | None = None) -> AreaFigures:
    """Every voivodeship's and the whole store's value of every indicator in `year`, and the share of their
    residents behind each: index area name (the voivodeship as the store names it, and `COUNTRY`). A store
    that does not cover the country (`covers_country`) has no Poland value summed over its gminy; GUS's own figure
    of a rate it publishes for Poland (`published_rate`) holds whatever the store covers. With `kinds`, over the
    gminy of those kinds only (`budget_kinds`): an area's cities with powiat rights, or its other gminy."""
    panel = variable_panel(store)
    units = store.units.set_index("teryt")
    if kinds is not None:
        units = units.loc[units["kind"].isin(kinds)]
    voivodeships = area_indicators(panel, units["voivodeship"], year)
    country = area_indicators(panel, pd.Series(COUNTRY, index=units.index), year)
    _take_published(store, year, voivodeships, country)
    national = covers_country(store)
    for indicator in indicators().values():
        summed = not published_rate(indicator)
        if indicator.nets_out_nationally or (summed and not national):  # no value, so nothing it rests on
            country.values[indicator.id] = country.coverage[indicator.id] = float("nan")
    return AreaFigures(
        pd.concat([voivodeships.values, country.values]), pd.concat([voivodeships.coverage, country.coverage])
    )


def _take_published(store: Store, year: int, voivodeships: AreaFigures, country: AreaFigures) -> None:
    """Set each published rate's (`published_rate`) area values to GUS's figures of `year`: a voivodeship's
    under the name the store gives it, Poland's as `COUNTRY`. An area GUS has no figure of has no value."""
    published = store.area_values.loc[store.area_values["year"] == year]
    names = {**VOIVODESHIPS, COUNTRY_AREA: COUNTRY}  # the store's area codes -> the areas' names here
    ids = variable_ids()
    for indicator in indicators().values():
        if not (rate := published_rate(indicator)):
            continue
        rows = published.loc[published["var_id"] == ids[rate]]
        figures = pd.Series(rows["value"].to_numpy(), index=rows["area"].map(names).to_numpy())
        for areas in (voivodeships, country):
            values = figures.reindex(areas.values.index)
            areas.values[indicator.id] = values
            areas.coverage[indicator.id] = pd.Series(1.0, index=values.index).where(values.notna())  # all of it
