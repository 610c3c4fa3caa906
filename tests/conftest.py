"""Shared fixtures: the embedded demo store, paths to the read-only reference data beside the project."""

from __future__ import annotations

import pytest

from analysis.paths import PROJECT_ROOT
from analysis.store import load_store

SHARED = PROJECT_ROOT.parent / "shared" / "data"  # see ../shared/data/PROVENANCE.md
TERC_FILE = SHARED / "teryt" / "TERC_Urzedowy_2020-01-01.csv"


@pytest.fixture(scope="session")
def demo_store():
    return load_store()


@pytest.fixture(scope="session")
def terc():
    """The official TERC register (2020-01-01), from ../shared (PROVENANCE.md: pszemek90/polishPlacesSearchEngine)."""
    import pandas as pd

    if not TERC_FILE.is_file():
        pytest.skip(f"reference register not present: {TERC_FILE}")
    frame = pd.read_csv(TERC_FILE, sep=";", dtype=str, encoding="utf-8-sig")
    return frame


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshot",
        action="store_true",
        help="rewrite tests/analysis/snapshots/ from the present code (a deliberate change of results)",
    )


@pytest.fixture
def update_snapshot(request) -> bool:
    return request.config.getoption("--update-snapshot")


@pytest.fixture(scope="session")
def demo_reports():
    """Every town of the demo batch's report (Polish), computed once for the tests that sweep the batch."""
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from analysis.report import prepare_report
    from analysis.town import TownParams

    return {teryt: prepare_report(TownParams(teryt=teryt)) for teryt in load_batch(PARAMS_DIR / "demo.yaml").teryts}
