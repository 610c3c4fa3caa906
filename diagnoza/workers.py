"""The build's worker processes: started early, and stopped with the build.

A build's towns run in a pool of worker processes, each with its warm Jupyter kernel (`diagnoza.kernels`).
Stopping a build must stop them too: Ctrl-C, SIGTERM (`kill`, `timeout`, a cancelled CI job) and SIGHUP (its
terminal closed) all stop it as Ctrl-C does (`stopping_as_on_ctrl_c`), no worker starts a town after that
(`TownPool`), and a worker whose build process was killed outright ends too (`_end_with_build`).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import CancelledError, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.synchronize import Event
from typing import Callable, Iterator

from diagnoza import runtime

# SIGTERM (`kill`, `timeout`, a cancelled CI job) and SIGHUP (its terminal closed). Python's default for
# them ends a process on the spot: the build's workers went on building their queued towns for nobody,
# and stayed, with their kernels, after; the towns finished so far went unrecorded.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def stopping_as_on_ctrl_c() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP stop the build as Ctrl-C does: the towns finished so far are
    recorded, unfinished ones leave no files, workers and kernels are shut down. (Only the main thread
    can take signals: elsewhere the block changes nothing.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {number: signal.signal(number, signal.default_int_handler) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


_stopping: Event | None = None  # in a worker: set by the build when it stops (`TownPool`)


def _run_task(task: Callable, *args, **kwargs):
    """In a worker: run `task` (a town), unless the build is stopping, stopped by Ctrl-C as it runs.

    Between towns a worker ignores Ctrl-C: nothing of its own is to be stopped, and the KeyboardInterrupt of
    one waiting for its next town ended it with a traceback on the user's terminal. The build stops it."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if _stopping is not None and _stopping.is_set():
            raise CancelledError("the build is stopping")
        return task(*args, **kwargs)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


class TownPool(ProcessPoolExecutor):
    """Worker processes for a build's towns, which start no town once the build is stopping.

    `shutdown(cancel_futures=True)` cancels the towns still waiting in the pool, but not those already
    handed to the workers' queue (one more than there are workers). Stopped with Ctrl-C, a build went on
    building those in full, for nobody, before it could end: 4 to 9 s on an idle machine, over 20 s on a
    loaded one. Now each worker checks, before it starts a town, whether the build has stopped."""

    def __init__(self, workers: int, reuse_kernel: bool, temporary: str) -> None:
        _start_resource_tracker()  # before the stop event, a semaphore the tracker looks after
        context = multiprocessing.get_context("spawn")
        self._stopping = context.Event()
        super().__init__(
            max_workers=workers,
            mp_context=context,
            initializer=_prepare_worker,
            initargs=(reuse_kernel, temporary, self._stopping),
        )

    def submit(self, task: Callable, /, *args, **kwargs):
        """As ProcessPoolExecutor's; the worker runs `task` only if the build has not stopped."""
        return super().submit(_run_task, task, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """As ProcessPoolExecutor's; `cancel_futures` cancels the towns handed to a worker's queue too."""
        if cancel_futures:
            self._stopping.set()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def _end_with_build(build_pid: int, temporary: str) -> None:
    """End this worker once the build process that started it is gone (killed outright: SIGKILL, out of
    memory), instead of building its queued towns for nobody, and take its kernel and the pool's `temporary`
    folder with it (`worker_pool`); the next build clears the staging of the town left unfinished."""
    while os.getppid() == build_pid:
        time.sleep(1)
    shutil.rmtree(temporary, ignore_errors=True)
    kernels = sys.modules.get("diagnoza.kernels")  # not imported yet (by `_prepare_worker`): no kernel started
    if kernels is not None:
        kernels.kill_kernels()  # last: a kernel started again meanwhile (`START_ATTEMPTS`) is killed too
    os._exit(1)


def _prepare_worker(reuse_kernel: bool, temporary: str, stopping: Event) -> None:
    """In a new worker process: keep its temporary files (its kernel's working folder among them) in the
    pool's `temporary` folder, end with the build, start its kernel, import what a town needs (statsmodels
    too: every town's analysis computes count intervals with it), then take it all out of the garbage
    collector's scans (see kernels.WARM_UP). Started before the batch is planned, this overlaps the planning.

    A worker keeps Python's default for SIGTERM, ending on the spot: the pool itself stops its workers with
    SIGTERM when one of them dies, and a worker that took it as Ctrl-C would wait for work for ever. So the
    build process, which outlives them, removes their temporary files."""
    global _stopping
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until it runs a town (`_run_task`)
    _stopping = stopping
    tempfile.tempdir = temporary
    threading.Thread(target=_end_with_build, args=(os.getppid(), temporary), name="end-with-build", daemon=True).start()
    import analysis.export  # noqa: F401
    from analysis.reliability import import_models
    from diagnoza import kernels

    if reuse_kernel:
        kernels.prestart()
    import_models()
    runtime.freeze_imports()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker deaf to SIGHUP, as it already is to Ctrl-C and SIGTERM.

    A closed terminal sends SIGHUP to the whole process group: the tracker died of it, and the one started
    again in its place printed a traceback for each of the pool's semaphores over the build's one-line
    "interrupted". An ignored signal stays ignored in the process started here; only the main thread
    can set it, and elsewhere the tracker starts as Python starts it."""
    if threading.current_thread() is not threading.main_thread():
        return
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        resource_tracker.ensure_running()
    finally:
        signal.signal(signal.SIGHUP, before)


@contextmanager
def worker_pool(size: int, reuse_kernel: bool) -> Iterator[TownPool | None]:
    """A pool of `size` workers (none for 0), all started now (the pool itself starts one per waiting task),
    shut down when the block ends (on Ctrl-C, SIGTERM and SIGHUP too), and the folder of their temporary files
    removed: a worker stopped on the spot leaves its own, and its kernel's working folder, behind."""
    if not size:
        yield None
        return
    temporary = tempfile.mkdtemp(prefix="diagnoza-workers-")
    pool = TownPool(size, reuse_kernel, temporary)
    for _ in range(size):
        pool.submit(os.getpid)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(temporary, ignore_errors=True)
