from analysis.catalogue import indicators
from analysis.methodology import render_methodology
from analysis.paths import DOCS_DIR


def test_committed_methodology_is_up_to_date():
    committed = (DOCS_DIR / "methodology.md").read_text(encoding="utf-8")
    assert committed == render_methodology(), "run `diagnoza methodology` and commit docs/methodology.md"


def test_methodology_documents_every_indicator():
    text = render_methodology()
    for indicator in indicators().values():
        assert f"`{indicator.id}`" in text and f"`{indicator.formula}`" in text


def test_a_minimum_difference_reads_in_its_unit_and_a_percentage_in_points():
    # From indicators.yaml: old_age_dependency 1 (persons), preschool_coverage 2 (%), dwellings_per_1000 0.5.
    # Before: "1 persons" and "2 %", which reads as a relative change.
    rows = {line.split(" | ")[0].strip("| `"): line.split(" | ") for line in render_methodology().splitlines()}
    column = 6  # id, indicator, unit, formula, sub-domain, direction, minimum meaningful difference
    assert rows["old_age_dependency"][column] == "1\u00a0person"
    assert rows["preschool_coverage"][column] == "2 pp"
    assert rows["dwellings_per_1000"][column] == "0.5\u00a0dwellings"
    assert rows["population"][column] == "—"
