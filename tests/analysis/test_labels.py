"""The one place of a report's fixed text: both languages complete."""

from __future__ import annotations

from string import Formatter

from analysis.labels import LABELS


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field}


def test_every_label_has_both_languages_with_the_same_placeholders():
    # A key missing in English would stop an English report with a KeyError; a placeholder missing
    # in one language would drop a figure from its sentence.
    assert set(LABELS["pl"]) == set(LABELS["en"])
    for key, polish in LABELS["pl"].items():
        assert placeholders(polish) == placeholders(LABELS["en"][key]), key
        assert polish.strip() and LABELS["en"][key].strip(), key


def test_no_english_label_puts_a_possessive_on_a_figure():
    # "matched on {old}'s figures" printed "2023′s" in the PDF: Typst's smart quotes read an apostrophe after a
    # digit as a prime (feet, minutes). A year or number takes "of" instead ("the figures of 2023").
    import re

    possessive = re.compile(r"\}['’]s\b")
    assert [key for key, text in LABELS["en"].items() if possessive.search(text)] == []
