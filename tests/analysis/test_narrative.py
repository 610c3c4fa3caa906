"""Generated sentences: the one rule with direction, honesty without data, Polish forms."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue import indicators
from analysis.labels import label
from analysis.narrative import (
    _change_words,
    judged_item,
    key_findings,
    marked_themes,
    marks_phrase,
    section_sentences,
    summary_sentences,
    verdict_lines,
    verdict_reason,
)
from analysis.paths import DOCS_DIR
from analysis.synthesis import section_verdicts
from tests.analysis import printed_years

NBSP = "\u00a0"  # between a number and its noun


def verdict_line(report, section: str):
    """A report's line of page one's verdict table for one section."""
    lines = verdict_lines(report.verdicts, report.robust, report.comparison, report.language)
    return next(line for line in lines if line.section == section)


def comparison(rows):
    columns = [
        "indicator",
        "section",
        "subdomain",
        "direction",
        "value",
        "peer_median",
        "percentile",
        "score",
        "judged",
        "assessment",
    ]
    frame = pd.DataFrame(rows, columns=columns).set_index("indicator")
    frame["distance"] = frame["score"]  # the scores given are within the cap, where the distance is the score
    frame["matching"] = False
    frame["reliability"] = ""
    frame["events"] = np.nan
    frame["ci_low"] = frame["ci_high"] = np.nan  # no counts behind the values: no interval
    frame["boundary_change"] = np.nan  # no town's boundaries moved
    return frame


DEMOGRAPHY = [
    ("births_per_1000", "demography", "natural_change", "higher_better", 11.0, 8.0, 90.0, 1.5, True, "strength"),
    ("deaths_per_1000", "demography", "natural_change", "lower_better", 14.0, 12.0, 10.0, -1.2, True, "weakness"),
    ("share_working_age", "demography", "age_structure", "higher_better", 58.0, 58.1, 48.0, -0.1, True, ""),
    ("population", "demography", "size", "neutral", 30_000, 20_000, 99.0, np.nan, False, ""),
]


def test_strengths_and_weaknesses_are_named_with_their_direction():
    text = " ".join(section_sentences(comparison(DEMOGRAPHY), "demography"))
    # One of each here: the heading is singular ("Mocna strona …: X"), as an editor would have it.
    assert (
        "Mocna strona na tle grupy porównawczej: wysoki współczynnik urodzeń (11,0‰ wobec mediany grupy 8,0‰)." in text
    )
    assert "Słaba strona na tle grupy porównawczej: wysoka liczba zgonów na 1000 ludności (14,0‰" in text
    assert "liczba ludności" not in text.lower()  # neutral: never judged
    english = " ".join(section_sentences(comparison(DEMOGRAPHY), "demography", "en"))
    assert "Strength against the peers: high birth rate (11.0‰ against a peer median of 8.0‰)." in english


def test_two_strengths_take_the_plural_heading_the_stronger_first():
    rows = DEMOGRAPHY + [
        ("share_working_age", "demography", "age_structure", "higher_better", 62.0, 58.1, 95.0, 1.8, True, "strength")
    ]
    frame = comparison(rows[:2] + rows[3:])  # the working-age share, now a strength, replaces its unmarked row
    text = " ".join(section_sentences(frame, "demography"))
    strengths = text[text.index("Mocne strony na tle grupy porównawczej: ") :]
    # Sorted by score: 1.8 (working-age share) before 1.5 (births).
    assert strengths.index("wysoki udział ludności w wieku produkcyjnym") < strengths.index("współczynnik urodzeń")
    assert "Strengths against the peers: " in " ".join(section_sentences(frame, "demography", "en"))


def test_a_list_longer_than_a_sentence_carries_becomes_bullets():
    from analysis.narrative import LONGEST_LIST_IN_A_SENTENCE, _listed

    assert _listed(["a", "b", "c"][:LONGEST_LIST_IN_A_SENTENCE]) == " a; b; c."
    # Four items: a Markdown list, Polish style (a semicolon after each item, a full stop after the last).
    assert _listed(["a (1; 2)", "b", "c", "d"]) == "\n\n- a (1; 2);\n- b;\n- c;\n- d."


def test_no_difference_no_claim_and_no_data_no_comparison():
    quiet = comparison([DEMOGRAPHY[2]])
    (sentence,) = section_sentences(quiet, "demography")
    assert sentence.startswith("Jedyny oceniany wskaźnik tej części nie odbiega")
    empty = comparison(
        [("water_supply_users", "services", "utilities", "higher_better", np.nan, np.nan, np.nan, np.nan, False, "")]
    )
    sentences = section_sentences(empty, "services")
    water = indicators()["water_supply_users"].name_in_sentence("pl")  # the name, as every list of them gives it
    assert sentences == [
        "Dane nie obejmują tej części raportu: ani gmina, ani gminy jej grupy porównawczej nie mają wartości "
        f"żadnego z jej wskaźników ({water}), dlatego nie ma tu wykresów ani tabel."
    ]
    assert section_sentences(empty, "services", "en") == [
        "The data do not cover this section: neither the town nor its peers have a value of any of its indicators "
        f"({indicators()['water_supply_users'].name_in_sentence('en')}), so it has no charts or tables."
    ]
    # A peer median without the town's value: the town's figures are missing, not the group's (which the
    # sentence above would deny); its table shows the peers.
    peers_only = comparison(
        [("water_supply_users", "services", "utilities", "higher_better", np.nan, 95.0, np.nan, np.nan, False, "")]
    )
    assert section_sentences(peers_only, "services") == [
        f"Dane nie zawierają wartości gminy dla żadnego ze wskaźników tej części raportu ({water}), dlatego nie ma "
        "tu jej oceny ani wykresów; tabele podają wartości grupy porównawczej."
    ]
    assert section_sentences(peers_only, "services", "en") == [
        "The data hold no value of the town for any indicator of this section "
        f"({indicators()['water_supply_users'].name_in_sentence('en')}), so it has no assessment or charts here; "
        "the tables give the peers' values."
    ]
    # The town's value without a peer median (too few peers with one): nothing to compare it with.
    town_only = comparison(
        [("water_supply_users", "services", "utilities", "higher_better", 93.0, np.nan, np.nan, np.nan, False, "")]
    )
    assert section_sentences(town_only, "services") == [
        "Brak danych pozwalających porównać tę część z grupą porównawczą."
    ]
    joined = " ".join(sentences).lower()
    for comparative in ("podobnie", "środkowej połowie", "nie odbiega", "korzystniej"):
        assert comparative not in joined


@pytest.mark.parametrize("count", [1, 2])
def test_the_indicators_left_unjudged_are_named_in_the_number_they_are(count):
    frame = comparison(DEMOGRAPHY)
    rare = ["births_per_1000", "deaths_per_1000"][:count]
    frame.loc[rare, "reliability"] = "not_ranked"
    frame.loc[rare, "events"] = 7.0
    frame.loc[rare, "judged"] = False
    frame.loc[rare, "matching"] = True  # here also the variables the peers were matched on
    polish = " ".join(section_sentences(frame, "demography"))
    english = " ".join(section_sentences(frame, "demography", "en"))
    if count == 1:  # one indicator: singular noun, participle and verb
        assert (
            "Nie oceniono wskaźnika opartego na mniej niż 10 zdarzeniach: urodzenia żywe na 1000 ludności (7\u00a0zdarzeń)"
            in polish
        )
        assert (
            "Nie oceniamy wskaźnika, według którego dobrano grupę porównawczą: urodzenia żywe na 1000 ludności."
            in polish
        )
        assert "Not judged, as it rests on fewer than 10 events" in english
        assert "The indicator the peer group was matched on is not judged" in english
    else:
        assert (
            "Nie oceniono wskaźników opartych na mniej niż 10 zdarzeniach: urodzenia żywe na 1000 ludności (7\u00a0zdarzeń)"
            in polish
        )
        assert (
            "Nie oceniamy wskaźników, według których dobrano grupę porównawczą: urodzenia żywe na 1000 ludności, "
            in polish
        )
        assert "Not judged, as they rest on fewer than 10 events" in english
        assert "Indicators the peer group was matched on are not judged" in english


@pytest.mark.parametrize("count", [1, 2])
def test_a_value_in_an_outer_quarter_left_unmarked_by_its_interval_is_named_with_it(count):
    # Births 9.6‰ at the 90th percentile, 1.6 above the median of 8.0 (the minimum difference is 0.5), but on
    # so few births that the interval 7.6–11.9 includes 8.0: no strength, and the text says why, with the
    # interval. Deaths likewise (lower is better: 10.0 against 12.0, interval 8.1–12.3).
    rows = [
        ("births_per_1000", "demography", "natural_change", "higher_better", 9.6, 8.0, 90.0, 1.2, True, ""),
        ("deaths_per_1000", "demography", "natural_change", "lower_better", 10.0, 12.0, 90.0, 1.1, True, ""),
    ][:count]
    frame = comparison(rows)
    frame["ci_low"], frame["ci_high"] = [7.6, 8.1][:count], [11.9, 12.3][:count]
    polish = " ".join(section_sentences(frame, "demography"))
    english = " ".join(section_sentences(frame, "demography", "en"))
    births = "urodzenia żywe na 1000 ludności (9,6‰; 95% przedział 7,6–11,9; mediana grupy 8,0‰)"
    if count == 1:
        assert (
            "Nie uznano za mocną ani za słabą stronę wskaźnika, którego różnica od mediany grupy mieści się "
            "w granicach przypadku (przedział ufności wartości obejmuje medianę); w wyniku części liczy się jak brak "
            f"różnicy: {births}." in polish
        )
        assert "Not counted as a strength or weakness, as its difference" in english
        assert "live births per 1,000 population (9.6‰; 95% interval 7.6–11.9; peer median 8.0‰)" in english
    else:
        assert "Nie uznano za mocne ani za słabe strony wskaźników, których różnice" in polish
        assert "(przedziały ufności wartości obejmują medianę); w wyniku części liczą się jak brak różnicy:" in polish
        assert "in the section's score they count as no difference:" in english
        assert f"{births}; zgony na 1000 ludności (10,0‰; 95% przedział 8,1–12,3; mediana grupy 12,0‰)." in polish
        assert "Not counted as strengths or weaknesses, as their differences" in english
    # An interval clear of the median: the value is a strength (marked elsewhere), nothing held back.
    frame["ci_low"], frame["ci_high"] = [8.6, 8.5][:count], [10.7, 11.6][:count]
    assert "Nie uznano" not in " ".join(section_sentences(frame, "demography"))


def test_own_revenue_is_said_to_hold_the_pit_share_not_to_have_matched_the_peers():
    # `nearest` matches on PIT per capita; own revenue only where PIT is missing, and it holds the PIT share:
    # neither is judged, but only PIT is what the group was chosen by (for a town with PIT, as almost all).
    economy = [
        ("own_revenue_per_capita", "economy", "budget_income", "higher_better", 2_000, 1_900, 60.0, 0.3, False, ""),
        ("pit_per_capita", "economy", "budget_income", "higher_better", 900, 880, 55.0, 0.1, False, ""),
    ]
    frame = comparison(economy)
    frame["matching"] = True
    polish = " ".join(section_sentences(frame, "economy"))
    assert (
        "Nie oceniamy wskaźników, według których dobrano grupę porównawczą: dochody własne gminy na 1 mieszkańca "
        "(zawierają udziały w PIT i zastępują je, gdy ich brak), udziały w PIT na 1 mieszkańca." in polish
    )
    english = " ".join(section_sentences(frame, "economy", "en"))
    assert "own revenue per capita (holding the PIT share, and standing in for it where that is missing)" in english


AREAS = pd.DataFrame(  # a voivodeship's and Poland's values, as analysis.aggregates gives them
    {"voivodeship": [9.5, 11.5, np.nan], "poland": [9.0, 12.5, np.nan]},
    index=["births_per_1000", "deaths_per_1000", "population_change_5y"],
)


def test_a_section_without_data_gets_no_verdict_in_the_summary():
    frame = comparison(DEMOGRAPHY)
    verdicts = section_verdicts(frame)  # economy and services have no rows at all
    [services] = [line for line in verdict_lines(verdicts, {}, frame) if line.section == "services"]
    assert services.verdict == "none" and services.reason.startswith("brak danych do porównania z grupą (")
    assert "podobnie" not in services.reason


def test_a_section_whose_only_value_was_matched_on_says_there_is_nothing_to_compare():
    # A store of few variables (the real GUS and MF files: population and PIT): the economy's one value is PIT
    # per capita, which the peers were matched on and which page one's key figures print. "No data" would
    # contradict them; the reason is that nothing in the section can be compared with the peers.
    economy = [
        ("pit_per_capita", "economy", "budget_income", "higher_better", 900, 880, 55.0, 0.1, False, ""),
        ("regon_per_10k", "economy", "business", "higher_better", np.nan, 900, np.nan, np.nan, False, ""),
    ]
    frame = comparison(DEMOGRAPHY + economy)
    frame.loc["pit_per_capita", "matching"] = True
    verdicts = section_verdicts(frame)
    [polish] = [line for line in verdict_lines(verdicts, {}, frame) if line.section == "economy"]
    assert polish.verdict == "none" and polish.reason.startswith("brak danych do porównania z grupą (")
    [english] = [line for line in verdict_lines(verdicts, {}, frame, "en") if line.section == "economy"]
    assert english.reason.startswith("no data to compare with the peers (0 of")


@pytest.mark.parametrize(
    "marks, reason",
    [
        ((1, 1), "1 mocna strona i 1 słaba strona"),
        ((2, 0), "2 mocne strony, bez słabych stron"),
        ((0, 5), "5 słabych stron, bez mocnych stron"),
        ((0, 0), "bez wyraźnych mocnych i słabych stron"),
    ],
)
def test_a_verdict_gives_its_reason_in_words(marks, reason):
    # Five of six judged: the reason says on how many (the scores table beside it gives the score).
    fields = {"verdict": "similar", "score": 0.1, "judged": 5, "judgeable": 6, "reason": ""}
    assert (
        verdict_reason(pd.Series(fields), "pl", marks).replace("\u00a0", " ") == f"{reason}; ocenione wskaźniki: 5 z 6"
    )
    all_judged = pd.Series(fields | {"judged": 6})
    assert verdict_reason(all_judged, "pl", marks).replace("\u00a0", " ") == reason  # all of them: nothing said


def test_the_summary_names_the_themes_of_its_strengths_and_weaknesses():
    # Three weaknesses in the age structure and one in deaths are two problems, not four; a strength in
    # migration. Hand-built section: the theme with the clearest mark comes first (scores −1.9 vs −1.2). A theme
    # is the catalogue's topic where a sub-domain holds several: deaths, not "births and deaths", as births are
    # not marked.
    rows = [
        (
            "net_migration_per_1000",
            "demography",
            "migration_and_change",
            "higher_better",
            2,
            0,
            90,
            1.1,
            True,
            "strength",
        ),
        ("deaths_per_1000", "demography", "natural_change", "lower_better", 14, 12, 10, -1.2, True, "weakness"),
        ("share_working_age", "demography", "age_structure", "higher_better", 55, 58, 8, -1.4, True, "weakness"),
        ("ageing_index", "demography", "age_structure", "lower_better", 190, 150, 2, -1.9, True, "weakness"),
        ("old_age_dependency", "demography", "age_structure", "lower_better", 52, 44, 5, -1.5, True, "weakness"),
        ("births_per_1000", "demography", "natural_change", "higher_better", 9, 9, 50, 0.0, True, ""),
    ]
    themes = marked_themes(comparison(rows))
    assert themes == (["migration"], ["age_structure", "deaths"])
    assert marks_phrase(1, 4, "pl", themes).replace(NBSP, " ") == (
        "1 mocna strona: migracje; 4 słabe strony: struktura wieku, zgony"
    )
    assert marks_phrase(1, 4, "en", themes).replace(NBSP, " ") == (
        "1 strength: migration; 4 weaknesses: age structure, deaths"
    )
    # Only weaknesses: the missing kind closes the list.
    themes = marked_themes(comparison(rows[1:]))
    assert (
        marks_phrase(0, 4, "pl", themes).replace(NBSP, " ")
        == "4 słabe strony: struktura wieku, zgony; bez mocnych stron"
    )
    assert marks_phrase(0, 4, "en", themes).replace(NBSP, " ") == "4 weaknesses: age structure, deaths; no strengths"
    # A strength in the age structure too: that theme is named once, as holding both, not on both lists.
    themes = marked_themes(comparison([*rows[1:], rows[4][:7] + (0.9, True, "strength")]))
    assert themes == (["age_structure"], ["age_structure", "deaths"])
    assert marks_phrase(1, 4, "pl", themes).replace(NBSP, " ") == (
        "1 mocna strona i 4 słabe strony; słabe: zgony; jedne i drugie: struktura wieku"
    )
    assert marks_phrase(1, 4, "en", themes).replace(NBSP, " ") == (
        "1 strength and 4 weaknesses; weaknesses: deaths; both kinds: age structure"
    )
    # Weak migration beside a population change better than the peers': one sub-domain, two topics, each
    # named on its own side. As one sub-domain, both topics were named once, as holding both kinds of mark.
    change = ("population_change_5y", "demography", "migration_and_change", "higher_better", -3, -6, 80, 1.0, True)
    migration = ("net_migration_per_1000", "demography", "migration_and_change", "higher_better", -9, -4, 8, -1.3, True)
    themes = marked_themes(comparison([migration + ("weakness",), change + ("strength",)]))
    assert themes == (["population_change"], ["migration"])
    assert marks_phrase(1, 1, "pl", themes).replace(NBSP, " ") == (
        "1 mocna strona: zmiana liczby ludności; 1 słaba strona: migracje"
    )


def test_every_summary_verdict_of_the_demo_batch_names_the_themes_of_its_marks(demo_reports):
    # Taken from each section's assessments and the catalogue's topics, not from the sentence's code: every
    # theme with strengths only is named after the strengths' label, every theme with weaknesses only after
    # the weaknesses', a theme with both after a label naming both, and no theme twice or out of place.
    themes = {label(i.theme) for i in indicators().values()}
    checked = both_kinds = 0
    for report in demo_reports.values():
        for section, row in report.verdicts.iterrows():
            if row["verdict"] == "no_verdict":
                continue
            sentence = verdict_line(report, section).reason
            reason = sentence.replace(NBSP, " ")
            rows = report.comparison.loc[report.comparison["section"] == section]
            marked = {
                kind: {label(indicators()[i].theme) for i in rows.index[rows["assessment"] == kind]}
                for kind in ("strength", "weakness")
            }
            expected = {
                "both": marked["strength"] & marked["weakness"],
                "strength": marked["strength"] - marked["weakness"],
                "weakness": marked["weakness"] - marked["strength"],
            }
            named = {kind: [] for kind in expected}
            for part in reason.split("; "):
                if ": " not in part or part.startswith("ocenione wskaźniki"):  # a count alone, "bez mocnych
                    continue  # stron", what carries the verdict, or on how many of the indicators
                heading, listed = part.split(": ", 1)
                kind = "both" if heading == "jedne i drugie" else "strength" if "mocn" in heading else "weakness"
                named[kind] += [theme for theme in themes if theme in listed]
            assert {kind: set(found) for kind, found in named.items()} == expected, (report.teryt, sentence)
            assert sum(len(found) for found in named.values()) == len(marked["strength"] | marked["weakness"])
            checked += 1
            both_kinds += bool(expected["both"])
    assert checked > 100 and both_kinds > 10


@pytest.mark.parametrize(
    "verdict, score, marked_part, marks, said",
    [
        # Worse with one strength and no weakness: the unmarked indicators carry all of −0.40 and more.
        ("worse", -0.40, 0.05, (1, 0), "; przeważają mniejsze różnice na niekorzyść gminy"),
        ("worse", -0.40, 0.0, (0, 0), "; przeważają mniejsze różnice na niekorzyść gminy"),
        # Worse with one of each: the weakness's part (−0.30 of −0.40) is more than the others' (−0.10).
        ("worse", -0.40, -0.30, (1, 1), "; słaba strona waży więcej niż mocna"),
        ("better", 0.40, 0.30, (1, 2), "; mocna strona waży więcej niż słabe"),
        ("better", 0.40, 0.30, (2, 2), "; mocne strony ważą więcej niż słabe"),
        ("better", 0.40, 0.10, (2, 2), "; przeważają mniejsze różnice na korzyść gminy"),  # 0.30 unmarked
        ("worse", -0.40, -0.35, (0, 2), ""),  # the weaknesses are the reason, and their count says so
        ("similar", 0.10, 0.0, (0, 0), ""),
    ],
)
def test_a_verdict_its_marks_do_not_explain_says_what_does(verdict, score, marked_part, marks, said):
    row = pd.Series(
        {"verdict": verdict, "score": score, "marked_part": marked_part, "judged": 6, "judgeable": 6, "reason": ""}
    )
    assert verdict_reason(row, "pl", marks) == marks_phrase(*marks, "pl") + said
    english = verdict_reason(row, "en", marks)
    assert (" more than the " in english or " prevail" in english) is bool(said)


@pytest.mark.parametrize(
    "verdict, marks, said",
    [
        ("better", (1, 2), "; the strength weighs more than the weaknesses"),
        ("worse", (2, 1), "; the weakness weighs more than the strengths"),
        ("worse", (2, 2), "; the weaknesses weigh more than the strengths"),
    ],
)
def test_in_english_the_heavier_marks_agree_in_number(verdict, marks, said):
    score = 0.4 if verdict == "better" else -0.4
    row = pd.Series(
        {"verdict": verdict, "score": score, "marked_part": score * 0.8, "judged": 6, "judgeable": 6, "reason": ""}
    )
    assert verdict_reason(row, "en", marks).endswith(said)


@pytest.mark.parametrize(
    "score, part, marks, said",
    [
        # Five weaknesses whose part (−0.42) is beyond the band (±0.25): the others pull −0.42 back to −0.21.
        (-0.21, {"weaknesses_part": -0.42}, (0, 5), "; pozostałe wskaźniki równoważą jednak słabe strony"),
        (0.07, {"strengths_part": 0.38}, (3, 0), "; pozostałe wskaźniki równoważą jednak mocne strony"),
        # Three weaknesses whose part (−0.20) is itself within the band: they alone would not make it "worse".
        (
            -0.19,
            {"weaknesses_part": -0.20},
            (0, 3),
            "; słabe strony ważą jednak łącznie za mało, by obniżyć ocenę",
        ),
        (
            0.10,
            {"strengths_part": 0.25},
            (3, 1),
            "; mocne strony ważą jednak łącznie za mało, by podnieść ocenę",
        ),
        (0.10, {"weaknesses_part": -0.40}, (0, 1), ""),  # one weakness more is no lean worth a clause
        (0.10, {"weaknesses_part": -0.40}, (1, 2), ""),
    ],
)
def test_a_similar_verdict_its_marks_lean_away_from_says_why(score, part, marks, said):
    row = pd.Series(
        {"verdict": "similar", "score": score, "judged": 6, "judgeable": 6, "reason": "", "marked_part": math.nan}
        | {"strengths_part": 0.0, "weaknesses_part": 0.0}
        | part
    )
    assert verdict_reason(row, "pl", marks) == marks_phrase(*marks, "pl") + said  # (0.25 at the edge: within)
    english = verdict_reason(row, "en", marks)
    kind = "weaknesses" if marks[1] > marks[0] else "strengths"
    assert (f"offset the {kind}" in english or f"the {kind} weigh too little to" in english) is bool(said)


def test_every_similar_verdict_of_the_demo_batch_whose_marks_lean_says_why(demo_reports):
    # "podobnie – 5 słabych stron, bez mocnych stron" with no word on why would read as a contradiction.
    # The counts are taken from each section's assessments, not from the sentence.
    reasons = ("; pozostałe wskaźniki równoważą jednak ", " strony ważą jednak łącznie za mało, by ")
    leaning = 0
    for report in demo_reports.values():
        for section, row in report.verdicts.iterrows():
            assessments = report.comparison.loc[report.comparison["section"] == section, "assessment"]
            strengths, weaknesses = (assessments == "strength").sum(), (assessments == "weakness").sum()
            sentence = verdict_line(report, section).reason
            explained = any(reason in sentence for reason in reasons)
            if row["verdict"] == "similar" and abs(strengths - weaknesses) >= 2:
                leaning += 1
                assert explained, sentence
            elif row["verdict"] == "similar":
                assert not explained, sentence
    assert leaning >= 10  # the demo batch has such sections (17 when this test was written)


def test_the_marked_part_of_a_section_score_is_what_its_strengths_and_weaknesses_add_to_it():
    from analysis.synthesis import score_shares

    # Sub-domain a holds two indicators, b one: the score is ((1.0 + −0.5) / 2 + 0.6) / 2 = 0.425; by hand,
    # each of a's indicators counts a quarter, b's a half: 0.25, −0.125, 0.3, which sum to 0.425.
    shares = score_shares([1.0, -0.5, 0.6], ["a", "a", "b"])
    assert shares == pytest.approx([0.25, -0.125, 0.3])
    # From the demo batch: Bławatkodwór's (1890041) public services are worse with one strength and one weakness. By
    # hand from its comparison: the weights 1 / (sub-domains × indicators in the sub-domain), summed over the
    # marked indicators of each kind, and the rest of the score carried by the unmarked ones.
    from analysis.report import prepare_report
    from analysis.town import TownParams

    report = prepare_report(TownParams(teryt="1890041"))
    rows = report.comparison.loc[(report.comparison["section"] == "services") & report.comparison["judged"]]
    weights = 1 / (rows["subdomain"].nunique() * rows.groupby("subdomain")["score"].transform("size"))
    parts = weights * rows["score"]
    strengths, weaknesses = parts[rows["assessment"] == "strength"], parts[rows["assessment"] == "weakness"]
    verdict = report.verdicts.loc["services"]
    assert verdict["score"] == pytest.approx(parts.sum())
    assert verdict["marked_part"] == pytest.approx(strengths.sum() + weaknesses.sum())
    assert verdict["strengths_part"] == pytest.approx(strengths.sum())
    assert verdict["weaknesses_part"] == pytest.approx(weaknesses.sum())
    # The premise: as many strengths as weaknesses, yet worse; the marks do not lean its way, and the smaller
    # differences, unmarked, carry more of the score than the marked ones (the phrase for marks that carry it:
    # the synthetic rows above).
    assert verdict["verdict"] == "worse" and (len(strengths), len(weaknesses)) == (1, 1)
    marked = strengths.sum() + weaknesses.sum()
    assert abs(verdict["score"] - marked) > abs(marked)
    assert "; przeważają mniejsze różnice na niekorzyść gminy" in verdict_line(report, "services").reason


def test_key_findings_put_the_town_beside_its_peers_the_voivodeship_and_poland():
    frame = comparison(DEMOGRAPHY)
    findings = key_findings(frame, AREAS, ["births_per_1000"], ["deaths_per_1000"], "pl").replace("\u00a0", " ")
    findings = findings.split("\n")
    assert findings == [
        "- **Mocna strona** – wysoki współczynnik urodzeń: 11,0‰ (typowa gmina grupy: 8,0‰; województwo: 9,5‰; "
        "Polska: 9,0‰).",
        "- **Słaba strona** – wysoka liczba zgonów na 1000 ludności: 14,0‰ (typowa gmina grupy: 12,0‰; "
        "województwo: 11,5‰; Polska: 12,5‰).",
    ]  # no population change in this frame: no "Zmiana" item
    with_change = pd.concat(
        [
            frame,
            comparison(
                [("population_change_5y", "demography", "size", "higher_better", -4.6, -4.7, 50.0, 0.0, True, "")]
            ),
        ]
    )
    areas = AREAS.copy()
    areas.loc["population_change_5y"] = [-4.4, np.nan]  # Poland unknown: left out, not printed as "b.d."
    quiet = key_findings(with_change, areas, [], [], "pl").replace("\u00a0", " ").split("\n")
    assert quiet[0].startswith("- Żaden wskaźnik nie odbiega od grupy porównawczej")
    assert quiet[1] == (
        "- **Zmiana** – liczba ludności w ciągu 5 lat zmniejszyła się o 4,6% "
        "(typowa gmina grupy: −4,7%; województwo: −4,4%)."
    )


@pytest.mark.parametrize(
    "language, said",
    [("pl", "województwo: brak danych z części gmin"), ("en", "voivodeship: no data for some of its gminy")],
)
def test_a_voivodeship_value_missing_for_too_few_residents_is_said_on_page_one_not_dropped(language, said):
    # Births per 1,000 have voivodeship values; this voivodeship's gminy with data hold 60% of its residents,
    # under the 90% a value needs: page one says the value is missing, and why. Without a measured coverage (an
    # indicator that has no area values at all) the voivodeship is left out, as before.
    frame = comparison(DEMOGRAPHY[:1])
    areas = pd.DataFrame(
        {"voivodeship": [np.nan], "poland": [9.0], "voivodeship_coverage": [0.6], "poland_coverage": [0.99]},
        index=["births_per_1000"],
    )
    findings = key_findings(frame, areas, ["births_per_1000"], [], language).replace("\u00a0", " ")
    assert said in findings and ("Polska: 9,0‰" if language == "pl" else "Poland: 9.0‰") in findings
    areas["voivodeship_coverage"] = np.nan
    findings = key_findings(frame, areas, ["births_per_1000"], [], language).replace("\u00a0", " ")
    assert said not in findings and ("województwo" if language == "pl" else "voivodeship") not in findings


def test_page_one_gives_a_ratio_per_100_as_a_bare_number_and_a_count_with_its_noun():
    # The ageing index is older persons per 100 children: "191,7 osoby" would drop the "per 100", so page one
    # gives the bare number, as GUS does. Library readers per 1,000: the phrase says per what, the noun is kept.
    rows = [
        ("ageing_index", "demography", "age_structure", "lower_better", 191.7, 175.6, 90.0, -1.0, True, "weakness"),
        (
            "library_readers_per_1000",
            "services",
            "social_and_culture",
            "higher_better",
            207,
            164,
            80,
            1,
            True,
            "strength",
        ),
    ]
    areas = pd.DataFrame({"voivodeship": [160.0, 155.0], "poland": [150.2, 158.0]}, index=[r[0] for r in rows])
    findings = key_findings(comparison(rows), areas, ["library_readers_per_1000"], ["ageing_index"], "pl")
    assert findings.replace("\u00a0", " ").split("\n") == [
        "- **Mocna strona** – wielu czytelników bibliotek na 1000 ludności: 207 osób (typowa gmina grupy: "
        "164 osoby; województwo: 155 osób; Polska: 158 osób).",
        "- **Słaba strona** – wysoki indeks starości: 191,7 (typowa gmina grupy: 175,6; województwo: 160,0; "
        "Polska: 150,2).",
    ]


@pytest.mark.parametrize(
    "language, page_one, section_text",
    [
        (
            "pl",
            "- **Słaba strona** – niski odsetek korzystających z sieci kanalizacyjnej: 71,3% ludności "
            "(typowa gmina grupy: 86,9%; województwo: 85,5%; Polska: 80,8%).",
            "niski odsetek korzystających z sieci kanalizacyjnej (71,3% ludności wobec mediany grupy 86,9%)",
        ),
        (
            "en",
            "- **Weakness** – low sewerage coverage: 71.3% of population "
            "(typical peer: 86.9%; voivodeship: 85.5%; Poland: 80.8%).",
            "low sewerage coverage (71.3% of population against a peer median of 86.9%)",
        ),
    ],
)
def test_a_unit_of_a_sign_and_words_is_said_once_beside_the_towns_value(language, page_one, section_text):
    # "% ludności" after every one of four numbers in one line was heavy; the sign alone is repeated.
    rows = [("sewage_users", "services", "utilities", "higher_better", 71.3, 86.9, 15.0, -1.2, True, "weakness")]
    areas = pd.DataFrame({"voivodeship": [85.5], "poland": [80.8]}, index=["sewage_users"])
    findings = key_findings(comparison(rows), areas, [], ["sewage_users"], language)
    assert findings.replace("\u00a0", " ").split("\n") == [page_one]
    item = judged_item(indicators()["sewage_users"], comparison(rows).loc["sewage_users"], language)
    assert item.replace("\u00a0", " ") == section_text


def test_a_value_on_few_events_says_what_its_mark_means_in_the_section_text():
    # "≈1,69" in the text came before the table whose caption explains "≈"; page one said it, the text did not.
    rows = [("sewage_users", "services", "utilities", "higher_better", 71.3, 86.9, 15.0, -1.2, True, "weakness")]
    row = comparison(rows).loc["sewage_users"]
    assert "mniej niż" not in judged_item(indicators()["sewage_users"], row, "pl")
    row["reliability"] = "unreliable"
    assert judged_item(indicators()["sewage_users"], row, "pl").replace("\u00a0", " ") == (
        "niski odsetek korzystających z sieci kanalizacyjnej (≈71,3% ludności wobec mediany grupy 86,9%; "
        "wartość niepewna: mniej niż 20 zdarzeń)"
    )
    assert judged_item(indicators()["sewage_users"], row, "en").endswith(
        "against a peer median of 86.9%; uncertain value: fewer than 20 events)"
    )


def test_page_one_spends_one_line_per_matter():
    # Weaknesses by score: the 5-year change, the 10-year change (the same sub-domain, the same news), deaths.
    rows = [
        (
            "population_change_5y",
            "demography",
            "migration_and_change",
            "higher_better",
            -11.4,
            -6.3,
            5.0,
            -2.0,
            True,
            "weakness",
        ),
        (
            "population_change_10y",
            "demography",
            "migration_and_change",
            "higher_better",
            -19.9,
            -11.6,
            5.0,
            -1.9,
            True,
            "weakness",
        ),
        DEMOGRAPHY[1],  # deaths_per_1000, a weakness of natural change
    ]
    findings = key_findings(
        comparison(rows), AREAS, [], ["population_change_5y", "population_change_10y", "deaths_per_1000"], "pl"
    ).split("\n")
    assert [line.split(" – ")[1].split(":")[0] for line in findings] == [
        "większy spadek liczby ludności w ciągu 5 lat",  # −11.4 % against the peers' −6.3 %
        "wysoka liczba zgonów na 1000 ludności",
    ]  # no 10-year change beside the 5-year one, and no "Zmiana" item repeating the 5-year change
    assert not any(line.startswith("- **Zmiana**") for line in findings)


def test_page_one_gives_no_five_year_change_item_when_the_ten_year_change_is_named():
    # The 10-year change is a strength: it already says how the population changes, so the "Zmiana" item
    # (the 5-year change, also in the key figures table) would spend a second line on the same matter.
    rows = [
        (
            "population_change_5y",
            "demography",
            "migration_and_change",
            "higher_better",
            -2.7,
            -5.3,
            70.0,
            0.6,
            True,
            "",
        ),
        (
            "population_change_10y",
            "demography",
            "migration_and_change",
            "higher_better",
            -0.4,
            -7.6,
            95.0,
            1.9,
            True,
            "strength",
        ),
    ]
    named = key_findings(comparison(rows), AREAS, ["population_change_10y"], [], "pl").split("\n")
    assert [line.split(" – ")[0] for line in named] == ["- **Mocna strona**"]
    unnamed = key_findings(comparison(rows), AREAS, [], [], "pl").split("\n")  # nothing named: the item returns
    assert unnamed[-1].startswith("- **Zmiana** – liczba ludności w ciągu 5 lat zmniejszyła się o 2,7%")


def test_signed_changes_become_words():
    assert _change_words(-3.3, 1, "pl") == "zmniejszyła się o 3,3%"
    assert _change_words(1.25, 1, "pl") == "zwiększyła się o 1,3%"
    assert _change_words(-0.04, 1, "pl") == "nie zmieniła się"
    assert _change_words(-3.3, 1, "en") == "fell by 3.3%"


@pytest.mark.parametrize("language", ["pl", "en"])
def test_page_one_says_what_a_verdict_depends_on(language):
    # Written by hand: demography hinges on births (without them: similar) and on the peer rule; economy
    # only on the peer rule; services on neither, so its cell is empty (the table prints "—"). The pointer to
    # the sensitivity analysis is the table's caption, once.
    verdicts = pd.DataFrame(
        {
            "verdict": ["better", "similar", "similar"],
            "score": [0.4, 0.1, 0.0],
            "judged": [5, 5, 5],
            "judgeable": [6, 6, 6],
            "reason": ["", "", ""],
            "hinges_on": ["births_per_1000", "", ""],
            "verdict_without": ["similar", "", ""],
        },
        index=pd.Index(["demography", "economy", "services"], name="section"),
    )
    frame = comparison(DEMOGRAPHY)
    robust = {"demography": False, "economy": False, "services": True}
    demography, economy, services = (line.depends_on for line in verdict_lines(verdicts, robust, frame, language))
    if language == "pl":  # after the column's "Ocena zależy od": genitives
        assert demography == (
            "doboru grupy porównawczej i jednego wskaźnika („Urodzenia żywe na 1000 ludności”) – bez niego: podobnie"
        )
        assert economy == "doboru grupy porównawczej"
    else:
        assert demography == (
            "how the peer group is chosen and on one indicator (“Live births per 1,000 population”) – without it: "
            "similar"
        )
        assert economy == "how the peer group is chosen"
    assert services == ""
    # Without the hinge too little would be left to judge the section: said as the verdict it would get.
    verdicts.loc["services", ["hinges_on", "verdict_without"]] = ["deaths_per_1000", "none"]
    services = verdict_lines(verdicts, robust, frame, language)[2].depends_on
    assert services == (
        "jednego wskaźnika („Zgony na 1000 ludności”) – bez niego: bez oceny, za mało danych"
        if language == "pl"
        else "one indicator (“Deaths per 1,000 population”) – without it: no verdict, too little data"
    )


@pytest.mark.parametrize("first_year, said", [(2014, True), (2021, False)])
def test_the_re_basing_behind_a_population_trend_is_said_only_where_the_trend_spans_it(first_year, said):
    from analysis.narrative import population_sentences
    from analysis.trends import Trend

    frame = pd.DataFrame(
        {"value": [30_000.0, -2.0], "peer_median": [20_000.0, -3.0], "year": [2024, 2024]},
        index=["population", "population_change_5y"],
    )
    trend = Trend(-100.0, -150.0, -50.0, first_year, 2024, 2025 - first_year)
    text = " ".join(population_sentences(frame, "Miasto", trend, None, None, "pl"))
    assert ("lata przed 2021 r. przeliczono na podstawę spisu powszechnego z 2021 r." in text) is said
    # A fall of 100 a year whose interval is −150 to −50 is a fall of 50 to 150: the bounds read as the figure does,
    # to a tenth of a person as the changes table prints the trend (a fraction governs "osoby").
    assert "malała średnio o 100,0\u00a0osoby rocznie (95% przedział: od 50,0 do 150,0 rocznie)." in text


@pytest.mark.parametrize(
    "slope, low, high, expected",
    [
        # The estimate is the trend of (town − peer median): positive means the town gains on its peers,
        # whether both grow or both shrink. A loss is said as a loss, its interval as the loss's bounds.
        (
            0.28,
            0.07,
            0.68,
            "liczba ludności gminy zyskuje średnio 0,28 pkt proc. rocznie (obie wielkości w % "
            "stanu z 2014 r.; 95% przedział od 0,07 do 0,68).",
        ),
        (
            -0.81,
            -0.99,
            -0.57,
            "liczba ludności gminy traci średnio 0,81 pkt proc. rocznie (obie wielkości w % "
            "stanu z 2014 r.; 95% przedział od 0,57 do 0,99).",
        ),
        (
            0.05,
            -0.08,
            0.19,
            "nie da się rozstrzygnąć: średnio +0,05 pkt proc. rocznie (w % stanu z 2014 r.), "
            "95% przedział od −0,08 do +0,19.",
        ),
    ],
)
def test_the_town_against_its_peers_is_said_as_a_gain_or_a_loss_without_hedging(slope, low, high, expected):
    from analysis.narrative import _versus_peers_sentence
    from analysis.trends import Trend

    sentence = _versus_peers_sentence(Trend(slope, low, high, 2014, 2024, 11), "pl")
    assert sentence.endswith(expected)
    assert " lub " not in sentence  # no "rośnie szybciej lub maleje wolniej"
    english = _versus_peers_sentence(Trend(slope, low, high, 2014, 2024, 11), "en")
    said = "Against the peer median, the town's population"
    assert english.startswith(f"{said} gains") is (low > 0)  # the interval excludes zero: the direction is clear
    assert english.startswith(f"{said} loses") is (high < 0)


def test_an_unclear_population_trend_gives_its_yearly_change_in_persons():
    from analysis.narrative import _trend_sentence
    from analysis.trends import Trend

    # The bounds signed like the change itself: an interval across zero reads "from −1,0 to +13,0".
    assert "średnia zmiana roczna +6,2\u00a0osoby, ale jej 95% przedział (od −1,0 do +13,0) obejmuje zero" in (
        _trend_sentence(Trend(6.2, -1.0, 13.0, 2014, 2024, 11), "pl")
    )
    assert "średnia zmiana roczna −1,2\u00a0osoby," in _trend_sentence(Trend(-1.2, -3.0, 1.0, 2014, 2024, 11), "pl")
    # A change that prints as 0,0 takes no sign: "−0,0 osoby" would say a fall the figure does not show.
    assert "średnia zmiana roczna 0,0\u00a0osoby," in _trend_sentence(Trend(-0.04, -3.0, 2.0, 2014, 2024, 11), "pl")
    assert "−0,4\u00a0osoby," in _trend_sentence(Trend(-0.4, -3.0, 2.0, 2014, 2024, 11), "pl")  # 0,4 is printed
    assert "unclear: 0.0\u00a0persons a year" in _trend_sentence(Trend(0.03, -2.0, 3.0, 2014, 2024, 11), "en")


def test_the_population_trend_in_the_text_is_the_one_the_changes_table_prints():
    # Złotowola's population falls by 25.46 a year: the table prints −25,5, and the text once said "25 osób",
    # which beside it reads as a slip of rounding. The text's figure and bounds are read here off the table's cell.
    from analysis import display as show
    from analysis.report import prepare_report
    from analysis.town import TownParams

    report = prepare_report(TownParams(teryt="0891011"))
    table = show.changes_table(report, "demography").frame.set_index("Wskaźnik")
    cell = table.loc["Liczba ludności (osoby)", "Trend roczny (95% przedział)"]
    slope, low, high = (part.strip("(); −") for part in cell.replace(";", " ").split()[:3])
    assert cell.startswith("−") and "," in slope  # a fall, printed with a decimal: the case in point
    sentence = next(s for s in report.narrative["demography"] if "liczba ludności malała" in s)
    assert f"średnio o {slope}\u00a0osoby rocznie (95% przedział: od {high} do {low} rocznie)" in sentence


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_projection_is_compared_with_drift_unless_it_is_drift(language):
    from analysis.narrative import projection_sentence
    from analysis.projection import Projection

    forecast = pd.DataFrame({"mean": [10_004.0], "low": [9_721.0], "high": [10_266.0]}, index=[2029])

    def sentence(method: str) -> str:
        # Non-breaking spaces keep a number with its noun; read as plain spaces here.
        return projection_sentence(Projection(forecast, method, 0.91, 0.94, 300), language).replace("\xa0", " ")

    other = sentence("median_drift")
    assert ("(metoda naiwna z dryfem: 0,9%)" if language == "pl" else "(naive drift: 0.9%)") in other
    # Drift chosen: no "(naive drift: 0.9%)" beside its own 0.9%, but why it was chosen.
    drift = sentence("drift")
    assert "dryfem: 0,9%" not in drift and "naive drift:" not in drift
    assert (
        "żadna z pozostałych metod nie prognozowała dokładniej." if language == "pl" else "no other method"
    ) in drift
    # Rounded to tens, as a projection five years ahead deserves: 10 004 -> 10 000, 9 721 -> 9 720.
    assert ("ok. 10 000 osób" if language == "pl" else "about 10,000 persons") in drift
    assert ("9 720–10 270" if language == "pl" else "9,720–10,270") in drift
    # Half up, as every figure: 10 005 -> 10 010 (Python's round, half to even, gave 10 000).
    forecast.loc[2029, "mean"] = 10_005.0
    assert ("ok. 10 010 osób" if language == "pl" else "about 10,010 persons") in sentence("drift")


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_projection_that_leaned_one_way_in_the_backtest_says_so(language):
    from analysis.narrative import projection_sentence
    from analysis.projection import Projection

    # The interval reaches 283 below the forecast and 262 above it (10 004 − 9 721, 10 266 − 10 004).
    forecast = pd.DataFrame({"mean": [10_004.0], "low": [9_721.0], "high": [10_266.0]}, index=[2029])

    def sentence(share_below: float) -> str:
        return projection_sentence(Projection(forecast, "drift", 0.91, 0.94, 300, 2014, share_below), language)

    pl = language == "pl"
    # 0.846 of the forecasts above the outcome: 85 %, leaning high, and the interval reaching further down says why.
    assert sentence(0.846).endswith(
        " W tym teście po 5 latach rzeczywista liczba ludności była niższa od prognozy w 85% przypadków: prognoza "
        "raczej ją zawyża (dlatego przedział sięga dalej w dół niż w górę)."
        if pl
        else " In that backtest the actual population after 5 years was below the forecast in 85% of cases: the "
        "forecast tends to be too high (hence the interval reaches further down than up)."
    )
    # 0.2 below, so 80 % above: leaning low; this interval reaches further down, so no "hence".
    assert sentence(0.2).endswith(
        " W tym teście po 5 latach rzeczywista liczba ludności była wyższa od prognozy w 80% przypadków: prognoza "
        "raczej ją zaniża."
        if pl
        else " In that backtest the actual population after 5 years was above the forecast in 80% of cases: the "
        "forecast tends to be too low."
    )
    # 169 of 200 below: 84.5 %, printed half up as every figure of the report, "85%" (Python's round gave 84).
    assert ("w 85% przypadków" if pl else "in 85% of cases") in sentence(169 / 200)
    # No lean (between a third and two thirds), or none known: the sentence ends with the method's error.
    plain = sentence(float("nan"))
    assert sentence(0.6) == plain
    assert plain.endswith("dokładniej." if pl else "more accurately.")


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_change_without_the_census_step_is_said_only_when_it_reads_differently(language):
    from analysis.census import ChangeWithoutStep
    from analysis.narrative import _without_step_sentence

    change = pd.Series({"value": -2.9})
    text = _without_step_sentence(change, ChangeWithoutStep("population_change_5y", 2021, 0.1, -1.7), language)
    if language == "pl":
        assert text == (
            " Bez skoku wynikającego z przeliczenia na podstawę spisu powszechnego z 2021 r. zmiana wyniosłaby "
            "+0,1% (w typowej gminie grupy: −1,7%)."
        )
    else:
        assert (
            text
            == " Without the step from re-basing on the 2021 census, the change would be +0.1% (typical peer: −1.7%)."
        )
    assert (
        _without_step_sentence(change, ChangeWithoutStep("population_change_5y", 2021, -2.94, -1.7), language) == ""
    )  # reads −2,9% too
    assert _without_step_sentence(change, None, language) == ""


@pytest.mark.parametrize(
    "teryt, span, published",
    [
        # Tatarakomost lost 2.9 % of its residents in 2019–2024 as published, most of it the census step;
        # its page one names no 5-year strength or weakness, so the change is its own "Zmiana" item.
        ("1690021", 5, "zmniejszyła się o 2,9%"),
        # Jarzębinopole's 10-year change (2014–2024) is a named strength on its page one: a growth, where
        # the typical peer lost 6.4 %.
        ("1091041", 10, "wzrost liczby ludności w ciągu 10 lat: +1,2%"),
    ],
)
def test_page_one_gives_a_change_without_the_census_step_as_worked_out_by_hand(teryt, span, published):
    # By hand from the store: each town's jump is its log change 2020→2021 less the median of its other
    # yearly log changes (2014–2024); the first year on the new basis is that year × exp(jump); the change
    # is 2024 over that.
    from analysis.catalogue import variables
    from analysis.report import prepare_report
    from analysis.store import load_store
    from analysis.town import TownParams

    obs = load_store().observations
    population = obs.loc[obs["var_id"] == variables()["population"].bdl_id].pivot(
        index="teryt", columns="year", values="value"
    )

    def change_without_step(code: str) -> float:
        series = population.loc[code, 2014:2024]
        changes = np.diff(np.log(series.to_numpy()))
        at = list(series.index).index(2021) - 1  # the change into 2021
        jump = changes[at] - np.median(np.delete(changes, at))
        return (series[2024] / (series[2024 - span] * np.exp(jump)) - 1) * 100

    report = prepare_report(TownParams(teryt=teryt))
    town = change_without_step(teryt)
    peers = float(np.median([change_without_step(t) for t in report.peers.members]))

    def shown(value: float) -> str:
        return ("+" if value > 0 else "−") + f"{abs(value):.1f}".replace(".", ",") + "%"

    expected = f"zmiana wyniosłaby {shown(town)} (w typowej gminie grupy: {shown(peers)})."
    item = next(line for line in report.narrative["summary"][-1].splitlines() if f"ciągu {span} lat" in line)
    assert published in item and expected in item
    if span == 5:
        assert shown(town) == "+0,1%"  # the premise: without the step, no decline at all
        assert expected in report.narrative["demography"][0]
    else:  # a change has its sign in the section's list too
        section = " ".join(report.narrative["demography"])
        assert "wzrost liczby ludności w ciągu 10 lat (+1,2% wobec mediany grupy" in section
    # The spreadsheet's method sheet holds the same two figures, so the sentence can be traced.
    from analysis.export import method_sheet

    sheet = method_sheet(report, "2026-11-30")
    row = sheet.loc[sheet["Pozycja"].str.contains(f"{span} lat bez skoku ze spisu 2021"), "Wartość"].item()
    assert f"gmina: {shown(town)[:-1]}; mediana grupy: {shown(peers)[:-1]}" in row


@pytest.mark.parametrize(
    "peer_count, language, said",
    [
        (3, "pl", "Grupa porównawcza liczy tylko 3\u00a0gminy,"),
        (5, "pl", "Grupa porównawcza liczy tylko 5\u00a0gmin,"),
        (9, "en", "The peer group has only 9\u00a0municipalities,"),
        (10, "pl", None),  # SMALL_GROUP: from ten peers on, nothing to say
        (None, "pl", None),  # a caller that does not know the group's size says nothing
    ],
)
def test_page_one_says_when_the_peer_group_is_small(peer_count, language, said):
    # Polish plural forms by hand: 2–4 take "gminy", 5–21 "gmin".
    frame = comparison(DEMOGRAPHY)
    summary = summary_sentences(frame, AREAS, [], [], language, peer_count=peer_count)
    caveats = [s for s in summary if s.startswith(("Grupa porównawcza liczy", "The peer group has only"))]
    assert len(caveats) == (0 if said is None else 1)
    if said:
        assert caveats[0].startswith(said) and caveats[0].endswith(("orientacyjne.", "indicative only."))
        assert summary.index(caveats[0]) == 0  # after the verdict table (display.verdicts_table), before the findings


def test_a_report_of_fewer_years_than_the_projection_needs_says_why_it_has_none():
    # The projection's interval at 5 years ahead comes from backtest errors at 5 years, forecast from at least
    # 6 years of history: 6 + 5 = 11 years. A report of 2016–2024 (9 years) has none, says so, and no longer
    # says its trends were re-based "as the projection" it does not have.
    from analysis.report import prepare_report
    from analysis.town import TownParams

    short = prepare_report(TownParams(teryt="3290031", first_year=2016, last_year=2024))
    assert short.projection is None
    text = " ".join(short.narrative["demography"])
    assert (
        "Prognoza liczby ludności nie powstała: wymaga co najmniej 11\xa0lat danych (6\xa0lat historii i 5\xa0lat "
        "testu wstecznego, który wyznacza jej przedział), a dane o liczbie ludności w latach raportu obejmują 9\xa0lat."
        in text
    )
    assert "przeliczono na podstawę spisu powszechnego z 2021 r.: skok" in text and "jak w prognozie" not in text
    full = prepare_report(TownParams(teryt="3290031", first_year=2014, last_year=2024))
    text = " ".join(full.narrative["demography"])
    assert full.projection is not None and "(jak w prognozie)" in text and "nie powstała" not in text


def test_a_value_on_few_events_is_marked_alike_in_the_tables_the_key_figures_and_the_text(demo_reports):
    # The section tables print "≈" before a value on fewer than 20 events. Read off those printed tables (not
    # the comparison's reliability): wherever page one, the section text or the key figures give such a value,
    # they mark it too, and they mark no value the tables leave unmarked.
    import re

    from analysis import display as show

    def marked_numbers(text: str) -> set[str]:
        return set(re.findall(r"≈([−+]?\d[\d\u00a0]*(?:,\d+)?)", text))

    named = 0
    for report in demo_reports.values():
        tables = [show.comparison_table(report, section).frame for section in ("demography", "economy", "services")]
        # (less the "³" of a value GUS marks, which the text says in words: `test_gus_marks`)
        in_tables = {
            cell[1:].removesuffix(show.GUS_MARK)
            for frame in tables
            for cell in frame["Wartość"]
            if cell.startswith("≈")
        }
        text = " ".join(s for part in ("summary", "demography", "economy", "services") for s in report.narrative[part])
        key_figures = show.key_figures(report).frame
        assert marked_numbers(text) | marked_numbers(" ".join(key_figures.iloc[:, 1])) <= in_tables
        for frame in tables:
            for value, assessment in zip(frame["Wartość"].str.removesuffix(show.GUS_MARK), frame["Ocena"]):
                if value.startswith("≈") and assessment != "—":  # an uncertain strength or weakness: named
                    named += 1
                    assert value in text, (report.name, value)
                if value.startswith("≈"):  # nowhere quoted unmarked: "(0,87‰ …" or ": 0,87‰ (…"
                    assert f"({value[1:]}" not in text and f": {value[1:]}" not in text, (report.name, value)
    assert named >= 2  # e.g. 3290013: 11 registered unemployed of 2,045 of working age (0.5%) in 2024


def test_every_value_the_text_quotes_is_the_one_its_table_prints(demo_reports):
    # Two roads from the same figures: the section tables format each value one way, the text and page one
    # another. Over the whole demo batch, every "(X … wobec mediany grupy Y" of a section text, and every
    # page-one finding "X (…typowa gmina grupy: Y; województwo: V; Polska: P)", must name a row its
    # section's table prints (units and "w latach …" stripped; read off the printed strings).
    import re

    from analysis import display as show

    # The words between a value and its median say its years as the table's "Rok" (or its caption) does: "w latach 2022–2024"
    # for a pooled value, "w 2023 r." for one of a year before 2024 (its 2024 missing), nothing for 2024's.
    number = r"≈?[−+]?\d+(?:\u00a0\d{3})*(?:,\d+)?"
    short = label("area_short_finding")  # an area with too few residents behind its value; the table prints "b.d."
    quoted = re.compile(rf"\(({number})([^()]*?) wobec mediany grupy ({number})")
    held = re.compile(rf"\(({number})([^();]*?); 95% przedział [^;]*; mediana grupy ({number})")
    finding = re.compile(
        rf"\*\* – [^:]*: ({number})([^(]*)\((?:wartość niepewna[^;]*; )?typowa gmina grupy: ({number})[^;)]*"
        rf"(?:; województwo: ({number}|{short})[^;)]*)?(?:; Polska: ({number})[^;)]*)?"
        r"(?:; w skali Polski migracje wewnętrzne się równoważą)?\)"
    )

    def said_years(words: str) -> str:
        found = re.search(r"w latach (\d{4}–\d{4})|w (\d{4}) r\.", words)
        return (found.group(1) or found.group(2)) if found else "2024"

    pairs = findings = earlier = 0
    for report in demo_reports.values():
        rows = []
        for section in ("demography", "economy", "services"):
            table = show.comparison_table(report, section)
            frame = table.frame
            years = printed_years(table)

            def words(column):  # the text says GUS's marks in words
                return [cell.removesuffix(show.GUS_MARK) for cell in frame[column]]

            printed = list(zip(words("Wartość"), words("Mediana grupy"), years, words("Woj."), words("Polska")))
            rows += printed
            for match in [
                *quoted.finditer(" ".join(report.narrative[section])),
                *held.finditer(" ".join(report.narrative[section])),
            ]:
                pairs += 1
                value, words, median = match.groups()
                assert (value, median, said_years(words)) in {row[:3] for row in printed}, (report.name, match[0])
                earlier += " r." in words
        for match in finding.finditer("\n".join(report.narrative["summary"])):
            findings += 1
            value, words, median, voivodeship, poland = match.groups()
            voivodeship = "b.d." if voivodeship == short else voivodeship
            assert any(
                (value, median, said_years(words)) == row[:3]
                and voivodeship in (None, row[3])
                and poland in (None, row[4])
                for row in rows
            ), (report.name, match.group(0))
    assert pairs > 500 and findings > 150  # 731 and 195 when this test was written
    assert earlier >= 5  # values of 2022 or 2023 in the demo batch's texts (e.g. 0690021's, of 2022)


@pytest.mark.parametrize(
    "language, said",
    [("pl", "(71,3% ludności w 2023 r. wobec mediany grupy 86,9%)"), ("en", "(71.3% of population in 2023 against")],
)
def test_a_value_of_a_year_before_the_last_says_its_year(language, said):
    # The town's sewerage figure for 2024 is missing, so its 2023 one is compared (the tables' "Rok": 2023):
    # the text says so, on page one too; a value of the report's last year, or without a last year given, does not.
    rows = [("sewage_users", "services", "utilities", "higher_better", 71.3, 86.9, 15.0, -1.2, True, "weakness")]
    frame = comparison(rows).assign(year=2023.0, period_start=np.nan)
    row = frame.loc["sewage_users"]
    assert said in judged_item(indicators()["sewage_users"], row, language, last_year=2024).replace("\u00a0", " ")
    areas = pd.DataFrame({"voivodeship": [85.5], "poland": [80.8]}, index=["sewage_users"])
    page_one = key_findings(frame, areas, [], ["sewage_users"], language, last_year=2024).replace("\u00a0", " ")
    assert (" w 2023 r. (" if language == "pl" else " in 2023 (") in page_one
    for last_year in (2023, None):
        assert "2023" not in judged_item(indicators()["sewage_users"], row, language, last_year=last_year)


@pytest.mark.parametrize(
    "language, said, on_page_one, note",
    [
        (
            "pl",
            "(17,55 średnio rocznie w latach 2022–2024 wobec mediany grupy 4,10)",
            ": 17,55 mieszkania średnio rocznie w latach 2022–2024 (typowa gmina grupy: 4,10 mieszkania;",
            "średnia roczna z 3 lat",
        ),
        (
            "en",
            "(17.55 a year on average in 2022–2024 against a peer median of 4.10)",
            ": 17.55 dwellings a year on average in 2022–2024 (typical peer: 4.10 dwellings;",
            "yearly average of 3 years",
        ),
    ],
)
def test_a_value_pooled_over_years_is_said_to_be_a_yearly_average(language, said, on_page_one, note):
    # Dwellings of 2022–2024 over residents of 2022–2024 are dwellings per 1000 residents a year. Said as
    # "17,55 mieszkania w latach 2022–2024", with the tables' note "3 lata łącznie", a mayor could read 17.55
    # as the three years' total, a third of what the town builds a year. The words are written here by hand.
    rows = [("dwellings_per_1000", "economy", "investment", "higher_better", 17.55, 4.10, 95.0, 2.0, True, "strength")]
    frame = comparison(rows).assign(year=2024.0, period_start=2022.0, peer_count=20, change=np.nan)
    indicator, row = indicators()["dwellings_per_1000"], frame.loc["dwellings_per_1000"]
    assert said in judged_item(indicator, row, language, last_year=2024).replace("\u00a0", " ")
    areas = pd.DataFrame({"voivodeship": [4.63], "poland": [3.60]}, index=["dwellings_per_1000"])
    page_one = key_findings(frame, areas, [], ["dwellings_per_1000"], language, last_year=2024)
    assert on_page_one in page_one.replace("\u00a0", " ")
    from analysis.display import _notes

    assert note in _notes(row, indicator, language).replace("\u00a0", " ")


@pytest.mark.parametrize(
    "language, on_page_one, note",
    [
        ("pl", ": 14,0% łącznie w latach 2022–2024 (typowa gmina grupy: 16,4%;", "udział z 3 lat łącznie"),
        ("en", ": 14.0% over 2022–2024 combined (typical peer: 16.4%;", "share of 3 years combined"),
    ],
)
def test_a_share_of_amounts_pooled_over_years_is_said_to_be_of_those_years_combined(language, on_page_one, note):
    # Investment of 2022–2024 over all spending of 2022–2024 is one share of the three years' money, not a
    # yearly average: "średnio rocznie" would be wrong, and the bare years could read as a range of yearly values.
    rows = [("investment_share", "economy", "investment", "higher_better", 14.0, 16.4, 20.0, -1.0, True, "weakness")]
    frame = comparison(rows).assign(year=2024.0, period_start=2022.0, peer_count=20, change=np.nan)
    indicator, row = indicators()["investment_share"], frame.loc["investment_share"]
    areas = pd.DataFrame({"voivodeship": [11.1], "poland": [14.7]}, index=["investment_share"])
    page_one = key_findings(frame, areas, [], ["investment_share"], language, last_year=2024).replace("\u00a0", " ")
    assert on_page_one in page_one
    assert "średnio" not in page_one and "average" not in page_one
    from analysis.display import _notes

    assert note in _notes(row, indicator, language).replace("\u00a0", " ")


def test_strengths_and_weaknesses_are_listed_theme_by_theme():
    # By score alone the weaknesses would alternate between the age structure and natural change (−2.0 age,
    # −1.8 natural, −1.5 age, −1.2 natural). Listed theme by theme, the sub-domain with the clearest weakness
    # first, by score within each: the two age-structure weaknesses, which say one thing twice, stand together.
    rows = [
        ("deaths_per_1000", "demography", "natural_change", "lower_better", 14.0, 12.0, 10.0, -1.8, True, "weakness"),
        ("ageing_index", "demography", "age_structure", "lower_better", 180.0, 130.0, 5.0, -2.0, True, "weakness"),
        ("births_per_1000", "demography", "natural_change", "higher_better", 6.0, 8.0, 12.0, -1.2, True, "weakness"),
        ("share_working_age", "demography", "age_structure", "higher_better", 54.0, 58.0, 8.0, -1.5, True, "weakness"),
    ]
    [sentence] = [s for s in section_sentences(comparison(rows), "demography") if s.startswith("Słabe")]
    order = [line.split(" (")[0] for line in sentence.split("\n- ")[1:]]
    assert order == [
        "wysoki indeks starości",
        "niski udział ludności w wieku produkcyjnym",
        "wysoka liczba zgonów na 1000 ludności",
        "niski współczynnik urodzeń",
    ]


@pytest.mark.parametrize(
    "language, said",
    [
        ("pl", "(typowa gmina grupy: −3,0‰; województwo: −2,2‰; w skali Polski migracje wewnętrzne się równoważą)."),
        ("en", "(typical peer: −3.0‰; voivodeship: −2.2‰; over Poland internal migration nets out)."),
    ],
)
def test_a_finding_on_internal_migration_says_why_poland_has_no_value(language, said):
    # Internal moves net out over the country (`nets_out_nationally`): Poland has no value, which its table marks
    # "x" with the reason in the caption. Page one has no caption above it: the finding says it in words, where
    # it once only left Poland out, as though the figure were missing.
    rows = [
        (
            "net_migration_internal_per_1000",
            "demography",
            "migration_and_change",
            "higher_better",
            -7.7,
            -3.0,
            5.0,
            -1.5,
            True,
            "weakness",
        )
    ]
    areas = pd.DataFrame({"voivodeship": [-2.2], "poland": [np.nan]}, index=["net_migration_internal_per_1000"])
    findings = key_findings(comparison(rows), areas, [], ["net_migration_internal_per_1000"], language)
    assert findings.replace("\u00a0", " ").endswith(said)


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_town_that_took_in_land_says_so_beside_its_population_change(demo_store, tmp_path, language):
    # Bursztynojar given 15% more residents from 2022 on and 40% more land (its density × 1.15 / 1.4, rounded
    # as published): its 5-year population change turns to growth, which page one gives. By hand, its area
    # 8,376 / 1,868.4 = 4.48 km² in 2021 becomes 9,520 / 1,516.8 = 6.28 km² in 2022; both places of the report
    # that give the change say the boundaries moved, and another town's report says nothing.
    from analysis.report import compute_report
    from analysis.town import TownParams
    from tests.conftest import write_annexed_store

    write_annexed_store(demo_store, tmp_path / "store", "0290011", 2022, residents=1.15, land=1.4)
    asked = TownParams(teryt="0290011", language=language, data_dir=str(tmp_path / "store"))
    report = compute_report(asked)
    [change] = report.boundaries
    assert (change.year, round(change.area_before, 2), round(change.area_after, 2)) == (2022, 4.48, 6.28)
    moved = "zmieniły się granice gminy" if language == "pl" else "boundaries changed in 2022"
    area = "z 4,5 do 6,3 km²" if language == "pl" else "from 4.5 to 6.3 km²"
    demography = [s for s in report.narrative["demography"] if moved in s and area in s]
    assert len(demography) == 1
    [finding] = [line for line in report.narrative["summary"][-1].split("\n") if moved in line]
    assert ("ludności w ciągu 5 lat" if language == "pl" else "over 5 years") in finding and area in finding
    # The changes table notes it beside the residents, their density and their changes, and nowhere else.
    from analysis import display as show

    frame = show.changes_table(report, "demography").frame
    notes = frame.set_index(frame.columns[0])[frame.columns[-1]]
    noted = "zmianę granic gminy w 2022 r." if language == "pl" else "2022 change of the municipality's boundaries"
    assert {name.split(" (")[0] for name, note in notes.items() if noted in note} == {
        indicators()[i].name(language)
        for i in ("population", "population_density", "population_change_5y", "population_change_10y")
    }
    neighbour = compute_report(asked.model_copy(update={"teryt": "0290021"}))
    assert not neighbour.boundaries and not any(moved in s for s in neighbour.narrative["demography"])
    # Three years within the new boundaries (2022–2024) are too few to start a projection from.
    assert report.projection is None
    assert report.population_trend is None
    assert (
        "Trendu ani prognozy liczby ludności nie podajemy: granice gminy zmieniły się w 2022 r., a od tego roku dane "
        "obejmują 3 lata; trend wymaga co najmniej"
        if language == "pl"
        else "No population trend or projection is given: the municipality's boundaries changed in 2022, and the data "
        "since cover 3 years, while a trend needs at least"
    ) in " ".join(report.narrative["demography"]).replace("\xa0", " ")


def test_a_population_change_across_the_towns_annexation_is_not_judged(demo_store, tmp_path):
    # Bursztynojar given 30% more residents (in every age group) and 40% more land from 2022 on. Its 5-year
    # change, −6.9% in the demo, reads +21%: the best of its group by far, and page one led with "Mocna strona –
    # wzrost liczby ludności w ciągu 5 lat: +21,1%", a score of +2 in its section's mean. None of those
    # residents came: the land did. The change is shown and not judged, and the text says why.
    from analysis import display as show
    from analysis.export import indicator_sheet
    from analysis.report import compute_report
    from analysis.town import TownParams
    from tests.conftest import write_annexed_store

    write_annexed_store(demo_store, tmp_path / "store", "0290011", 2022, residents=1.3, land=1.4)
    report = compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store")))
    original = compute_report(TownParams(teryt="0290011"))
    assert original.comparison.at["population_change_5y", "judged"]
    for indicator_id in ("population_change_5y", "population_change_10y"):
        row = report.comparison.loc[indicator_id]
        assert row["value"] > 10 and row["boundary_change"] == 2022  # the published change, with the step
        assert not row["judged"] and pd.isna(row["percentile"]) and row["assessment"] == ""
    findings = report.narrative["summary"][-1].split("\n")
    assert not [line for line in findings if "strona**" in line and "liczby ludności w ciągu" in line]
    [change] = [line for line in findings if line.startswith("- **Zmiana**")]
    assert "zwiększyła się o 21,1%" in change and "zmieniły się granice gminy" in change  # shown, with its reason
    assert (
        "Nie oceniono wskaźników obejmujących zmianę granic gminy w 2022 r.: zmiana liczby ludności w ciągu 5 lat, "
        "zmiana liczby ludności w ciągu 10 lat." in report.narrative["demography"]
    )
    table = show.comparison_table(report, "demography").frame.set_index("Wskaźnik")
    assert table.at["Zmiana liczby ludności w ciągu 5 lat (%)", "Pozycja (percentyl)"] == "nie oceniono"
    notes = show.changes_table(report, "demography").frame.set_index("Wskaźnik")["Uwagi"]
    assert "nie oceniono: zawiera zmianę granic gminy w 2022 r." in notes["Zmiana liczby ludności w ciągu 5 lat (%)"]
    assert "nie oceniono" not in notes["Liczba ludności (osoby)"]  # a level: the note says only that it holds it
    # Page one's key figures mark the residents' 5-year change with both of its steps, apart (not "¹²").
    key = show.key_figures(report)
    assert key.frame.iloc[0, 0].startswith("Liczba ludności") and key.frame.iloc[0, 2].endswith("¹\u202f²")
    assert "¹ zawiera skok po NSP 2021; ² zawiera zmianę granic gminy w 2022 r." in key.caption
    assert "²" not in show.key_figures(original).caption
    from analysis.export import INDICATOR_COLUMNS

    sheet = indicator_sheet(report, rounded=False)
    sheet.columns = [next(k for k, (pl, _) in INDICATOR_COLUMNS.items() if pl == name) for name in sheet.columns]
    row = sheet.set_index("indicator").loc["population_change_5y"]
    assert row["boundary_change"] == 2022 and pd.isna(row["rank"])


def test_a_peers_annexation_is_left_out_of_the_peers_change_without_the_census_step_too(demo_store, tmp_path):
    # One of Bursztynojar's peers takes in land and 5% more residents in 2022: the published peers' median of
    # the 5-year change leaves it out (tests/analysis/test_compare.py), and so must the same median on the
    # re-based series that page one gives beside it ("w typowej gminie grupy: …"). By hand: the median of the
    # other peers' re-based changes to 2024, from the trend values the report reads.
    from analysis.report import compute_report, trend_values
    from analysis.town import TownParams
    from tests.conftest import write_annexed_store

    peer = compute_report(TownParams(teryt="0290011")).peers.members[0]
    store = write_annexed_store(demo_store, tmp_path / "store", peer, 2022, residents=1.05, land=1.1)
    report = compute_report(TownParams(teryt="0290011", data_dir=str(store)))
    assert report.comparison.at["population_change_5y", "peers_left_out"] == (peer,)
    others = [p for p in report.peers.members if p != peer]
    rebased = trend_values(str(store), 2024)["population_change_5y"].xs(2024, level="year")
    without = report.changes_without_step["population_change_5y"]
    assert without.peers == pytest.approx(rebased.loc[others].median())
    assert without.peers != pytest.approx(rebased.loc[list(report.peers.members)].median())


@pytest.mark.parametrize("language", ["pl", "en"])
def test_land_taken_in_without_residents_leaves_the_residents_series_whole(demo_store, tmp_path, language):
    # Bursztynojar given 10% more land from 2022 on and no more residents (an industrial zone): its density
    # steps, its residents do not. Their pace, projection and judged 5-year change are the demo's own; the
    # density's pace starts from the change; the text says the land moved the density, not the population;
    # only the density's notes name the change.
    from analysis import display as show
    from analysis.report import compute_report
    from analysis.town import TownParams
    from tests.conftest import write_annexed_store

    store = write_annexed_store(demo_store, tmp_path / "store", "0290011", 2022, residents=1.0, land=1.1)
    asked = TownParams(teryt="0290011", language=language)
    report = compute_report(asked.model_copy(update={"data_dir": str(store)}))
    original = compute_report(asked)
    [change] = report.boundaries
    assert change.year == 2022 and not change.moves_residents
    assert report.projection.first_year == original.projection.first_year == 2014
    assert report.projection.forecast.equals(original.projection.forecast)
    assert report.population_trend == original.population_trend
    pd.testing.assert_series_equal(
        report.comparison.loc["population_change_5y"], original.comparison.loc["population_change_5y"]
    )
    assert report.comparison.at["population_change_5y", "judged"]
    # The density did step: its trend starts in 2022, and three years are too few for one.
    assert report.trends.loc["population"].equals(original.trends.loc["population"])
    assert pd.isna(report.trends.at["population_density", "slope"])
    assert pd.notna(original.trends.at["population_density", "slope"])
    text = " ".join(report.narrative["demography"]).replace("\xa0", " ")
    assert (
        "W 2022 r. zmieniły się granice gminy (powierzchnia z 4,5 do 4,9 km²), bez zauważalnej zmiany liczby "
        "mieszkańców: zmieniła się gęstość zaludnienia, a nie liczba ludności."
        if language == "pl"
        else "The municipality's boundaries changed in 2022 (area from 4.5 to 4.9 km²) with no notable change in its "
        "residents: the population density moved, not the population."
    ) in text
    assert "obejmuje mieszkańców" not in report.narrative["summary"][-1]
    assert "includes the residents" not in report.narrative["summary"][-1]
    frame = show.changes_table(report, "demography").frame
    notes = frame.set_index(frame.columns[0])[frame.columns[-1]]
    noted = "zmianę granic gminy w 2022 r." if language == "pl" else "2022 change of the municipality's boundaries"
    assert {name.split(" (")[0] for name, note in notes.items() if noted in note} == {
        indicators()["population_density"].name(language)
    }


def test_a_projection_starts_from_the_towns_last_change_of_boundaries(demo_store, tmp_path):
    # Bursztynojar, shrinking by about 1.4% a year, given 30% more residents and land from 2017 on. A drift over
    # 2014–2024 would read the +26% (log) step as growth, 2.6% a year against the 1.4% of decline: a forecast
    # that the town grows (11,085 in 2029 from 10,412 in 2024). From 2017 on, the series is the demo's × 1.3,
    # so the forecast is a decline again. Nor does the step count among the backtest's errors (counted, it once
    # switched the store's method, for every town): the town is left out of the backtest, whose method stays
    # the one docs/validation.json gives for the demo store.
    from analysis.report import compute_report
    from analysis.town import TownParams
    from tests.conftest import write_annexed_store

    # Density stays: residents and land grow alike.
    write_annexed_store(demo_store, tmp_path / "store", "0290011", 2017, residents=1.3, land=1.3)
    report = compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store")))
    assert [change.year for change in report.boundaries] == [2017]
    assert report.projection is not None and report.projection.first_year == 2017
    latest = report.values.loc[("0290011", 2024), "population"]
    assert report.projection.forecast["mean"].iloc[-1] < latest
    original = compute_report(TownParams(teryt="0290011"))
    assert original.projection.first_year == 2014
    demo_method = json.loads((DOCS_DIR / "validation.json").read_text(encoding="utf-8"))["projection"]["chosen_method"]
    assert report.projection.method == original.projection.method == demo_method
    from analysis.projection import backtest_population
    from analysis.report import load_store_and_values

    _, values = load_store_and_values(str(tmp_path / "store"))
    read = backtest_population(values, 2014, 2024)
    assert set(read.index) == set(demo_store.units["teryt"]) - {"0290011"}
    # The pace of the population starts there too: its trend and its gain or loss against the peers are of the
    # town within its present boundaries, 2017–2024, and the text says why.
    assert report.population_trend.first_year == report.population_trend_vs_peers.first_year == 2017
    assert original.population_trend.first_year == 2014
    # The changes table's trend of the population is that same one: across the step it read −128 a year (the
    # pairs of years on both sides of it pull the median slope up), against the −150 a year since.
    assert report.trends.at["population", "slope"] == pytest.approx(report.population_trend.slope)
    assert report.trends.at["population", "slope"] < 0
    text = " ".join(report.narrative["demography"]).replace("\xa0", " ")
    assert "Tempo zmian liczby ludności i prognozę liczono od 2017 r., w obecnych granicach." in text
    assert "W latach 2017–2024 liczba ludności malała średnio o" in text


def test_six_years_within_new_boundaries_give_a_projection_but_no_trend(demo_store, tmp_path):
    # Land taken in 2019: 2019–2024 is 6 years, as many as a projection starts from (MIN_TRAIN), one fewer than
    # the 7 a trend of population (a stock, ρ = 1: trends.fewest_years) needs. The text says why there is no trend.
    from analysis.report import compute_report
    from analysis.town import TownParams
    from tests.conftest import write_annexed_store

    write_annexed_store(demo_store, tmp_path / "store", "0290011", 2019, residents=1.3, land=1.3)
    report = compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store")))
    assert report.projection is not None and report.projection.first_year == 2019
    assert report.population_trend is None
    text = " ".join(report.narrative["demography"]).replace("\xa0", " ")
    assert (
        "Trendu liczby ludności nie podajemy: granice gminy zmieniły się w 2019 r., a od tego roku dane obejmują "
        "6 lat; trend wymaga co najmniej 7 lat danych."
    ) in text
    assert "Prognoza na 2029 r.:" in text


def test_a_verdict_that_hinges_on_a_difference_within_chance_says_that_it_counts_as_none():
    # Bursztynobrzeg (0691021): its demography verdict hinges on births, whose 95% interval
    # includes the peer median (checked here from the comparison), so births score 0 and page one says why a
    # verdict can lean on them. Bursztynojar's (0290011) services verdict hinges on social assistance, a
    # weakness whose interval clears the median: no mark, and no note.
    from analysis import display as show
    from analysis.report import prepare_report
    from analysis.town import TownParams

    report = prepare_report(TownParams(teryt="0691021"))
    verdict = report.verdicts.loc["demography"]
    births = report.comparison.loc["births_per_1000"]
    assert verdict["hinges_on"] == "births_per_1000"
    assert births["ci_low"] <= births["peer_median"] <= births["ci_high"] and births["score"] == 0
    summary = verdict_line(report, "demography").depends_on.replace("\u00a0", " ")
    # The indicator's name is marked, and the table's caption says once what the mark means.
    assert summary.endswith("jednego wskaźnika („Urodzenia żywe na 1000 ludności”¹) – bez niego: mniej korzystnie")
    assert show.verdicts_table(report).caption.endswith(
        "; ¹ różnica od mediany grupy mieści się w granicach przypadku, więc w wyniku liczy się jak brak różnicy"
    )
    english = prepare_report(TownParams(teryt="0691021", language="en"))
    assert verdict_line(english, "demography").depends_on.endswith(
        "(“Live births per 1,000 population”¹) – without it: worse"
    )
    assert show.verdicts_table(english).caption.endswith(
        "; ¹ its difference from the peer median is within chance, so it counts as none in the score"
    )

    other = prepare_report(TownParams(teryt="0290011"))
    assistance = other.comparison.loc["social_assistance_per_10k"]
    assert other.verdicts.loc["services", "hinges_on"] == "social_assistance_per_10k"
    assert not assistance["ci_low"] <= assistance["peer_median"] <= assistance["ci_high"]
    services = verdict_line(other, "services").depends_on
    assert "jednego wskaźnika („Beneficjenci środowiskowej pomocy społecznej na 10 tys. ludności”) – bez" in services
    assert "¹" not in " ".join(show.verdicts_table(other).frame.iloc[:, 3]) + show.verdicts_table(other).caption
