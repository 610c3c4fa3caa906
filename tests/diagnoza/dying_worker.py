"""A stand-in for `diagnoza.build.build_town` that a spawned worker process imports by name: for one town
it kills its own process, as the system's out-of-memory killer would; the other towns it builds."""

from __future__ import annotations

import os
import signal
import time

from tests.diagnoza.conftest import TOWN

KILLED_AFTER = 2  # seconds


def build_town_or_die(job, out_dir, reuse_kernel=True):
    if job.teryt == TOWN:
        # Some time into the town, as memory runs out: dying at its first instant could beat the news that the
        # worker's previous town was done (Dask sends it a moment later), losing that town too.
        time.sleep(KILLED_AFTER)
        os.kill(os.getpid(), signal.SIGKILL)
    from diagnoza.build import build_town  # in the worker: the real one

    return build_town(job, out_dir, reuse_kernel)
