"""Peer groups: which towns a town is compared with, by one stated rule.

The default rule, as in the association's Monitor Rozwoju Lokalnego: the k towns
of the same kind (urban / urban-rural / rural, and cities with powiat rights apart:
`analysis.store`) nearest to the town in standardised
(log population, log income per capita) space, where income per capita is the
PIT-share revenue per capita (own revenue per capita where PIT is missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from analysis.catalogue import indicators, split_lag
from analysis.params import MIN_PEERS, PeerMethod, PeerRule  # noqa: F401 - the rule is configuration; re-exported here

# GUS-style size classes of municipalities (residents): lower bounds.
POPULATION_CLASSES = (0, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000)


def population_class(population: float) -> int:
    """Index of the size class a population falls in (0: under 5 000, ... 6: 200 000 and more)."""
    return int(np.searchsorted(POPULATION_CLASSES, population, side="right") - 1)


def population_class_bounds(population: float) -> tuple[int, int | None]:
    """The residents the size class of `population` spans: its lower bound and the first count above it (None for
    the largest class), e.g. (10 000, 20 000); what the peer-group text names."""
    index = population_class(population)
    upper = POPULATION_CLASSES[index + 1] if index + 1 < len(POPULATION_CLASSES) else None
    return POPULATION_CLASSES[index], upper


def population_classes(population: pd.Series) -> pd.Series:
    """`population_class` of every town at once."""
    return pd.Series(
        np.searchsorted(POPULATION_CLASSES, population.to_numpy(), side="right") - 1, index=population.index
    )


# A group smaller than this gives coarse positions: with 3 peers a percentile takes four values and a
# quartile is one town. The report still compares (MIN_PEERS is the least any rule may give) but says so on page one.
SMALL_GROUP = 10

# Own revenue per capita stands in for PIT per capita in `nearest` matching where PIT is missing, and holds the
# PIT share: a report says so (labels `pit_stand_in_*`) rather than that the group was chosen by it.
PIT_STAND_IN = "own_revenue_per_capita"

# What each rule matches towns on. Those indicators are shown but never judged: peers chosen
# for a similar PIT per capita are typical in PIT by construction, and own revenue holds the PIT share.
MATCHED_ON: dict[str, tuple[str, ...]] = {
    "nearest": ("population", "pit_per_capita", PIT_STAND_IN),
    "population_class": ("population",),
    "voivodeship": (),
    "powiat": (),
    "explicit": (),
}


class TooFewPeers(ValueError):
    """A rule that gives fewer than `MIN_PEERS` peers: `found`, how many it gave."""

    def __init__(self, message: str, found: int):
        super().__init__(message)
        self.found = found

    def __reduce__(self):  # as it was raised, also when it crosses to another process
        return TooFewPeers, (self.args[0], self.found)


@dataclass(frozen=True)
class PeerGroup:
    town: str
    members: tuple[str, ...]
    rule: PeerRule
    reference_year: int
    # `nearest`: the towns it chose from (of the town's kind, with the figures it matches on). Where that is no more
    # than k, the group is every one of them, not the nearest of many (a store of part of the country).
    candidates: int | None = None

    @property
    def matching(self) -> tuple[str, ...]:
        """Indicators the peers were matched on (shown, not judged)."""
        return MATCHED_ON[self.rule.method]


INCOME = "pit_per_capita"  # what `nearest` matches a town's income on, where the town has the figure


def income_measure(pit_per_capita: float) -> str:
    """The indicator a town's income is matched and described on: its PIT-share revenue per capita, or own
    revenue per capita where that is missing. Own revenue holds the PIT share and is two to three times it, so a
    town is compared on one measure with every other town's value of the same measure, never across them."""
    return INCOME if pit_per_capita > 0 else PIT_STAND_IN  # NaN > 0 is False: missing


def matching_features(indicator_values: pd.DataFrame, year: int) -> pd.DataFrame:
    """log population, log PIT-share revenue per capita and log own revenue per capita of every town in
    one year (columns `log_<indicator>`; NaN where a figure is missing or not positive). Towns lacking
    population, or both incomes, are left out of matching."""
    year_values = indicator_values.xs(year, level="year")
    features = pd.DataFrame(
        {
            f"log_{name}": np.log(year_values[name].where(year_values[name] > 0))
            for name in ("population", INCOME, PIT_STAND_IN)
        }
    )
    has_income = features[[f"log_{INCOME}", f"log_{PIT_STAND_IN}"]].notna().any(axis=1)
    return features.loc[features["log_population"].notna() & has_income]


def no_one_matched_without(missing_variables: Iterable[str]) -> bool:
    """Whether a year in which no town has these catalogue variables leaves `nearest` no town to match in it: a
    town is matched on its population and one of its incomes (`matching_features`)."""
    missing = set(missing_variables)

    def lost(indicator_id: str) -> bool:
        return any(split_lag(name)[0] in missing for name in indicators()[indicator_id].inputs)

    return lost("population") or (lost(INCOME) and lost(PIT_STAND_IN))


def matching_year(town: str, indicator_values: pd.DataFrame, year: int, features: pd.DataFrame | None = None) -> int:
    """The year `nearest` matches `town` on: `year`, or, where no town of the store can be matched then, the
    latest year before it in which the town can. A store fetched before GUS published a year's budget figures
    (they come months after the residents) has no one's income that year: its towns are matched on the year
    before, and the report says so (`PeerGroup.reference_year`). A town alone without its figures in `year`
    (a gmina that ended, a gap in its data) gets no peers. `features`: `matching_features(indicator_values,
    year)`, where already computed."""
    features = matching_features(indicator_values, year) if features is None else features
    if town in features.index:
        return year
    lacking = _unmatched(town, indicator_values, year)
    if not features.empty:
        raise ValueError(lacking)
    earlier = sorted((y for y in set(indicator_values.index.get_level_values("year")) if y < year), reverse=True)
    for candidate in earlier:
        matched = matching_features(indicator_values, candidate)
        if not matched.empty:  # the latest year the store can match on: the town too, or no one
            if town in matched.index:
                return int(candidate)
            break
    raise ValueError(lacking)


def _unmatched(town: str, indicator_values: pd.DataFrame, year: int) -> str:
    """Why `nearest` cannot match `town` in `year`: the figure it lacks, and the rules that do without it (a
    gmina left out of a year's budget figures still gets a report under another rule)."""
    population = indicator_values["population"].get((town, year), np.nan)
    if not population > 0:
        return (
            f"{town}: no population in {year}, which nearest peers are matched on; give this town the"
            " 'voivodeship', 'powiat' or 'explicit' peer rule"
        )
    return (
        f"{town}: no income per capita in {year} (neither {INCOME} nor {PIT_STAND_IN}), which nearest peers are"
        " matched on; give this town another peer rule, such as 'population_class' or 'voivodeship'"
    )


def nearest_peers(town: str, features: pd.DataFrame, comparable: Iterable[str], k: int) -> tuple[str, ...]:
    """The k comparable towns nearest to `town` in standardised feature space.

    Standardisation uses the comparable towns only (the town included), so that
    one unit of distance means the same across both features. Ties are broken by
    TERYT code, so the result never depends on row order.
    """
    # Plain numpy over a few hundred rows: a build plans every town's peer groups, and pandas'
    # per-operation overhead on frames this small was most of the time of a build with nothing to do.
    wanted = {*comparable, town}
    chosen = np.fromiter((code in wanted for code in features.index), dtype=bool, count=len(features))
    # In TERYT order, so that the sums behind the standardisation (and so near-ties) never depend on row order.
    order = np.argsort(features.index[chosen].to_numpy(dtype=str), kind="stable")
    codes = features.index[chosen][order]
    if town not in codes:
        raise ValueError(f"{town}: no population or income per capita in the reference year")
    pool = features.to_numpy(dtype=float)[chosen][order]
    spread = pool.std(axis=0)
    standardised = (pool - pool.mean(axis=0)) / np.where(spread == 0, 1.0, spread)
    distance = np.sqrt(((standardised - standardised[codes.get_loc(town)]) ** 2).sum(axis=1))
    ranked = sorted((float(d), code) for code, d in zip(codes, distance) if code != town)
    return tuple(code for _, code in ranked[:k])


def _with_figures_in(indicator_values: pd.DataFrame, year: int) -> pd.Index:
    """The towns with any figure in `year`. A gmina that ended before it (abolished, merged, or renumbered when
    it gained town rights: BDL lists it beside its successor) is no one's peer that year."""
    if year not in indicator_values.index.get_level_values("year"):
        return pd.Index([])
    in_year = indicator_values.xs(year, level="year")
    return in_year.index[in_year.notna().any(axis=1).to_numpy()]


def choose_peers(
    town: str,
    units: pd.DataFrame,
    indicator_values: pd.DataFrame,
    rule: PeerRule,
    year: int,
    features: pd.DataFrame | None = None,
) -> PeerGroup:
    """The peer group of `town` under `rule`, matched on data of `year` (`nearest`: of the year before where the
    store has no one's population or income in `year`, `matching_year`).

    `features` may pass `matching_features(indicator_values, year)` computed once for many towns.
    """
    codes = units["teryt"]
    is_town = (codes == town).to_numpy()
    if not is_town.any():
        raise KeyError(f"no unit with TERYT code {town!r}")
    own = units.loc[is_town].iloc[0]
    others = ~is_town

    def alike(column: str):
        """The other towns with the same value of `column` as this one."""
        return others & (units[column] == own[column]).to_numpy()

    def with_figures():  # `nearest` and `population_class` match on figures of `year`, so they ask for them anyway
        return codes.isin(_with_figures_in(indicator_values, year)).to_numpy()

    candidates = None
    if rule.method == "nearest":
        if features is None:
            features = matching_features(indicator_values, year)
        reference = matching_year(town, indicator_values, year, features)
        if reference != year:
            features = matching_features(indicator_values, reference)
        year = reference
        income = income_measure(indicator_values[INCOME].get((town, year), np.nan))
        on = features[["log_population", f"log_{income}"]].dropna()  # the towns with this measure of income
        comparable = codes[alike("kind")].tolist()
        members = nearest_peers(town, on, comparable, rule.k)
        candidates = int(on.index.isin(comparable).sum())
    elif rule.method == "voivodeship":  # towns are compared with towns, as under `nearest`, not with villages
        members = tuple(codes[alike("voivodeship") & alike("kind") & with_figures()])
    elif rule.method == "powiat":  # the neighbours, of every kind: a powiat rarely has three towns of one kind
        members = tuple(codes[alike("powiat") & with_figures()])
    elif rule.method == "population_class":
        population = indicator_values.xs(year, level="year")["population"].dropna()
        if town not in population.index:
            raise ValueError(f"{town}: no population in {year}")
        size_class = population_classes(population)
        same_class = codes.map(size_class).eq(size_class[town]).to_numpy()
        members = tuple(codes[alike("kind") & same_class])
    else:
        unknown = [m for m in rule.members if m not in set(codes)]
        if unknown:
            raise KeyError(f"{town}: peer TERYT codes not in the store: {unknown}")
        members = tuple(m for m in rule.members if m != town)
    if len(members) < MIN_PEERS:
        found = f"only {len(members)} peer{'' if len(members) == 1 else 's'}" if members else "no peers"
        if rule.method == "powiat" and not members:  # a city with powiat rights is a powiat of its own
            found += ", as the town is a powiat of its own (a city with powiat rights)"
        if rule.method == "explicit" and town in rule.members:  # else "3 listed, 2 found" puzzles
            found += ", as the town itself, in its list, is not its own peer"
        remedy = "list more peers or give" if rule.method == "explicit" else "give"
        raise TooFewPeers(
            f"{town}: the {rule.method!r} rule gives {found}; {MIN_PEERS} are needed, so {remedy} this town "
            "another peer rule",
            len(members),
        )
    return PeerGroup(
        town=town,
        members=tuple(sorted(members)),
        rule=rule,
        reference_year=year,
        candidates=candidates,
    )
