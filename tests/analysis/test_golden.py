"""Golden back-tests: the reports' figures against a plain pandas recomputation from the store's raw files.

- One demo town's catalogue values: each formula written out again by hand, reading observations by BDL id,
  without the catalogue, `variable_panel` or `pd.eval`.
- Every town of the demo batch: each figure its report keeps (`analysis.editions.figures`: what the report
  prints) against the rules of docs/methodology.md applied by hand to the raw observations:
  - the peer group (the 20 nearest of the town's kind);
  - the value (pooled windows included), its interval from the counts (statsmodels' exact Poisson and
    Wilson intervals; the normal approximation of a difference of counts: births − deaths, a net flow, a
    change of population) and whether it is ranked (10 events or more, and no figure GUS marks "v", of low
    precision) or uncertain (fewer than 20);
  - the peers' median, quartiles and the position;
  - the 5- and 10-year changes and the peers' median changes;
  - the yearly trend's slope (scipy's Theil–Sen, on the series with the years before the 2021 census
    re-based as documented) and Sen's interval, the same of the town's gap to its peers' median, and the
    autocorrelation ρ pooled over the town and its peers that widens both;
  - the population projection (the drift the backtest chose, docs/validation.json: the mean or the median
    yearly change carried on) with its interval from that drift's backtest errors over every town of the store;
  - the strength / weakness mark, each section's score and verdict, its range without any one indicator and
    the indicator it hinges on, and the verdicts under each peer rule of the sensitivity table (each rule's
    peers chosen again);
  - the order of strengths and weaknesses, and those page one names;
  - the voivodeship's and Poland's values where every gmina of the area has the inputs (where some lack
    them, the 90% rule decides: test_aggregates checks it by hand).

  Shared with the code under test: the catalogue's YAML text (each formula is evaluated on plain Series, and
  the files are read with pandas and PyYAML directly); the simulated AR(1) series that ρ is read against and
  the interval's widening for ρ (`analysis.trends`: a simulation, whose coverage docs/validation.md measures);
  and the catalogue's phrase naming a strength or weakness, by which page one's lines are found (test_narrative
  checks the wording).
"""

import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from numpy.lib.stride_tricks import sliding_window_view
from scipy.stats import binom, norm

from analysis.catalogue import indicators
from analysis.editions import figures
from analysis.indicators import indicator_table
from analysis.paths import DOCS_DIR, PACKAGE_DIR
from analysis.report import prepare_report
from analysis.town import TownParams

TOWN, YEAR = "0490013", 2024


@pytest.fixture(scope="module")
def raw(demo_store):
    obs = demo_store.observations
    town = obs.loc[obs["teryt"] == TOWN]

    def get(var_id, year=YEAR):
        return town.loc[(town["var_id"] == var_id) & (town["year"] == year), "value"].item()

    return get


def test_golden_values(demo_store, raw):
    pop = raw(72305)
    expected = {
        "population": pop,
        "population_change_5y": (pop / raw(72305, YEAR - 5) - 1) * 100,
        "population_change_10y": (pop / raw(72305, YEAR - 10) - 1) * 100,
        "share_pre_working_age": raw(149) / pop * 100,
        "share_working_age": raw(152) / pop * 100,
        "share_post_working_age": raw(155) / pop * 100,
        "old_age_dependency": raw(155) / raw(152) * 100,
        "ageing_index": raw(155) / raw(149) * 100,
        "births_per_1000": raw(59) / pop * 1000,
        "deaths_per_1000": raw(65) / pop * 1000,
        "natural_increase_per_1000": (raw(59) - raw(65)) / pop * 1000,
        "net_migration_per_1000": raw(1365234) / pop * 1000,
        "net_migration_internal_per_1000": raw(80125) / pop * 1000,
        "net_migration_foreign_per_1000": raw(80108) / pop * 1000,
        "population_density": raw(60559),
        "regon_per_10k": raw(265726) / pop * 10000,
        "new_regon_per_10k": raw(266823) / pop * 10000,
        "unemployed_share_working_age": raw(10514) / raw(152) * 100,
        "own_revenue_per_capita": raw(76070) / pop,
        "pit_per_capita": raw(76046) / pop,
        "cit_per_capita": raw(76043) / pop,
        "revenue_per_capita": raw(76037) / pop,
        "expenditure_per_capita": raw(76477) / pop,
        "investment_share": raw(76450) / raw(76477) * 100,
        "dwellings_per_1000": raw(748601) / pop * 1000,
        "preschool_coverage": raw(1617144) / raw(1617119) * 100,
        "nursery_places_per_1000": raw(1649860),
        "water_supply_users": raw(79133),
        "sewage_users": raw(79130),
        "library_readers_per_1000": raw(35719) / pop * 1000,
        "social_assistance_per_10k": raw(1548717),
        "education_expenditure_per_capita": raw(76967),
    }
    computed = indicator_table(demo_store, [TOWN]).loc[(TOWN, YEAR)]
    assert set(expected) == set(computed.index), (
        f"no golden value for {sorted(set(computed.index) - set(expected))}: add it to `expected`, written from the "
        f"store's raw variables; no longer computed: {sorted(set(expected) - set(computed.index))}"
    )
    for indicator, value in expected.items():
        assert computed[indicator] == pytest.approx(value, rel=1e-12, nan_ok=True), indicator


# --- every town of the demo batch -------------------------------------------------------------------------------

CATALOGUE = PACKAGE_DIR / "catalogue"
DEMO_FILES = PACKAGE_DIR / "data" / "demo"
MATCHED_BY_NEAREST = {"population", "pit_per_capita", "own_revenue_per_capita"}  # the demo batch's rule: not judged
NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


class RawStore:
    """A store's files read as they are (the demo store's by default): observations as variable name → (teryt ×
    year) frames, and formulas evaluated on them."""

    def __init__(self, directory: Path = DEMO_FILES):
        variables = yaml.safe_load((CATALOGUE / "variables.yaml").read_text(encoding="utf-8"))
        self.rate_of = {name: spec["rate_of"] for name, spec in variables.items() if spec.get("rate_of")}
        self.budget = {name for name, spec in variables.items() if spec.get("budget")}
        self.unsummable = {
            name for name, spec in variables.items() if spec.get("additive") is False and not spec.get("rate_of")
        }
        observations = pd.read_parquet(directory / "observations.parquet")
        observations["name"] = observations["var_id"].map({spec["bdl_id"]: name for name, spec in variables.items()})
        self.frames = {
            name: rows.pivot(index="teryt", columns="year", values="value")
            for name, rows in observations.groupby("name")
        }
        # Figures GUS marks "v" (dane o niskiej precyzji): a value reading one is shown but not ranked.
        imprecise = observations.loc[observations.get("mark", pd.Series("", index=observations.index)) == "v"]
        self.low_precision = set(zip(imprecise["name"], imprecise["teryt"], imprecise["year"].astype(int)))
        self.units = pd.read_parquet(directory / "units.parquet").set_index("teryt")
        # A city with powiat rights is a kind of its own (docs/methodology.md, "Peer groups"): TERYT numbers such a
        # powiat from 61, and it is a single gmina (an urban one, in the register). The demo's powiats hold several.
        powiat = self.units.index.str[:4]
        alone = pd.Series(powiat).map(pd.Series(powiat).value_counts()).eq(1).to_numpy()
        urban = self.units["kind"].isin(["urban", "powiat-city"]).to_numpy()
        self.units.loc[urban & alone & (self.units.index.str[2:4].astype(int) >= 61), "kind"] = "powiat-city"

    def reads_low_precision(self, formula: str, teryt: str, year: int, pool: int = 1) -> bool:
        """Whether the town's value of `year` (pooled over `pool` years) reads a figure marked "v"."""
        lagged = [re.fullmatch(r"(.+?)(?:_lag(\d+))?", name).groups() for name in set(NAME.findall(formula))]
        return any(
            (base, teryt, value_year - int(lag or 0)) in self.low_precision
            for base, lag in lagged
            for value_year in range(year - pool + 1, year + 1)
        )

    @cache  # computed once for every gmina, then read by each town and its peers
    def value_everywhere(self, formula: str, year: int, pool: int = 1) -> pd.Series:
        return self.value(formula, year, self.units.index, pool)

    @cache
    def area_value_of(self, formula: str, year: int, voivodeship: str | None, pool: int = 1, city: bool = False):
        """`area_value` over a voivodeship's gminy, or over every gmina (None: Poland). Budget amounts sum like
        with like: for a city with powiat rights (`city`) the area's cities, for any other town its other gminy."""
        units = self.units
        members = units.index if voivodeship is None else units.index[units["voivodeship"] == voivodeship]
        if {re.sub(r"_lag\d+$", "", name) for name in NAME.findall(formula)} & self.budget:
            members = [code for code in members if (units.loc[code, "kind"] == "powiat-city") == city]
        return self.area_value(formula, year, list(members), pool)

    @cache
    def census_rebased(self, teryt: str, last: int = 2024) -> dict[str, pd.Series]:
        """The town's population and density up to `last`, re-based for the census (`census_rebased`) as a report
        ending in `last` reads them: never from a year after it."""
        return {
            name: census_rebased(self.frames[name].loc[teryt].loc[:last])
            for name in ("population", "population_density")
        }

    @cache  # a town's series is read again as a peer of other towns
    def yearly(self, formula: str, teryt: str, first: int = 2014, last: int = 2024) -> pd.Series:
        """The formula's yearly values for a town in the years `first`–`last`, its population and density
        re-based for the census (what trends read); NaN where an input is missing."""
        rebased = self.census_rebased(teryt, last)
        lagged = [(name, *re.fullmatch(r"(.+?)(?:_lag(\d+))?", name).groups()) for name in set(NAME.findall(formula))]
        town = {base: rebased.get(base, self.frames[base].loc[teryt]) for _, base, _ in lagged}
        values = {}
        for year in range(first, last + 1):
            inputs = {name: town[base].get(year - int(lag or 0), np.nan) for name, base, lag in lagged}
            with np.errstate(all="ignore"):
                values[year] = eval(formula, {}, inputs)  # noqa: S307 - the catalogue's own arithmetic
        series = pd.Series(values, dtype=float)
        return series.where(np.isfinite(series))

    def variable(self, name: str, year: int, teryts) -> pd.Series:
        """`name` (`x_lagN`: x N years earlier) in `year`, NaN where the store has none."""
        base, lag = re.fullmatch(r"(.+?)(?:_lag(\d+))?", name).groups()
        frame = self.frames[base]
        column = year - int(lag or 0)
        return frame[column].reindex(teryts) if column in frame.columns else pd.Series(np.nan, index=teryts)

    def value(self, formula: str, year: int, teryts, pool: int = 1) -> pd.Series:
        """The formula for each town in `year`; pooled, over the sums of the window's years that have every variable,
        defined only where `year` itself has them (docs/methodology.md, "Pooled years")."""
        names = set(NAME.findall(formula))
        sums = {name: pd.Series(0.0, index=teryts) for name in names}
        for window_year in range(year - pool + 1, year + 1):
            values = {name: self.variable(name, window_year, teryts) for name in names}
            complete = pd.concat(values, axis=1).notna().all(axis=1)
            for name in names:
                sums[name] += values[name].where(complete, 0.0)
        with np.errstate(all="ignore"):
            result = eval(formula, {}, sums).astype(float)  # noqa: S307 - the catalogue's own arithmetic
        return result.where(complete & np.isfinite(result))

    def area_value(self, formula: str, year: int, members, pool: int = 1) -> float | None:
        """The area's value as a ratio of sums over `members`; None where a member lacks an input (the 90% rule's
        cases) or an input cannot be summed."""
        names = set(NAME.findall(formula))
        if {re.sub(r"_lag\d+$", "", name) for name in names} & self.unsummable:
            return None
        if formula in self.rate_of:  # a published share of residents: the residents-weighted share
            rate, residents = self.variable(formula, year, members), self.variable(self.rate_of[formula], year, members)
            return (
                None
                if rate.isna().any() or residents.isna().any()
                else float((rate * residents).sum() / residents.sum())
            )
        sums = {}
        for name in names:
            years = [self.variable(name, y, members) for y in range(year - pool + 1, year + 1)]
            if any(values.isna().any() for values in years):
                return None
            sums[name] = sum(values.sum() for values in years)
        return float(eval(formula, {}, sums))  # noqa: S307


def nearest_of_its_kind(raw: RawStore, teryt: str, k: int = 20, year: int = 2024) -> set[str]:
    """The k towns of the town's kind nearest in (log population, log PIT-share revenue per capita), each
    standardised over those towns (the town among them); own revenue per capita for every town where the town
    has no PIT figure."""
    units = raw.units
    kind = units.index[units["kind"] == units.loc[teryt, "kind"]]
    population = raw.variable("population", year, kind)
    income = raw.variable("pit_share_revenue", year, kind) / population
    if not income[teryt] > 0:
        income = raw.variable("own_revenue", year, kind) / population
    features = np.log(pd.DataFrame({"population": population, "income": income})).dropna()
    standardised = (features - features.mean()) / features.std()
    distance = np.sqrt(((standardised - standardised.loc[teryt]) ** 2).sum(axis=1)).drop(teryt)
    return {code for _, code in sorted(zip(distance, distance.index))[:k]}  # ties: by TERYT code


SIZE_CLASSES = (5_000, 10_000, 20_000, 50_000, 100_000, 200_000)  # lower bounds of the classes above the first


def peers_under(raw: RawStore, teryt: str, rule: str, year: int = 2024) -> set[str]:
    """The town's peers under a rule of the sensitivity table: `nearest_<k>`, `voivodeship` (its kind in its
    voivodeship), `population_class` (its kind and size class)."""
    units = raw.units
    same_kind = units["kind"] == units.loc[teryt, "kind"]
    if rule.startswith("nearest_"):
        return nearest_of_its_kind(raw, teryt, int(rule.removeprefix("nearest_")), year)
    if rule == "voivodeship":
        chosen = units.index[same_kind & (units["voivodeship"] == units.loc[teryt, "voivodeship"])]
    else:
        population = raw.variable("population", year, units.index)
        size_class = np.searchsorted(SIZE_CLASSES, population, side="right")
        chosen = units.index[same_kind & (size_class == size_class[units.index.get_loc(teryt)])]
    return set(chosen) - {teryt}


MATCHED_ON = {"nearest": MATCHED_BY_NEAREST, "population_class": {"population"}, "voivodeship": set()}


def distance(spec: dict, town_value: float, peer_values: np.ndarray, interval) -> float:
    """(value − peer median) / max(1.4826 × MAD, IQR / 1.349, minimum difference), better positive; 0 where the
    value's interval holds the median (methodology: "Score"). The score is it within ±2."""
    median, (q1, q3) = np.median(peer_values), np.percentile(peer_values, [25, 75])
    low, high = interval
    if low is not None and low <= median <= high:
        return 0.0
    sign = -1 if spec["direction"] == "lower_better" else 1
    spread = max(1.4826 * np.median(np.abs(peer_values - median)), (q3 - q1) / 1.349, spec.get("min_difference", 0))
    return float(sign * (town_value - median) / spread)


def capped(far: float) -> float:
    """The score: the distance within ±2."""
    return float(np.clip(far, -2, 2))


def one_rule(spec: dict, town_value: float, median: float, percentile: float, interval) -> str:
    """ "strength": a position of at least 75 as printed (a whole number), at least the minimum difference better
    than the peer median, and an interval from the counts (where there is one) clear of it; "weakness" the
    mirror; else "" (methodology: "Strength / weakness (one rule)")."""
    better_by = (-1 if spec["direction"] == "lower_better" else 1) * (town_value - median)
    low, high = interval
    beyond_chance = low is None or not (low <= median <= high)
    shown, least = printed(percentile, 0), spec.get("min_difference", 0)
    if shown >= 75 and better_by >= least and beyond_chance:
        return "strength"
    if shown <= 25 and -better_by >= least and beyond_chance:
        return "weakness"
    return ""


Scores = dict[str, dict[str, float]]  # a section's judged indicators' scores by sub-domain: {sub-domain: {id: score}}


def band(score: float) -> str:
    """The verdict of a score as printed (2 decimals) against ±0.25."""
    shown = printed(score, 2)
    return "better" if shown >= 0.25 else "worse" if shown <= -0.25 else "similar"


def section_score(subdomain_scores: Scores) -> float:
    """The mean within each sub-domain, then across them."""
    return float(np.mean([np.mean(list(scores.values())) for scores in subdomain_scores.values() if scores]))


def section_verdict(subdomain_scores: Scores, judgeable: int) -> tuple[float, int, str]:
    """A section's score (mean within sub-domains, then across), how many indicators it judged, and its verdict
    (the score as printed against ±0.25; none below half the judgeable indicators or with one sub-domain)."""
    score, judged = section_score(subdomain_scores), sum(map(len, subdomain_scores.values()))
    if judged < judgeable / 2 or len(subdomain_scores) < 2:
        return score, judged, "none"
    return score, judged, band(score)


def without_each(subdomain_scores: Scores) -> dict[str, float]:
    """The section's score without each judged indicator in turn (a sub-domain left empty drops out)."""
    return {
        indicator: section_score(
            {name: {i: v for i, v in scores.items() if i != indicator} for name, scores in subdomain_scores.items()}
        )
        for scores in subdomain_scores.values()
        for indicator in scores
    }


def window_sums(raw: RawStore, names: list[str], teryt: str, year: int, pool: int) -> dict[str, float]:
    """The town's variables summed over the window's years that have every one of them."""
    sums = dict.fromkeys(names, 0.0)
    for window_year in range(year - pool + 1, year + 1):
        values = {name: raw.variable(name, window_year, [teryt])[teryt] for name in names}
        if not np.isnan(list(values.values())).any():
            sums = {name: sums[name] + values[name] for name in names}
    return sums


def count_interval(model: str, events: float, base: float) -> tuple[float, float]:
    """statsmodels' 95% interval of events / base: Wilson for a share (exact Poisson where the count exceeds its
    base), exact Poisson (Garwood) for a rate."""
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.rates import confint_poisson

    if model == "proportion" and events <= base:
        return proportion_confint(events, base, method="wilson")
    return confint_poisson(events, base, method="exact-c")


def value_interval(raw: RawStore, spec: dict, teryt: str, year: int) -> tuple[float, list[float]]:
    """The events a value of an indicator with a count model rests on, and its 95% interval, from the counts
    summed over the window (docs/methodology.md, "Reliability from counts"), in the formula's unit (its value at
    events of 1 on a base of 1: per 1,000, per cent):
    - a rate or a share: statsmodels' interval (`count_interval`);
    - a difference of counts, by the normal approximation with variance a + b (the events it rests on): births −
      deaths, a + b the births and deaths; a net flow (net migration), a + b the moves in and out, assumed
      (gross per 1,000 a year × the residents) or |net| where larger; a change of population over N years
      (`population_lagN` its base), a + b the births, deaths and moves of those years, N × gross per 1,000 ×
      the earlier population, or |change| where larger."""
    counts, model = spec["counts"], spec["counts"]["model"]
    names = [counts[role] for role in ("events", "minus", "base") if role in counts]
    sums = window_sums(raw, names, teryt, year, spec.get("pool_years", 1))
    events, base = sums[counts["events"]], sums[counts["base"]]
    unit_inputs = {counts["events"]: 1, counts["base"]: 1} | ({counts["minus"]: 0} if "minus" in counts else {})
    if model in ("poisson", "proportion"):
        unit = eval(spec["formula"], {}, unit_inputs)  # noqa: S307 - the catalogue's own arithmetic
        return events, [bound * unit for bound in count_interval(model, events, base)]
    gross = counts.get("gross_per_1000", 0) / 1000
    if model == "poisson_difference":
        difference, variance = events - sums[counts["minus"]], events + sums[counts["minus"]]
    elif model == "net_flow":
        difference, variance = events, max(gross * base, abs(events))
    else:  # change: events the level now, base the level N years before; a change of 1 is a level of 2
        span = int(re.fullmatch(r".+_lag(\d+)", counts["base"]).group(1))
        difference, variance = events - base, max(span * gross * base, abs(events - base))
        unit_inputs[counts["events"]] = 2
    unit = eval(spec["formula"], {}, unit_inputs)  # noqa: S307
    half = norm.ppf(0.975) * math.sqrt(variance)
    return variance, [(difference - half) / base * unit, (difference + half) / base * unit]


def census_rebased(series: pd.Series, census: int = 2021) -> pd.Series:
    """A town's population (index year) with the years before the census moved by its jump: the log change into
    the census year beyond the median yearly log change of its other years (docs/methodology.md, "Projection")."""
    series = series.dropna()
    years, logs = series.index.to_numpy(), np.log(series.to_numpy())
    first_on_new_basis = int(np.searchsorted(years, census))
    if first_on_new_basis in (0, len(years)):
        return series
    gaps = np.diff(years)
    per_year = np.diff(logs) / gaps
    usual = np.median(np.delete(per_year, first_on_new_basis - 1))
    logs[:first_on_new_basis] += (
        logs[first_on_new_basis] - logs[first_on_new_basis - 1] - usual * gaps[first_on_new_basis - 1]
    )
    return pd.Series(np.exp(logs), index=years)


def trend(series: pd.Series, rho: float) -> tuple[float, float, float]:
    """scipy's Theil–Sen slope of a yearly series, and Sen's 95% interval: the pairwise slopes (those under a
    billionth of the series' size taken as 0) at ranks (N ∓ z·√Var S) / 2 counted from 0, interpolated between
    neighbours, Var S Kendall's less its ties, times the factor for the indicator's autocorrelation ρ
    (`pooled_rho`; 1 for a stock). The factor comes from the package's simulation
    (`analysis.trends.variance_factor`), whose coverage docs/validation.md measures."""
    from scipy.stats import theilslopes

    from analysis.trends import variance_factor

    series = series.dropna()
    years, values = series.index.to_numpy(dtype=float), series.to_numpy(dtype=float)
    first, second = np.triu_indices(len(values), k=1)
    slopes = (values[second] - values[first]) / (years[second] - years[first])
    slopes = np.sort(np.where(np.abs(slopes) < 1e-9 * np.abs(values).max(), 0.0, slopes))
    n, pairs = len(values), len(slopes)
    _, tied = np.unique(np.round(values, 9), return_counts=True)
    variance = (n * (n - 1) * (2 * n + 5) - np.sum(tied * (tied - 1) * (2 * tied + 5))) / 18
    reach = norm.ppf(0.975) * math.sqrt(variance * variance_factor(rho, n))
    low, high = np.interp(np.clip([(pairs - reach) / 2, (pairs + reach) / 2], 0, pairs - 1), np.arange(pairs), slopes)
    return theilslopes(values, years)[0], low, high


def despiked_lag1(residuals: np.ndarray) -> np.ndarray:
    """Each row's lag-1 autocorrelation after its spikes are replaced: a year more than 3 usual yearly moves
    (1.4826 × MAD of the row's yearly differences) from the median of itself and its neighbours (at either end,
    its neighbour and the straight line through the next two) takes that median."""
    ends = (2 * residuals[:, [1]] - residuals[:, [2]], 2 * residuals[:, [-2]] - residuals[:, [-3]])
    running = np.median(sliding_window_view(np.hstack([ends[0], residuals, ends[1]]), 3, axis=1), axis=2)
    moves = np.diff(residuals, axis=1)
    usual = 1.4826 * np.median(np.abs(moves - np.median(moves, axis=1, keepdims=True)), axis=1, keepdims=True)
    despiked = np.where(np.abs(residuals - running) > 3 * usual, running, residuals)
    centred = despiked - despiked.mean(axis=1, keepdims=True)
    squares = (centred**2).sum(axis=1)
    return np.where(squares > 0, (centred[:, 1:] * centred[:, :-1]).sum(axis=1) / np.where(squares > 0, squares, 1), 0)


def pooled_rho(raw: RawStore, formula: str, group, first: int = 2014, last: int = 2024) -> float:
    """The indicator's ρ over a town and its peers (docs/methodology.md, "Trend"): the median m of their residual
    lag-1 autocorrelations (around each one's Theil–Sen line, spikes replaced), over the longest run of years
    some town has (the latest of equal runs) and the towns with every year of it whose values move; then the ρ
    at which a median of as many single simulated AR(1) series reads at most m with a chance of only 20%
    (a binomial tail at the middle rank, the mean of both for an even number; a chance that may only fall as
    ρ rises), interpolated on the simulation's grid of ρ. The simulated series are the package's
    (`analysis.trends.ar1_calibration`)."""
    from analysis.trends import RHO_GRID, ar1_calibration

    frame = pd.DataFrame({town: raw.yearly(formula, town, first, last) for town in group}).T
    years = frame.columns[frame.notna().any()].to_numpy()
    runs = np.split(years, np.flatnonzero(np.diff(years) != 1) + 1)
    complete = frame[list(max(reversed(runs), key=len))].dropna().to_numpy(dtype=float)
    points = complete.shape[1]
    if points < 5 or len(complete) == 0:
        return 1.0  # nothing tells ρ
    complete = complete[complete.std(axis=1) > 1e-9 * np.abs(complete).max(axis=1)]
    if len(complete) == 0:
        return 0.0  # no town's values move
    first, second = np.triu_indices(points, k=1)
    slopes = np.median((complete[:, second] - complete[:, first]) / (second - first), axis=1)
    lag1s = despiked_lag1(complete - slopes[:, None] * np.arange(points))
    towns, read_at_most = len(lag1s), (ar1_calibration(points)[0] <= np.median(lag1s)).mean(axis=1)
    chance = np.mean([binom.sf(rank - 1, towns, read_at_most) for rank in ((towns + 1) // 2, towns // 2 + 1)], axis=0)
    chance = np.minimum.accumulate(chance)
    if chance[-1] >= 0.2:
        return 1.0
    if chance[0] < 0.2:
        return 0.0
    last = np.flatnonzero(chance >= 0.2)[-1]
    share = (chance[last] - 0.2) / (chance[last] - chance[last + 1])
    return float(RHO_GRID[last] + share * (RHO_GRID[last + 1] - RHO_GRID[last]))


def against_peers(
    raw: RawStore, formula: str, teryt: str, peers, indexed: bool, first: int = 2014, last: int = 2024
) -> pd.Series:
    """The town's yearly values less its peers' median (where at least 3 peers have one); a level (`indexed`:
    population) as % of each one's first year."""
    town = raw.yearly(formula, teryt, first, last)
    others = pd.DataFrame({peer: raw.yearly(formula, peer, first, last) for peer in peers})
    if indexed:
        town = town / town.dropna().iloc[0] * 100
        others = others / others.apply(lambda column: column.dropna().iloc[0]) * 100
    return town - others.median(axis=1).where(others.notna().sum(axis=1) >= 3)


# The yearly log change each projection method the golden test knows carries on: drift, a random walk with
# drift (the mean change), and median drift (the median change, which one break does not set).
DRIFT_STEPS = {"drift": np.mean, "median_drift": np.median}


def chosen_projection() -> str:
    chosen = json.loads((DOCS_DIR / "validation.json").read_text(encoding="utf-8"))["projection"]["chosen_method"]
    assert chosen in DRIFT_STEPS, f"the backtest now chooses {chosen!r}: recompute its forecasts here as well"
    return chosen


def drift_forecast(raw: RawStore, teryt: str, year: int, first: int = 2014, last: int = 2024) -> float:
    """Population in `year` by the chosen drift: the mean (or median) yearly log change of the census-re-based
    series over the report's years, carried on from its last year."""
    logs = np.log(raw.census_rebased(teryt, last)["population"].loc[first:last])
    drift = DRIFT_STEPS[chosen_projection()](np.diff(logs.to_numpy()))
    return float(np.exp(logs.iloc[-1] + (year - logs.index[-1]) * drift))


def noise(logs: np.ndarray) -> float:
    """A town's yearly noise: 1.4826 × MAD of its yearly log changes, at least 0.2%."""
    changes = np.diff(logs)
    return max(1.4826 * np.median(np.abs(changes - np.median(changes))), 0.002)


@cache
def drift_error_quantiles(raw: RawStore, first: int = 2014, last: int = 2024) -> dict[int, np.ndarray]:
    """The 2.5th and 97.5th percentiles of the chosen drift's backtest errors at each horizon 1–5, in units of
    the town's noise at the origin: every town of the store (each with every year's population, and none whose
    boundaries changed: the test asserts both), from every origin after at least 6 years, on census-re-based
    log population."""
    errors = {horizon: [] for horizon in range(1, 6)}
    step = DRIFT_STEPS[chosen_projection()]
    for teryt in raw.units.index:
        logs = np.log(raw.census_rebased(teryt, last)["population"].loc[first:last].to_numpy())
        for end in range(5, len(logs) - 1):
            history = logs[: end + 1]
            drift = step(np.diff(history))
            for horizon in range(1, min(5, len(logs) - 1 - end) + 1):
                errors[horizon].append((logs[end + horizon] - history[-1] - horizon * drift) / noise(history))
    return {horizon: np.quantile(errors[horizon], [0.025, 0.975]) for horizon in errors}


def drift_interval(raw: RawStore, teryt: str, year: int, first: int = 2014, last: int = 2024) -> np.ndarray:
    """The projection's 95% interval in `year`: the forecast plus the backtest's error percentiles at that
    horizon times the town's own noise."""
    logs = np.log(raw.census_rebased(teryt, last)["population"].loc[first:last].to_numpy())
    return drift_forecast(raw, teryt, year, first, last) * np.exp(
        drift_error_quantiles(raw, first, last)[year - last] * noise(logs)
    )


def area_values(raw: RawStore, spec: dict, teryt: str, year: int) -> tuple[float | None, float | None]:
    """The town's voivodeship's and Poland's values (`RawStore.area_value_of`); Poland has none of a flow between
    gminy, which nets out over the country (0 by definition: the reports print "x")."""
    pool, city = spec.get("pool_years", 1), raw.units.loc[teryt, "kind"] == "powiat-city"
    voivodeship = raw.area_value_of(spec["formula"], year, raw.units.loc[teryt, "voivodeship"], pool, city)
    if spec.get("nets_out_nationally"):
        return voivodeship, None
    return voivodeship, raw.area_value_of(spec["formula"], year, None, pool, city)


def position(town: float, peers: np.ndarray, direction: str) -> float:
    """Share of peers the town does better than, ties counting half (lower-is-better mirrored)."""
    better = (peers > town) if direction == "lower_better" else (peers < town)
    return 100 * (better.sum() + 0.5 * (peers == town).sum()) / len(peers)


def printed(number: float, places: int) -> float:
    """Rounded half away from zero, as the reports print."""
    return float(Decimal(repr(float(number))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def raw_store():
    return RawStore()


@pytest.fixture(scope="module")
def catalogue_text():
    return yaml.safe_load((CATALOGUE / "indicators.yaml").read_text(encoding="utf-8"))


def recomputation_differences(
    raw_store: RawStore, reports: dict, catalogue_text: dict, first: int = 2014, last: int = 2024
) -> tuple[list[str], int]:
    """Each figure the reports (of years `first`–`last`) keep against its recomputation: the differences found,
    and how many figures were compared."""
    differences, compared = [], 0
    catalogue_order = list(catalogue_text)

    def compare(what: str, expected, kept):
        nonlocal compared
        compared += 1
        if kept is None or expected is None or not math.isclose(expected, kept, rel_tol=1e-9, abs_tol=1e-9):
            differences.append(f"{what}: report {kept}, recomputed {expected}")

    for teryt, report in reports.items():
        record = figures(report)
        for year, (forecast, low, high) in (record["projection"] or {}).items():
            compare(f"{teryt} projection {year}", drift_forecast(raw_store, teryt, int(year), first, last), forecast)
            for bound, kept_bound in zip(drift_interval(raw_store, teryt, int(year), first, last), (low, high)):
                compare(f"{teryt} projection {year} interval", bound, kept_bound)
        peers = record["peers"]
        nearest = nearest_of_its_kind(raw_store, teryt, year=last)
        if set(peers) != nearest:
            differences.append(f"{teryt} peers: report {sorted(peers)}, recomputed {sorted(nearest)}")
        rows = raw_store.units.index.get_indexer([teryt, *peers])  # where each is in every `value_everywhere`
        sub_scores: dict[str, Scores] = {}
        judgeable: dict[str, int] = {}
        marked = {"strength": [], "weakness": []}
        for indicator, kept in record["indicators"].items():
            spec, year = catalogue_text[indicator], kept["year"]
            # Judgeable: directional and not matched on, whether or not any gmina has a value in the report's years
            # (a 10-year change in a report of 2016–2022 on a store from 2014): "ocenione wskaźniki: 12 z 13".
            is_judged = spec["direction"] != "neutral" and indicator not in MATCHED_BY_NEAREST
            judgeable[spec["section"]] = judgeable.get(spec["section"], 0) + is_judged
            if year is None:
                continue
            pool, where = spec.get("pool_years", 1), f"{teryt} {indicator}"
            values = raw_store.value_everywhere(spec["formula"], year, pool).to_numpy()
            town_value, peer_values = values[rows[0]], values[rows[1:]]
            compare(f"{where} value", town_value, kept["value"])
            peer_values = peer_values[~np.isnan(peer_values)]
            median = q1 = q3 = math.nan  # compared with nothing: fewer than 3 peers have a value
            if len(peer_values) >= 3:
                median, (q1, q3) = np.median(peer_values), np.percentile(peer_values, [25, 75])  # linear interpolation
                compare(f"{where} peer median", median, kept["peer_median"])
                compare(f"{where} peer Q1", q1, kept["peer_quartiles"][0])
                compare(f"{where} peer Q3", q3, kept["peer_quartiles"][1])
            imprecise = raw_store.reads_low_precision(spec["formula"], teryt, year, pool)
            if imprecise and kept["percentile"] is not None:
                differences.append(f"{where}: ranked on a figure of low precision, position {kept['percentile']}")
            if "counts" in spec:
                events, interval = value_interval(raw_store, spec, teryt, year)
                for bound, kept_bound in zip(interval, kept["interval"]):
                    compare(f"{where} interval", bound, kept_bound)
                reliability = "not_ranked" if events < 10 else "unreliable" if events < 20 else "ok"
                if reliability != report.comparison.loc[indicator, "reliability"]:
                    differences.append(
                        f"{where}: {events:.1f} events, reliability {report.comparison.loc[indicator, 'reliability']}"
                    )
                if len(peer_values) >= 3 and (events >= 10 and not imprecise) != (kept["percentile"] is not None):
                    differences.append(f"{where}: {events:.0f} events, position {kept['percentile']}")
            if kept["percentile"] is not None:  # ranked: not on fewer than 10 events, nor on a figure marked "v"
                compare(f"{where} position", position(town_value, peer_values, spec["direction"]), kept["percentile"])
            for span, kept_change in ((5, kept["change_5y"]), (10, kept["change_10y"])):
                if kept_change[0] is not None:  # pooled: window against window (2017–2019 → 2022–2024)
                    changes = (values - raw_store.value_everywhere(spec["formula"], year - span, pool).to_numpy())[rows]
                    compare(f"{where} {span}-year change", changes[0], kept_change[0])
                    compare(f"{where} peers' {span}-year change", np.nanmedian(changes[1:]), kept_change[1])
            if kept["trend"][0] is not None:  # the trend and its interval, then the same of the gap to the peers
                rho = 1.0 if spec.get("stock") else pooled_rho(raw_store, spec["formula"], (teryt, *peers), first, last)
                compare(f"{where} ρ", rho, report.trends.loc[indicator, "rho"])
                expected = trend(raw_store.yearly(spec["formula"], teryt, first, last), rho)
                if kept["trend"][3] is not None:
                    gap = against_peers(
                        raw_store, spec["formula"], teryt, peers, indicator == "population", first, last
                    )
                    expected += trend(gap, rho)
                for what, value, kept_value in zip(("", " low", " high") * 2, expected, kept["trend"]):
                    compare(f"{where} trend{what}", value, kept_value)
            if spec.get("nets_out_nationally") and kept["areas"][1] is not None:
                differences.append(f"{where}: a Poland value {kept['areas'][1]} of a flow that nets out")
            for area, expected, kept_value in zip(
                ("voivodeship", "Poland"), area_values(raw_store, spec, teryt, year), kept["areas"]
            ):
                if expected is not None:
                    compare(f"{where} {area}", expected, kept_value)
            if not is_judged or kept["percentile"] is None or kept["peer_median"] is None:
                continue
            # The one rule for marks, and the bounded score, from the recomputed peers.
            mark = one_rule(spec, town_value, median, kept["percentile"], kept["interval"])
            if mark != kept["assessment"]:
                differences.append(f"{where} mark: report {kept['assessment']!r}, recomputed {mark!r}")
            far = distance(spec, town_value, peer_values, kept["interval"])
            if mark:
                marked[mark].append((far, catalogue_order.index(indicator), indicator, spec["subdomain"]))
            sub_scores.setdefault(spec["section"], {}).setdefault(spec["subdomain"], {})[indicator] = capped(far)
        # The clearest strengths and weaknesses, furthest from the peer median first (before the score's cap; ties
        # in the catalogue's order), and page one's: up to 2 of each kind, one per sub-domain.
        strongest = [i for *_, i, _ in sorted(marked["strength"], key=lambda m: (-m[0], m[1]))]
        weakest = [i for *_, i, _ in sorted(marked["weakness"], key=lambda m: (m[0], m[1]))]
        if (strongest[:5], weakest[:5]) != (report.strongest, report.weakest):
            differences.append(
                f"{teryt} clearest: report {report.strongest} {report.weakest}, recomputed {strongest[:5]} {weakest[:5]}"
            )
        # Page one's lines of strengths and weaknesses, by the catalogue's phrase of each (test_narrative checks
        # the wording; here, which indicators are named, and in what order).
        expected = []
        for mark, word, ordered in (("strength", "Mocna strona", strongest), ("weakness", "Słaba strona", weakest)):
            first_of_subdomain = {}
            for indicator in ordered:
                first_of_subdomain.setdefault(catalogue_text[indicator]["subdomain"], indicator)
            for indicator in list(first_of_subdomain.values())[:2]:
                row = report.comparison.loc[indicator]
                phrase = indicators()[indicator].judged_phrase(
                    mark == "strength", "pl", value=row["value"], peer_median=row["peer_median"]
                )
                expected.append(f"- **{word}** – {phrase}:")
        lines = report.narrative["summary"][-1].split("\n")
        named = [line for line in lines if line.startswith(("- **Mocna strona**", "- **Słaba strona**"))]
        if len(named) != len(expected) or not all(map(str.startswith, named, expected)):
            differences.append(f"{teryt} page one: {named}, recomputed {expected}")
        for section, subdomains in sub_scores.items():
            score, judged, verdict = section_verdict(subdomains, judgeable[section])
            kept = record["sections"][section]
            compare(f"{teryt} {section} score", score, kept["score"])
            if (judged, judgeable[section]) != (kept["judged"], kept["judgeable"]):
                differences.append(
                    f"{teryt} {section}: judged {kept['judged']} of {kept['judgeable']}, recounted {judged} of {judgeable[section]}"
                )
            # The drop-one range over the omissions that leave a verdict, and the indicator whose omission moves the
            # score furthest across a band edge; else the first (in the catalogue's order) that leaves no verdict.
            dropped, unjudged = {}, []
            for indicator, value in without_each(subdomains).items():
                rest = {
                    name: {i: v for i, v in scores.items() if i != indicator} for name, scores in subdomains.items()
                }
                if section_verdict({name: r for name, r in rest.items() if r}, judgeable[section])[2] == "none":
                    unjudged.append(indicator)
                else:
                    dropped[indicator] = value
            if dropped:
                for what, kept_bound, bound in (
                    ("lowest", report.verdicts.loc[section, "drop_low"], min(dropped.values())),
                    ("highest", report.verdicts.loc[section, "drop_high"], max(dropped.values())),
                ):
                    compare(f"{teryt} {section} {what} without one", bound, kept_bound)
            turning = {i: value for i, value in dropped.items() if band(value) != verdict and verdict != "none"}
            hinge, without = "", ""
            if turning:
                hinge = max(turning, key=lambda i: abs(turning[i] - score))
                without = band(turning[hinge])
            elif unjudged and verdict != "none":
                hinge, without = min(unjudged, key=catalogue_order.index), "none"
            if (hinge, without) != (kept["hinges_on"], kept["verdict_without"]):
                differences.append(
                    f"{teryt} {section} hinges on: report {kept['hinges_on']!r} ({kept['verdict_without']}), "
                    f"recomputed {hinge!r}"
                )
            if verdict != record["verdicts"][section]:
                differences.append(
                    f"{teryt} {section} verdict: report {record['verdicts'][section]}, recomputed {verdict}"
                )
    return differences, compared


def test_every_demo_towns_figures_follow_from_the_raw_store_by_the_documented_rules(
    demo_reports, raw_store, catalogue_text
):
    chosen_projection()  # one the recomputation knows
    # Every town's population is in the backtest: none lacks a year, and none changed its boundaries (its area,
    # residents over density, moves by under 1% a year; docs/methodology.md, "Boundary changes").
    population = raw_store.frames["population"].loc[:, 2014:2024]
    area = raw_store.frames["population"] / raw_store.frames["population_density"]
    yearly_change_of_area = (area.diff(axis=1) / area.shift(axis=1)).abs().max(axis=1)
    assert population.notna().all().all() and (yearly_change_of_area < 0.01).all()
    differences, compared = recomputation_differences(raw_store, demo_reports, catalogue_text)
    assert not differences, f"{len(differences)} of {compared} figures differ:\n" + "\n".join(differences[:30])
    assert len(demo_reports) == 54 and compared > 28000  # about 540 figures a town: none was skipped by mistake


def test_reports_of_other_years_follow_from_the_raw_store_by_the_same_rules(raw_store, catalogue_text):
    """Reports of 2016–2022 (a later first year, an earlier last one than the store's): their peers matched on
    2022, their trends, ρ, projection and backtest over 2016–2022 alone, and the census re-basing read from no year
    after 2022, recomputed as above."""
    reports = {
        teryt: prepare_report(TownParams(teryt=teryt, first_year=2016, last_year=2022))
        for teryt in ("0290011", "1490013", "2290021", "3290031")
    }
    differences, compared = recomputation_differences(raw_store, reports, catalogue_text, 2016, 2022)
    assert not differences, f"{len(differences)} of {compared} figures differ:\n" + "\n".join(differences[:30])
    assert compared > 4 * 400


def test_every_demo_towns_verdicts_under_the_other_peer_groups_follow_from_the_raw_store(
    demo_reports, raw_store, catalogue_text
):
    """The sensitivity table: each rule's peers chosen again by hand, each section scored on them as above (each
    rule leaves out of the verdicts what it matches on)."""
    differences, compared = [], 0
    for teryt, report in demo_reports.items():
        record = figures(report)
        for rule, row in report.sensitivity.iterrows():
            peers = peers_under(raw_store, teryt, rule)
            if len(peers) != row["peers"]:
                differences.append(f"{teryt} {rule}: {row['peers']} peers, recomputed {len(peers)}")
                continue
            matched = MATCHED_ON["nearest" if rule.startswith("nearest") else rule]
            rows = raw_store.units.index.get_indexer([teryt, *sorted(peers)])
            sub_scores: dict[str, Scores] = {}
            judgeable: dict[str, int] = {}
            for indicator, kept in record["indicators"].items():
                spec = catalogue_text[indicator]
                if spec["direction"] == "neutral" or indicator in matched:
                    continue
                judgeable[spec["section"]] = judgeable.get(spec["section"], 0) + 1
                if kept["year"] is None:
                    continue
                values = raw_store.value_everywhere(spec["formula"], kept["year"], spec.get("pool_years", 1))
                town_value, peer_values = values.to_numpy()[rows[0]], values.to_numpy()[rows[1:]]
                peer_values = peer_values[~np.isnan(peer_values)]
                if len(peer_values) < 3 or report.comparison.loc[indicator, "reliability"] == "not_ranked":
                    continue
                if raw_store.reads_low_precision(spec["formula"], teryt, kept["year"], spec.get("pool_years", 1)):
                    continue  # not ranked under any rule
                score = capped(distance(spec, town_value, peer_values, kept["interval"]))
                sub_scores.setdefault(spec["section"], {}).setdefault(spec["subdomain"], {})[indicator] = score
            for section in ("demography", "economy", "services"):
                compared += 1
                if len(peers) < 3:  # too few to compare with: no verdict (0890033's voivodeship has 2 of its kind)
                    if row[section] != "none" or not math.isnan(row[f"{section}_score"]):
                        differences.append(f"{teryt} {rule} {section}: {row[section]} with {len(peers)} peers")
                    continue
                score, _, verdict = section_verdict(sub_scores[section], judgeable[section])
                if verdict != row[section] or not math.isclose(score, row[f"{section}_score"], abs_tol=1e-9):
                    differences.append(
                        f"{teryt} {rule} {section}: report {row[section]} {row[f'{section}_score']:.4f}, "
                        f"recomputed {verdict} {score:.4f}"
                    )
    assert not differences, f"{len(differences)} differ:\n" + "\n".join(differences[:30])
    assert compared == 54 * 5 * 3
