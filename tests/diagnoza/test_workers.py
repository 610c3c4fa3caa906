"""The build's worker pool, stopped: no town started after the stop, a running one stopped by Ctrl-C, an idle
worker unmoved by it. Slow: each case starts a worker process (without a kernel) that imports the analysis."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import CancelledError, Future
from pathlib import Path

import pytest

from diagnoza.workers import worker_pool

pytestmark = pytest.mark.slow


def mark_then_wait(folder: str, name: str, seconds: float) -> str:
    """A stand-in for a town, run in a worker (imported there by name): it leaves a mark when it starts."""
    Path(folder, name).touch()
    time.sleep(seconds)
    return name


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} did not start"
        time.sleep(0.05)


def _ignores_ctrl_c(pid: int) -> bool:
    """Whether process `pid` ignores SIGINT: its bit in the kernel's mask of ignored signals (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
    return bool(ignored >> (signal.SIGINT - 1) & 1)


def _not_run(future: Future) -> bool:
    """Cancelled in the pool, or refused by the worker that took it (the build had stopped)."""
    if future.cancelled():
        return True
    return isinstance(future.exception(timeout=60), CancelledError)


def test_a_stopped_pool_starts_none_of_the_towns_already_handed_to_its_workers(tmp_path):
    # A pool hands a worker's queue one town more than it has workers, and `shutdown(cancel_futures=True)`
    # cancels only those not yet handed over. Stopped with Ctrl-C, a build built those in full, for nobody,
    # before it could end (its CI test timed out after 20 s). With one worker: town-0 runs, and before
    # the fix town-1 and town-2, queued behind it, ran too.
    with worker_pool(1, reuse_kernel=False) as pool:
        futures = [pool.submit(mark_then_wait, str(tmp_path), f"town-{i}", 1.0) for i in range(4)]
        _wait_for(tmp_path / "town-0")
        pool.shutdown(wait=True, cancel_futures=True)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["town-0"]
    assert futures[0].result() == "town-0"  # the town running was let finish: nothing interrupted it
    assert all(_not_run(future) for future in futures[1:])


def test_ctrl_c_stops_a_workers_town_and_leaves_an_idle_worker_waiting(tmp_path):
    # Ctrl-C reaches every process of the terminal's group. A worker waiting for its next town (near the
    # end of a batch) died of it with a KeyboardInterrupt traceback on the terminal; now it ignores it, and
    # the build, which took it too, stops the pool. A worker running a town is stopped by it, as before.
    with worker_pool(1, reuse_kernel=False) as pool:
        worker = pool.submit(os.getpid).result(timeout=120)
        assert _ignores_ctrl_c(worker)
        os.kill(worker, signal.SIGINT)
        time.sleep(0.5)  # a signal to a process blocked reading its queue is taken at once; this is margin
        assert pool.submit(os.getpid).result(timeout=60) == worker  # the same worker, still waiting for towns
        running = pool.submit(mark_then_wait, str(tmp_path), "town", 120.0)
        _wait_for(tmp_path / "town")
        assert not _ignores_ctrl_c(worker)
        os.kill(worker, signal.SIGINT)
        assert isinstance(running.exception(timeout=60), KeyboardInterrupt)
