"""What the accessibility check counts as blocking, and how it says which of its tools is missing.
The check itself, in Chromium, is in `test_browser.py` (skipped where the tools are not installed)."""

from __future__ import annotations

import pytest

from diagnoza import accessibility
from diagnoza.accessibility import AccessibilityToolMissing, Violation


def _violation(impact: str, review: bool = False) -> Violation:
    return Violation("index.html", 390, "scrollable-region-focusable", impact, "help", 1, "<div>", review)


@pytest.mark.parametrize(
    "impact, review, blocking",
    [
        ("critical", False, True),
        ("serious", False, True),
        ("moderate", False, False),
        ("minor", False, False),
        # What axe-core could not decide is for a person to review, not a failure of the build.
        ("serious", True, False),
    ],
)
def test_only_serious_and_critical_violations_block(impact, review, blocking):
    assert _violation(impact, review).blocking is blocking


def test_a_violation_is_described_with_its_page_width_rule_and_count():
    assert _violation("serious").describe() == (
        "index.html @ 390px: scrollable-region-focusable (serious, 1×) help: <div>"
    )


def test_axe_core_is_taken_from_the_environment_first(tmp_path, monkeypatch):
    script = tmp_path / "axe.min.js"
    script.write_text("// axe", encoding="utf-8")
    monkeypatch.setenv("AXE_CORE_JS", str(script))
    assert accessibility.axe_core_script() == script


def test_a_missing_axe_core_is_named_with_the_command_that_installs_it(tmp_path, monkeypatch):
    monkeypatch.delenv("AXE_CORE_JS", raising=False)
    monkeypatch.setattr(accessibility, "TOOLS_DIR", tmp_path / "no-tools")
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm, so no global packages either
    with pytest.raises(AccessibilityToolMissing, match="make a11y"):
        accessibility.axe_core_script()
    assert "make a11y" in accessibility.tools_available()  # a test's skip reason says the same
