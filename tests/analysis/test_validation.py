"""docs/validation.{md,json}: generated from the demo store, never stale, and what they promise holds."""

import json

import pandas as pd
import pytest

from analysis.paths import DOCS_DIR
from analysis.validation import batch_comparisons, render_json, render_markdown, validation_results

COMMITTED = json.loads((DOCS_DIR / "validation.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def published():
    """The demo batch's comparisons as the reports have them (several seconds), for the tests of this file."""
    return batch_comparisons()


@pytest.fixture(scope="module")
def without_census_step():
    """The same, with the population changes judged without the census step."""
    return batch_comparisons(rebased_changes=True)


@pytest.mark.slow
def test_committed_validation_is_up_to_date(published, without_census_step, demo_reports):
    results = validation_results(
        published=published, rebased=without_census_step, reports=demo_reports
    )  # the rest computed as the command does
    # The ETS reference is statsmodels' optimiser on short series, not our method: a statsmodels or scipy
    # release moves its figures a little (0.016 and 0.018 on 2026-11-30). Within 0.05 of the committed figures
    # they count as the same; everything else is compared exactly.
    computed, committed = results["projection"]["ets_reference"], COMMITTED["projection"]["ets_reference"]
    for key in ("mae_vs_drift", "coverage_95"):
        assert computed[key] == pytest.approx(committed[key], abs=0.05), (
            f"ETS reference {key} moved beyond a library release's noise: run `diagnoza validation`"
        )
    results["projection"]["ets_reference"] = computed | {
        key: committed[key] for key in ("mae_vs_drift", "coverage_95", "statsmodels")
    }
    assert (DOCS_DIR / "validation.json").read_text(encoding="utf-8") == render_json(results), (
        "run `diagnoza validation` and commit docs/validation.json and docs/validation.md"
    )
    assert (DOCS_DIR / "validation.md").read_text(encoding="utf-8") == render_markdown(results)


def test_projection_intervals_are_calibrated_and_no_worse_than_drift():
    projection = COMMITTED["projection"]
    assert 0.90 <= projection["coverage_95"] <= 0.98
    assert projection["mase_vs_drift"] <= 1.0
    assert projection["mase_vs_drift_out_of_fold"] <= 1.02  # chosen on half the towns, scored on the others


def test_the_documented_keys_are_there_and_scores_are_bounded():
    scores = COMMITTED["scores"]
    for key in ("verdict_flip_rate_drop_one", "max_abs_score"):
        assert 0 <= scores[key]
    assert scores["max_abs_score"] <= 2.0  # the documented scale: each indicator within ±2
    assert set(COMMITTED["correlation_audit"]) >= {"age_structure", "natural_change", "migration_and_change"}
    for case in COMMITTED["trends"]["cases"]:
        # ρ is taken at its 80% upper bound: near a random walk the intervals still hold the slope in at least
        # 90% of series (with the estimate itself 84%, and 0.12 false alarms), never in all of them (an
        # interval so wide it says nothing); 1,260 series (60 groups) put about ±1.5 points of sampling noise
        # around each.
        assert 0.90 <= case["coverage_95"] <= 0.995, case
        # The town-versus-peers test where the town and its peers share one trend: a clear difference is a
        # false alarm, nominally 5%.
        assert case["false_alarm_vs_peers"] <= 0.09, case
        # As autocorrelated as real yearly series get, with or without an 8-σ year in every series (which took
        # coverage to 0.89 and false alarms to 0.10 at ρ = 0.7 before such years were replaced in the ρ
        # estimate): at least the nominal 95%, the bound's price being intervals a little wider than needed.
        if case["ar1"] <= 0.7:
            assert case["coverage_95"] >= 0.95 and case["false_alarm_vs_peers"] <= 0.06, case
        # Population, a stock, takes ρ = 1: its test may be cautious, never more alarmist than its 5%.
        assert case["false_alarm_vs_peers_as_stock"] <= 0.05, case


def test_differences_from_the_peers_are_counted_where_a_report_tests_them():
    from types import SimpleNamespace

    from analysis.validation import differences_found

    def report(**population):
        trends = pd.DataFrame({"vs_peers": [population["slope"]], "vs_peers_clear": [population["clear"]]})
        return SimpleNamespace(trends=trends.set_axis(["population"]))

    # By hand: three towns; the third has too few years for a trend (no slope), so it is not tested. Of the two
    # tested, one finds a clear difference. No other indicator is in these reports, so none is listed.
    reports = {
        "a": report(slope=-0.8, clear=True),
        "b": report(slope=0.1, clear=False),
        "c": report(slope=float("nan"), clear=False),
    }
    assert differences_found(reports) == {"population": {"tested": 2, "clear": 1}}


def test_the_verdicts_one_omission_leaves_without_any_are_those_the_reports_say_so(published):
    # Counted from the reports' own section verdicts: a hinge whose omission leaves no verdict ("none").
    from analysis.synthesis import section_verdicts

    table = pd.concat([section_verdicts(c) for c in published.values()])
    left = int((table["verdict_without"] == "none").sum())
    assert left > 0  # the premise: the demo's small towns, whose dwellings GUS marks as of low precision
    assert COMMITTED["scores"]["verdicts_left_without_one_by_one_omission"] == left
    assert set(table.loc[table["verdict_without"] == "none", "hinges_on"]) == {"investment_share"}


@pytest.mark.slow
def test_each_reversal_rests_on_a_sub_domain_of_two_indicators_pulling_opposite_ways(published):
    # docs/validation.md says so of every verdict one omission turns into its opposite: checked here from the
    # reports' comparisons, where the hinge's sub-domain holds two judged indicators of opposite sign.
    reversals = COMMITTED["scores"]["verdict_reversals_drop_one"]
    stated = sum(COMMITTED["scores"]["verdicts"].values())  # the rate's base: the verdicts stated
    assert len(reversals) == round(COMMITTED["scores"]["verdict_reversal_rate_drop_one"] * stated)
    for reversal in reversals:
        comparison = published[reversal["teryt"]]
        subdomain = comparison.at[reversal["hinges_on"], "subdomain"]
        pair = comparison.loc[comparison["judged"] & (comparison["subdomain"] == subdomain), "score"]
        assert len(pair) == 2 and pair.prod() < 0, (reversal, pair)


def test_the_two_counts_of_flips_agree():
    # Counted twice, two ways: re-running the rule without each indicator (_flip_rates), and comparing the
    # verdict with those of its lowest and highest drop-one scores (omission_effects, from section_verdict).
    scores = COMMITTED["scores"]
    by_section = scores["omission_by_section"].values()
    flips = sum(e["flip_rate_drop_one"] * e["verdicts"] for e in by_section)
    stated = sum(e["verdicts"] for e in by_section)
    assert flips / stated == pytest.approx(scores["verdict_flip_rate_drop_one"], abs=1e-3)
    assert stated == sum(n for verdict, n in scores["verdicts"].items() if verdict != "none")


def test_the_alternative_rule_keeps_better_only_where_no_omission_changes_it():
    from analysis.synthesis import BETTER, SIMILAR, section_inputs
    from analysis.validation import VERDICT_RULES
    from tests.analysis.test_synthesis import services

    def verdicts(frame) -> tuple[str, str]:
        _, *inputs = section_inputs(frame, "services")
        return VERDICT_RULES["report"](*inputs, 0.25), VERDICT_RULES["robust_to_one_omission"](*inputs, 0.25)

    # childcare 0.8, utilities 0.1, social 0.0 -> 0.3: better, but 0.233 without preschool coverage.
    assert verdicts(services([1.0, 0.6, 0.2, 0.0, 0.1, -0.1])) == (BETTER, SIMILAR)
    # childcare 1.0, utilities 0.6, social 0.6 -> 0.733; the lowest single omission leaves
    # (1.0 + 0.6 + 0.4) / 3 = 0.667 (social without 0.8) or (1.0 + 0.4 + 0.6) / 3: better either way.
    assert verdicts(services([1.0, 1.0, 0.8, 0.4, 0.8, 0.4])) == (BETTER, BETTER)


def test_flip_rates_count_the_omissions_that_change_a_stated_verdict():
    from analysis.validation import _flip_rates, all_section_inputs
    from tests.analysis.test_synthesis import services

    # Two towns' services (their other sections have no data: no verdict, not counted). By hand, the first
    # (score 0.3, better) re-scored without each of its six indicators: 0.233 (similar: a flip), 0.367,
    # 0.267, 0.333, 0.267, 0.333; the second (0.733) stays better without any. One of 12 omissions flips
    # a verdict, and one of the 2 stated verdicts has an omission that flips it.
    comparisons = {
        "hinging": services([1.0, 0.6, 0.2, 0.0, 0.1, -0.1]),
        "clear": services([1.0, 1.0, 0.8, 0.4, 0.8, 0.4]),
    }
    sections = all_section_inputs(comparisons)
    rates = _flip_rates(sections, 0.25)
    assert rates["verdicts"] == {"better": 2, "none": 4}
    assert rates["flip_rate_drop_one"] == 0.5
    assert rates["flip_rate_per_dropped_indicator"] == pytest.approx(1 / 12, abs=1e-4)
    # Under the alternative rule the first reads "similar": its "better" hinges on pre-school coverage.
    assert _flip_rates(sections, 0.25, "robust_to_one_omission")["verdicts"] == {
        "better": 1,
        "none": 4,
        "similar": 1,
    }


def test_omission_effects_tell_a_move_to_similar_from_a_reversal():
    from analysis.validation import omission_effects

    # Four stated verdicts with their drop-one ranges (band 0.25), by hand:
    # A better 0.30, range 0.20–0.40: one omission leaves 0.20, similar (a flip, not a reversal); move 0.10.
    # B better 0.60, range −0.30–0.70: one omission leaves −0.30, worse (a flip and a reversal); move 0.90.
    # C similar 0.00, range −0.10–0.10: no flip; move 0.10.
    # D worse −0.50, range −0.60 – −0.45: no flip; move 0.10.
    # E (demography) worse −0.50, range −0.60 – −0.45, but one omission leaves no verdict (a sub-domain of
    # one indicator, the other one left): a flip, not a reversal.
    stated = pd.DataFrame(  # as section_verdicts gives them, towns stacked: one row per (town, section)
        {
            "score": [0.30, 0.60, 0.00, -0.50, -0.50],
            "verdict": ["better", "better", "similar", "worse", "worse"],
            "drop_low": [0.20, -0.30, -0.10, -0.60, -0.60],
            "drop_high": [0.40, 0.70, 0.10, -0.45, -0.45],
            "verdict_without": ["similar", "worse", "", "", "none"],
            "hinges_on": ["a", "b", "", "", "e"],
            "judged": [6, 6, 5, 7, 5],
        },
        index=pd.MultiIndex.from_arrays(
            [["A", "B", "C", "D", "E"], ["economy", "economy", "services", "services", "demography"]],
            names=["teryt", "section"],
        ),
    )
    effects = omission_effects(stated)
    assert effects["reversal_rate_drop_one"] == 0.2
    assert effects["reversals"] == [
        {"teryt": "B", "section": "economy", "verdict": "better", "hinges_on": "b", "verdict_without": "worse"}
    ]
    economy, services = effects["by_section"]["economy"], effects["by_section"]["services"]
    assert economy["flip_rate_drop_one"] == 1.0 and services["flip_rate_drop_one"] == 0.0
    assert effects["by_section"]["demography"]["flip_rate_drop_one"] == 1.0
    assert economy["largest_move_median"] == pytest.approx(0.5)  # the median of 0.10 and 0.90
    assert services["largest_move_median"] == pytest.approx(0.1)
    assert services["judged_indicators_median"] == 6.0


def test_the_validation_measures_the_reports_own_comparisons(published):
    # The flip rates and counts of docs/validation.md are only worth reading if they are computed on what
    # the reports show: every demo town's comparison there equals its report's (prepare_report, a
    # separate path through the store, the cache and the peer rule of the batch).
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from analysis.report import prepare_report
    from analysis.town import town_params

    comparisons = published
    batch = load_batch(PARAMS_DIR / "demo.yaml")
    assert set(comparisons) == set(batch.teryts)
    for teryt in batch.teryts[:3] + batch.teryts[-2:]:
        report = prepare_report(town_params(batch, teryt, data_dir="", edition="2026-11-22"))  # as the build runs it
        pd.testing.assert_frame_equal(comparisons[teryt], report.comparison)


def test_the_census_step_figure_judges_the_re_based_changes_and_counts_what_moves(published, without_census_step):
    # docs/validation.md sizes the choice to judge population changes with the census step: the same batch
    # judged with the 5- and 10-year changes taken from the re-based population, everything else as it is.
    from analysis.census import CHANGE_SPANS, rebased
    from analysis.report import load_store_and_values
    from analysis.validation import census_step_validation

    _, values = load_store_and_values("")
    judged_without_step = without_census_step
    town = next(iter(published))
    # By hand from the town's yearly population, 2019 -> 2024: as published, and re-based.
    population = values["population"].xs(town, level="teryt")
    on_new_basis = rebased(population)
    change = published[town].at["population_change_5y", "value"]
    assert change == pytest.approx((population[2024] / population[2019] - 1) * 100)
    change = judged_without_step[town].at["population_change_5y", "value"]
    assert change == pytest.approx((on_new_basis[2024] / on_new_basis[2019] - 1) * 100)
    assert on_new_basis[2019] != population[2019]  # the demo store has the step, so the two differ
    others = list(published[town].index.difference(list(CHANGE_SPANS)))
    pd.testing.assert_frame_equal(published[town].loc[others], judged_without_step[town].loc[others])
    # The count: nothing moves against itself; one assessment moved by hand is one.
    assert census_step_validation(published, published)["assessments_changed_if_rebased"] == 0
    moved = {**published, town: published[town].copy()}
    before = moved[town].at["population_change_5y", "assessment"]
    moved[town].at["population_change_5y", "assessment"] = "weakness" if before == "strength" else "strength"
    moved[town].at["population_change_5y", "judged"] = True
    assert census_step_validation(published, moved)["assessments_changed_if_rebased"] == 1


def test_the_median_rule_bands_the_middle_score_where_the_reports_rule_gives_a_verdict():
    from analysis.synthesis import BETTER, NO_VERDICT, SIMILAR, section_inputs
    from analysis.validation import VERDICT_RULES
    from tests.analysis.test_synthesis import services

    def median_verdict(frame, section="services") -> str:
        _, *inputs = section_inputs(frame, section)
        return VERDICT_RULES["median_of_scores"](*inputs, 0.25)

    # Sorted: −0.1, 0.0, 0.1, 0.2, 0.6, 1.0 -> median (0.1 + 0.2) / 2 = 0.15: similar, where the mean of
    # sub-domain means (0.3) reads better.
    assert median_verdict(services([1.0, 0.6, 0.2, 0.0, 0.1, -0.1])) == SIMILAR
    # 0.4, 0.4, 0.8, 0.8, 1.0, 1.0 -> 0.8: better.
    assert median_verdict(services([1.0, 1.0, 0.8, 0.4, 0.8, 0.4])) == BETTER
    # The same fixture has no demography: no verdict, whatever a median of nothing would be.
    assert median_verdict(services([1.0, 1.0, 0.8, 0.4, 0.8, 0.4]), "demography") == NO_VERDICT


def test_the_values_within_chance_are_the_judged_ones_scored_zero_for_their_interval(published):
    # docs/validation.md counts the judged values whose 95% interval includes the peer median (each scored 0).
    # Counted here from the comparisons' own columns with plain pandas, and each such value's score checked.
    from analysis.validation import scores_validation

    judged = pd.concat([c.loc[c["judged"]] for c in published.values()])
    zero = judged["score"] == 0
    holds = (judged["ci_low"] <= judged["peer_median"]) & (judged["peer_median"] <= judged["ci_high"])
    assert not (holds & ~zero).any()  # every such value scores 0
    counted = scores_validation(published, published)
    assert counted["judged_values"] == len(judged)
    assert counted["judged_values_within_chance"] == int(holds.sum()) > 0
    assert counted["judged_values_within_chance"] == COMMITTED["scores"]["judged_values_within_chance"]


def _backtest_of(errors: list[list[list[float]]], noise: list[list[float]]):
    """A backtest of one method, "drift", with these errors (towns × origins × 5 horizons) and noise."""
    import numpy as np

    from analysis.projection import Backtest

    errors_array = np.array(errors, dtype=float)
    towns, origins = errors_array.shape[:2]
    return Backtest(
        {"drift": errors_array},
        np.array(noise, dtype=float),
        tuple(f"t{i}" for i in range(towns)),
        tuple(2019 + k for k in range(origins)),
    )


def test_the_lean_of_each_origin_and_a_shift_learnt_from_the_earlier_ones():
    import math

    from analysis.validation import median_errors, shift_in_time

    nan = math.nan
    # Two towns, three origins; the first town's noise is 0.01, the second's 0.02. Errors (log) 1–5 years ahead,
    # NaN where the years run out (the second origin reaches 2 years, the third 1).
    result = _backtest_of(
        [
            [[-0.03, -0.04, -0.05, -0.06, -0.07], [-0.01, -0.02, nan, nan, nan], [0.01, nan, nan, nan, nan]],
            [[-0.02, -0.04, -0.06, -0.08, -0.10], [0.02, 0.00, nan, nan, nan], [-0.02, nan, nan, nan, nan]],
        ],
        [[0.01, 0.01, 0.01], [0.02, 0.02, 0.02]],
    )
    # In noise units, the first origin: (−3, −1), (−4, −2), (−5, −3), (−6, −4), (−7, −5); medians the midpoints.
    assert list(median_errors(result, "drift", slice(0, 1))) == pytest.approx([-2, -3, -4, -5, -6])
    # The second origin: 1 year (−1, +1), 2 years (−2, 0); no forecast reaches further.
    second = median_errors(result, "drift", slice(1, 2))
    assert list(second[:2]) == pytest.approx([0, -1]) and all(math.isnan(value) for value in second[2:])
    rows = shift_in_time(result, "drift")
    assert [(row["learnt_from"], row["applied_to"]) for row in rows] == [
        ([2019, 2019], [2020, 2021]),
        ([2019, 2020], [2021, 2021]),
    ]
    # Learnt from 2019: shift −2 noise units at 1 year, −3 at 2. On the later forecasts: town 1, 2020: −0.01 + 0.02
    # = 0.01 and −0.02 + 0.03 = 0.01; 2021: 0.01 + 0.02 = 0.03. Town 2 (noise 0.02): 0.02 + 0.04 = 0.06,
    # 0.00 + 0.06 = 0.06; −0.02 + 0.04 = 0.02. Mean |shifted| 0.19 / 6, mean |unshifted| (0.01, 0.02, 0.01, 0.02,
    # 0, 0.02) 0.08 / 6: 2.375 times the error.
    assert rows[0]["shift"][:2] == [-2, -3] and rows[0]["mae_relative_to_unshifted"] == pytest.approx(2.375)
    # Learnt from 2019 and 2020, applied to 2021: 1-year errors in noise units −3, −1, −1, +1: median −1.
    # Shifted: 0.01 + 0.01 = 0.02 and −0.02 + 0.02 = 0; mean 0.01 against the unshifted 0.015.
    assert rows[1]["shift"][0] == -1 and rows[1]["mae_relative_to_unshifted"] == pytest.approx(2 / 3, abs=1e-4)
