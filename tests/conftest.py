"""Shared fixtures: the embedded demo store, paths to the read-only reference data beside the project."""

from __future__ import annotations

import fcntl
import pickle
import shutil
import socket

import pytest

from diagnoza.runtime import limit_threads

# One BLAS thread per test process (and the kernels and builds it starts), as a build gives its workers, set
# before numpy loads: the suite already runs a process per core, and idle BLAS threads spinning for work took
# CPU from the other worker's tests (a sixth more CPU time in the validation tests).
limit_threads()

from analysis.paths import PROJECT_ROOT  # noqa: E402 - after the thread limit, which numpy reads as it loads
from analysis.store import load_store  # noqa: E402

SHARED = PROJECT_ROOT.parent / "shared" / "data"  # see ../shared/data/PROVENANCE.md
TERC_FILE = SHARED / "teryt" / "TERC_Urzedowy_2020-01-01.csv"


@pytest.fixture(scope="session")
def demo_store():
    return load_store()


def free_loopback_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago: nothing answers there, so a connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def pdftotext() -> str:
    """poppler's pdftotext, which reads a PDF's words back; the test is skipped where it is not installed (a fresh
    machine may lack poppler-utils: `make preview-tools` installs it)."""
    path = shutil.which("pdftotext")
    if path is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    return path


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


def once_per_run(tmp_path_factory, worker_id: str, name: str, compute):
    """`compute()` done once per test run, for a session fixture more than one pytest-xdist worker needs: the first
    worker to need it leaves it pickled in the run's own temporary folder, and the others wait for it and read it
    (pytest-xdist's documented way; its `--dist loadgroup`, which could send these tests to one worker, groups
    nothing on pytest 9.2: pytest-xdist issue 1386). What it returns must not be changed by the tests."""
    if worker_id == "master":  # one process: nothing to share (and no folder of this run alone to share it in)
        return compute()
    run = tmp_path_factory.getbasetemp().parent  # this run's folder, above each worker's own
    with (run / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second worker waits for the first one's pickle
        cached = run / f"{name}.pickle"
        if cached.exists():
            return pickle.loads(cached.read_bytes())
        result = compute()
        partial = cached.with_suffix(".partial")  # a worker dying mid-write leaves no pickle to misread
        partial.write_bytes(pickle.dumps(result))
        partial.replace(cached)
        return result


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory, worker_id):
    """Every town of the demo batch's report (Polish), for the tests that sweep the batch: half a minute of
    computing, done once per run (`once_per_run`)."""
    from analysis.validation import batch_reports

    return once_per_run(tmp_path_factory, worker_id, "demo_reports", batch_reports)


def write_annexed_store(store, directory, teryt: str, since: int, residents: float, land: float):
    """The demo `store` with town `teryt` given `residents` times its residents (in every age group) and
    `land` times its area from `since` on: its density becomes residents / land times as many, rounded as GUS
    publishes it. Births, deaths and the rest stay as they were. Written to `directory`, which it returns."""
    from analysis.catalogue import variables
    from analysis.store import write_store

    observations = store.observations.copy()
    moved = (observations["teryt"] == teryt) & (observations["year"] >= since)
    counts = ("population", "population_pre_working_age", "population_working_age", "population_post_working_age")
    people = observations["var_id"].isin([variables()[name].bdl_id for name in counts])
    density = observations["var_id"] == variables()["population_density"].bdl_id
    observations.loc[moved & people, "value"] = (observations.loc[moved & people, "value"] * residents).round()
    observations.loc[moved & density, "value"] = (observations.loc[moved & density, "value"] * residents / land).round(
        1
    )
    write_store(directory, store.units, observations, dict(store.metadata))
    return directory


def services_only_variables() -> set[int]:
    """The BDL ids of the variables only the public services section uses (population, which the other sections
    need too, is not among them)."""
    from analysis.catalogue import indicators, split_lag, variables

    def used(sections):
        return {
            variables()[split_lag(name)[0]].bdl_id
            for i in indicators().values()
            if i.section in sections
            for name in i.inputs
        }

    return used({"services"}) - used({"demography", "economy"})


def write_sparse_store(
    directory, last_year_only: tuple[str, ...] = (), first_year: int = 2023, without: tuple[str, ...] = ()
):
    """A sparse store, as a first real edition may have: the demo store's `first_year`–2024 only (2023–2024:
    too short for any change or trend), without the variables only public services use (population stays: the
    other sections need it) nor those named in `without`, and the variables named in `last_year_only` in 2024
    alone. Returns `directory`."""
    from analysis.catalogue import variables
    from analysis.store import write_store

    store = load_store()
    services = services_only_variables() | {variables()[name].bdl_id for name in without}
    one_year = {variables()[name].bdl_id for name in last_year_only}
    observations = store.observations
    kept = observations.loc[
        observations["year"].between(first_year, 2024)
        & ~observations["var_id"].isin(services)
        & ~(observations["var_id"].isin(one_year) & (observations["year"] < 2024))
    ]
    write_store(directory, store.units, kept, {**store.metadata, "years": [first_year, 2024]})
    return directory


@pytest.fixture(scope="session")
def sparse_report(tmp_path_factory):
    """A report on the sparse store (`write_sparse_store`) with unemployment only in 2024."""
    from analysis.report import prepare_report
    from analysis.town import TownParams

    directory = write_sparse_store(tmp_path_factory.mktemp("sparse") / "store", ("registered_unemployed",))
    return prepare_report(TownParams(teryt="0490013", first_year=2023, last_year=2024, data_dir=str(directory)))
