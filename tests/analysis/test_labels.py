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
