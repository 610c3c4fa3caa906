"""docs/validation.md and docs/validation.json: how well the method does on the demo store, measured.

Generated, like the methodology, so the numbers cannot drift from the code (a test
fails when the committed files are stale). Every figure is recomputed here from the
store and the batch with the same functions the reports use:

- projection: the pooled multi-origin backtest (analysis.projection); coverage of
  the nominal 95% interval is measured on towns left out of its calibration
  (two folds of towns, each calibrated on the other);
- scores: the section verdicts of the demo batch, and how often dropping a single
  indicator changes them (the whole verdict rule re-run without it);
- census step: how many judged population changes (and demography verdicts) would move if judged without
  the 2021 census step, the size of a documented choice;
- trends: coverage of the trend interval (ρ pooled as reports pool it) on simulated series with known slope,
  autocorrelation and an outlier, and how often the town-versus-peers test finds a difference where there
  is none;
- correlation audit: Spearman correlations between the indicators of each sub-domain
  across all towns of the store in the last year.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from analysis.catalogue import SECTIONS, SUBDOMAINS, Direction, indicators
from analysis.census import CHANGE_SPANS, LEVEL_BREAKS
from analysis.gus_marks import low_precision_figures
from analysis.labels import label
from analysis.params import load_batch
from analysis.paths import PARAMS_DIR
from analysis.peers import choose_peers, matching_features
from analysis.projection import (
    BENCHMARK,
    HORIZON,
    LEAN,
    METHODS,
    Backtest,
    backtest,
    backtest_population,
    horizon_error,
)
from analysis.reliability import NOT_RANKED_BELOW, UNRELIABLE_BELOW
from analysis.report import (
    TownReport,
    compared_values,
    load_store_and_values,
    prepare_report,
    town_comparison,
    town_counts,
    trend_values,
)
from analysis.scoring import interval_includes_median
from analysis.synthesis import (
    BETTER,
    NO_VERDICT,
    SIMILAR,
    VERDICT_BAND,
    WORSE,
    drop_one_scores,
    scored_verdict,
    section_inputs,
    section_verdicts,
    verdict_of,
)
from analysis.town import TownParams
from analysis.trends import MAX_RHO, RHO_CONFIDENCE, pooled_lag1, robust_trend

DEMO_BATCH = PARAMS_DIR / "demo.yaml"
TREND_SIMULATIONS = 1260  # 60 groups of 21 per case: coverage within about ±1.5 points
TREND_GROUP = 21  # a town and its 20 peers: the series a report pools ρ over
TREND_RHOS = (
    0.0,
    0.3,
    0.5,
    0.7,
    0.9,
    1.0,
)  # real yearly series reach 0.6–0.7 (Durbin–Watson 0.5–0.8); 1: a random walk
ALTERNATIVE_BANDS = (0.25, 0.5, 0.75, 1.0)  # the stability / informativeness trade-off, shown in the document
TREND_SEED = 20261129


def _round(value: float, digits: int = 4) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), digits)


def median_errors(result: Backtest, method: str, origins: slice) -> np.ndarray:
    """HORIZON: the median error of `method`'s forecasts from `origins` (indices), 1 to HORIZON years ahead, in
    units of each town's noise (negative: the population fell below the forecast); NaN where none reach so far."""
    scaled = (result.errors[method][:, origins] / result.noise[:, origins, None]).reshape(-1, HORIZON)
    return np.array([np.nanmedian(column) if np.isfinite(column).any() else np.nan for column in scaled.T])


def shift_in_time(result: Backtest, method: str) -> list[dict]:
    """What shifting the forecast by its lean would have done, in time order: for each origin but the last, the
    median errors of the forecasts from it and the earlier ones (`median_errors`), taken off those from
    the later origins (each town's noise times the median at each horizon). Their mean absolute error with the
    shift, relative to without it: below 1 where a lean learnt from the past held in the later years."""
    rows = []
    for last in range(len(result.origins) - 1):
        shift = median_errors(result, method, slice(0, last + 1))
        later = result.errors[method][:, last + 1 :]
        shifted = later - shift * result.noise[:, last + 1 :, None]
        present = np.isfinite(later) & np.isfinite(shifted)
        rows.append(
            {
                "learnt_from": [result.origins[0], result.origins[last]],
                "applied_to": [result.origins[last + 1], result.origins[-1]],
                "shift": [_round(value, 2) for value in shift],
                "mae_relative_to_unshifted": _round(np.abs(shifted[present]).mean() / np.abs(later[present]).mean()),
            }
        )
    return rows


def projection_validation(population: pd.DataFrame) -> dict:
    result = backtest(population)
    towns = np.arange(len(result.towns))
    folds = (towns % 2 == 0, towns % 2 == 1)
    chosen = result.chosen
    coverage = np.mean([result.coverage(chosen, folds[a], folds[1 - a]) for a in (0, 1)])
    out_of_fold = []  # choose the method on one fold, score it on the other
    for a in (0, 1):
        pick = min(METHODS, key=lambda m: (result.mae(m, folds[a]), m != BENCHMARK))
        out_of_fold.append(result.mae(pick, folds[1 - a]) / result.mae(BENCHMARK, folds[1 - a]))
    return {
        "towns": len(result.towns),
        "origins": list(result.origins),
        "horizon": HORIZON,
        "chosen_method": chosen,
        "coverage_95": _round(coverage),
        "coverage_95_by_method": {
            m: _round(np.mean([result.coverage(m, folds[a], folds[1 - a]) for a in (0, 1)])) for m in METHODS
        },
        "mase_vs_drift": _round(result.mae(chosen) / result.mae(BENCHMARK)),
        "mase_vs_drift_out_of_fold": _round(float(np.mean(out_of_fold))),
        "mae_by_method": {m: _round(result.mae(m)) for m in METHODS},
        "mae_at_horizon_pct": {m: _round(horizon_error(result, m), 3) for m in METHODS},
        "share_below_forecast_at_horizon": {m: _round(result.share_below(m)) for m in METHODS},
        "median_error_by_origin": {
            str(origin): [_round(value, 2) for value in median_errors(result, chosen, slice(k, k + 1))]
            for k, origin in enumerate(result.origins)
        },
        "shift_in_time": shift_in_time(result, chosen),
    }


ETS_SAMPLE_EVERY = 5  # every fifth town: statsmodels' ETS fits cost ~25 ms each


def ets_reference(population: pd.DataFrame) -> dict:
    """statsmodels' ETS (additive damped trend, the method reports used before) in the same backtest, on a
    sample of towns: its error against drift on the same forecasts, and the coverage of its own 95% intervals.

    Its figures are an optimiser's and move with statsmodels and scipy releases (those installed on
    2026-11-30 moved them by about 0.02), so the version that computed them is recorded beside them."""
    import warnings

    import statsmodels
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    from analysis.census import rebase
    from analysis.projection import MIN_TRAIN, _drift

    complete = population.dropna()
    complete = complete.loc[(complete > 0).all(axis=1)].iloc[::ETS_SAMPLE_EVERY]
    years = complete.columns.to_numpy(dtype=int)
    logs = rebase(np.log(complete.to_numpy(dtype=float)), years)
    ets_errors, drift_errors, inside = [], [], []
    for row in logs:
        for end in range(MIN_TRAIN - 1, len(years) - 1):
            ahead = min(HORIZON, len(years) - 1 - end)
            history = pd.Series(np.exp(row[: end + 1]), index=pd.period_range(str(years[0]), periods=end + 1, freq="Y"))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence chatter on short annual series
                fit = ETSModel(history, error="add", trend="add", damped_trend=True).fit(disp=False)
                frame = fit.get_prediction(start=end + 1, end=end + ahead).summary_frame(alpha=0.05)
            actual = row[end + 1 : end + 1 + ahead]
            ets_errors += list(actual - np.log(frame["mean"].to_numpy()))
            drift_errors += list(actual - _drift(row[None, : end + 1], ahead)[0])
            inside += list(
                (np.exp(actual) >= frame["pi_lower"].to_numpy()) & (np.exp(actual) <= frame["pi_upper"].to_numpy())
            )
    return {
        "method": "statsmodels ETS(A,Ad,N) on population",
        "statsmodels": statsmodels.__version__,
        "towns": len(complete),
        "mae_vs_drift": _round(float(np.mean(np.abs(ets_errors)) / np.mean(np.abs(drift_errors)))),
        "coverage_95": _round(float(np.mean(inside))),
    }


def batch_comparisons(pooled: bool = True, rebased_changes: bool = False) -> dict[str, pd.DataFrame]:
    """Every demo town's comparison, as its report computes it (pooled values, counts up to the last year);
    with `pooled=False`, as it would be on single years (what pooling changes); with `rebased_changes`, as it
    would be with the population changes judged without the census step (`census_step_validation`)."""
    batch = load_batch(DEMO_BATCH)
    store, values = load_store_and_values(batch.data or "")
    units = store.units
    year = batch.years.last
    features = matching_features(values, year)
    compared = compared_values(batch.data or "") if pooled else values
    if rebased_changes:
        rebased = trend_values(batch.data or "", year)
        compared = compared.assign(**{name: rebased[name].reindex(compared.index) for name in CHANGE_SPANS})
    catalogue = (
        indicators() if pooled else {i: ind.model_copy(update={"pool_years": 1}) for i, ind in indicators().items()}
    )
    comparisons = {}
    for teryt in batch.teryts:
        group = choose_peers(teryt, units, values, batch.peer_rule(teryt), year, features)
        counts = town_counts(store, teryt, year)
        imprecise = low_precision_figures(store.observations, teryt)
        comparisons[teryt] = town_comparison(
            teryt, group, compared, counts, batch.years.first, year, catalogue, low_precision=imprecise
        )
    return comparisons


def _report_verdict(scores: np.ndarray, subdomains: np.ndarray, judgeable_count: int, band: float) -> str:
    """The reports' rule (analysis.synthesis)."""
    return scored_verdict(scores, subdomains, judgeable_count, band)[1]


def _robust_verdict(scores: np.ndarray, subdomains: np.ndarray, judgeable_count: int, band: float) -> str:
    """An alternative for the statistician to weigh, not used by the reports: "better" or "worse" only
    where no single omission changes it, "similar" otherwise."""
    verdict = _report_verdict(scores, subdomains, judgeable_count, band)
    if verdict in (BETTER, WORSE) and any(verdict_of(s, band) != verdict for s in drop_one_scores(scores, subdomains)):
        return SIMILAR
    return verdict


def _median_verdict(scores: np.ndarray, subdomains: np.ndarray, judgeable_count: int, band: float) -> str:
    """Another alternative, not used by the reports: the median of the indicators' scores, the robust summary
    a statistician would try first (one omission moves it only within the middle pair), where the reports'
    rule gives a verdict."""
    if _report_verdict(scores, subdomains, judgeable_count, band) == NO_VERDICT:
        return NO_VERDICT
    return verdict_of(float(np.median(scores)), band)


VERDICT_RULES = {
    "report": _report_verdict,
    "robust_to_one_omission": _robust_verdict,
    "median_of_scores": _median_verdict,
}


def all_section_inputs(comparisons: dict[str, pd.DataFrame]) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """What every section verdict of the batch reads (`section_inputs` without the ids), read once: each
    rule and band of `_flip_rates` re-runs its verdicts on these, not on the comparisons (12 times over)."""
    return [section_inputs(comparison, section)[1:] for comparison in comparisons.values() for section in SECTIONS]


def _flip_rates(sections: list[tuple[np.ndarray, np.ndarray, int]], band: float, rule: str = "report") -> dict:
    """How often omitting one judged indicator changes a stated section verdict (the rule re-run without it),
    over `sections` (`all_section_inputs`)."""
    verdict_of_rule = VERDICT_RULES[rule]
    counts: dict[str, int] = {}
    stated = any_flip = drops = drop_flips = 0
    for scores, subdomains, judgeable_count in sections:
        verdict = verdict_of_rule(scores, subdomains, judgeable_count, band)
        counts[verdict] = counts.get(verdict, 0) + 1
        if verdict == NO_VERDICT:
            continue
        stated += 1
        flips = [
            verdict_of_rule(scores[keep], subdomains[keep], judgeable_count, band) != verdict
            for keep in ~np.eye(len(scores), dtype=bool)
        ]
        drops += len(flips)
        drop_flips += sum(flips)
        any_flip += any(flips)
    return {
        "rule": rule,
        "band": band,
        "verdicts": dict(sorted(counts.items())),
        "flip_rate_drop_one": _round(any_flip / stated),
        "flip_rate_per_dropped_indicator": _round(drop_flips / drops),
    }


def _few_events(comparisons: dict[str, pd.DataFrame], reliability: str) -> int:
    return int(sum((c["reliability"] == reliability).sum() for c in comparisons.values()))


def omission_effects(stated: pd.DataFrame, band: float = VERDICT_BAND) -> dict:
    """What one omitted indicator does to the reports' verdicts, section by section: how far it can move the
    score (the largest single-omission move), how often that crosses a band edge, and whether it ever turns
    a verdict into its opposite (better into worse or back), which would be the dangerous kind of flip."""
    stated = stated.reset_index()  # one row per (town, section)
    move = np.maximum(stated["score"] - stated["drop_low"], stated["drop_high"] - stated["score"])
    # A flip: the score without some indicator across a band edge, or no verdict left without one (a section at
    # its coverage floor, or with one sub-domain left: `synthesis.section_verdict` names that one only where no
    # omission crosses an edge).
    flips = (
        (stated["drop_low"].map(lambda s: verdict_of(s, band)) != stated["verdict"])
        | (stated["drop_high"].map(lambda s: verdict_of(s, band)) != stated["verdict"])
        | (stated["verdict_without"] == NO_VERDICT)
    )
    reverses = ((stated["verdict"] == BETTER) & (stated["drop_low"] <= -band)) | (
        (stated["verdict"] == WORSE) & (stated["drop_high"] >= band)
    )
    by_section = {
        section: {
            "verdicts": int(len(rows)),
            "judged_indicators_median": _round(float(rows["judged"].median()), 1),
            "largest_move_median": _round(float(move[rows.index].median())),
            "score_sd": _round(float(rows["score"].std())),
            "flip_rate_drop_one": _round(float(flips[rows.index].mean())),
        }
        for section, rows in stated.groupby("section", sort=False)
    }
    return {
        "reversal_rate_drop_one": _round(float(reverses.mean())),
        "reversals": [
            {key: row[key] for key in ("teryt", "section", "verdict", "hinges_on", "verdict_without")}
            for _, row in stated.loc[reverses].iterrows()
        ],
        "left_without_verdict": int((stated["verdict_without"] == NO_VERDICT).sum()),
        "by_section": by_section,
    }


def scores_validation(comparisons: dict[str, pd.DataFrame], single_years: dict[str, pd.DataFrame]) -> dict:
    table = pd.concat({teryt: section_verdicts(c) for teryt, c in comparisons.items()}, names=["teryt"])
    stated = table.loc[table["verdict"] != NO_VERDICT]
    sections = all_section_inputs(comparisons)
    by_rule_and_band = [_flip_rates(sections, band, rule) for rule in VERDICT_RULES for band in ALTERNATIVE_BANDS]
    chosen = next(
        (r for r in by_rule_and_band if r["rule"] == "report" and r["band"] == VERDICT_BAND), None
    ) or _flip_rates(sections, VERDICT_BAND)
    effects = omission_effects(stated)
    return {
        "section_verdicts": len(table),
        "verdicts": chosen["verdicts"],
        "verdict_band": VERDICT_BAND,
        "verdict_flip_rate_drop_one": chosen["flip_rate_drop_one"],
        "verdict_flip_rate_per_dropped_indicator": chosen["flip_rate_per_dropped_indicator"],
        "verdicts_hinging_on_one_indicator": _round(float((stated["hinges_on"] != "").mean())),
        "verdict_reversal_rate_drop_one": effects["reversal_rate_drop_one"],
        "verdict_reversals_drop_one": effects["reversals"],
        "verdicts_left_without_one_by_one_omission": effects["left_without_verdict"],
        "omission_by_section": effects["by_section"],
        "flip_rate_by_band": by_rule_and_band,
        "max_abs_score": _round(float(stated["score"].abs().max())),
        "score_scale": "bounded: each indicator within ±2, the section a mean of sub-domain means",
        "strengths_per_town": _round(
            float(np.mean([(c["assessment"] == "strength").sum() for c in comparisons.values()])), 2
        ),
        "weaknesses_per_town": _round(
            float(np.mean([(c["assessment"] == "weakness").sum() for c in comparisons.values()])), 2
        ),
        "not_ranked_values": _few_events(comparisons, "not_ranked"),
        "uncertain_values": _few_events(comparisons, "unreliable"),
        "single_year_not_ranked_values": _few_events(single_years, "not_ranked"),  # were nothing pooled over years
        "single_year_uncertain_values": _few_events(single_years, "unreliable"),
        "judged_values": int(sum(c["judged"].sum() for c in comparisons.values())),
        "judged_values_within_chance": _within_chance(comparisons),
    }


def _within_chance(comparisons: dict[str, pd.DataFrame]) -> int:
    """Judged values whose 95% interval includes the peer median: each scores 0 (`scoring.bounded_score`)."""
    judged = pd.concat([c.loc[c["judged"], ["peer_median", "ci_low", "ci_high"]] for c in comparisons.values()])
    return sum(interval_includes_median(*bounds) for bounds in judged.itertuples(index=False))


def census_step_validation(comparisons: dict[str, pd.DataFrame], rebased: dict[str, pd.DataFrame]) -> dict:
    """What judging the 5- and 10-year population changes without the census step would change: the reports
    judge them as published, step included (a documented caveat); this is the size of that choice."""
    judged = changed = 0
    for teryt, comparison in comparisons.items():
        for name in CHANGE_SPANS:
            if comparison.at[name, "judged"] or rebased[teryt].at[name, "judged"]:
                judged += 1
                changed += comparison.at[name, "assessment"] != rebased[teryt].at[name, "assessment"]
    verdicts = [
        (
            section_verdicts(comparison).at["demography", "verdict"],
            section_verdicts(rebased[t]).at["demography", "verdict"],
        )
        for t, comparison in comparisons.items()
    ]
    return {
        "judged_changes": judged,
        "assessments_changed_if_rebased": int(changed),
        "demography_verdicts_changed_if_rebased": sum(before != after for before, after in verdicts),
    }


def correlation_audit(values: pd.DataFrame, year: int) -> dict:
    latest = values.xs(year, level="year")
    audit = {}
    for section in SECTIONS:
        for subdomain in SUBDOMAINS[section]:
            members = [
                i.id
                for i in indicators().values()
                if i.subdomain == subdomain and i.section == section and i.direction != Direction.NEUTRAL
            ]
            pairs = []
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    rho = latest[members[a]].corr(latest[members[b]], method="spearman")
                    pairs.append({"a": members[a], "b": members[b], "spearman": _round(rho, 3)})
            audit[subdomain] = {
                "indicators": members,
                "pairs": pairs,
                "max_abs_spearman": _round(
                    max((abs(p["spearman"]) for p in pairs if p["spearman"] is not None), default=math.nan), 3
                ),
            }
    return audit


def trend_validation(trending: pd.DataFrame, first_year: int, last_year: int) -> dict:
    """Coverage of the 95% trend interval as reports form it, on simulated towns with a known slope.

    Each case draws groups of `TREND_GROUP` series of 11 years (a town and its 20 peers) with slope 0.5 and
    AR(1) noise of the case's ρ (optionally one outlier of 8 standard deviations in each), pools ρ over each
    group as the reports do (`pooled_lag1`: its upper bound) and counts the series whose interval holds 0.5;
    and those whose interval holds it with ρ = 1, as a stock's is formed (`trend_rho`). The town-versus-peers
    test is run on the same groups, each member in turn the town and the other 20 its peers: they share one
    trend, so every difference it calls clear is a false alarm (nominally 5%). `trending`: the store's
    re-based indicators, whose ρ estimated over all towns is listed per indicator (what the reports' groups
    meet)."""
    rng = np.random.default_rng(TREND_SEED)
    years = np.arange(2014, 2025)
    line = 0.5 * np.arange(len(years))
    cases = []
    for rho in TREND_RHOS:
        for outlier in (False, True):
            inside, inside_as_stock, false_alarms, false_alarms_as_stock, estimates = 0, 0, 0, 0, []
            for _ in range(TREND_SIMULATIONS // TREND_GROUP):
                shocks = rng.normal(size=(TREND_GROUP, len(years)))
                noise = np.empty_like(shocks)
                noise[:, 0] = shocks[:, 0] / math.sqrt(1 - rho**2) if rho < 1 else 0.0  # 1: a random walk
                for k in range(1, len(years)):
                    noise[:, k] = rho * noise[:, k - 1] + shocks[:, k]
                if outlier:
                    noise[np.arange(TREND_GROUP), rng.integers(len(years), size=TREND_GROUP)] += 8
                group = line + noise
                estimate = pooled_lag1(pd.DataFrame(group, columns=years))
                estimates.append(estimate)
                for member, series in enumerate(group):
                    trend = robust_trend(pd.Series(series, index=years), estimate)
                    inside += trend.low <= 0.5 <= trend.high
                    as_stock = robust_trend(pd.Series(series, index=years), MAX_RHO)  # trend_rho of a stock
                    inside_as_stock += as_stock.low <= 0.5 <= as_stock.high
                    # Each member in turn as the town, the other 20 its peers: one trend, so no true difference.
                    difference = pd.Series(series - np.median(np.delete(group, member, axis=0), axis=0), index=years)
                    false_alarms += robust_trend(difference, estimate).clear
                    false_alarms_as_stock += robust_trend(difference, MAX_RHO).clear
            drawn = len(estimates) * TREND_GROUP
            cases.append(
                {
                    "ar1": rho,
                    "outlier": outlier,
                    "coverage_95": _round(inside / drawn, 3),
                    "coverage_95_as_stock": _round(inside_as_stock / drawn, 3),
                    "false_alarm_vs_peers": _round(false_alarms / drawn, 3),
                    "false_alarm_vs_peers_as_stock": _round(false_alarms_as_stock / drawn, 3),
                    "ar1_estimated_median": _round(float(np.median(estimates)), 2),
                }
            )
    in_years = trending.loc[
        trending.index.get_level_values("year").to_series().between(first_year, last_year).to_numpy()
    ]
    # Over the whole store ρ is read closely: its estimate, not the bound a report's group of 21 needs.
    pooled = {
        column: _round(pooled_lag1(in_years[column].unstack("year"), confidence=0.5), 2) for column in in_years.columns
    }
    return {
        "years": len(years),
        "simulations_per_case": drawn,
        "group": TREND_GROUP,
        "cases": cases,
        "ar1_pooled_over_the_store": pooled,
    }


def differences_found(reports: dict[str, TownReport]) -> dict:
    """Per indicator, how many of the batch's `reports` test the town's trend against its peers' and how many
    of them find a clear difference (the mark in the tables): to read against the test's false alarms."""
    found = {}
    for indicator_id in indicators():
        tested = [r.trends.loc[indicator_id] for r in reports.values() if indicator_id in r.trends.index]
        tested = [row for row in tested if pd.notna(row["vs_peers"])]
        if tested:
            found[indicator_id] = {"tested": len(tested), "clear": sum(bool(row["vs_peers_clear"]) for row in tested)}
    return found


def batch_reports() -> dict[str, TownReport]:
    """Every demo town's report, as `diagnoza build` computes it (half a minute)."""
    return {teryt: prepare_report(TownParams(teryt=teryt)) for teryt in load_batch(DEMO_BATCH).teryts}


def validation_results(
    published: dict[str, pd.DataFrame] | None = None,
    single_years: dict[str, pd.DataFrame] | None = None,
    rebased: dict[str, pd.DataFrame] | None = None,
    reports: dict[str, TownReport] | None = None,
) -> dict:
    """Every figure of docs/validation.*; the three sets of comparisons it measures (`batch_comparisons`: as
    the reports have them, on single years, without the census step) and the batch's reports (`batch_reports`)
    are computed unless given."""
    batch = load_batch(DEMO_BATCH)
    _, values = load_store_and_values(batch.data or "")
    population = backtest_population(values, batch.years.first, batch.years.last)
    comparisons = published if published is not None else batch_comparisons()
    return {
        "store": "embedded demo store (synthetic)",
        "batch": batch.batch,
        "towns": len(batch.teryts),
        "years": [batch.years.first, batch.years.last],
        "projection": projection_validation(population) | {"ets_reference": ets_reference(population)},
        "scores": scores_validation(
            comparisons, single_years if single_years is not None else batch_comparisons(pooled=False)
        ),
        "census_step": census_step_validation(
            comparisons, rebased if rebased is not None else batch_comparisons(rebased_changes=True)
        ),
        "trends": trend_validation(
            trend_values(batch.data or "", batch.years.last), batch.years.first, batch.years.last
        )
        | {"differences_found_vs_peers": differences_found(reports if reports is not None else batch_reports())},
        "correlation_audit": correlation_audit(values, batch.years.last),
    }


def render_json(results: dict) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"


def _lean_in_time_lines(p: dict) -> list[str]:
    """Whether the chosen method's lean holds from one origin to the next: why the reports do not shift by it."""
    by_origin, shifts = p["median_error_by_origin"], p["shift_in_time"]
    reaching = [origin for origin, medians in by_origin.items() if medians[-1] is not None]
    ratios = [row["mae_relative_to_unshifted"] for row in shifts]

    def cells(values: list, between: str = " | ") -> str:
        return between.join("–" if value is None else f"{value:+.2f}".replace("-", "−") for value in values)

    horizons = " | ".join(f"{h} {'year' if h == 1 else 'years'}" for h in range(1, p["horizon"] + 1))
    return [
        "### Does the lean hold from year to year?",
        "",
        "The median error of the chosen method's forecasts from each origin, in units of each town's yearly noise",
        "(negative: the population fell below the forecast):",
        "",
        f"| origin | {horizons} |",
        "|---|" + "---|" * p["horizon"],
        *(f"| {origin} | {cells(medians)} |" for origin, medians in by_origin.items()),
        "",
        "A forecast shifted by the median errors of the origins up to a year (each town's noise times them), on the",
        "forecasts from the later origins, as far ahead as those reach:",
        "",
        f"| shift learnt from origins | applied to origins | shift, 1 to {p['horizon']} years ahead "
        "| error relative to no shift |",
        "|---|---|---|---|",
        *(
            f"| {'–'.join(dict.fromkeys(map(str, row['learnt_from'])))} "
            f"| {'–'.join(dict.fromkeys(map(str, row['applied_to'])))} | {cells(row['shift'], '; ')} "
            f"| {row['mae_relative_to_unshifted']} |"
            for row in shifts
        ),
        "",
        f"The reports do not shift the forecast: shifted, the later forecasts' error would have been {min(ratios)} to "
        f"{max(ratios)} times",
        f"the unshifted one, and the {p['horizon']}-year shift rests on the forecasts from {', '.join(reaching)} "
        "alone, which no later origin reaches far enough to check.",
    ]


def _reversal_lines(s: dict) -> list[str]:
    """The reversal rate, and where some omission turns a verdict into its opposite, which ones and why."""
    reversals = s["verdict_reversals_drop_one"]
    lines = [
        f"- `scores.verdict_reversal_rate_drop_one` = **{s['verdict_reversal_rate_drop_one']}**: share of stated verdicts",
        "  that some single omission turns into the opposite one (better into worse, or back)"
        + (
            ". Each of these rests on a sub-domain of two indicators that pull opposite ways (the economy's"
            if reversals
            else ". The flips"
        ),
    ]
    if reversals:
        lines += [
            "  investment: the share of investment spending and dwellings completed): without one, the other carries",
            "  the sub-domain, half the section. The report names that indicator and the verdict without it:",
            *(
                f"  - {r['teryt']} {r['section']}: {r['verdict']}, {r['verdict_without']} without `{r['hinges_on']}`"
                for r in reversals
            ),
            "- The other flips",
        ]
    lines[-1] += ' counted above are between "similar" and better or worse, at a band edge, or to none:'
    return lines


def render_markdown(results: dict) -> str:
    p, s, t = results["projection"], results["scores"], results["trends"]
    c = results["census_step"]
    lines = [
        "# Diagnoza — validation of the method",
        "",
        "*Generated by `diagnoza validation` from the embedded demo store and `params/demo.yaml`; do not edit by hand.",
        "The same numbers, machine-readable: [validation.json](validation.json). The method: [methodology.md](methodology.md).*",
        "",
        f"Store: {results['store']}; batch `{results['batch']}`, {results['towns']} towns, "
        f"years {results['years'][0]}–{results['years'][1]}.",
        "",
        "## Projection",
        "",
        f"Pooled backtest over {p['towns']} towns, origins {p['origins'][0]}–{p['origins'][-1]}, horizons 1–{p['horizon']} years.",
        "",
        "| method | mean absolute error (log) | relative to drift | error at 5 years | coverage of the 95% interval "
        "| population below the 5-year forecast |",
        "|---|---|---|---|---|---|",
    ]
    for method, mae in p["mae_by_method"].items():
        chosen = " **(chosen)**" if method == p["chosen_method"] else ""
        lines.append(
            f"| `{method}`{chosen} | {mae} | {mae / p['mae_by_method'][BENCHMARK]:.3f} | "
            f"{p['mae_at_horizon_pct'][method]} % | {p['coverage_95_by_method'][method]} | "
            f"{p['share_below_forecast_at_horizon'][method]} |"
        )
    lines += [
        "",
        f"- `projection.coverage_95` = **{p['coverage_95']}**: share of held-out years inside the nominal 95% interval,",
        "  measured on towns left out of the calibration (two folds of towns, each calibrated on the other). Target 0.90–0.98.",
        f"- `projection.mase_vs_drift` = **{p['mase_vs_drift']}** (chosen method's error with drift's as the scale; ≤ 1 is",
        f"  no worse than drift); choosing on one fold of towns and scoring on the other: {p['mase_vs_drift_out_of_fold']}.",
        "- Last column: the share of the 5-year forecasts that the actual population fell below; a method without a",
        f"  lean has about a half. Where the chosen method's share is at least {LEAN:.0%} (or at most {1 - LEAN:.0%}), the",
        "  reports say so, and that its interval, made of these errors, reaches further that way.",
        f"- Reference, the method the reports used before: {p['ets_reference']['method']} (statsmodels {p['ets_reference']['statsmodels']}), on every",
        f"  {ETS_SAMPLE_EVERY}th town ({p['ets_reference']['towns']}), same origins: error {p['ets_reference']['mae_vs_drift']} × drift's,",
        f"  its own 95% intervals covering {p['ets_reference']['coverage_95']} of the held-out years.",
        "",
        *_lean_in_time_lines(p),
        "",
        "## Section verdicts",
        "",
        f"{s['section_verdicts']} section verdicts ({results['towns']} towns × 3 sections): "
        + ", ".join(f"{v} {n}" for v, n in s["verdicts"].items())
        + ".",
        "",
        f"- `scores.verdict_flip_rate_drop_one` = **{s['verdict_flip_rate_drop_one']}**: share of stated verdicts that some",
        "  single-indicator omission changes (the whole rule re-run without it). Target ≤ 0.05.",
        f"- Per omitted indicator: {s['verdict_flip_rate_per_dropped_indicator']} of all (verdict, omitted indicator) pairs change;",
        f"  {s['verdicts_hinging_on_one_indicator']} of the stated verdicts hinge on one indicator (the report names it).",
        f"- `scores.max_abs_score` = **{s['max_abs_score']}** ({s['score_scale']}).",
        f"- Strengths per town {s['strengths_per_town']}, weaknesses {s['weaknesses_per_town']}; values not ranked for",
        f"  fewer than {NOT_RANKED_BELOW} events: {s['not_ranked_values']}; marked uncertain (fewer than {UNRELIABLE_BELOW}): "
        f"{s['uncertain_values']}. On",
        f"  single years, without the catalogue's pooling of rare events: {s['single_year_not_ranked_values']} and "
        f"{s['single_year_uncertain_values']}.",
        f"- Judged values whose 95% interval includes the peer median, a difference within chance that scores 0: "
        f"{s['judged_values_within_chance']} of {s['judged_values']}.",
        "",
        'The trade-off: a wider band of "similar" makes verdicts more stable and less informative. Rule `report`',
        "is the reports' own; `robust_to_one_omission`, an alternative not in use, says better or worse only where",
        "no single omission changes it (similar otherwise); `median_of_scores`, another, bands the median of the",
        "judged indicators' scores instead of the mean of sub-domain means.",
        "",
        "How stable a verdict can be depends on how far a section's indicators move together: the more they share,",
        "the less any one of them decides. The demo store's indicators share two town traits (vitality, ageing),",
        "set so that its correlations between births, deaths, migration and PIT per capita match real urban gminy",
        "(`analysis/demo_data.py`, tested against GUS and MF data for 2020). With every indicator drawn independently,",
        "as the demo store was until 2026-11-30, the flip rate of the reports' rule was 0.642.",
        "",
        "| rule | band | better | similar | worse | flip rate (some omission) | flip rate (per omission) |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| `{b['rule']}` | ±{b['band']} | {b['verdicts'].get('better', 0)} | {b['verdicts'].get('similar', 0)} | "
            f"{b['verdicts'].get('worse', 0)} | {b['flip_rate_drop_one']} | {b['flip_rate_per_dropped_indicator']} |"
            for b in s["flip_rate_by_band"]
        ],
        "",
        "Where the flips of the reports' rule come from: a verdict changes when the largest move one omission can",
        "make to its score is more than the score's distance to the nearest band edge. The fewer indicators a",
        "section judges, the further one of them moves its score:",
        "",
        "| section | verdicts | judged indicators (median) | largest move by one omission (median) | "
        "spread of scores (sd) | flip rate (some omission) |",
        "|---|---|---|---|---|---|",
        *[
            f"| {section} | {e['verdicts']} | {e['judged_indicators_median']} | {e['largest_move_median']} | "
            f"{e['score_sd']} | {e['flip_rate_drop_one']} |"
            for section, e in s["omission_by_section"].items()
        ],
        "",
        *_reversal_lines(s),
        f"- `scores.verdicts_left_without_one_by_one_omission` = **{s['verdicts_left_without_one_by_one_omission']}**:",
        "  stated verdicts that one omission, and none across a band edge, would leave without any (fewer than half",
        "  the section's indicators judged, or one sub-domain left; the report names that indicator). A sub-domain",
        "  rests on one indicator where the others are not judged: the economy's investment (the share of",
        "  investment spending, and dwellings completed) of a town whose dwellings figures GUS marks as of low",
        "  precision, not judged, rests on the share alone.",
        "- With scores spread as in the table, a flip rate of 0.05 needs 95% of scores further than one",
        "  omission's move from any band edge: of the rules above, only those that leave almost every section",
        '  "similar" come near it.',
        "",
        "## The census step in judged population changes",
        "",
        f"The reports judge the 5- and 10-year population changes as published, with the {LEVEL_BREAKS[0]} census step. Judged",
        f"without it (on the re-based series the trends use), {c['assessments_changed_if_rebased']} of the "
        f"{c['judged_changes']} judged population changes of the demo batch",
        f"would gain or lose their strength or weakness, and {c['demography_verdicts_changed_if_rebased']} of "
        f"{results['towns']} demography verdicts would change",
        "(`census_step` in the JSON). Part of a census correction is unregistered emigration that happened over the",
        "decade before the census, not in its year, so neither series is the truth for a 5-year window: the",
        "reports keep the published values, mark every change that holds the step and give it without the step.",
        "",
        "## Trend intervals",
        "",
        "Coverage of the nominal 95% interval of the slope, formed as the reports form it, on simulated series of",
        f"{t['years']} years (slope 0.5, AR(1) noise, optionally one outlier of 8 standard deviations in each), drawn",
        f"in groups of {t['group']} (a town and its 20 peers) over which ρ is pooled, as a report pools it;",
        f"{t['simulations_per_case']} series per case (ρ = 1: a random walk). Real yearly series reach ρ of 0.6–0.7",
        "(Durbin–Watson 0.5–0.8); population, a sum of each year's changes, wanders like a random walk. Near",
        "ρ = 1 a decade cannot tell a slow wander from a trend: a group's estimate of ρ is loose (ρ = 0.9 is read",
        "anywhere from 0.5 to 1), and an interval built on a ρ read too low covers less than it says. So the",
        f"reports take ρ at its {RHO_CONFIDENCE:.0%} upper confidence bound (`trends.pooled_lag1`). With the median-unbiased",
        "estimate instead, as until 2026-12-05, the intervals held the slope of a random walk in 84% of series",
        "and at ρ = 0.9 in 86%, and the town-versus-peers test raised 12% and 11% false alarms; the bound costs",
        "wider intervals where ρ is small (coverage above 95% in the first rows below). A stock, whose noise adds up from",
        'year to year by its nature, takes ρ = 1 without an estimate (column "coverage with ρ = 1"); the',
        "catalogue marks as stocks " + ", ".join(f"`{i.id}`" for i in indicators().values() if i.stock) + ".",
        "Taking ρ = 1 for every indicator would make the intervals of series with little autocorrelation far",
        "wider than their 95%. An outlying year would pull the estimate of ρ towards 0 (with one in every series,",
        "ρ = 0.9 was read as 0.25, and the intervals covered 74%): before the estimate, a year far from the median",
        "of itself and its neighbours, measured in the series' usual yearly moves, takes that median",
        "(`trends.despiked_lag1`).",
        "",
        "The town-versus-peers test (the same interval on the town's difference from its peers' median) is run",
        "on the same groups, each series in turn the town and the other 20 its peers. They share one trend, so",
        "every difference the test calls clear is a false alarm: nominally 5% (last two columns; population, a",
        "stock, takes ρ = 1).",
        "",
        "| AR(1) ρ | outlier | ρ as the reports take it (median) | coverage | coverage with ρ = 1 (a stock) "
        "| false alarms, town vs peers | false alarms with ρ = 1 |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {c['ar1']} | {'yes' if c['outlier'] else 'no'} | {c['ar1_estimated_median']} | {c['coverage_95']} "
        f"| {c['coverage_95_as_stock']} | {c['false_alarm_vs_peers']} | {c['false_alarm_vs_peers_as_stock']} |"
        for c in t["cases"]
    ]
    found = t["differences_found_vs_peers"]
    lines += [
        "",
        "What the demo batch's reports find with it (the mark beside a trend in their tables; towns whose",
        "indicator has enough years for a trend): read against the false alarms above.",
        "",
        "| indicator | towns tested | clear difference from the peers | share |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{indicator}` | {f['tested']} | {f['clear']} | {_round(f['clear'] / f['tested'], 2)} |"
        for indicator, f in found.items()
    ]
    pooled = t["ar1_pooled_over_the_store"]
    lines += [
        "",
        "Each indicator's ρ estimated over all towns of the store (median-unbiased; 1 where its years are too few",
        "to tell it, as the 10-year change's single year; a report takes the upper bound over its town and peers,",
        "a stock 1):",
        "",
        "| indicator | ρ | stock |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{indicator}` | {rho} | {'yes' if indicators()[indicator].stock else ''} |"
        for indicator, rho in pooled.items()
    ]
    lines += [
        "",
        "## Correlation audit",
        "",
        "Spearman correlation between the judged indicators of each sub-domain, across all towns of the store in the",
        "last year. Indicators that move together share one sub-domain, so they count once in a verdict.",
        "",
        "| sub-domain | indicators | largest absolute correlation |",
        "|---|---|---|",
    ]
    for subdomain, audit in results["correlation_audit"].items():
        lines.append(
            f"| {label(subdomain, 'en')} | {', '.join(f'`{i}`' for i in audit['indicators']) or '—'} | "
            f"{audit['max_abs_spearman'] if audit['max_abs_spearman'] is not None else '—'} |"
        )
    lines.append("")
    return "\n".join(lines)
