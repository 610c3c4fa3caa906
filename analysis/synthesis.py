"""The diagnosis in brief: a verdict per section, the clearest strengths and weaknesses, and
how the verdicts hold under other peer groups.

Section score: the judged indicators' bounded scores (analysis.scoring) are
averaged within each sub-domain of the catalogue first, then across sub-domains,
so three age shares that move together count as one voice, not three. A section
whose judged indicators cover less than `MIN_COVERAGE` of those it could judge,
or fewer than `MIN_SUBDOMAINS` sub-domains, gets no verdict, and says why.
Every score comes with its drop-one range: the lowest and highest score when any
single indicator is left out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.catalogue import SECTIONS, indicators
from analysis.peers import PeerRule, TooFewPeers, choose_peers
from analysis.rounding import round_half_up
from analysis.scoring import STRENGTH, WEAKNESS, judged_by_design

VERDICT_BAND = 0.25  # |score| below this: "similar to the typical peer" (about the peers' middle half)
SCORE_DECIMALS = 2  # a score is printed, and read against the band, to this many decimals
MIN_COVERAGE = 0.5  # share of the section's judgeable indicators that must be judged
MIN_SUBDOMAINS = 2

BETTER, SIMILAR, WORSE, NO_VERDICT = "better", "similar", "worse", "none"


def judgeable(section: str, matching: tuple[str, ...] = ()) -> list[str]:
    """The section's indicators that a verdict could use: directional, not matched on."""
    return [i.id for i in indicators().values() if i.section == section and judged_by_design(i, i.id in matching)]


def aggregate_score(scores, subdomains) -> float:
    """Mean over sub-domains of the mean score within each (NaN scores left out)."""
    scores, subdomains = np.asarray(scores, dtype=float), np.asarray(subdomains, dtype=object)
    present = ~np.isnan(scores)
    if not present.any():
        return math.nan
    groups = [scores[present & (subdomains == name)].mean() for name in dict.fromkeys(subdomains[present])]
    return float(np.mean(groups))


def score_shares(scores, subdomains) -> np.ndarray:
    """Each indicator's part of the section score (`aggregate_score`): its score over the number of
    sub-domains times the number of indicators in its own; the parts sum to the score (NaN: no part)."""
    scores, subdomains = np.asarray(scores, dtype=float), np.asarray(subdomains, dtype=object)
    present = ~np.isnan(scores)
    groups = set(subdomains[present])
    sizes = np.array([np.sum(present & (subdomains == name)) for name in subdomains])
    return np.where(present, scores / (len(groups) * np.maximum(sizes, 1)), np.nan)


def drop_one_scores(scores: np.ndarray, subdomains: np.ndarray, judgeable_count: int | None = None) -> np.ndarray:
    """The section score without each judged indicator in turn (the k-th without the k-th). With
    `judgeable_count`, by the whole rule (`scored_verdict`): NaN where without it the section would have no
    verdict (too few of its indicators judged, or one sub-domain left)."""
    keeps = ~np.eye(len(scores), dtype=bool)
    if judgeable_count is None:
        return np.array([aggregate_score(scores[keep], subdomains[keep]) for keep in keeps])
    return np.array([scored_verdict(scores[keep], subdomains[keep], judgeable_count)[0] for keep in keeps])


def verdict_of(score: float, band: float = VERDICT_BAND) -> str:
    """The verdict of a score as the report prints it (rounded half away from zero to `SCORE_DECIMALS`):
    a reader who sees "−0,25" beside a band of ±0,25 must read "worse", whatever the third decimal was."""
    if math.isnan(score):
        return NO_VERDICT
    printed = float(round_half_up(score, SCORE_DECIMALS))
    return BETTER if printed >= band else WORSE if printed <= -band else SIMILAR


def scored_verdict(scores, subdomains, judgeable_count: int, band: float = VERDICT_BAND) -> tuple[float, str, str]:
    """(score, verdict, reason) of a section from its judged indicators' scores and sub-domains.

    The whole rule on plain arrays, so that the validation can re-run it without any one indicator
    (analysis.validation). `judgeable_count`: how many the section could judge (coverage's denominator).
    reason: "" with a verdict; without one "no_data", "low_coverage" (under `MIN_COVERAGE`) or "one_subdomain"
    (enough indicators, but of fewer than `MIN_SUBDOMAINS` sub-domains: a report said "too little data" beside
    7 of 13 judged, where its method names half as enough).
    """
    scores, subdomains = np.asarray(scores, dtype=float), np.asarray(subdomains, dtype=object)
    coverage = len(scores) / judgeable_count if judgeable_count else 0.0
    if len(scores) == 0 or not judgeable_count:
        return math.nan, NO_VERDICT, "no_data"
    if coverage < MIN_COVERAGE:
        return math.nan, NO_VERDICT, "low_coverage"
    if len(set(subdomains)) < MIN_SUBDOMAINS:
        return math.nan, NO_VERDICT, "one_subdomain"
    score = aggregate_score(scores, subdomains)
    return score, verdict_of(score, band), ""


def section_inputs(comparison: pd.DataFrame, section: str) -> tuple[pd.Index, np.ndarray, np.ndarray, int]:
    """What a section verdict reads: its judged indicators (ids, scores, sub-domains) and how many it could judge."""
    rows = comparison.loc[comparison["section"] == section]
    judged = rows.loc[rows["judged"]]
    possible = judgeable(section, tuple(rows.index[rows["matching"]]))
    return judged.index, judged["score"].to_numpy(float), judged["subdomain"].to_numpy(object), len(possible)


def section_verdict(comparison: pd.DataFrame, section: str, band: float = VERDICT_BAND) -> dict:
    """Score, verdict, coverage and drop-one range of one section.

    `hinges_on`: the indicator whose omission would change the verdict most (the
    one moving the score furthest across a band edge), "" when no single indicator
    can change it; `verdict_without` is the verdict without it.
    """
    ids, scores, names, judgeable_count = section_inputs(comparison, section)
    score, verdict, reason = scored_verdict(scores, names, judgeable_count, band)
    result = {
        "section": section,
        "score": score,
        "verdict": verdict,
        "judged": len(ids),
        "judgeable": judgeable_count,
        "coverage": len(ids) / judgeable_count if judgeable_count else 0.0,
        "subdomains": len(set(names)),
        "drop_low": math.nan,
        "drop_high": math.nan,
        "hinges_on": "",
        "verdict_without": "",
        "reason": reason,
        # The parts of the score from the strengths, from the weaknesses and from both; the rest is the others'.
        "strengths_part": math.nan,
        "weaknesses_part": math.nan,
        "marked_part": math.nan,
    }
    if verdict == NO_VERDICT:
        return result
    shares, assessments = score_shares(scores, names), comparison.loc[ids, "assessment"].to_numpy()
    result["strengths_part"] = float(np.nansum(shares[assessments == STRENGTH]))
    result["weaknesses_part"] = float(np.nansum(shares[assessments == WEAKNESS]))
    result["marked_part"] = result["strengths_part"] + result["weaknesses_part"]
    dropped = drop_one_scores(scores, names, judgeable_count)  # NaN: no verdict without it
    if not np.isnan(dropped).all():
        result.update(drop_low=float(np.nanmin(dropped)), drop_high=float(np.nanmax(dropped)))
    changed = [k for k, value in enumerate(dropped) if verdict_of(value, band) != verdict]
    if changed:
        # The omission moving the score furthest across a band edge; one that leaves no verdict only where none
        # leaves another (the first such, in the catalogue's order).
        k = max(
            changed,
            key=lambda k: (not math.isnan(dropped[k]), 0.0 if math.isnan(dropped[k]) else abs(dropped[k] - score)),
        )
        result.update(hinges_on=ids[k], verdict_without=verdict_of(dropped[k], band))
    return result


def section_verdicts(comparison: pd.DataFrame) -> pd.DataFrame:
    """One row per section (index): score, verdict, judged/judgeable, coverage, sub-domains, drop-one range."""
    return pd.DataFrame([section_verdict(comparison, s) for s in SECTIONS]).set_index("section")


def clearest(comparison: pd.DataFrame, n: int = 5) -> tuple[list[str], list[str]]:
    """Up to n strengths and n weaknesses by the one rule, the furthest from the peers first: by the distance
    from the peer median, which the score caps at ±2 (several strengths at the cap are not equally far); equal
    distances in the catalogue's order."""
    strengths = comparison.loc[comparison["assessment"] == STRENGTH].sort_values(
        "distance", ascending=False, kind="stable"
    )
    weaknesses = comparison.loc[comparison["assessment"] == WEAKNESS].sort_values("distance", kind="stable")
    return list(strengths.index[:n]), list(weaknesses.index[:n])


SENSITIVITY_RULES = (
    PeerRule(method="nearest", k=10),
    PeerRule(method="nearest", k=20),
    PeerRule(method="nearest", k=40),
    PeerRule(method="voivodeship"),
    PeerRule(method="population_class"),
)


def rule_key(rule: PeerRule) -> str:
    """`nearest_20`, `voivodeship`: a peer rule as a row label of the sensitivity table."""
    return f"{rule.method}_{rule.k}" if rule.method == "nearest" else rule.method


def peer_sensitivity(
    town: str,
    units: pd.DataFrame,
    values: pd.DataFrame,
    year: int,
    counts: pd.DataFrame | None = None,
    rules: tuple[PeerRule, ...] = SENSITIVITY_RULES,
    features: pd.DataFrame | None = None,
    known: dict[PeerRule, tuple[int, pd.DataFrame]] | None = None,
    first_year: int | None = None,
    low_precision: frozenset[tuple[str, int]] = frozenset(),
) -> pd.DataFrame:
    """The section verdicts and scores under each alternative peer rule (rows), computed as the report's own.

    If a verdict holds only under one rule, the reader should know. A rule that
    cannot be applied gives no verdict rather than an error, and `peers` the number it found where
    that was too few (`TooFewPeers`), else 0.
    `features`: the matching features of `year`, if already computed (see `choose_peers`);
    `known`: rule -> (peer count, comparison) already computed (the report's own rule);
    `first_year`: the report's first year, before which no value is compared (`compare_town`);
    `low_precision`: the town's figures GUS marks so, not ranked under any rule (`compare_town`).
    """
    from analysis.compare import compare_town

    rows = {}
    teryts = values.index.get_level_values("teryt")
    for rule in rules:
        row: dict = {"peers": 0} | {s: NO_VERDICT for s in SECTIONS} | {f"{s}_score": math.nan for s in SECTIONS}
        if known and rule in known:
            row["peers"], comparison = known[rule]
        else:
            try:
                group = choose_peers(town, units, values, rule, year, features)
            except ValueError as error:
                row["peers"] = error.found if isinstance(error, TooFewPeers) else 0
                rows[rule_key(rule)] = row
                continue
            subset = values.loc[teryts.isin((town, *group.members))]
            comparison = compare_town(
                town,
                group.members,
                subset,
                year,
                counts=counts,
                matching=group.matching,
                first_year=first_year,
                low_precision=low_precision,
            )
            row["peers"] = len(group.members)
        verdicts = section_verdicts(comparison)
        for section in SECTIONS:
            row[section] = verdicts.at[section, "verdict"]
            row[f"{section}_score"] = verdicts.at[section, "score"]
        rows[rule_key(rule)] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def robust_to_peer_rule(verdicts: pd.DataFrame, sensitivity: pd.DataFrame) -> dict[str, bool | None]:
    """Per section: does every applicable alternative rule give the report's verdict? None without a verdict."""
    result: dict[str, bool | None] = {}
    for section in SECTIONS:
        verdict = verdicts.at[section, "verdict"]
        applicable = sensitivity.loc[(sensitivity["peers"] > 0) & (sensitivity[section] != NO_VERDICT), section]
        result[section] = None if verdict == NO_VERDICT else bool((applicable == verdict).all())
    return result
