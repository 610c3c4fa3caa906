"""Time the same batch on the demo store (300 gminy) and on a synthetic store the size of Poland's (2,480).

    .venv/bin/python benchmarks/store_size.py          # about 2 minutes on 2 cores
    .venv/bin/python benchmarks/store_size.py --towns-per-voivodeship 3

A real edition reads a store of every gmina of Poland (2,477), eight times the demo store's, from which a town's
voivodeship and Poland are summed, and over which the projection is backtested. Here both stores come from
`analysis.demo_data` (the larger one with more towns per voivodeship), and the batch is the first towns of each
voivodeship in both, so the difference is the store's size alone. No target: `build_speed.py` has the batch's;
this says what a store of Poland's size adds to them. Everything is written under a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml
from build_speed import BIN, EDITION, ROOT, children_cpu_seconds  # this folder, the script's own, is on the path

sys.path.insert(0, str(ROOT))
POLAND = 155  # towns per voivodeship: 2,480 gminy, as Poland's 2,477


def write_stores(scratch: Path) -> list[tuple[str, str, Path, pd.DataFrame]]:
    """The two stores: (batch name, label, folder, its gminy), each read once."""
    from analysis.demo_data import write_demo_store
    from analysis.paths import DEMO_STORE_DIR
    from analysis.store import load_store

    poland = write_demo_store(scratch / "poland-store", towns_per_voivodeship=POLAND)
    return [
        ("demo", "demo store", DEMO_STORE_DIR, load_store(DEMO_STORE_DIR).units),
        ("poland", "store of Poland's size", poland, load_store(poland).units),
    ]


def batch_file(scratch: Path, name: str, store: Path, units: pd.DataFrame, per_voivodeship: int) -> Path:
    """The first `per_voivodeship` towns of each voivodeship of `store` (whose gminy are `units`), as a batch."""
    units = units.sort_values("teryt")
    towns = units.groupby(units["teryt"].str[:2]).head(per_voivodeship)["teryt"].tolist()
    path = scratch / f"{name}.yaml"
    batch = {
        "batch": name,
        "data": str(store),
        "years": {"first": 2014, "last": 2024},
        "language": "pl",
        "peers": {"method": "nearest", "k": 20},
        "towns": towns,
    }
    path.write_text(yaml.safe_dump(batch, allow_unicode=True), encoding="utf-8")
    return path


def build(params: Path, out: Path, workers: int) -> tuple[float, float, list[float]]:
    """(wall seconds, CPU seconds of every process, each town's seconds as the build reports them)."""
    command = [str(BIN / "diagnoza"), "build", str(params), "--out", str(out), "--edition", EDITION]
    command += ["--workers", str(workers)]
    cpu_before, started = children_cpu_seconds(), time.perf_counter()
    result = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "JUPYTER_PREFER_ENV_PATH": "1"},
    )
    wall, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu_before
    towns = [
        float(line.rsplit("(", 1)[1].split(" s)")[0])
        for line in result.stderr.splitlines()
        if line.startswith("built ")
    ]
    return wall, cpu, towns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--towns-per-voivodeship", type=int, default=2, help="the batch's towns in each (default: 2)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count(), help="diagnoza build workers (default: CPU count)"
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, diagnoza build --workers {args.workers}")
    with tempfile.TemporaryDirectory(prefix="diagnoza-store-size-") as scratch:
        scratch = Path(scratch)
        for name, label, store, units in write_stores(scratch):
            params = batch_file(scratch, name, store, units, args.towns_per_voivodeship)
            wall, cpu, towns = build(params, scratch / f"reports-{name}", args.workers)
            first, rest = towns[: args.workers], towns[args.workers :]  # each worker's first town loads the store
            print(
                f"{label} ({len(units):,} gminy), {len(towns)} towns: {wall:6.1f} s, CPU per town {cpu / len(towns):.2f} s; "
                f"a worker's first town {statistics.median(first):.1f} s, the others {statistics.median(rest):.1f} s"
            )


if __name__ == "__main__":
    main()
