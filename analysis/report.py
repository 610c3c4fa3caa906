"""Everything one town's report shows, computed in one call from its `TownParams`.

`prepare_report(TownParams(teryt="0290011"))` is the notebook's one line of logic, and
what an analyst calls in a console. With `cache_dir` set (as `diagnoza build` does), a
report computed once for the same parameters and the same store, code and libraries is
loaded instead of computed again: the build computes it once for the notebook and the
spreadsheet, and a kept notebook re-run later still gets a report it can trust.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from analysis.aggregates import (
    COUNTRY,
    AreaFigures,
    budget_kinds,
    covers_country,
    of_budgets,
    published_rate,
    summed_inputs,
    voivodeship_and_country,
)
from analysis.boundaries import BoundaryChange, boundary_changes, last_change_within, within_present_boundaries
from analysis.catalogue import SECTIONS, catalogue_stamp, indicators, split_lag, variable_ids
from analysis.census import CHANGE_SPANS, ChangeWithoutStep, change_without_step, rebased_panel
from analysis.compare import CHANGE_SUFFIX, CHANGE_YEARS, compare_town
from analysis.gus_marks import (
    MARK_KINDS,
    StoreMarks,
    comparison_marks,
    low_precision_figures,
    marks_over,
    marks_panel,
    on_change,
    store_marks,
)
from analysis.indicators import compute_indicators, indicator_table
from analysis.labels import label
from analysis.narrative import population_sentences, section_sentences, summary_sentences
from analysis.paths import DEMO_STORE_DIR, PACKAGE_DIR
from analysis.peers import PeerGroup, choose_peers, matching_features
from analysis.projection import Projection, backtest_population, project, store_backtest
from analysis.renumbering import Renumbering
from analysis.store import COUNTRY_AREA, Store, load_store, variable_panel
from analysis.synthesis import (
    SENSITIVITY_RULES,
    clearest,
    peer_sensitivity,
    robust_to_peer_rule,
    rule_key,
    section_verdicts,
)
from analysis.town import TownParams
from analysis.trends import Trend, difference_series, indicator_trends, robust_trend


@dataclass(frozen=True)
class TownReport:
    params: TownParams  # what was asked: town, years, language, peer rule
    name: str
    kind: str
    voivodeship: str
    synthetic: bool
    vintage: str  # when the data were fetched from BDL (YYYY-MM-DD); empty for generated data
    peers: PeerGroup
    peer_units: pd.DataFrame  # the peer towns: teryt, name, kind, voivodeship, population
    values: pd.DataFrame  # indicators of the town and its peers year by year, index (teryt, year)
    compared: pd.DataFrame  # the same as compared: pooled over years where the catalogue says (analysis.indicators)
    comparison: pd.DataFrame  # one row per indicator (analysis.compare)
    narrative: dict[str, list[str]]
    verdicts: pd.DataFrame  # section -> score, verdict, coverage, drop-one range (analysis.synthesis)
    strongest: list[str]  # strengths by the one rule (analysis.scoring), furthest first
    weakest: list[str]
    sensitivity: pd.DataFrame  # alternative peer rule -> verdict and score per section
    robust: dict[str, bool | None]  # section -> the verdict holds under every alternative rule
    counts: pd.DataFrame  # the town's source variables by year up to the last (what rates and shares rest on)
    population_trend: Trend | None
    population_trend_vs_peers: Trend | None  # trend of (town − peer median), both indexed to the first year
    areas: pd.DataFrame  # indicator -> its value in the town's voivodeship and in Poland, and the share of their
    # residents it rests on (analysis.aggregates)
    projection: Projection | None
    # The years of the report that hold any town's population, first to last: the projection's backtest reads
    # them (`projection.backtest_population`), and fewer than it needs leave no projection (its reason says so).
    projection_years: int
    trends: pd.DataFrame  # indicator -> Theil–Sen slope per year, 95% interval, difference from peers
    changes_without_step: dict[str, ChangeWithoutStep]  # the 5- and 10-year population changes without the census step
    national: bool = True  # the store covers Poland, so its sums are Poland's (`analysis.aggregates.covers_country`)
    boundaries: tuple[BoundaryChange, ...] = ()  # changes of the town's boundaries within the years the report reads
    # The kinds of gminy a budget indicator's voivodeship and Poland values sum (`analysis.aggregates.budget_kinds`):
    # None where the store holds no city with powiat rights (all gminy).
    area_budgets: frozenset[str] | None = None
    # The town's and its peers' series that the store's files hold under an older TERYT code too, joined
    # (analysis.renumbering), where the older code's years are among those the report reads.
    renumbered: tuple[Renumbering, ...] = ()
    # Indicator -> GUS's marks, as (kind, year), on the town's figures its comparison row reads
    # (`analysis.gus_marks`: a preliminary estimate, a change of method); the notes beside its value say them.
    gus_marks: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    # Indicator -> column ("peer_median", "voivodeship", "poland") -> GUS's marks on the other gminy's figures that
    # the column's value beside the town's level rests on (`reference_marks`); only columns with any.
    reference_marks: dict[str, dict[str, tuple[tuple[str, int], ...]]] = field(default_factory=dict)
    # Indicator -> GUS's marks on the peers' figures their median 5-year change rests on (`peer_change_marks`),
    # marked in the changes tables; only indicators with any.
    peer_change_marks: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    # The same of the 10-year changes, which only the spreadsheet and the explorer show: the town's (its figures at
    # both ends and a change of method between them, `analysis.gus_marks.on_change`) and its peers' median one.
    change_10y_marks: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    peer_change_10y_marks: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    @property
    def teryt(self) -> str:
        return self.params.teryt

    @property
    def other_peer_groups(self) -> pd.DataFrame:
        """The sensitivity analysis without the report's own peer rule (where it is among the alternatives):
        the verdicts the other peer groups give."""
        return self.sensitivity.drop(index=rule_key(self.peers.rule), errors="ignore")

    @property
    def language(self) -> str:
        return self.params.language

    @property
    def first_year(self) -> int:
        return self.params.first_year

    @property
    def last_year(self) -> int:
        return self.params.last_year

    @property
    def source_name(self) -> str:
        """Where the figures come from, as a value ("GUS, Bank Danych Lokalnych"): the spreadsheet's method sheet."""
        return label("source_synthetic" if self.synthetic else "source", self.language)

    @property
    def source(self) -> str:
        """The source as a line of the page ("Źródło: GUS, Bank Danych Lokalnych"): footers, the HTML's foot."""
        return f"{label('source_heading', self.language)}: {self.source_name}"


def _store_signature(data_dir: str) -> tuple:
    """Size and modification time of the store's files and of the catalogue: a store rewritten on
    disk, or an indicator edited in the catalogue, is read and computed again."""
    directory = Path(data_dir) if data_dir else DEMO_STORE_DIR
    files = sorted(directory.glob("*.parquet")) + sorted(directory.glob("metadata.json"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files) + catalogue_stamp()


def load_store_and_values(data_dir: str) -> tuple[Store, pd.DataFrame]:
    """The store and its indicators, loaded and computed once per process ("" = the demo store).

    Cached by path and by the files' signature, so a long-lived process (a JupyterLab
    session, a test) never works on a store that has since been rewritten.
    """
    return _load_store_and_values(data_dir, _store_signature(data_dir))


@lru_cache(maxsize=4)
def _load_store_and_values(data_dir: str, signature: tuple) -> tuple[Store, pd.DataFrame]:
    store = load_store(data_dir or None)
    return store, indicator_table(store)


def compared_values(data_dir: str) -> pd.DataFrame:
    """Every town's indicators as compared: an indicator with `pool_years` N in the catalogue is taken
    over the last N years together. Like a lagged formula, the window may reach before a report's first
    year; the comparison says from which year (`period_start`)."""
    return _compared_values(data_dir, _store_signature(data_dir))


@lru_cache(maxsize=4)
def _compared_values(data_dir: str, signature: tuple) -> pd.DataFrame:
    return indicator_table(_load_store_and_values(data_dir, signature)[0], pooled=True)


def trend_values(data_dir: str, last_year: int) -> pd.DataFrame:
    """Every town's yearly indicators up to `last_year`, computed from its population re-based for the 2021
    census (`analysis.census`): what trends rest on, so that the census step passes for no change of
    population, density or rates per resident. Tables and charts show the published values
    (`load_store_and_values`).

    The re-basing is estimated from the years up to `last_year` only: a town's usual yearly change, which
    its census jump is measured against, must not be read from years after the report's, or a report of
    2014–2022 would print figures (its trends, its changes without the step) that the store's 2023 and 2024
    change."""
    return _trend_values(data_dir, _store_signature(data_dir), last_year)


@lru_cache(maxsize=4)
def _trend_values(data_dir: str, signature: tuple, last_year: int) -> pd.DataFrame:
    panel = variable_panel(_load_store_and_values(data_dir, signature)[0])
    return compute_indicators(rebased_panel(panel.loc[panel.index.get_level_values("year") <= last_year]))


def _matching_features(data_dir: str, year: int) -> pd.DataFrame:
    """The peer-matching features of every town, once per store and year (many towns share them)."""
    return _features(data_dir, _store_signature(data_dir), year)


def _area_figures(data_dir: str, year: int, kinds: frozenset[str] | None = None) -> AreaFigures:
    """Every voivodeship's and Poland's indicator values in one year (over the gminy of `kinds`, or all), and
    the share of their residents behind each, once per store, year and kinds."""
    return _areas(data_dir, _store_signature(data_dir), year, kinds)


@lru_cache(maxsize=32)
def _areas(data_dir: str, signature: tuple, year: int, kinds: frozenset[str] | None) -> AreaFigures:
    return voivodeship_and_country(_load_store_and_values(data_dir, signature)[0], year, kinds)


AREA_COLUMNS = ["voivodeship", "poland", "voivodeship_coverage", "poland_coverage"]


def town_areas(
    data_dir: str, voivodeship: str, comparison: pd.DataFrame, budgets: frozenset[str] | None = None
) -> pd.DataFrame:
    """Each indicator's value in the town's voivodeship and in Poland, in the year of the town's own value,
    and the share of the area's residents in the gminy it is summed over (0–1). A budget indicator's over
    the gminy of `budgets` only (`analysis.aggregates.budget_kinds`)."""
    catalogue = indicators()
    rows = {}
    for indicator_id, year in comparison["year"].items():
        if pd.isna(year):
            rows[indicator_id] = dict.fromkeys(AREA_COLUMNS, float("nan"))
            continue
        areas = _area_figures(data_dir, int(year), budgets if of_budgets(catalogue[indicator_id]) else None)
        rows[indicator_id] = {
            "voivodeship": areas.values.at[voivodeship, indicator_id],
            "poland": areas.values.at[COUNTRY, indicator_id],
            "voivodeship_coverage": areas.coverage.at[voivodeship, indicator_id],
            "poland_coverage": areas.coverage.at[COUNTRY, indicator_id],
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=AREA_COLUMNS)


def _store_marks(data_dir: str) -> StoreMarks:
    """The store's marked figures (`analysis.gus_marks.store_marks`), once per store."""
    return _marks(data_dir, _store_signature(data_dir))


@lru_cache(maxsize=4)
def _marks(data_dir: str, signature: tuple) -> StoreMarks:
    store = _load_store_and_values(data_dir, signature)[0]
    return store_marks(store.observations, store.area_values)


def reference_marks(
    data_dir: str,
    unit: pd.Series,
    peers: tuple[str, ...],
    comparison: pd.DataFrame,
    areas: pd.DataFrame,
    budgets: frozenset[str] | None,
) -> dict[str, dict[str, tuple[tuple[str, int], ...]]]:
    """Indicator -> (column -> GUS's marks) on the figures printed beside the town's level:
    the peers' median and quartiles, over the peers the median is taken over; the voivodeship's and Poland's
    sums, over the gminy summed (`analysis.aggregates`). Only columns with a value and a mark. An area's figure
    GUS publishes itself (`published_rate`) carries GUS's mark on it (`Store.area_values`), not its gminy's."""
    store, _ = load_store_and_values(data_dir)
    marks = _store_marks(data_dir)
    units = store.units
    catalogue = indicators()

    def summed_over(of_budgets_only: bool) -> dict[str, set[str]]:  # column -> the gminy its sums are over
        of_kinds = units["kind"].isin(budgets) if of_budgets_only else pd.Series(True, index=units.index)
        in_voivodeship = units["voivodeship"] == unit["voivodeship"]
        return {
            "voivodeship": set(units.loc[of_kinds & in_voivodeship, "teryt"]),
            "poland": set(units.loc[of_kinds, "teryt"]),
        }

    result = {}
    for indicator_id, row in comparison.iterrows():
        indicator = catalogue[indicator_id]
        read = {split_lag(name)[0] for name in summed_inputs(indicator)}
        if pd.isna(row["year"]) or not read & (marks.marked.keys() | marks.published):
            continue
        year = int(row["year"])
        first = year - indicator.pool_years + 1  # the peers' and the areas' window, whatever the town's own
        found = {}
        if pd.notna(row["peer_median"]):  # over the peers, but those whose value holds a change of boundaries
            taken = [peer for peer in peers if peer not in row["peers_left_out"]]
            found["peer_median"] = marks_over(marks, taken, indicator.inputs, first, year)
        if rate := published_rate(indicator):
            found |= _published_marks(store, rate, str(unit["teryt"])[:2], year)
        else:
            for column, summed in summed_over(budgets is not None and of_budgets(indicator)).items():
                if pd.notna(areas.at[indicator_id, column]):
                    found[column] = marks_over(marks, summed, summed_inputs(indicator), first, year)
        if kept := {column: found_marks for column, found_marks in found.items() if found_marks}:
            result[indicator_id] = kept
    return result


def town_change_marks(
    comparison: pd.DataFrame, panel: pd.DataFrame, span: int
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Indicator -> GUS's marks on the town's figures that its change over `span` years reads (`marks_panel`): at
    both ends, and a change of method between them (`analysis.gus_marks.on_change`). Only indicators with a
    change and a mark; none for an indicator that is itself a change, as `peer_change_marks`."""
    catalogue = indicators()
    result = {}
    for indicator_id, marks in comparison_marks(comparison, panel, catalogue, span).items():
        indicator = catalogue[indicator_id]
        found = on_change(indicator, comparison.loc[indicator_id], marks, span)
        if found and not indicator.is_change:
            result[indicator_id] = found
    return result


def peer_change_marks(
    data_dir: str, peers: tuple[str, ...], comparison: pd.DataFrame, span: int = CHANGE_YEARS[0]
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Indicator -> GUS's marks on the peers' figures that their median change over `span` years (5: the changes
    tables; 10: the spreadsheet) rests on: over the peers it is taken over (not those whose change crosses a
    change of their boundaries), at both ends of the change and a change of method between them
    (`analysis.gus_marks.marks_over`). Only indicators with a median change and a mark; none for an indicator
    that is itself a change, whose change no table shows."""
    marks = _store_marks(data_dir)
    catalogue = indicators()
    suffix = CHANGE_SUFFIX[span]
    result = {}
    for indicator_id, row in comparison.iterrows():
        indicator = catalogue[indicator_id]
        if indicator.is_change or pd.isna(row[f"peer_median_change{suffix}"]) or pd.isna(row["year"]):
            continue
        if not {split_lag(name)[0] for name in indicator.inputs} & marks.marked.keys():
            continue
        year = int(row["year"])
        taken = [peer for peer in peers if peer not in row[f"peers_left_out_change{suffix}"]]
        found = marks_over(marks, taken, indicator.inputs, year - indicator.pool_years + 1, year, back=span)
        if found:
            result[indicator_id] = found
    return result


def _published_marks(store: Store, rate: str, voivodeship: str, year: int) -> dict[str, tuple[tuple[str, int], ...]]:
    """GUS's marks on its own published figures of `rate` in `year` (`Store.area_values`) of the voivodeship (its
    2-digit code, the first two of its gminy's) and of Poland, by column ("voivodeship", "poland")."""
    published = store.area_values
    rows = published.loc[
        (published["var_id"] == variable_ids()[rate]) & (published["year"] == year) & published["value"].notna()
    ]
    areas = {"voivodeship": voivodeship, "poland": COUNTRY_AREA}
    return {
        column: tuple((MARK_KINDS[mark], year) for mark in rows.loc[rows["area"] == area, "mark"] if mark in MARK_KINDS)
        for column, area in areas.items()
    }


@lru_cache(maxsize=8)
def _features(data_dir: str, signature: tuple, year: int) -> pd.DataFrame:
    return matching_features(_load_store_and_values(data_dir, signature)[1], year)


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "pydantic")


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """The versions of the libraries a report's numbers come from: an upgrade may change them."""
    return {name: version(name) for name in LIBRARIES}


# Modules that word, draw, lay out, explain, record or compare the figures the rest of the package computes,
# and those that make stores (`bdl`, `demo_data`: the data are keyed on their own). Editing them changes no
# figure, so the method version leaves them out: otherwise a wording fix would make every report of the next
# edition warn that its changes may come from the method. A new module counts as computation until listed here.
PRESENTATION = (
    "bdl",
    "charts.py",
    "demo_data.py",
    "display.py",
    "editions.py",
    "explore.py",
    "export.py",
    "formatting.py",
    "labels.py",
    "methodology.py",
    "narrative.py",
    "paths.py",
    "style.py",
    "validation.py",
)


def _package_files(leave_out: tuple[str, ...] = ()) -> list[Path]:
    """The package's code and catalogue, but for the top-level modules or folders named in `leave_out`."""
    return sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.suffix in (".py", ".yaml")
        and p.is_file()
        and "__pycache__" not in p.parts
        and p.relative_to(PACKAGE_DIR).parts[0] not in leave_out
    )


def _version(files: list[Path]) -> str:
    return hashlib.sha256(repr((_digest(files), sorted(library_versions().items()))).encode()).hexdigest()


def method_version() -> str:
    """A hash of how figures are computed: the `analysis` package's computation code and catalogue (all
    but its `PRESENTATION` modules) and the libraries' versions. Two editions with different ones were
    computed by different methods (analysis.editions)."""
    return _version(_package_files(leave_out=PRESENTATION))


def code_version() -> str:
    """The same hash over the whole package: what a computed report, its narrative included, was made by."""
    return _version(_package_files())


def shown_method_version() -> str:
    """`method_version` as the report and the spreadsheet print it: its first 12 hex digits, as git names a
    commit, enough to tell which version computed a printed figure."""
    return method_version()[:12]


def report_key(town: TownParams) -> str:
    """A hash of everything a computed report depends on: the parameters that enter it, the store's
    files and the code (`code_version`)."""
    store_dir = Path(town.data_dir) if town.data_dir else DEMO_STORE_DIR
    store = _digest(sorted(store_dir.glob("*.parquet")) + sorted(store_dir.glob("metadata.json")))
    payload = repr((sorted(town.analysis_key().items()), store, code_version()))
    return hashlib.sha256(payload.encode()).hexdigest()


def cached_report_path(town: TownParams, key: str | None = None) -> Path:
    return Path(town.cache_dir) / f"{town.teryt}-{(key or report_key(town))[:20]}.pickle"


def save_report(report: TownReport, path: Path, key: str) -> None:
    """Keep a computed report with the key it was computed for (written whole, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staged.write_bytes(pickle.dumps((key, report), protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(staged, path)


def load_report(path: Path, key: str) -> TownReport | None:
    """A kept report, only if it was computed for exactly this key; None otherwise."""
    try:
        kept_key, report = pickle.loads(Path(path).read_bytes())
    except Exception:  # noqa: BLE001 - none, unreadable or from another version: compute instead
        return None
    return report if kept_key == key and isinstance(report, TownReport) else None


def towns_compared(town: TownParams) -> tuple[str, ...]:
    """Every town the report compares it with: the town, its peers, and the peer groups of the
    alternative rules in the sensitivity table. A change to any other town's data cannot change its
    comparisons (unless it changes who the peers are, which this then shows); it can change the report's
    voivodeship and Poland figures, summed over their gminy (`diagnoza.inputs.area_fingerprints`), and its
    projection, whose pooled backtest reads every town's population and density
    (`diagnoza.inputs.calibration_fingerprint`).
    Peers are matched on the last year, so the first year and the language do not enter."""
    teryt, last_year, rule = town.teryt, town.last_year, town.peer_rule
    store, all_values = load_store_and_values(town.data_dir)
    features = _matching_features(town.data_dir, last_year)
    towns = {teryt, *choose_peers(teryt, store.units, all_values, rule, last_year, features).members}
    # Nearest groups are the first k of one ranking, so the widest holds all the narrower ones.
    widest = max(r.k for r in (rule, *SENSITIVITY_RULES) if r.method == "nearest")
    for alternative in SENSITIVITY_RULES:
        if alternative.method == "nearest" and alternative.k < widest:
            continue
        try:
            towns.update(choose_peers(teryt, store.units, all_values, alternative, last_year, features).members)
        except ValueError:
            continue  # the sensitivity table shows this rule as not applicable
    return tuple(sorted(towns))


def prepare_report(town: TownParams) -> TownReport:
    """The town's report; with `town.cache_dir`, loaded when one was kept for the same key, else computed and kept."""
    if not town.cache_dir:
        return compute_report(town)
    key = report_key(town)
    path = cached_report_path(town, key)
    report = load_report(path, key)
    if report is None:
        report = compute_report(town)
        try:
            save_report(report, path, key)
        except OSError:
            # The cache only spares a later run the work. A record re-run where its build's folder cannot be
            # written (another machine, a read-only copy) failed here, with its report computed.
            pass
    return replace(report, params=town)  # the title, edition and places asked now, which the key leaves out


def town_counts(store: Store, teryt: str, last_year: int) -> pd.DataFrame:
    """The town's source variables by year up to the last: what its rates' intervals rest on. Not cut
    at the first year, since a pooled value's window may reach back."""
    counts = variable_panel(store, [teryt]).xs(teryt, level="teryt")
    return counts.loc[counts.index <= last_year]


def town_comparison(
    teryt: str,
    peers: PeerGroup,
    compared: pd.DataFrame,
    counts: pd.DataFrame,
    first_year: int,
    last_year: int,
    catalogue: dict | None = None,
    low_precision: frozenset[tuple[str, int]] = frozenset(),
) -> pd.DataFrame:
    """The town's comparison with its peers, as its report shows it: `compared` (`compared_values`, every
    town) restricted to the town, its peers and the report's years, and the years before them that a 5- or
    10-year change to its last year reaches. One function for the report and for `analysis.validation`, which
    must measure what the reports say. `low_precision`: the town's figures GUS marks so (`compare_town`)."""
    towns, years = compared.index.get_level_values("teryt"), compared.index.get_level_values("year")
    since = first_year - max(CHANGE_YEARS)
    subset = compared.loc[towns.isin((teryt, *peers.members)) & (years >= since) & (years <= last_year)]
    return compare_town(
        teryt,
        peers.members,
        subset,
        last_year,
        catalogue,
        counts=counts,
        matching=peers.matching,
        first_year=first_year,
        low_precision=low_precision,
    )


def compute_report(town: TownParams) -> TownReport:
    """Compute everything the report shows, from the store."""
    teryt, first_year, last_year, language, data_dir = (
        town.teryt,
        town.first_year,
        town.last_year,
        town.language,
        town.data_dir,
    )
    rule = town.peer_rule
    store, all_values = load_store_and_values(data_dir)
    unit = store.unit(teryt)
    features = _matching_features(data_dir, last_year)
    peers = choose_peers(teryt, store.units, all_values, rule, last_year, features)
    years = all_values.index.get_level_values("year")
    towns = all_values.index.get_level_values("teryt")
    in_years = (years >= first_year) & (years <= last_year)
    values = all_values.loc[towns.isin((teryt, *peers.members)) & in_years]
    all_compared = compared_values(data_dir)
    counts = town_counts(store, teryt, last_year)
    imprecise = low_precision_figures(store.observations, teryt)
    comparison = town_comparison(teryt, peers, all_compared, counts, first_year, last_year, low_precision=imprecise)
    marks = marks_panel(store.observations, teryt, last_year)
    gus_marks = comparison_marks(comparison, marks, indicators(), CHANGE_YEARS[0], first_year)
    town_boundaries = boundary_changes(counts)
    # The town within its present boundaries: the pace of its residents and its projection start from its last
    # change of them within the report's years (residents gained with land are no trend); the pace of their
    # density from its last change of land.
    moved = last_change_within(town_boundaries, first_year, last_year)
    trending = trend_values(data_dir, last_year).loc[values.index]  # the same towns and years, census step taken out
    paced = within_present_boundaries(trending, teryt, town_boundaries, first_year, last_year)
    trends = indicator_trends(paced, teryt, peers.members)
    population_table = backtest_population(all_values, first_year, last_year)
    backtest = store_backtest(population_table)
    history = all_values.loc[(towns == teryt) & in_years, "population"].droplevel("teryt")
    projection = project(history, backtest, since=moved)
    verdicts = section_verdicts(comparison)
    strongest, weakest = clearest(comparison)
    sensitivity = peer_sensitivity(
        teryt,
        store.units,
        all_compared.loc[all_compared.index.get_level_values("year") <= last_year],
        last_year,
        counts,
        features=features,
        known={rule: (len(peers.members), comparison)},
        first_year=first_year,
        low_precision=imprecise,
    )
    robust = robust_to_peer_rule(verdicts, sensitivity)
    town_population = paced["population"].xs(teryt, level="teryt").loc[moved or first_year :]
    peers_population = paced.loc[paced.index.get_level_values("teryt") != teryt, "population"].unstack("teryt")
    population_rho = float(trends.at["population", "rho"]) if "population" in trends.index else 0.0
    population_trend = robust_trend(town_population, population_rho)
    population_trend_vs_peers = robust_trend(
        difference_series(town_population, peers_population.reindex(town_population.index), "population"),
        population_rho,
    )
    changes_without_step = {}
    for indicator_id in CHANGE_SPANS:
        if indicator_id not in comparison.index or pd.isna(comparison.at[indicator_id, "year"]):
            continue
        year = int(comparison.at[indicator_id, "year"])
        left_out = comparison.at[indicator_id, "peers_left_out"]  # peers whose change holds land they moved
        compared_peers = tuple(peer for peer in peers.members if peer not in left_out)
        change = change_without_step(trending, teryt, compared_peers, year, indicator_id)
        if change is not None:
            changes_without_step[indicator_id] = change
    since = min(first_year, last_year - max(CHANGE_YEARS))  # the years the report shows, and its changes reach
    boundaries = tuple(change for change in town_boundaries if change.year > since)
    narrative = {section: section_sentences(comparison, section, language, last_year) for section in SECTIONS}
    narrative["demography"][:0] = population_sentences(
        comparison,
        unit["name"],
        population_trend,
        population_trend_vs_peers,
        projection,
        language,
        changes_without_step,
        population_years=int(town_population.notna().sum()),
        population_rho=population_rho,
        window_years=population_table.shape[1],
        boundaries=boundaries,
        boundaries_since=moved,
    )
    budgets = budget_kinds(store, str(unit["kind"]))
    areas = town_areas(data_dir, str(unit["voivodeship"]), comparison, budgets)
    beside_marks = reference_marks(data_dir, unit, peers.members, comparison, areas, budgets)
    narrative["summary"] = summary_sentences(
        comparison,
        areas,
        # Page one names up to two of each kind from different sub-domains: from every one marked, not from the
        # clearest five alone, which may all be of one sub-domain (five weak migration and population changes).
        *clearest(comparison, n=len(comparison)),
        language,
        without_steps=changes_without_step,
        peer_count=len(peers.members),
        last_year=last_year,
        boundaries=boundaries,
        gus_marks=gus_marks,
        reference_marks=beside_marks,
    )
    peer_units = store.units.set_index("teryt").loc[list(peers.members)].reset_index()
    latest = (
        values.xs(last_year, level="year")["population"]
        if last_year in values.index.get_level_values("year")
        else pd.Series(dtype=float)
    )
    peer_units["population"] = peer_units["teryt"].map(latest)
    return TownReport(
        params=town,
        name=str(unit["name"]),
        kind=str(unit["kind"]),
        voivodeship=str(unit["voivodeship"]),
        synthetic=store.synthetic,
        vintage=store.vintage,
        peers=peers,
        peer_units=peer_units,
        values=values,
        compared=all_compared.loc[values.index],
        comparison=comparison,
        narrative=narrative,
        verdicts=verdicts,
        strongest=strongest,
        weakest=weakest,
        sensitivity=sensitivity,
        robust=robust,
        counts=counts,
        population_trend=population_trend,
        population_trend_vs_peers=population_trend_vs_peers,
        projection=projection,
        projection_years=population_table.shape[1],
        trends=trends,
        areas=areas,
        changes_without_step=changes_without_step,
        national=covers_country(store),
        boundaries=boundaries,
        area_budgets=budgets,
        renumbered=tuple(
            change
            for change in store.renumbered
            if change.successor in (teryt, *peers.members) and since < change.since <= last_year
        ),
        gus_marks={indicator_id: marks for indicator_id, marks in gus_marks.items() if marks},
        reference_marks=beside_marks,
        peer_change_marks=peer_change_marks(data_dir, peers.members, comparison),
        change_10y_marks=town_change_marks(comparison, marks, CHANGE_YEARS[1]),
        peer_change_10y_marks=peer_change_marks(data_dir, peers.members, comparison, CHANGE_YEARS[1]),
    )
