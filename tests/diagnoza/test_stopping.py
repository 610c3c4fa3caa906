"""Stopping a build from outside: nothing left running, nothing half-written.

Before, a build stopped with SIGTERM (`kill`, `timeout`, a cancelled CI job) or SIGHUP (its terminal
closed) ended on the spot: its two workers went on building their queued towns into the output folder
for nobody, and stayed, with their Jupyter kernels, after it. Slow: each case starts a real build or kernel.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from analysis.params import load_batch
from analysis.paths import PARAMS_DIR, PROJECT_ROOT
from diagnoza.build import OUTPUTS
from tests.diagnoza.conftest import diagnoza_command

pytestmark = pytest.mark.slow

TOWNS = load_batch(PARAMS_DIR / "demo.yaml").teryts[:8]  # more than two workers finish before the signal
SETTLE = 20  # seconds the stopped build's processes get to end


def _start_build(out: Path, log: Path, *options: str) -> subprocess.Popen:
    """The build, with its temporary files (its workers' and their kernels' working folders) in `out`/tmp."""
    command = diagnoza_command() + ["build", str(PARAMS_DIR / "demo.yaml"), "--only", ",".join(TOWNS), "--workers", "2"]
    command += ["--out", str(out), "--force", *options]
    (out / "tmp").mkdir()
    return subprocess.Popen(
        command,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "TMPDIR": str(out / "tmp")},
        start_new_session=True,  # its own process group, which Ctrl-C would reach as a whole
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not ignored, as in a background job
    )


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


def _after_first_town(
    build: subprocess.Popen, log: Path, leftovers: list[psutil.Process], warm: bool = True
) -> list[psutil.Process]:
    """Wait until one town is built; then the build's processes (workers and their kernels), also handed to
    the `leftovers` fixture with the build itself."""
    deadline = time.monotonic() + 300
    while "built " not in log.read_text(encoding="utf-8"):
        assert build.poll() is None, log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, "no town built in 300 s"
        time.sleep(0.2)
    family = psutil.Process(build.pid).children(recursive=True)
    leftovers += [psutil.Process(build.pid), *family]
    if warm:
        assert sum("ipykernel" in " ".join(p.cmdline()) for p in family) == 2  # a warm kernel per worker
    return family


@pytest.mark.parametrize(
    "stop, to_group",
    [
        (signal.SIGINT, True),  # Ctrl-C: the terminal signals the whole process group
        (signal.SIGTERM, False),  # `kill PID`: the build process alone
        (signal.SIGTERM, True),  # `timeout`, a CI runner: the whole group (workers end at once, kernels after)
        (signal.SIGHUP, True),  # its terminal closed: the whole foreground group
        # (`kill -HUP PID`, SIGHUP to the build alone, takes paths tested above: the build takes its SIGHUP as
        # in "terminal-closed", and stops its workers, which got none, as in "kill".)
    ],
    ids=["ctrl-c", "kill", "timeout", "terminal-closed"],
)
def test_a_build_stopped_by_a_signal_stops_as_on_ctrl_c(tmp_path, stop, to_group, leftovers):
    build = _start_build(tmp_path, tmp_path / "build.log")
    family = _after_first_town(build, tmp_path / "build.log", leftovers)
    if to_group:
        os.killpg(build.pid, stop)
    else:
        build.send_signal(stop)
    assert build.wait(timeout=SETTLE) == 130
    _, left = psutil.wait_procs(family, timeout=SETTLE)
    assert left == []
    assert list((tmp_path / "tmp").iterdir()) == []  # nor files: workers stopped on the spot left their kernels'
    log = (tmp_path / "build.log").read_text(encoding="utf-8")
    assert log.rstrip().endswith("interrupted: finished towns are in place, unfinished ones left no files")
    assert "Traceback" not in log  # the user is told in one line, without a stack
    out = tmp_path / "demo"
    assert not (out / ".staging").exists()
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["towns"]
    built = {teryt for teryt, town in recorded.items() if town["status"] == "built"}
    assert built and len(built) < len(TOWNS)  # stopped after the first town, before the last
    folders = {path.name for path in out.iterdir() if path.is_dir() and path.name.isdigit()}
    assert built <= folders
    for teryt in folders:  # towns still running when it was stopped may have finished; none is partial
        assert all((out / teryt / name).is_file() for name in OUTPUTS), teryt


def _with_tmpdir(tmp: Path) -> list[psutil.Process]:
    """Running processes whose environment has TMPDIR `tmp`: a build's, its workers' and their kernels'."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("TMPDIR") == str(tmp) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return found


def test_a_build_with_fresh_kernels_stopped_by_ctrl_c_prints_one_line_and_leaves_nothing(tmp_path, leftovers):
    # `--fresh-kernels`: each town starts and shuts down its own kernel. Stopped with Ctrl-C, 7 of 8 such builds
    # printed tracebacks: asyncio's of the cell abandoned when its kernel was shut down (DeadKernelError), and
    # those of kernels interrupted while starting. Now, as with warm kernels, one line and no stack.
    build = _start_build(tmp_path, tmp_path / "build.log", "--fresh-kernels")
    family = _after_first_town(build, tmp_path / "build.log", leftovers, warm=False)
    time.sleep(1)  # into the next towns: their kernels starting, or their first cells running
    os.killpg(build.pid, signal.SIGINT)
    assert build.wait(timeout=SETTLE) == 130
    _, left = psutil.wait_procs(family, timeout=SETTLE)
    assert left == []
    # nor any kernel started after the first town: every process of the build has its TMPDIR
    deadline = time.monotonic() + SETTLE
    while (late := _with_tmpdir(tmp_path / "tmp")) and time.monotonic() < deadline:
        time.sleep(0.5)
    leftovers += late
    assert late == []
    log = (tmp_path / "build.log").read_text(encoding="utf-8")
    assert log.rstrip().endswith("interrupted: finished towns are in place, unfinished ones left no files")
    assert "Traceback" not in log and "Task exception was never retrieved" not in log, log
    assert list((tmp_path / "tmp").iterdir()) == []


def test_the_workers_of_a_build_killed_outright_end_too(tmp_path, leftovers):
    # SIGKILL (or the out-of-memory killer) gives the build no chance to stop its workers: they notice
    # their parent is gone and end, killing their kernels first (ipykernel would end them too, once it watches).
    build = _start_build(tmp_path, tmp_path / "build.log")
    family = _after_first_town(build, tmp_path / "build.log", leftovers)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=SETTLE)
    _, left = psutil.wait_procs(family, timeout=SETTLE)
    assert left == [], [" ".join(p.cmdline()) for p in left]
    assert list((tmp_path / "tmp").iterdir()) == []  # nor their temporary files


def _started_kernel(kernels) -> psutil.Process:
    """The process of the one kernel `kernels.prestart` is starting, as soon as it exists (long before it is ready)."""
    deadline = time.monotonic() + 60
    while not (started := [p for m in list(kernels._MANAGERS) if (p := getattr(m.provisioner, "process", None))]):
        assert time.monotonic() < deadline, "no kernel process started"
        time.sleep(0.005)
    [process] = started
    return psutil.Process(process.pid)


def test_a_worker_ending_with_its_build_kills_its_kernel_even_one_still_starting(monkeypatch, leftovers):
    # ipykernel ends a kernel whose parent is gone only once it watches it, about a second into its start
    # (ipykernel.parentpoller); one whose worker ended before that waited for pid 1 to adopt it, which under a
    # subreaper (a container's init, a service manager) never happens. A worker whose build was killed
    # outright now kills its kernels itself (`workers._end_with_build`): here one caught as soon as its
    # process exists, long before it is ready (its imports take a second or more).
    import weakref

    from diagnoza import kernels

    monkeypatch.setattr(kernels, "_warm", None)  # this test's kernel only, whatever an earlier test left
    monkeypatch.setattr(kernels, "_starting", None)
    monkeypatch.setattr(kernels, "_MANAGERS", weakref.WeakSet())
    monkeypatch.setattr(kernels, "START_ATTEMPTS", 1)  # killed, it is not started again
    kernels.prestart()
    kernel = _started_kernel(kernels)
    leftovers.append(kernel)
    assert os.getpgid(kernel.pid) == kernel.pid  # it leads a process group, which is what is killed
    [manager] = list(kernels._MANAGERS)
    connection_file = Path(manager.connection_file)
    assert connection_file.is_file()  # written before the kernel process starts
    kernels.kill_kernels()
    # Its connection file is gone with it, at once: the worker exits next (os._exit), and no failed start's
    # cleanup would remove it from Jupyter's runtime folder.
    assert not connection_file.exists()
    with pytest.raises(Exception):  # noqa: B017 - how the start fails does not matter: that it does
        kernels._take_started()
    _, left = psutil.wait_procs([kernel], timeout=SETTLE)
    assert left == []


def test_ctrl_c_during_a_cell_leaves_no_traceback_of_the_abandoned_cell(tmp_path, monkeypatch, caplog):
    # Ctrl-C in a worker while its kernel runs a cell: the kernel is shut down, which fails the cell nbclient
    # was waiting on; asyncio printed that abandoned task's DeadKernelError as a traceback per worker.
    import gc
    import logging
    import threading

    import nbformat

    from diagnoza import kernels

    asyncio_log = logging.getLogger("asyncio")
    monkeypatch.setattr(asyncio_log, "level", asyncio_log.level)  # restored after the test
    real = kernels._with_reset_cell

    def with_a_long_cell() -> nbformat.NotebookNode:
        notebook = real()
        at = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
        notebook.cells.insert(at + 1, nbformat.v4.new_code_cell("import time\ntime.sleep(60)"))
        return notebook

    monkeypatch.setattr(kernels, "_with_reset_cell", with_a_long_cell)
    kernels.prestart()
    kernels._take_started()  # the kernel is up: the Ctrl-C below lands in the long cell
    # Ctrl-C as a terminal sends it: a real SIGINT to the main thread, which wakes it from a wait that
    # `_thread.interrupt_main` (a flag checked between bytecodes) can leave asleep until the cell's end;
    # handled as in a terminal, whatever a background job's shell set (it ignores SIGINT).
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Timer(5, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)).start()
        with pytest.raises(KeyboardInterrupt):
            kernels.execute_notebook({"teryt": "0290011"}, tmp_path / "report.ipynb", tmp_path)
    finally:
        signal.signal(signal.SIGINT, handler)
    gc.collect()  # asyncio reports an exception never retrieved when the task is collected
    assert [record.getMessage() for record in caplog.records if record.name == "asyncio"] == []


def test_a_kernel_being_stopped_is_killed_before_any_interrupt(monkeypatch):
    # jupyter_client's `shutdown_kernel(now=True)` sends SIGINT before SIGKILL. A kernel still starting, or between
    # two cells (where ipykernel does not catch it), died of that SIGINT with a KeyboardInterrupt traceback on the
    # build's terminal: about one build in 30 stopped with Ctrl-C (the "ctrl-c" case above) failed so. A kernel
    # killed first prints nothing. The signals are those the kernel's process group is sent, recorded on the way.
    from diagnoza import kernels

    warm = kernels.WarmKernel()
    provisioner = warm.manager.provisioner
    process = psutil.Process(provisioner.process.pid)
    sent: list[int] = []
    real = provisioner.send_signal

    async def recorded(signum: int) -> None:
        sent.append(signum)
        await real(signum)

    monkeypatch.setattr(provisioner, "send_signal", recorded)
    warm.shutdown()
    assert sent and sent[0] == signal.SIGKILL, [signal.Signals(s).name for s in sent]
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE


def test_a_fresh_kernel_is_killed_before_any_interrupt_too(monkeypatch, tmp_path):
    # `--fresh-kernels`: nbclient starts each town's kernel and shuts it down (gracefully: `now=False`), also when
    # a Ctrl-C lands while the kernel is still starting. Its manager kills it first, as the warm kernel's does.
    import asyncio

    from diagnoza import kernels

    async def shut_down_as_nbclient_does() -> tuple[list[int], psutil.Process]:
        manager = kernels.AsyncKilledFirstKernelManager(kernel_name=kernels.KERNEL_NAME)
        await manager.start_kernel(extra_arguments=kernels.KERNEL_ARGUMENTS, cwd=str(tmp_path))
        provisioner, sent = manager.provisioner, []
        real = provisioner.send_signal

        async def recorded(signum: int) -> None:
            sent.append(signum)
            await real(signum)

        provisioner.send_signal = recorded
        process = psutil.Process(provisioner.process.pid)
        await manager.shutdown_kernel(now=False)
        return sent, process

    sent, process = asyncio.run(shut_down_as_nbclient_does())
    assert sent and sent[0] == signal.SIGKILL, [signal.Signals(s).name for s in sent]
    assert not process.is_running() or process.status() == psutil.STATUS_ZOMBIE

    # and the fresh path hands nbclient that manager
    asked = {}
    monkeypatch.setattr(kernels.papermill, "execute_notebook", lambda *args, **kwargs: asked.update(kwargs))
    kernels.execute_notebook({"teryt": "0290011"}, tmp_path / "report.ipynb", tmp_path, reuse_kernel=False)
    assert asked["kernel_manager_class"] is kernels.AsyncKilledFirstKernelManager


def test_a_fresh_kernel_left_starting_by_a_ctrl_c_is_killed_before_the_town_ends(monkeypatch, tmp_path, leftovers):
    # `--fresh-kernels`, Ctrl-C: nbclient's own cleanup on SIGINT stops only a kernel it already has; one whose
    # start went on after it kept starting while the build removed its working folder, and printed a
    # FileNotFoundError traceback (os.getcwd) on the build's terminal (seen in a CI run). Here papermill is
    # replaced by what that race leaves: a kernel of this call still starting when the Ctrl-C leaves it.
    # A kernel this process had before the call (a stand-in, its own process group) is not touched.
    import asyncio

    from diagnoza import kernels

    class Earlier:  # a manager the call did not make: only what `kill_kernels` reads
        def __init__(self, process):
            self.provisioner = type("Provisioner", (), {"process": process})()

    earlier_process = subprocess.Popen(["sleep", "60"], start_new_session=True)
    earlier = Earlier(earlier_process)
    monkeypatch.setattr(kernels, "_MANAGERS", kernels.weakref.WeakSet([earlier]))
    started = []

    def interrupted_while_starting(*args, **kwargs):
        manager = kwargs["kernel_manager_class"](kernel_name=kernels.KERNEL_NAME)
        asyncio.run(manager.start_kernel(extra_arguments=kernels.KERNEL_ARGUMENTS, cwd=str(tmp_path)))
        started.append((manager, psutil.Process(manager.provisioner.process.pid)))
        leftovers.append(started[-1][1])  # killed after the test whatever it finds
        raise KeyboardInterrupt

    monkeypatch.setattr(kernels.papermill, "execute_notebook", interrupted_while_starting)
    try:
        with pytest.raises(KeyboardInterrupt):
            kernels.execute_notebook({"teryt": "0290011"}, tmp_path / "report.ipynb", tmp_path, reuse_kernel=False)
        [(_, kernel)] = started
        _, left = psutil.wait_procs([kernel], timeout=5)  # SIGKILL, sent before the call ended: gone at once
        assert left == []
        assert earlier_process.poll() is None  # the other kernel lives on
    finally:
        earlier_process.kill()
        earlier_process.wait()


ENDING_WITH_A_KERNEL_STARTING = """
import sys, time
from diagnoza import kernels

kernels.WARM_UP = "import time; time.sleep(600)"  # a start that is slow to finish, as on a loaded machine
kernels.prestart()
while not (started := [p for m in list(kernels._MANAGERS) if (p := getattr(m.provisioner, "process", None))]):
    time.sleep(0.01)
print(started[0].pid, flush=True)
time.sleep(2)  # the kernel is up, its warm-up running
sys.exit(0)  # the process ends as a worker does when its build stops: by its atexit handlers
"""


def test_a_process_ending_while_its_kernel_starts_does_not_wait_for_the_start(tmp_path, leftovers):
    # A worker's kernel starts in the background (`kernels.prestart`). A build stopped before that start was over
    # waited for it: the worker's exit joined the starting thread, whose warm-up may take a minute on a loaded
    # machine (and a failed try, another), and the build outlived its Ctrl-C by over 20 s (a red CI run). Now the
    # kernel still starting is killed and the start given up. Here the start would take 10 minutes.
    # The start given up left the kernel's working folder behind (in the system's temporary folder).
    script = tmp_path / "ending.py"
    script.write_text(ENDING_WITH_A_KERNEL_STARTING, encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    environment = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    ending = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT, env=environment
    )
    leftovers.append(psutil.Process(ending.pid))
    kernel = psutil.Process(int(ending.stdout.readline()))
    leftovers.append(kernel)
    assert ending.wait(timeout=SETTLE) == 0
    _, left = psutil.wait_procs([kernel], timeout=SETTLE)
    assert left == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_ctrl_c_while_a_town_waits_for_its_kernel_leaves_that_kernel_to_be_killed(monkeypatch, tmp_path, leftovers):
    # A worker's first town waits for the kernel starting in the background (`kernels._take_started`). A Ctrl-C in
    # that wait forgot the start: the worker's end (`_shutdown_warm`) then found no kernel to stop, and the one
    # still starting outlived it. Here its warm-up would take 10 minutes. Nor may its working folder outlive it.
    import tempfile
    import threading
    import weakref

    from diagnoza import kernels

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(kernels, "_WORKDIRS", set())
    monkeypatch.setattr(kernels, "_warm", None)  # this test's kernel only, whatever an earlier test left
    monkeypatch.setattr(kernels, "_starting", None)
    monkeypatch.setattr(kernels, "_MANAGERS", weakref.WeakSet())
    monkeypatch.setattr(kernels, "_abandon", threading.Event())
    monkeypatch.setattr(kernels, "WARM_UP", "import time; time.sleep(600)")
    kernels.prestart()
    kernel = _started_kernel(kernels)
    leftovers.append(kernel)
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (see the test above)
    try:
        threading.Timer(1, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT)).start()
        with pytest.raises(KeyboardInterrupt):
            kernels._take_started()
    finally:
        signal.signal(signal.SIGINT, handler)
    kernels._shutdown_warm()  # as at the worker's end
    _, left = psutil.wait_procs([kernel], timeout=SETTLE)
    assert left == []
    assert list((tmp_path / "tmp").iterdir()) == []
