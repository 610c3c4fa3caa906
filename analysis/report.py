"""Everything one town's report shows, computed in one call from plain parameters.

`prepare_report` takes exactly the notebook's scalar parameters, so the notebook
has one line of logic and an analyst can call the same function in a console.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.catalogue import SECTIONS
from analysis.compare import compare_town
from analysis.indicators import indicator_table
from analysis.labels import label
from analysis.narrative import population_sentences, section_sentences, summary_sentences
from analysis.peers import PeerGroup, PeerRule, choose_peers, matching_features
from analysis.projection import Projection, project, store_backtest
from analysis.paths import DEMO_STORE_DIR
from analysis.store import Store, load_store, variable_panel
from analysis.synthesis import (
    SENSITIVITY_RULES, clearest, peer_sensitivity, robust_to_peer_rule, section_verdicts,
)
from analysis.trends import Trend, difference_series, indicator_trends, robust_trend


@dataclass(frozen=True)
class TownReport:
    teryt: str
    name: str
    kind: str
    voivodeship: str
    language: str
    first_year: int
    last_year: int
    synthetic: bool
    peers: PeerGroup
    peer_units: pd.DataFrame       # the peer towns: teryt, name, kind, voivodeship, population
    values: pd.DataFrame           # indicators of the town and its peers, index (teryt, year)
    comparison: pd.DataFrame       # one row per indicator (analysis.compare)
    narrative: dict[str, list[str]]
    verdicts: pd.DataFrame         # section -> score, verdict, coverage, drop-one range (analysis.synthesis)
    strongest: list[str]           # strengths by the one rule (analysis.scoring), furthest first
    weakest: list[str]
    sensitivity: pd.DataFrame      # alternative peer rule -> verdict and score per section
    robust: dict[str, bool | None] # section -> the verdict holds under every alternative rule
    counts: pd.DataFrame           # the town's source variables by year (what rates and shares rest on)
    population_trend: Trend | None
    population_trend_vs_peers: Trend | None  # trend of (town − peer median), both indexed to the first year
    projection: Projection | None
    trends: pd.DataFrame           # indicator -> Theil–Sen slope per year, 95% interval, difference from peers

    @property
    def source(self) -> str:
        return label("source_synthetic" if self.synthetic else "source", self.language)


def _store_signature(data_dir: str) -> tuple:
    """Size and modification time of the store's files: a store rewritten on disk is read again."""
    directory = Path(data_dir) if data_dir else DEMO_STORE_DIR
    files = sorted(directory.glob("*.parquet")) + sorted(directory.glob("metadata.json"))
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)


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


def _matching_features(data_dir: str, year: int) -> pd.DataFrame:
    """The peer-matching features of every town, once per store and year (many towns share them)."""
    return _features(data_dir, _store_signature(data_dir), year)


@lru_cache(maxsize=8)
def _features(data_dir: str, signature: tuple, year: int) -> pd.DataFrame:
    return matching_features(_load_store_and_values(data_dir, signature)[1], year)


def parse_members(peer_members: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in peer_members.split(",") if code.strip())


def save_report(report: TownReport, path: Path) -> None:
    """Keep a computed report for the notebook and the exports (written whole, then renamed)."""
    staged = path.with_name(f".{path.name}.tmp")
    staged.write_bytes(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(staged, path)


def load_report(path: str | Path, teryt: str, first_year: int, last_year: int, language: str) -> TownReport:
    """A report saved by `save_report`, refused if it is not the one the parameters ask for."""
    report = pickle.loads(Path(path).read_bytes())
    asked = (teryt, first_year, last_year, language)
    found = (report.teryt, report.first_year, report.last_year, report.language)
    if not isinstance(report, TownReport) or found != asked:
        raise ValueError(f"{path} holds the report for {found}, not for {asked}")
    return report


def towns_compared(teryt: str, last_year: int, peer_method: str, peer_k: int, peer_members: str,
                   data_dir: str) -> tuple[str, ...]:
    """Every town whose data enter the report: the town, its peers, and the peer groups of the
    alternative rules in the sensitivity table. A change to any other town's data cannot change it
    (unless it changes who the peers are, which this then shows), except its population, which the
    pooled projection backtest reads for every town (`diagnoza.inputs.calibration_fingerprint`).
    Peers are matched on the last year, so the first year and the language do not enter."""
    store, all_values = load_store_and_values(data_dir)
    features = _matching_features(data_dir, last_year)
    rule = PeerRule(method=peer_method, k=peer_k, members=parse_members(peer_members))
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


def report_arguments(parameters: dict) -> dict:
    """The notebook parameters `prepare_report` takes (the rest are presentation: title, edition)."""
    names = ("teryt", "first_year", "last_year", "language", "peer_method", "peer_k", "peer_members", "data_dir")
    return {name: parameters[name] for name in names}


def prepare_report(
    teryt: str,
    first_year: int,
    last_year: int,
    language: str = "pl",
    peer_method: str = "nearest",
    peer_k: int = 20,
    peer_members: str = "",
    data_dir: str = "",
    precomputed: str = "",
) -> TownReport:
    """Compute the town's report, or load it from `precomputed` (a file `diagnoza build` wrote)."""
    if precomputed:
        return load_report(precomputed, teryt, first_year, last_year, language)
    store, all_values = load_store_and_values(data_dir)
    unit = store.unit(teryt)
    rule = PeerRule(method=peer_method, k=peer_k, members=parse_members(peer_members))
    features = _matching_features(data_dir, last_year)
    peers = choose_peers(teryt, store.units, all_values, rule, last_year, features)
    years = all_values.index.get_level_values("year")
    towns = all_values.index.get_level_values("teryt")
    in_years = (years >= first_year) & (years <= last_year)
    values = all_values.loc[towns.isin((teryt, *peers.members)) & in_years]
    counts = variable_panel(store, [teryt]).xs(teryt, level="teryt")
    counts = counts.loc[(counts.index >= first_year) & (counts.index <= last_year)]
    comparison = compare_town(teryt, peers.members, values, last_year, counts=counts, matching=peers.matching)
    trends = indicator_trends(values, teryt, peers.members)
    population = all_values.loc[in_years, "population"].unstack("year")
    projection = project(population.loc[teryt], store_backtest(population))
    verdicts = section_verdicts(comparison)
    strongest, weakest = clearest(comparison)
    sensitivity = peer_sensitivity(teryt, store.units, all_values.loc[years <= last_year], last_year, counts,
                                   features=features, known={rule: (len(peers.members), comparison)})
    robust = robust_to_peer_rule(verdicts, sensitivity)
    town_population = values["population"].xs(teryt, level="teryt")
    population_trend = robust_trend(town_population)
    peers_population = values.loc[values.index.get_level_values("teryt") != teryt, "population"].unstack("teryt")
    population_trend_vs_peers = robust_trend(difference_series(town_population, peers_population.reindex(
        town_population.index), "population"))
    narrative = {section: section_sentences(comparison, section, language) for section in SECTIONS}
    narrative["demography"][:0] = population_sentences(comparison, unit["name"], population_trend,
                                                       population_trend_vs_peers, projection, language)
    narrative["summary"] = summary_sentences(verdicts, robust, strongest, weakest, language)
    peer_units = store.units.set_index("teryt").loc[list(peers.members)].reset_index()
    latest = values.xs(last_year, level="year")["population"] if last_year in values.index.get_level_values("year") \
        else pd.Series(dtype=float)
    peer_units["population"] = peer_units["teryt"].map(latest)
    return TownReport(
        teryt=teryt, name=str(unit["name"]), kind=str(unit["kind"]), voivodeship=str(unit["voivodeship"]),
        language=language, first_year=first_year, last_year=last_year, synthetic=store.synthetic,
        peers=peers, peer_units=peer_units, values=values, comparison=comparison, narrative=narrative,
        verdicts=verdicts, strongest=strongest, weakest=weakest, sensitivity=sensitivity, robust=robust,
        counts=counts, population_trend=population_trend, population_trend_vs_peers=population_trend_vs_peers,
        projection=projection, trends=trends,
    )
