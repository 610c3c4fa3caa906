"""A stand-in for `diagnoza.build.build_town` that a spawned worker process imports by name: for one town
it kills its own process, as the system's out-of-memory killer would; the other towns it builds."""

from __future__ import annotations

import os
import signal

from tests.diagnoza.conftest import TOWN


def build_town_or_die(job, out_dir, reuse_kernel=True):
    if job.teryt == TOWN:
        os.kill(os.getpid(), signal.SIGKILL)
    from diagnoza.build import build_town  # in the worker: the real one

    return build_town(job, out_dir, reuse_kernel)
