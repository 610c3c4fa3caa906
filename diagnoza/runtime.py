"""How a batch stays fast: every measure that exists only for speed is here or named here.

On 2 cores the demo batch of 54 towns (HTML, PDF, spreadsheet, chart files) builds 4.8 to 7.7 times faster
than a naive papermill-and-nbconvert loop makes the HTML alone: 57 s against 7.4 minutes on one of our
machines, 135 s against 10.9 minutes on a slower one (`benchmarks/build_speed.py`, 2026-12; the ratio
depends on the machine). What pays for that, and where it lives:

- **Warm kernels** (`diagnoza.kernels`): each worker process runs its towns in one Jupyter
  kernel, started once with its imports done and cleared between towns. Starting a kernel and
  importing pandas, statsmodels and matplotlib costs more than a town's own work.
- **Compute once** (`analysis.report.prepare_report` with `cache_dir`): the worker computes a
  town's analysis for the spreadsheet and keeps it under `reports/<batch>/.cache/`, keyed by every
  parameter, the store, the code and the libraries; the notebook loads it by that key.
- **Incremental builds** (`diagnoza.inputs`): a town is rebuilt only when its inputs changed, and the
  batch workbook (`diagnoza.publish.write_batch_data`) only when a town's record did.
- **Validated stores** (`analysis.store`): pandera's check of a store runs once per content.
- **Workers start while the batch is planned** (`diagnoza.workers.worker_pool`).
- **One BLAS thread per process** (the test suite's processes too: `tests/conftest.py`) and **no
  garbage-collector passes over imports** (below).
- **Peer groups on numpy arrays** (`analysis.peers.nearest_peers`): planning a build chooses every
  town's peer groups for the input hashes; pandas on frames this small was most of a no-change build.
- **Pooled counts on arrays** (`analysis.indicators.pooled_inputs`, `window_counts`): the sums over a
  rare event's years, for the whole store and for a town's interval under every peer rule; with pandas
  lookups they tripled a town's analysis (0.4 s → 1.6 s).
- **Charts laid out once** (`analysis.charts._finish`): margins measured from the labels' text
  instead of matplotlib's constrained layout, which draws every chart twice (1 s of a town's 3 s).
"""

from __future__ import annotations

import gc
import os

BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_threads() -> None:
    """One BLAS thread per process, for this process's children (build workers and their kernels).

    The pipeline already runs a process per core, and its matrices are tiny (a decade of years):
    more BLAS threads only spin waiting for work, and doubled the CPU time of a town's analysis.
    A value the user set is kept."""
    for variable in BLAS_VARIABLES:
        os.environ.setdefault(variable, "1")


def freeze_imports() -> None:
    """Move every object alive now (the imported libraries) out of the garbage collector's scans.

    Called after a worker's or a kernel's imports: each later collection then scans only the
    objects of the town at hand (0.15 s → 0.02 s per town in a kernel). Frozen objects are never
    freed, which is what imports want. At the end of a command it spares the collector's last
    passes over everything loaded (0.4 s)."""
    gc.freeze()


# Run in a warm kernel once its imports are done (diagnoza.kernels).
KERNEL_WARM_UP = (
    "import analysis.charts, analysis.display, analysis.report, IPython.display\n"
    "from diagnoza.runtime import freeze_imports\nfreeze_imports()"
)
