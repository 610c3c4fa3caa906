"""The same town tasks on a Dask cluster: a scheduler and a worker started here on 127.0.0.1 (slow)."""

from __future__ import annotations

import os

import pytest

from analysis.paths import PARAMS_DIR
from diagnoza.build import build_batch

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

TOWNS = ["0290011", "0490013"]


@pytest.fixture(autouse=True)
def _cluster_temporary_files_in_tmp_path(tmp_path, monkeypatch):
    """The cluster's processes, started by each test, keep their temporary files under its tmp_path: Dask's
    scratch space, and the working folder of a kernel whose worker was killed (nothing is left to remove it),
    which each run of the suite left in the machine's /tmp."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))


def test_two_towns_built_through_a_dask_scheduler_on_loopback(tmp_path):
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0, dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        result = build_batch(
            PARAMS_DIR / "demo.yaml",
            only=TOWNS,
            out_root=tmp_path,
            edition="2026-11-22",
            scheduler=cluster.scheduler_address,
        )
        with distributed.Client(cluster.scheduler_address) as client:
            ran_on = set(client.run(os.getpid).values())
    assert [t.status for t in result.towns] == ["built", "built"], result.towns
    for teryt in TOWNS:
        assert (result.out_dir / teryt / "report.pdf").read_bytes().startswith(b"%PDF")
    assert {int(t.worker.rsplit(":", 1)[1]) for t in result.towns} <= ran_on  # built in the cluster's worker


def test_a_town_that_kills_its_dask_worker_fails_alone(tmp_path, monkeypatch):
    # TOWNS[1]'s task kills its worker process (tests/diagnoza/dying_worker.py); with no retry allowed the
    # scheduler gives it up (KilledWorker), and the nanny's new worker builds the other town.
    from diagnoza import build
    from tests.diagnoza.conftest import TOWN
    from tests.diagnoza.dying_worker import build_town_or_die

    assert TOWN == TOWNS[1]
    monkeypatch.setattr(build, "build_town", build_town_or_die)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=None,
        ) as cluster:
            result = build_batch(
                PARAMS_DIR / "demo.yaml", only=TOWNS, out_root=tmp_path, scheduler=cluster.scheduler_address
            )
    status = {town.teryt: town for town in result.towns}
    assert status[TOWN].status == "failed" and status[TOWN].error.startswith("KilledWorker")
    assert status[TOWNS[0]].status == "built" and (result.out_dir / TOWNS[0] / "report.pdf").is_file()
    assert list(tmp_path.glob("diagnoza-kernel-*"))  # the killed worker's kernel folder: here, not in /tmp


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{port}", "dask://127.0.0.1:{port}"])
def test_a_scheduler_that_is_not_there_stops_the_build_by_name_before_any_town(tmp_path, monkeypatch, address):
    # Before, a traceback from distributed (rich's, a screen of it): "OSError: Timed out trying to connect to
    # tcp://…"; or, for a mistyped scheme, "ValueError: unknown address scheme". Nothing listens at the port.
    from diagnoza import build
    from tests.conftest import free_loopback_port

    monkeypatch.setattr(build, "SCHEDULER_TIMEOUT", 1)
    scheduler = address.format(port=free_loopback_port())
    with pytest.raises(build.BuildError, match=f"^--scheduler {scheduler}: .*leave --scheduler out") as stopped:
        build_batch(PARAMS_DIR / "demo.yaml", only=TOWNS, out_root=tmp_path, edition="2026-11-22", scheduler=scheduler)
    assert ("Timed out trying to connect" if "tcp" in address else "unknown address scheme") in str(stopped.value)
    assert not any((tmp_path / "demo").glob("*/report.pdf")) and not (tmp_path / "demo" / ".staging").exists()


def test_a_scheduler_without_workers_stops_the_build_by_name_instead_of_waiting_for_ever(tmp_path, monkeypatch):
    # Its towns waited for a worker with nothing said, until the build was killed.
    from diagnoza import build

    monkeypatch.setattr(build, "SCHEDULER_TIMEOUT", 1)
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", scheduler_port=0, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(build.BuildError, match=f"^--scheduler {address}: the scheduler has no workers") as stopped:
            build_batch(
                PARAMS_DIR / "demo.yaml", only=TOWNS, out_root=tmp_path, edition="2026-11-22", scheduler=address
            )
    assert f"start them with `dask worker {address}`" in str(stopped.value)
    assert not any((tmp_path / "demo").glob("*/report.pdf"))
