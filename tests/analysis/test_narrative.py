"""Generated sentences: the one rule with direction, honesty without data, Polish forms."""

import numpy as np
import pandas as pd

from analysis.narrative import _change_words, section_sentences, summary_sentences
from analysis.synthesis import section_verdicts


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
    frame["matching"] = False
    frame["reliability"] = ""
    frame["events"] = np.nan
    return frame


DEMOGRAPHY = [
    ("births_per_1000", "demography", "natural_change", "higher_better", 11.0, 8.0, 90.0, 1.5, True, "strength"),
    ("deaths_per_1000", "demography", "natural_change", "lower_better", 14.0, 12.0, 10.0, -1.2, True, "weakness"),
    ("share_working_age", "demography", "age_structure", "higher_better", 58.0, 58.1, 48.0, -0.1, True, ""),
    ("population", "demography", "size", "neutral", 30_000, 20_000, 99.0, np.nan, False, ""),
]


def test_strengths_and_weaknesses_are_named_with_their_direction():
    text = " ".join(section_sentences(comparison(DEMOGRAPHY), "demography"))
    assert (
        "Mocne strony na tle grupy porównawczej: wysoki współczynnik urodzeń (11,0‰ wobec mediany grupy 8,0‰)." in text
    )
    assert "Słabe strony na tle grupy porównawczej: wysoka liczba zgonów na 1000 ludności (14,0‰" in text
    assert "liczba ludności" not in text.lower()  # neutral: never judged
    english = " ".join(section_sentences(comparison(DEMOGRAPHY), "demography", "en"))
    assert "Strengths against the peers: high birth rate (11.0‰ against a peer median of 8.0‰)." in english


def test_no_difference_no_claim_and_no_data_no_comparison():
    quiet = comparison([DEMOGRAPHY[2]])
    (sentence,) = section_sentences(quiet, "demography")
    assert sentence.startswith("Jedyny oceniany wskaźnik tej części nie odbiega")
    empty = comparison(
        [("water_supply_users", "services", "utilities", "higher_better", np.nan, np.nan, np.nan, np.nan, False, "")]
    )
    sentences = section_sentences(empty, "services")
    assert sentences == ["Brak danych pozwalających porównać tę część z grupą porównawczą."]
    joined = " ".join(sentences).lower()
    for comparative in ("podobnie", "środkowej połowie", "nie odbiega", "korzystniej"):
        assert comparative not in joined


def test_a_section_without_data_gets_no_verdict_in_the_summary():
    frame = comparison(DEMOGRAPHY)
    verdicts = section_verdicts(frame)  # economy and services have no rows at all
    summary = summary_sentences(verdicts, {}, ["births_per_1000"], ["deaths_per_1000"])
    services = next(s for s in summary if s.startswith("**Usługi publiczne**"))
    assert "bez oceny – brak danych" in services and "podobnie" not in services
    assert "Najmocniejsze strony na tle grupy: wysoki współczynnik urodzeń." in summary


def test_signed_changes_become_words():
    assert _change_words(-3.3, 1, "pl") == "zmniejszyła się o 3,3%"
    assert _change_words(1.25, 1, "pl") == "zwiększyła się o 1,3%"
    assert _change_words(-0.04, 1, "pl") == "nie zmieniła się"
    assert _change_words(-3.3, 1, "en") == "fell by 3.3%"
