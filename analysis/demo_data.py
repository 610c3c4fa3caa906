"""The embedded demo dataset: 300 fictional towns and 32 suburbs, generated deterministically.

The towns, their names and their TERYT-like codes are invented (powiat numbers
90–99 exist in no real register), so a demo report can never be mistaken for a
real town's. The figures follow realistic magnitudes and trends (many towns
shrinking and ageing) and are internally consistent: each year's population
equals the previous year's plus births, minus deaths, plus net migration, except
in 2021, when population is re-based on the census as GUS did. Moves between gminy
net to zero over the store each year, as over Poland: what the towns lose to other
gminy, two suburbs in each voivodeship gain (`_suburbs`).

Indicators move together as they do in Poland: two town traits, vitality (incomes,
firms, jobs, young people who stay) and ageing (which goes with lower vitality),
shift a town's rates in the directions real gminy show, each plus its own noise.
The strengths of those shifts are set so that the demo's correlations between
births, deaths, net migration, PIT per capita and size match those of Poland's 302
urban gminy in 2020 (GUS Tabl. IV, MF PIT shares; tests/analysis/test_demo_data.py
compares them). For
the indicators without a real counterpart at hand (firms, unemployment, services)
the same traits apply with their expected sign, an assumption. Without them every
indicator was independent of every other, unlike any real town, and a section's
verdict was a sum of noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.catalogue import variable_ids
from analysis.gus_marks import NO_MARK
from analysis.paths import DEMO_STORE_DIR
from analysis.store import COUNTRY_AREA, write_store
from analysis.teryt import DIGIT_BY_KIND, VOIVODESHIPS

SEED = 20261122
YEARS = tuple(range(2014, 2025))

TOWNS_PER_VOIVODESHIP = {code: (19 if i < 12 else 18) for i, code in enumerate(VOIVODESHIPS)}
MAX_TOWNS_PER_VOIVODESHIP = 970  # powiats 90–99, gminy 01–97 in each: 98 and 99 of powiat 99 are suburbs
SUBURB_GMINY = ("98", "99")  # of powiat 99 in each voivodeship (`_suburbs`)
SUBURB_GROWTH = 0.03  # a year, by moves from other gminy: the pace of Poland's fastest-growing suburbs
SUBURB_YEARLY_VARIATION = 0.3  # of a suburb's share of the year's moves (`_yearly_shares`), as a log

_NAME_STEMS = (
    "Bursztyno",
    "Jaśmino",
    "Modrzewio",
    "Wrzoso",
    "Żurawio",
    "Złoto",
    "Srebrno",
    "Miodo",
    "Klono",
    "Jarzębino",
    "Bławatko",
    "Kminko",
    "Lnianko",
    "Szafiro",
    "Turkuso",
    "Czeremcho",
    "Konwalio",
    "Rumianko",
    "Tatarako",
    "Żywico",
)
_NAME_ENDINGS = (
    "gród",
    "brzeg",
    "stok",
    "wola",
    "łęka",
    "pole",
    "dwór",
    "bór",
    "most",
    "góra",
    "dół",
    "las",
    "staw",
    "jar",
    "łąka",
    "zdrój",
)

_SUBURB_ENDINGS = ("wice", "sław")


def _units(rng: np.random.Generator, towns_per_voivodeship: dict[str, int]) -> pd.DataFrame:
    names = [stem + ending for stem in _NAME_STEMS for ending in _NAME_ENDINGS]
    total = sum(towns_per_voivodeship.values())
    # Names repeat only in a store larger than the 320 names (real gminy share names too: several "Dobra").
    chosen = rng.choice(len(names), size=total, replace=total > len(names))
    kinds = rng.choice(["urban", "urban-rural", "rural"], size=total, p=[0.55, 0.35, 0.10])
    rows, n = [], 0
    for voivodeship, count in towns_per_voivodeship.items():
        # Powiats 90–99 only, as no real register has them: 4 gminy each, more in a store of over 40 towns
        # per voivodeship (a benchmark's store of Poland's size).
        per_powiat = max(4, -(-count // 10))
        for i in range(count):
            powiat = f"{voivodeship}{90 + i // per_powiat}"
            kind = str(kinds[n])
            rows.append(
                {
                    "teryt": f"{powiat}{i % per_powiat + 1:02d}{DIGIT_BY_KIND[kind]}",
                    "name": names[chosen[n]],
                    "kind": kind,
                    "voivodeship": VOIVODESHIPS[voivodeship],
                    "powiat": powiat,
                }
            )
            n += 1
    return pd.DataFrame(rows)


CENSUS_YEAR = 2021  # GUS re-based population on the 2021 census: a level break, not a change


def _size(rng: np.random.Generator) -> float:
    """Residents at the start: a quarter of the gminy are small (2,000–5,000), as in Poland."""
    if rng.random() < 0.25:
        return float(round(np.exp(rng.uniform(np.log(2_000), np.log(5_000)))))
    return float(round(np.exp(rng.uniform(np.log(5_000), np.log(140_000)))))


def _network_growth(rng: np.random.Generator, yearly_mean: float, n: int) -> np.ndarray:
    """Percentage points gained since the first year: uneven yearly steps averaging `yearly_mean`, plus
    the small revisions of GUS's estimate of users, which can move a share down by a tenth of a point."""
    steps = rng.gamma(0.5, yearly_mean / 0.5, n)
    steps[0] = 0.0
    return np.cumsum(steps) + rng.normal(0, 0.1, n)


def _town_series(
    rng: np.random.Generator, kind: str, size: float | None = None, internal: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """One town's source variables for every year, from a few town-level traits. A suburb (`_suburbs`) comes
    with its size and its moves from other gminy (`internal`, a number a year) instead of drawing them.

    The hard cases of real data are built in: counts drawn with Poisson (or
    binomial) noise, so small gminy have noisy rates; pre-school coverage near its
    100 % ceiling; the census re-basing of population in 2021; a few outliers
    (one large taxpayer, a housing boom year). Gaps are added in `generate`.
    Vitality and ageing are the shared traits of the module docstring.
    """
    n = len(YEARS)
    t = np.arange(n)
    years = np.array(YEARS)
    urban = kind == "urban"
    size = _size(rng) if size is None else size
    area = size / rng.uniform(350, 2500) if urban else size / rng.uniform(40, 300)
    # The shared traits (module docstring), standard normal; ageing goes with lower vitality:
    # corr(ageing, vitality) = -0.3. Larger towns have somewhat more births and fewer deaths.
    vitality = rng.normal()
    ageing = -0.3 * vitality + np.sqrt(1 - 0.3**2) * rng.normal()
    larger = np.log(size / 20_000)

    # Demography: rates per 1,000; many towns lose people through migration and ageing.
    birth_rate = (
        9.0 + 0.6 * vitality - 0.7 * ageing + 0.35 * larger + rng.normal(0, 0.7) - 0.12 * t + rng.normal(0, 0.3, n)
    )
    death_rate = (
        11.5
        + 1.2 * ageing
        - 0.25 * larger
        + rng.normal(0, 0.7)
        + 0.10 * t
        + np.where(np.isin(YEARS, (2020, 2021)), 1.8, 0.0)
    )
    out_rate = rng.uniform(12, 22)  # gross outflow per 1,000; the inflow differs by the town's vitality
    in_rate = np.clip(out_rate - 3.0 + 2.4 * vitality + rng.normal(0, 2.0) + rng.normal(0, 1.0, n), 0, None)
    foreign_rate = 0.3 + 0.25 * vitality + rng.normal(0, 0.4)  # net moves from abroad per 1,000
    census_factor = 1 + rng.normal(-0.012, 0.012)  # re-based population from 2021 on
    population = np.empty(n)
    births, deaths, migration = np.empty(n), np.empty(n), np.empty(n)
    migration_foreign = np.empty(n)
    previous = size
    for i in range(n):
        births[i] = rng.poisson(max(birth_rate[i], 3.0) * previous / 1000)
        deaths[i] = rng.poisson(max(death_rate[i], 3.0) * previous / 1000)
        migration_foreign[i] = rng.poisson(max(foreign_rate, 0) * previous / 1000) - rng.poisson(
            max(-foreign_rate, 0) * previous / 1000
        )
        if internal is None:
            migration[i] = (
                rng.poisson(in_rate[i] * previous / 1000)
                - rng.poisson(out_rate * previous / 1000)
                + migration_foreign[i]
            )
        else:
            migration[i] = internal[i] + migration_foreign[i]
        population[i] = previous + births[i] - deaths[i] + migration[i]
        if YEARS[i] == CENSUS_YEAR:
            population[i] = round(population[i] * census_factor)
        previous = population[i]
    pre_share = np.clip(0.18 - 0.012 * ageing + rng.normal(0, 0.008) - 0.0012 * t, 0.10, None)
    post_share = 0.21 + 0.022 * ageing + rng.normal(0, 0.01) + rng.uniform(0.003, 0.007) * t
    pre = rng.binomial(population.astype(int), pre_share).astype(float)
    post = rng.binomial(population.astype(int), post_share).astype(float)
    working = population - pre - post

    # Economy: budgets in PLN, nominal growth, the PIT reform dip of 2022–2023.
    income_level = np.exp(
        0.10 * np.log(size / 40_000) + (0.10 if urban else 0.0) + 0.2 * vitality + rng.normal(0, 0.12)
    )
    reform = np.where(years == 2022, 0.93, np.where(years == 2023, 0.97, 1.0))
    pit_pc = 750 * income_level * 1.075**t * reform * rng.normal(1, 0.02, n)
    cit_pc = rng.uniform(25, 160) * income_level * 1.06**t * rng.normal(1, 0.10, n)
    if rng.random() < 0.03:
        cit_pc = cit_pc * rng.uniform(6, 12)  # one large company's seat: an outlier among peers
    own_pc = pit_pc * rng.uniform(1.7, 2.3) + cit_pc + rng.uniform(300, 700) * 1.05**t
    # Equalisation subsidies are larger where own income is smaller: total revenue is not a verdict.
    revenue_pc = own_pc + rng.uniform(1500, 2600) * 1.07**t + 600 / income_level
    expenditure_pc = revenue_pc * rng.normal(1.01, 0.03, n)
    investment_share = np.clip(0.15 + 0.015 * vitality + rng.normal(0, 0.04) + rng.normal(0, 0.03, n), 0.02, 0.45)
    regon_rate = 1000 * np.exp(0.14 * vitality + rng.normal(0, 0.14)) * (1.08 if urban else 0.92) * 1.015**t
    new_regon_rate = 80 * np.exp(0.15 * vitality + rng.normal(0, 0.15)) * rng.normal(1, 0.08, n)
    unemployment = (
        6.0 * np.exp(-0.3 * vitality + rng.normal(0, 0.3)) * np.maximum(1 - 0.09 * np.minimum(t, 5), 0.5)
    ) * rng.normal(1, 0.04, n)
    dwellings_rate = 3.0 * np.exp(0.35 * vitality + rng.normal(0, 0.4)) * rng.normal(1, 0.15, n)
    if rng.random() < 0.03:
        dwellings_rate[rng.integers(n)] *= 6  # a housing estate completed in one year

    # Services: pre-school coverage climbs to a ceiling just under 100 %.
    children_share = np.clip(0.038 + 0.003 * vitality - 0.002 * ageing + rng.normal(0, 0.003), 0.02, None) - 0.0004 * t
    children = np.round(population * children_share)
    coverage = np.clip(91 + 4 * vitality + rng.normal(0, 5) + 1.2 * t, 0, 99.6) / 100
    preschool = rng.binomial(children.astype(int), coverage).astype(float)
    nursery = 80 * np.exp(0.35 * vitality + rng.normal(0, 0.5)) * 1.08**t
    if rng.random() < 0.2:
        nursery[:2] = np.nan  # some towns report nurseries only from 2016
    # Networks grow in uneven steps (a district connected one year, little the next), drawn from a
    # stream of their own so that the rest of the store stayed as it was when the steps were added.
    network = rng.spawn(1)[0]
    water = np.clip(92 + 1.5 * vitality + rng.normal(0, 3) + _network_growth(network, 0.15, n), 0, 99.8)
    sewage = np.clip(74 + 6 * vitality + rng.normal(0, 9) + _network_growth(network, 0.6, n), 0, 99.5)
    readers_rate = 190 * np.exp(0.1 * vitality + rng.normal(0, 0.2)) * 0.98**t * np.where(years == 2020, 0.75, 1.0)
    assistance = 500 * np.exp(-0.25 * vitality + rng.normal(0, 0.3)) * 0.96**t * rng.normal(1, 0.03, n)
    education_pc = rng.uniform(1500, 2600) * 1.06**t * rng.normal(1, 0.02, n)

    return {
        "population": population,
        "population_pre_working_age": pre,
        "population_working_age": working,
        "population_post_working_age": post,
        "population_density": np.round(population / area, 1),
        "live_births": births,
        "deaths": deaths,
        "net_migration": migration,
        "net_migration_foreign": migration_foreign,
        "net_migration_internal": migration - migration_foreign,
        "regon_entities": np.round(regon_rate * population / 10_000),
        "regon_new_entities": rng.poisson(new_regon_rate * population / 10_000).astype(float),
        "registered_unemployed": rng.poisson(working * unemployment / 100).astype(float),
        "revenue_total": np.round(revenue_pc * population, 2),
        "own_revenue": np.round(own_pc * population, 2),
        "pit_share_revenue": np.round(pit_pc * population, 2),
        "cit_share_revenue": np.round(cit_pc * population, 2),
        "expenditure_total": np.round(expenditure_pc * population, 2),
        "investment_expenditure": np.round(expenditure_pc * population * investment_share, 2),
        "dwellings_completed": rng.poisson(np.maximum(dwellings_rate, 0.2) * population / 1000).astype(float),
        "children_3_6": children,
        "children_3_6_in_preschool": preschool,
        "nursery_places_per_1000_under3": np.round(np.minimum(nursery, 450), 1),
        "water_supply_users_pct": np.round(water, 1),
        "sewage_users_pct": np.round(sewage, 1),
        "library_readers": rng.poisson(readers_rate * population / 1000).astype(float),
        "social_assistance_per_10k": np.round(assistance),
        "education_expenditure_per_capita": np.round(education_pc, 2),
    }


def generate(
    seed: int = SEED, towns_per_voivodeship: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The demo units, observations and published area figures (`published_area_values`); the same seed
    always gives the same frames. `towns_per_voivodeship`: as many towns in each voivodeship instead of the
    demo's 18–19 (at most 990), for a store the size of Poland's (155: 2,480 gminy; `benchmarks/store_size.py`)."""
    if towns_per_voivodeship is not None and not 1 <= towns_per_voivodeship <= MAX_TOWNS_PER_VOIVODESHIP:
        raise ValueError(f"towns per voivodeship: 1 to {MAX_TOWNS_PER_VOIVODESHIP} (got {towns_per_voivodeship})")
    rng = np.random.default_rng(seed)
    counts = (
        TOWNS_PER_VOIVODESHIP if towns_per_voivodeship is None else dict.fromkeys(VOIVODESHIPS, towns_per_voivodeship)
    )
    units = _units(rng, counts)
    ids = variable_ids()
    observations = _observations({teryt: _town_series(rng, kind) for teryt, kind in zip(units["teryt"], units["kind"])})
    complete = observations.copy()  # GUS's area figures come from its complete records: before the gaps
    # Gaps, as in real BDL data; population itself is always reported.
    reported = observations["var_id"] != ids["population"]
    scattered = rng.random(len(observations)) < 0.004
    observations.loc[scattered & reported, "value"] = np.nan
    # Two consecutive years missing for some towns' variables (a reporting break) ...
    keys = observations[["teryt", "var_id"]].drop_duplicates()
    broken = keys.loc[(rng.random(len(keys)) < 0.02) & (keys["var_id"] != ids["population"]).to_numpy()]
    broken = broken.assign(start=rng.integers(YEARS[0], YEARS[-1], size=len(broken)))
    start = observations.merge(broken, on=["teryt", "var_id"], how="left")["start"].to_numpy()
    in_break = (observations["year"].to_numpy() >= start) & (observations["year"].to_numpy() <= start + 1)
    observations.loc[in_break, "value"] = np.nan
    # ... and CIT never published for a few (statistical confidentiality of one taxpayer).
    secret = units["teryt"].to_numpy()[rng.random(len(units)) < 0.02]
    observations.loc[
        observations["teryt"].isin(secret) & (observations["var_id"] == ids["cit_share_revenue"]), "value"
    ] = np.nan
    # Last, from a stream of their own, so that the towns above are what they were before the suburbs came.
    suburb_units, suburb_observations = _suburbs(rng.spawn(1)[0], complete)
    units = pd.concat([units, suburb_units], ignore_index=True)
    complete = pd.concat([complete, suburb_observations], ignore_index=True)
    area_values = published_area_values(units, complete)
    observations = pd.concat([observations, suburb_observations], ignore_index=True)
    return units, observations.assign(mark=demo_marks(observations)), area_values


# GUS's marks on figures that are there (`analysis.gus_marks`), as BDL gives them: on a whole year of a variable
# (variable key, year, symbol), and on the figures of the gminy under `LOW_PRECISION_BELOW` residents of some.
MARKED_YEARS = (
    ("net_migration_foreign", YEARS[-1], "s"),  # the last year's migration from abroad: a preliminary estimate ...
    ("net_migration", YEARS[-1], "s"),  # ... and so the total it is part of
    ("water_supply_users_pct", 2021, "M"),  # the shares of residents served: counted a new way from 2021
    ("sewage_users_pct", 2021, "M"),
)
LOW_PRECISION = ("dwellings_completed",)
LOW_PRECISION_BELOW = 5_000


def demo_marks(observations: pd.DataFrame) -> pd.Series:
    """Each observation's mark: `MARKED_YEARS`, and "v" (low precision) on the `LOW_PRECISION` figures of the
    gminy under `LOW_PRECISION_BELOW` residents that year; "" elsewhere and on every missing value. Drawn
    from no random stream, so the figures are those of a store without marks."""
    ids = variable_ids()
    marks = pd.Series(NO_MARK, index=observations.index, dtype="string")
    for key, year, symbol in MARKED_YEARS:
        marks[(observations["var_id"] == ids[key]) & (observations["year"] == year)] = symbol
    population = observations.loc[observations["var_id"] == ids["population"]].set_index(["teryt", "year"])["value"]
    keys = pd.MultiIndex.from_frame(observations[["teryt", "year"]])
    small = population.reindex(keys).to_numpy() < LOW_PRECISION_BELOW
    marks[small & observations["var_id"].isin([ids[key] for key in LOW_PRECISION]).to_numpy()] = "v"
    return marks.where(observations["value"].notna(), NO_MARK)


def _suburbs(rng: np.random.Generator, towns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two suburban gminy in each voivodeship, where the people the towns lose to other gminy settle.

    A move within Poland leaves one gmina for another, so over all gminy the moves net to zero each year
    (GUS Tabl. IV 2020: exactly 0), and the country's net migration is its migration from abroad: the
    reports say so (Poland's "x" for internal migration). The towns of the store lose to other gminy on
    balance, as Poland's towns do (urban gminy 2.4 per 1,000 in 2020); the suburbs of the cities gain it,
    about 3% a year in the fastest-growing ones. So each year the towns' net loss is shared among the
    suburbs (`_yearly_shares`), and the suburbs are made as large as a growth of `SUBURB_GROWTH` a year
    needs. Most moves stay within a voivodeship: a suburb's share is half of what its voivodeship's towns
    lose, times a factor between 0.5 and 1.5, so that a voivodeship gains or loses on balance, but by a few
    per 1,000, as Poland's do. They are rural gminy, of powiat 99 (gminy `SUBURB_GMINY`).
    """
    ids = variable_ids()
    moves = towns.loc[towns["var_id"].isin([ids["net_migration"], ids["net_migration_foreign"]])]
    moves = moves.pivot_table(index=["teryt", "year"], columns="var_id", values="value", aggfunc="sum")
    internal = (moves[ids["net_migration"]] - moves[ids["net_migration_foreign"]]).unstack("year")
    settling = -internal.sum().reindex(list(YEARS)).to_numpy()  # the towns' loss, each year
    lost = -internal.sum(axis=1).groupby(internal.index.str[:2]).sum().reindex(list(VOIVODESHIPS), fill_value=0)
    lost = lost.clip(lower=max(0.1 * lost.clip(lower=0).mean(), 1.0))  # a voivodeship whose towns gained
    codes = [f"{voivodeship}99{gmina}2" for voivodeship in VOIVODESHIPS for gmina in SUBURB_GMINY]
    weights = np.repeat(lost.to_numpy() / len(SUBURB_GMINY), len(SUBURB_GMINY)) * rng.uniform(0.5, 1.5, len(codes))
    weights /= weights.sum()
    sizes = np.round(weights * settling.mean() / SUBURB_GROWTH)
    shares = np.column_stack([_yearly_shares(rng, total, weights) for total in settling])
    names = [stem + ending for stem in _NAME_STEMS for ending in _SUBURB_ENDINGS]  # none a town's
    units = pd.DataFrame(
        {
            "teryt": codes,
            "name": [names[i] for i in rng.choice(len(names), size=len(codes), replace=False)],
            "kind": "rural",
            "voivodeship": [VOIVODESHIPS[code[:2]] for code in codes],
            "powiat": [code[:4] for code in codes],
        }
    )
    series = {
        teryt: _town_series(rng, "rural", size=size, internal=settled)
        for teryt, size, settled in zip(codes, sizes, shares)
    }
    return units, _observations(series)


def _yearly_shares(rng: np.random.Generator, total: float, weights: np.ndarray) -> np.ndarray:
    """One year's `total` moves shared among the suburbs: by their weights, each varied by about 30% from year
    to year (the housing a suburb completes comes in waves), as a multinomial draw; a gain where the total is
    negative. Without the variation each suburb grew by the same number of people every year, a line no real
    series follows and one that a trend model fits as no drift can (ETS's error was a third of drift's)."""
    varied = weights * np.exp(rng.normal(0, SUBURB_YEARLY_VARIATION, len(weights)))
    return rng.multinomial(abs(int(total)), varied / varied.sum()) * np.sign(total)


def _observations(towns: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """The store's long frame (teryt, year, var_id, value) of each town's series by catalogue key."""
    ids = variable_ids()
    teryts, var_ids, values = [], [], []
    for teryt, series_by_key in towns.items():
        for key, series in series_by_key.items():
            teryts += [teryt] * len(YEARS)
            var_ids += [ids[key]] * len(YEARS)
            values.append(series)
    return pd.DataFrame(
        {
            "teryt": teryts,
            "year": np.tile(YEARS, len(values)),
            "var_id": var_ids,
            "value": np.concatenate(values).astype(float),
        }
    )


# Children under 3 (three year-groups) per child of 3–6 (four): the synthetic denominator of the nursery rate,
# which the store, like BDL's gmina data, does not hold.
UNDER_3_PER_CHILD_3_6 = 3 / 4


def published_area_values(units: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """What the synthetic GUS publishes for each voivodeship and for Poland of the rates the store's gminy
    cannot be summed into (`published_for_areas`): density as residents over land (each gmina's land its
    residents over its density), nursery places per 1000 children under 3 as places over children (each
    gmina's places its rate times its children, `UNDER_3_PER_CHILD_3_6`), each over the gminy with the
    figure; rounded as GUS rounds them (density to whole residents per km², the rate to 0.1)."""
    ids = variable_ids()
    wide = observations.set_index(["teryt", "year", "var_id"])["value"].unstack("var_id")
    population, density = wide[ids["population"]], wide[ids["population_density"]]
    under_3 = wide[ids["children_3_6"]] * UNDER_3_PER_CHILD_3_6
    places = wide[ids["nursery_places_per_1000_under3"]] * under_3 / 1000
    parts = pd.DataFrame(
        {
            "residents": population.where(density.notna()),
            "land": population / density,
            "children": under_3.where(places.notna()),
            "places": places,
        }
    )
    teryts, years = parts.index.get_level_values("teryt"), parts.index.get_level_values("year")
    rows = []
    for areas in (teryts.str[:2], np.full(len(parts), COUNTRY_AREA)):
        sums = parts.groupby([areas, years]).sum(min_count=1)
        rates = {
            "population_density": (sums["residents"] / sums["land"]).round(0),
            "nursery_places_per_1000_under3": (1000 * sums["places"] / sums["children"]).round(1),
        }
        for key, values in rates.items():
            rows.append(
                pd.DataFrame(
                    {
                        "area": values.index.get_level_values(0),
                        "year": values.index.get_level_values(1),
                        "var_id": ids[key],
                        "value": values.to_numpy(),
                        "mark": NO_MARK,  # the synthetic GUS marks none of its own area figures
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def metadata(seed: int = SEED, towns_per_voivodeship: int | None = None) -> dict:
    sized = {} if towns_per_voivodeship is None else {"towns_per_voivodeship": towns_per_voivodeship}
    return {
        "source": "Synthetic demo data generated by analysis.demo_data",
        "synthetic": True,
        "seed": seed,
        "years": [YEARS[0], YEARS[-1]],
        **sized,
    }


def write_demo_store(
    directory: Path = DEMO_STORE_DIR, seed: int = SEED, towns_per_voivodeship: int | None = None
) -> Path:
    units, observations, area_values = generate(seed, towns_per_voivodeship)
    write_store(directory, units, observations, metadata(seed, towns_per_voivodeship), area_values)
    return directory
