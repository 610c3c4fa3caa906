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
