"""Section verdicts: sub-domain averaging, coverage, drop-one range; strengths by the one rule; sensitivity."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.formatting import format_number
from analysis.narrative import verdict_reason
from analysis.synthesis import (
    BETTER,
    NO_VERDICT,
    SIMILAR,
    WORSE,
    aggregate_score,
    clearest,
    section_verdict,
    verdict_of,
)


def test_aggregate_within_then_across_subdomains():
    # sub-domain a: 1 and 3 -> 2; b: −1 -> −1; mean of 2 and −1 = 0.5 (a plain mean would give 1.0)
    assert aggregate_score([1.0, 3.0, -1.0, np.nan], ["a", "a", "b", "b"]) == pytest.approx(0.5)
    assert math.isnan(aggregate_score([np.nan], ["a"]))


def services(scores, judged=None, assessment=None):
    """A comparison of the six services indicators with the given scores (NaN = no value)."""
    ids = [
        "preschool_coverage",
        "nursery_places_per_1000",
        "water_supply_users",
        "sewage_users",
        "library_readers_per_1000",
        "social_assistance_per_10k",
    ]
    subdomains = ["childcare", "childcare", "utilities", "utilities", "social_and_culture", "social_and_culture"]
    frame = pd.DataFrame(
        {
            "section": "services",
            "subdomain": subdomains,
            "direction": "higher_better",
            "score": scores,
            "matching": False,
            "assessment": assessment or [""] * 6,
        },
        index=ids,
    )
    frame["judged"] = frame["score"].notna() if judged is None else judged
    frame["distance"] = frame["score"]  # within the cap of ±2 the distance from the peers is the score
    return frame


def test_verdict_score_range_and_what_it_hinges_on():
    frame = services([1.0, 0.6, 0.2, 0.0, 0.1, -0.1])
    row = section_verdict(frame, "services")
    # childcare 0.8, utilities 0.1, social 0.0 -> 0.3: better (band 0.25)
    assert row["score"] == pytest.approx(0.3) and row["verdict"] == BETTER
    # without preschool coverage: childcare 0.6 -> (0.6 + 0.1 + 0) / 3 = 0.2333: similar
    assert row["drop_low"] == pytest.approx(0.7 / 3)
    assert row["hinges_on"] == "preschool_coverage" and row["verdict_without"] == SIMILAR
    assert (row["judged"], row["judgeable"], row["coverage"], row["subdomains"]) == (6, 6, 1.0, 3)


def test_a_verdict_that_no_omission_moves_across_an_edge_still_hinges_on_one_that_leaves_no_verdict():
    # Five of six judged: four of one sub-domain at 0.8, water supply alone in another at 0.6 (as an economy whose
    # housing figure is not ranked leaves investment alone): (0.8 + 0.6) / 2 = 0.7, better. Without any of the
    # four: still (0.8 + 0.6) / 2, better; without water supply, one sub-domain is left: no verdict
    # (`scored_verdict`), so the verdict hinges on it. By hand.
    def section(scores):
        frame = services(scores)
        frame["subdomain"] = ["childcare"] * 2 + ["utilities"] + ["childcare"] * 3
        return frame

    row = section_verdict(section([0.8, 0.8, 0.6, np.nan, 0.8, 0.8]), "services")
    assert row["score"] == pytest.approx(0.7) and row["verdict"] == BETTER
    assert (row["hinges_on"], row["verdict_without"]) == ("water_supply_users", NO_VERDICT)
    assert row["drop_low"] == pytest.approx(0.7) and row["drop_high"] == pytest.approx(0.7)  # those with a verdict
    # Where another omission crosses an edge, that one is named: childcare (1.0, 1.0, −0.4, −0.4) averages 0.3,
    # water supply 0.2: (0.3 + 0.2) / 2 = 0.25, better; without the first 1.0: (0.2 / 3 + 0.2) / 2 = 0.133,
    # similar (without a −0.4: 0.367, better; without water supply: no verdict).
    row = section_verdict(section([1.0, 1.0, 0.2, np.nan, -0.4, -0.4]), "services")
    assert row["verdict"] == BETTER
    assert (row["hinges_on"], row["verdict_without"]) == ("preschool_coverage", SIMILAR)


def test_no_verdict_without_enough_data_and_the_reason():
    no_data = section_verdict(services([np.nan] * 6), "services")
    assert no_data["verdict"] == NO_VERDICT and no_data["reason"] == "no_data" and math.isnan(no_data["score"])
    two_of_six = section_verdict(services([1.0, 1.0, np.nan, np.nan, np.nan, np.nan]), "services")
    assert two_of_six["verdict"] == NO_VERDICT and two_of_six["reason"] == "low_coverage"
    one_subdomain = section_verdict(services([1.0, 1.0, np.nan, np.nan, 1.0, np.nan]), "services")
    assert one_subdomain["verdict"] != NO_VERDICT  # three of six, in two sub-domains: enough
    # Four of six judged, but all of one sub-domain (as the economy's four business and labour indicators on a
    # store without investment and housing): enough indicators, too narrow a view. The reason says which it is,
    # where "too little data" beside "4 of 6", with half named as enough, contradicted the method.
    narrow = services([1.0, 1.0, 1.0, 1.0, np.nan, np.nan])
    narrow.loc[narrow.index[:4], "subdomain"] = "childcare"
    row = section_verdict(narrow, "services")
    assert (row["verdict"], row["reason"], row["judged"], row["judgeable"]) == (NO_VERDICT, "one_subdomain", 4, 6)
    phrases = {
        reason: verdict_reason(pd.Series(row | {"reason": reason}), "pl")
        for reason in ("no_data", "low_coverage", "one_subdomain")
    }
    assert phrases == {
        "no_data": "brak danych do porównania z grupą (ocenione wskaźniki: 4 z 6)",
        "low_coverage": "za mało danych (ocenione wskaźniki: 4 z 6)",
        "one_subdomain": "ocenione wskaźniki tylko z jednej dziedziny (ocenione wskaźniki: 4 z 6)",
    }
    assert verdict_reason(pd.Series(row), "en") == "judged indicators of one sub-domain only (4 of 6 indicators judged)"


def test_bands():
    assert (verdict_of(0.25), verdict_of(0.2), verdict_of(-0.25), verdict_of(float("nan"))) == (
        BETTER,
        SIMILAR,
        WORSE,
        NO_VERDICT,
    )


def test_a_score_is_read_against_the_band_as_it_is_printed():
    # Bursztynojar's demography scored -0.2483 and printed "-0,25" beside "similar", against a band of
    # +-0,25. The verdict now follows the printed number (two decimals, half away from zero).
    assert format_number(-0.2483, 2, signed=True) == "\u22120,25" and verdict_of(-0.2483) == WORSE
    assert format_number(0.245, 2, signed=True) == "+0,25" and verdict_of(0.245) == BETTER
    assert format_number(0.2449, 2, signed=True) == "+0,24" and verdict_of(0.2449) == SIMILAR
    assert format_number(-0.2449, 2, signed=True) == "\u22120,24" and verdict_of(-0.2449) == SIMILAR


def test_clearest_follow_the_one_rule_not_the_score_alone():
    frame = services([2.0, 1.5, -2.0, 0.1, -1.0, 0.0], assessment=["strength", "", "weakness", "", "weakness", ""])
    strengths, weaknesses = clearest(frame)
    assert strengths == ["preschool_coverage"]  # nursery scores 1.5 but is not a strength by the rule
    assert weaknesses == ["water_supply_users", "library_readers_per_1000"]


def test_clearest_are_ordered_by_their_distance_from_the_peers_not_by_the_capped_score():
    # Three strengths at the cap of +2, 2.4, 7.5 and 3.1 scale units from the peer median: the furthest first,
    # whatever the catalogue's order (pre-school coverage, water supply, library readers).
    frame = services([2.0, 0.1, 2.0, 0.0, 2.0, 0.0], assessment=["strength", "", "strength", "", "strength", ""])
    frame["distance"] = [2.4, 0.1, 7.5, 0.0, 3.1, 0.0]
    strengths, _ = clearest(frame)
    assert strengths == ["water_supply_users", "library_readers_per_1000", "preschool_coverage"]
    # Equal distances keep the catalogue's order.
    frame["distance"] = [2.4, 0.1, 2.4, 0.0, 2.4, 0.0]
    assert clearest(frame)[0] == ["preschool_coverage", "water_supply_users", "library_readers_per_1000"]


def test_sensitivity_rows_for_every_rule(demo_store):
    from analysis.indicators import indicator_table
    from analysis.store import variable_panel
    from analysis.synthesis import SENSITIVITY_RULES, peer_sensitivity, rule_key

    values = indicator_table(demo_store)
    town = "0490013"
    counts = variable_panel(demo_store, [town]).xs(town, level="teryt")
    table = peer_sensitivity(town, demo_store.units, values, 2024, counts)
    assert list(table.index) == [rule_key(r) for r in SENSITIVITY_RULES]
    assert table.loc["nearest_10", "peers"] == 10 and table.loc["nearest_40", "peers"] == 40
    assert set(table["demography"]) <= {BETTER, SIMILAR, WORSE, NO_VERDICT}


def test_another_peer_rule_compares_only_the_reports_years_as_the_reports_own_rule_does(demo_store):
    # The report compares values of its own years only (a 5-year change's base aside); the other rules of the
    # sensitivity table took a town's latest value up to the last year, from any year of the store. A town
    # whose investment share is known only before a report of 2016–2024 was judged on it under those rules.
    import numpy as np

    from analysis.compare import compare_town
    from analysis.indicators import indicator_table
    from analysis.peers import PeerRule, choose_peers
    from analysis.store import variable_panel
    from analysis.synthesis import peer_sensitivity, rule_key, section_verdicts

    values = indicator_table(demo_store)
    town, rule = "0490013", PeerRule(method="nearest", k=20)
    teryts, years = values.index.get_level_values("teryt"), values.index.get_level_values("year")
    values.loc[(teryts == town) & (years >= 2016), "investment_share"] = np.nan  # known in 2014–2015 only
    counts = variable_panel(demo_store, [town]).xs(town, level="teryt")
    group = choose_peers(town, demo_store.units, values, rule, 2024)
    window = values.loc[teryts.isin((town, *group.members)) & (years >= 2016)]
    expected = section_verdicts(compare_town(town, group.members, window, 2024, counts=counts, matching=group.matching))
    table = peer_sensitivity(town, demo_store.units, values, 2024, counts, rules=(rule,), first_year=2016)
    assert table.at[rule_key(rule), "economy_score"] == expected.at["economy", "score"]
    before = peer_sensitivity(town, demo_store.units, values, 2024, counts, rules=(rule,))
    assert before.at[rule_key(rule), "economy_score"] != expected.at["economy", "score"]  # 2015's value counted


def test_a_rule_that_finds_too_few_peers_gives_no_verdict_and_says_how_many_it_found(demo_store):
    # 0890033 is urban-rural; lubuskie has two other urban-rural gminy in the demo store (counted here from
    # the units table): too few for a group of MIN_PEERS, so no verdict, and the table shows the 2, not 0.
    import pickle

    from analysis import display
    from analysis.params import MIN_PEERS
    from analysis.peers import TooFewPeers
    from analysis.report import prepare_report
    from analysis.town import TownParams

    units = demo_store.units.set_index("teryt")
    town = "0890033"
    alike = units[(units["voivodeship"] == units.at[town, "voivodeship"]) & (units["kind"] == units.at[town, "kind"])]
    found = len(alike) - 1
    assert 0 < found < MIN_PEERS
    report = prepare_report(TownParams(teryt=town))
    row = report.sensitivity.loc["voivodeship"]
    assert row["peers"] == found
    assert {row["demography"], row["economy"], row["services"]} == {NO_VERDICT}
    assert display.sensitivity_table(report).caption.endswith(f"; grupa poniżej {MIN_PEERS} gmin: bez oceny")
    assert "poniżej" not in display.sensitivity_table(prepare_report(TownParams(teryt="0490013"))).caption
    error = pickle.loads(pickle.dumps(TooFewPeers("0890033: too few", found)))  # as a worker process sends it
    assert (str(error), error.found) == ("0890033: too few", found)


def test_a_verdict_is_robust_to_the_peer_rule_only_where_every_rule_that_gives_one_agrees():
    # By hand: demography "better" here, but "similar" with the 40 nearest: not robust. Economy "similar" under
    # every rule that judges it; the size-class group, with too little data for a verdict, does not disagree.
    # A rule that found too few peers (2) gives no verdict and counts neither way; services have no verdict.
    from analysis.synthesis import robust_to_peer_rule

    verdicts = pd.DataFrame({"verdict": [BETTER, SIMILAR, NO_VERDICT]}, index=["demography", "economy", "services"])
    sensitivity = pd.DataFrame(
        {
            "peers": [10, 40, 2, 12],
            "demography": [BETTER, SIMILAR, NO_VERDICT, BETTER],
            "economy": [SIMILAR, SIMILAR, NO_VERDICT, NO_VERDICT],
            "services": [WORSE, NO_VERDICT, NO_VERDICT, SIMILAR],
        },
        index=["nearest_10", "nearest_40", "voivodeship", "population_class"],
    )
    assert robust_to_peer_rule(verdicts, sensitivity) == {"demography": False, "economy": True, "services": None}
    # The 40 nearest agreeing, every rule that judges demography says "better": robust.
    sensitivity.loc["nearest_40", "demography"] = BETTER
    assert robust_to_peer_rule(verdicts, sensitivity)["demography"] is True
