"""A build of two demo towns shared by the slow end-to-end tests (test_build, test_browser)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analysis.paths import PARAMS_DIR
from diagnoza.build import build_batch
from tests.conftest import once_per_run

TOWN = "0490013"  # Bławatkopole: a demo town whose name has Polish letters
OTHER = "0290011"


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory, worker_id):
    """Built once per run, whichever workers need it (`once_per_run`): tests read it, or copy it to change it.
    One exception: the kept-notebook test of test_build deletes its town's cached analysis and re-runs the notebook,
    which writes the same file again; no test on another worker reads that cache."""

    def build():
        out = tmp_path_factory.mktemp("reports")
        return build_batch(PARAMS_DIR / "demo.yaml", only=[TOWN, OTHER], workers=2, out_root=out, edition="2026-11-22")

    return once_per_run(tmp_path_factory, worker_id, "demo_build", build)


def diagnoza_command() -> list[str]:
    """The `diagnoza` command of the environment running the tests (its script, else the module)."""
    script = Path(sys.executable).with_name("diagnoza")
    return [str(script)] if script.exists() else [sys.executable, "-m", "diagnoza.cli"]


def index_with_failed_towns(directory: Path, store) -> tuple[Path, list[str]]:
    """The analysts' index of the demo batch written to `directory` as a build leaves it where two towns failed
    (the 4th and the 41st): the page and the failed towns' codes, in the batch's order."""
    from analysis.params import load_batch
    from diagnoza.build import TownResult
    from diagnoza.publish import write_index

    batch = load_batch(PARAMS_DIR / "demo.yaml")
    failing = [batch.teryts[3], batch.teryts[40]]
    results = [TownResult(teryt, "", "failed", 0.1, error="ValueError: x") for teryt in failing]
    return write_index(directory, batch, store, results), failing
