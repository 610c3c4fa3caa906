"""Stand-ins for `diagnoza.build.build_town` that a spawned worker process imports by name. For one town, one
kills its own process, as the system's out-of-memory killer would; one raises, as a full disk would make it,
unable even to record the town's failure; one does both in turn. The other towns they build."""

from __future__ import annotations

import errno
import os
import signal
import time

from diagnoza.build import build_town  # imported before a test replaces it: the real one
from tests.diagnoza.conftest import TOWN

KILLED_AFTER = 2  # seconds


def build_town_or_die(job, out_dir, reuse_kernel=True):
    if job.teryt == TOWN:
        # Some time into the town, as memory runs out: dying at its first instant could beat the news that the
        # worker's previous town was done (Dask sends it a moment later), losing that town too.
        time.sleep(KILLED_AFTER)
        os.kill(os.getpid(), signal.SIGKILL)
    return build_town(job, out_dir, reuse_kernel)


def build_town_or_raise(job, out_dir, reuse_kernel=True):
    if job.teryt == TOWN:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return build_town(job, out_dir, reuse_kernel)


def build_town_dies_then_raises(job, out_dir, reuse_kernel=True):
    """Kills its worker the first time it builds TOWN, then raises: the town built again alone fails so."""
    if job.teryt == TOWN:
        died = out_dir / ".died-once"
        if not died.exists():
            died.touch()
            time.sleep(KILLED_AFTER)
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return build_town(job, out_dir, reuse_kernel)
