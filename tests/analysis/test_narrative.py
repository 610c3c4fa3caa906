import pandas as pd

from analysis.narrative import section_sentences, strengths_and_weaknesses


def comparison(rows):
    frame = pd.DataFrame(rows, columns=["indicator", "section", "value", "peer_median", "percentile"]).set_index("indicator")
    return frame


def test_only_clear_differences_on_directional_indicators_are_named():
    frame = comparison([
        ("births_per_1000", "demography", 11.0, 8.0, 90.0),        # strength
        ("deaths_per_1000", "demography", 14.0, 12.0, 10.0),       # weakness (lower is better, rank mirrored)
        ("share_working_age", "demography", 58.0, 58.1, 48.0),     # within the middle half: not named
        ("population", "demography", 30_000, 20_000, 99.0),        # neutral: never judged
    ])
    strong, weak = strengths_and_weaknesses(frame, "demography")
    assert strong == ["births_per_1000"]
    assert weak == ["deaths_per_1000"]
    text = " ".join(section_sentences(frame, "demography"))
    assert "urodzenia żywe na 1000 ludności (11,0‰ wobec mediany grupy 8,0‰)" in text
    assert "liczba ludności" not in text.lower()


def test_no_difference_no_claim():
    frame = comparison([("births_per_1000", "demography", 8.1, 8.0, 55.0)])
    (sentence,) = section_sentences(frame, "demography")
    assert "nie odbiega" in sentence
    (english,) = section_sentences(frame, "demography", "en")
    assert "stands out" in english
