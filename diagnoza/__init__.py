"""Diagnoza's pipeline: run the report notebook per town, render HTML and PDF, publish an index."""

import os

__version__ = "0.1.0"

# The pipeline runs one process per core (build workers and their kernels), and its matrices are
# tiny (a decade of years). Multi-threaded BLAS then adds nothing but threads that spin waiting
# for work: they doubled the CPU time of a town's analysis. Set before numpy is first imported,
# here and so in every process the pipeline starts; a value set by the user is kept.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
