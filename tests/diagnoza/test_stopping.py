"""Stopping a build from outside: nothing left running, nothing half-written.

Before, a build stopped with SIGTERM (`kill`, `timeout`, a cancelled CI job) or SIGHUP (its terminal
closed) ended on the spot: its two workers went on building their queued towns into the output folder
for nobody, and stayed, with their Jupyter kernels, after it. Slow: each case starts a real build.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from analysis.params import load_batch
from analysis.paths import PARAMS_DIR
from diagnoza.build import OUTPUTS

pytestmark = pytest.mark.slow

TOWNS = load_batch(PARAMS_DIR / "demo.yaml").teryts[:8]  # more than two workers finish before the signal
SETTLE = 20  # seconds the stopped build's processes get to end


def _start_build(out: Path, log: Path) -> subprocess.Popen:
    script = Path(sys.executable).with_name("diagnoza")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "diagnoza.cli"]
    command += ["build", str(PARAMS_DIR / "demo.yaml"), "--only", ",".join(TOWNS), "--workers", "2"]
    command += ["--out", str(out), "--force"]
    return subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture
def leftovers():
    """Processes a test expected to end; any still running when it ends are killed (a failed test leaves none)."""
    family: list[psutil.Process] = []
    yield family
    for process in family:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def _after_first_town(build: subprocess.Popen, log: Path, leftovers: list[psutil.Process]) -> list[psutil.Process]:
    """Wait until one town is built; then the build's processes (workers and their kernels), also handed to
    the `leftovers` fixture with the build itself."""
    deadline = time.monotonic() + 300
    while "built " not in log.read_text(encoding="utf-8"):
        assert build.poll() is None, log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, "no town built in 300 s"
        time.sleep(0.2)
    family = psutil.Process(build.pid).children(recursive=True)
    leftovers += [psutil.Process(build.pid), *family]
    assert sum("ipykernel" in " ".join(p.cmdline()) for p in family) == 2  # a warm kernel per worker
    return family


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_a_build_stopped_by_a_signal_stops_as_on_ctrl_c(tmp_path, stop, leftovers):
    # The signal goes to the build process alone, as `kill PID` sends it.
    build = _start_build(tmp_path, tmp_path / "build.log")
    family = _after_first_town(build, tmp_path / "build.log", leftovers)
    build.send_signal(stop)
    assert build.wait(timeout=SETTLE) == 130
    _, left = psutil.wait_procs(family, timeout=SETTLE)
    assert left == []
    assert "interrupted: finished towns are in place" in (tmp_path / "build.log").read_text(encoding="utf-8")
    out = tmp_path / "demo"
    assert not (out / ".staging").exists()
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["towns"]
    built = {teryt for teryt, town in recorded.items() if town["status"] == "built"}
    assert built and len(built) < len(TOWNS)  # stopped after the first town, before the last
    folders = {path.name for path in out.iterdir() if path.is_dir() and path.name.isdigit()}
    assert built <= folders
    for teryt in folders:  # towns still running when it was stopped may have finished; none is partial
        assert all((out / teryt / name).is_file() for name in OUTPUTS), teryt


def test_the_workers_of_a_build_killed_outright_end_too(tmp_path, leftovers):
    # SIGKILL (or the out-of-memory killer) gives the build no chance to stop its workers: they notice
    # their parent is gone and end; each kernel ends with its worker (ipykernel watches its parent).
    build = _start_build(tmp_path, tmp_path / "build.log")
    family = _after_first_town(build, tmp_path / "build.log", leftovers)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=SETTLE)
    _, left = psutil.wait_procs(family, timeout=SETTLE)
    assert left == [], [" ".join(p.cmdline()) for p in left]
