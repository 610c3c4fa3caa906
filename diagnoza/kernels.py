"""Running the report notebook: in a fresh kernel per town, or in one warm kernel per worker.

Starting a Jupyter kernel and importing pandas, statsmodels and matplotlib costs
about 2 s per town, ten times the town's own work. A worker process therefore keeps
one kernel, started once with the imports done, and runs town after town in it.
Isolation: before each town the kernel's namespace is cleared (`%reset -f`) and
matplotlib's state reset, so a town sees nothing of the previous one; the
`analysis` modules stay imported (they hold no per-town state). A test builds towns
both ways and requires byte-identical reports. After a failed town the kernel is
replaced, since a failure may leave anything behind. The notebook kept as the town's
record leaves the reset cell out and numbers its cells from 1 (`as_town_record`).
"""

from __future__ import annotations

import atexit
import copy
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterable
from concurrent.futures import Future
from functools import cache
from pathlib import Path

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.translators import PythonTranslator, papermill_translators

from analysis.paths import REPORT_NOTEBOOK
from diagnoza import runtime

KERNEL_NAME = "python3"
NOTEBOOK_CLIENT = "jupyter_client.asynchronous.AsyncKernelClient"
START_ATTEMPTS = 3
KERNEL_LOG_LINES = 20  # of a dead kernel's own output, added to the error it caused (`WarmKernel`)
# Seconds one cell may run. A town's longest cell takes a few seconds (its whole analysis, where no
# computed report is cached); one that hangs (a stuck BLAS call, a network drive that stopped answering)
# fails its own town with nbclient's CellTimeoutError, and the batch goes on with the others.
CELL_TIMEOUT = 600
KERNEL_ARGUMENTS = [
    "--IPKernelApp.log_level=ERROR",  # no transport warnings in the build log
    "--HistoryManager.enabled=False",  # no SQLite input history: a third of a cell's overhead, and nobody reads it
]
WARM_UP = runtime.KERNEL_WARM_UP
RESET = "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt"
RESET_CELL_ID = "kernel-reset"
# Kept in the record's metadata (`diagnoza`), where its numbering from 1 would otherwise hide how it ran.
WARM_RUN_NOTE = (
    "Run in a kernel kept warm across towns: before this notebook its namespace was cleared (%reset -f) and "
    "matplotlib's figures closed; libraries stay imported. The reset cell is left out and cells are numbered "
    "as a fresh kernel numbers them."
)


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, on a kernel it did not start and must not stop, through a
    connection it keeps for the next notebook.

    A new connection per notebook would wait for the kernel to answer and then 0.2 s more for
    its IOPub channel to fall quiet (jupyter_client's wait_for_ready), with the CPU idle. So nbclient
    opens one the first time (`km.client()`: asynchronous, as nbclient needs to watch replies, output
    and the kernel's life side by side, and so to stop a cell at its timeout or when the kernel dies)
    and the warm kernel keeps it, one per thread, as its event loop is. Sharing it is safe: nbclient
    only reads replies to the requests it sent.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        kwargs.pop("input_path", None)
        warm: WarmKernel = kwargs.pop("warm")
        client = PapermillNotebookClient(
            nb_man,
            km=warm.manager,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            **kwargs,
        )
        client.kc = warm.notebook_connections.get(threading.get_ident())  # None: nbclient opens one
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.allow_stdin = False
                warm.notebook_connections[threading.get_ident()] = client.kc


papermill_engines.register("diagnoza-warm", WarmKernelEngine)


class ReadableStrings(PythonTranslator):
    """String parameters with their letters as they are: a batch title "Diagnoza gminy Łąka" stays
    readable in the record's parameters cell, where papermill writes "Diagnoza gminy \\u0141\\u0105ka"
    (the same value). A JSON string is a Python string literal too; quotes and controls stay escaped."""

    @classmethod
    def translate_str(cls, val: str) -> str:
        return json.dumps(val, ensure_ascii=False)


papermill_translators.register("python", ReadableStrings)


def _prefer_environment_kernel() -> None:
    # The kernel must be this environment's Python, not a user-wide "python3" kernelspec.
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")


def _with_reset_cell() -> nbformat.NotebookNode:
    """The report notebook with a first, hidden cell that clears what the previous town left."""
    return copy.deepcopy(_report_with_reset_cell())


@cache
def _report_with_reset_cell() -> nbformat.NotebookNode:
    notebook = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    reset = nbformat.v4.new_code_cell(RESET, metadata={"tags": ["remove-cell", RESET_CELL_ID]})
    reset.id = RESET_CELL_ID
    notebook.cells.insert(0, reset)
    return notebook


def as_town_record(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A notebook run in a warm kernel as the town's record: what a fresh kernel's run would show (no
    reset cell, cells numbered from 1, not from wherever the kernel's count stood), and a note of how it ran."""
    notebook.cells = [cell for cell in notebook.cells if cell.get("id") != RESET_CELL_ID]
    count = 0
    for cell in notebook.cells:
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = count
    notebook.metadata["diagnoza"] = {"kernel": WARM_RUN_NOTE}
    return notebook


def _rewrite_as_town_record(path: Path) -> None:
    """The failed run papermill wrote (with its error cell), as a record too; as written if unreadable."""
    try:
        nbformat.write(as_town_record(nbformat.read(path, as_version=4)), path)
    except Exception:  # noqa: BLE001 - the town's own error is what must propagate
        pass


def _own_sockets() -> dict[str, str]:
    """The kernel's sockets, where they cannot clash with another kernel's: on Linux, Unix sockets with a name
    of their own in the abstract namespace (no file, so no path-length limit under a deep TMPDIR).

    Over TCP, jupyter_client picks free ports and the kernel binds them a moment later; a port another process
    took meanwhile (the other worker's kernel starting, any outgoing connection) made the kernel fail with
    "Address already in use", print its traceback on the build's terminal, and then hang at its exit (in
    zmq's Context.term), so the start was known to have failed only at its 60-s timeout. As over TCP on
    localhost, any local user may connect; messages are signed with the key of the (private) connection file.
    Elsewhere TCP stays, and a clash costs that timeout and one more attempt (`START_ATTEMPTS`)."""
    if sys.platform != "linux":
        return {}
    return {"transport": "ipc", "ip": f"@diagnoza-kernel-{uuid.uuid4().hex}"}


class _KilledFirst:
    """A kernel manager whose kernel, shut down, is killed (SIGKILL) before anything else is sent to it.

    jupyter_client's shutdown interrupts a kernel (SIGINT) before asking it to end. A kernel still starting,
    or between two cells (where ipykernel does not catch it), died of that interrupt with a KeyboardInterrupt
    traceback on the build's terminal: a build stopped with Ctrl-C then printed a stack. The build is done
    with a kernel it shuts down, whether the town finished or not, so nothing in it needs a clean exit; the
    shutdown then only reaps the process and removes its connection file.

    Every such manager of this process is known (`_MANAGERS`), so that a worker ending without a shutdown
    can kill their kernels (`kill_kernels`).

    On Linux its kernel listens on Unix sockets of its own (`_own_sockets`), not on TCP ports."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **{**_own_sockets(), **kwargs})
        _MANAGERS.add(self)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        if self.has_kernel:
            await self._async_signal_kernel(signal.SIGKILL)
        await super()._async_shutdown_kernel(now=True, restart=restart)


_MANAGERS: weakref.WeakSet[_KilledFirst] = weakref.WeakSet()


def kill_kernels(managers: Iterable[_KilledFirst] | None = None) -> None:
    """Kill at once every kernel this process started (or those of `managers`), ready or still starting,
    without a shutdown: its worker is ending because the build was killed outright (`workers._end_with_build`),
    or a town run in a fresh kernel is ending with its kernel perhaps still starting (`execute_notebook`).

    ipykernel ends a kernel whose parent is gone, but it starts watching about a second into the kernel's
    start; a kernel whose worker ended before that waits for pid 1 to adopt it, which under a subreaper (a
    container's init, a service manager) never happens, and it stayed for ever. A kernel leads a process
    group of its own (jupyter_client starts it in a new session): the group is killed, whatever it started,
    and its connection file removed (no shutdown will: it stayed in Jupyter's runtime folder)."""
    for manager in list(_MANAGERS if managers is None else managers):
        process = getattr(manager.provisioner, "process", None)
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:  # it ended meanwhile
                pass
        manager.cleanup_connection_file()


class KilledFirstKernelManager(_KilledFirst, KernelManager):
    """The warm kernel's manager (`WarmKernel`)."""

    shutdown_kernel = run_sync(_KilledFirst._async_shutdown_kernel)


class AsyncKilledFirstKernelManager(_KilledFirst, AsyncKernelManager):
    """A fresh kernel's manager, which nbclient creates and shuts down (`execute_notebook`)."""

    shutdown_kernel = _KilledFirst._async_shutdown_kernel


class WarmKernel:
    """One kernel kept alive across notebooks, its imports done once.

    A kernel's own stderr (what it prints before it can send output to a notebook, and if it dies) goes to
    `kernel.log` in its working folder: a start that failed and was tried again is no news for the build's
    terminal, and what a kernel said before it died is added to the error of the town or start it failed."""

    def __init__(self) -> None:
        _prefer_environment_kernel()
        self.workdir = tempfile.mkdtemp(prefix="diagnoza-kernel-")
        _WORKDIRS.add(self.workdir)
        self.log = Path(self.workdir) / "kernel.log"
        self.notebook_connections: dict[int, object] = {}  # nbclient's, by thread (WarmKernelEngine)
        for attempt in range(1, START_ATTEMPTS + 1):
            # `client()` gives what nbclient needs; the warm-up runs through a blocking connection of its own.
            self.manager = KilledFirstKernelManager(kernel_name=KERNEL_NAME, client_class=NOTEBOOK_CLIENT)
            try:
                with self.log.open("wb") as log:  # the kernel keeps its own copy of the file
                    self.manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=self.workdir, stderr=log)
                if _abandon.is_set():  # started as its process was ending, after `_shutdown_warm` killed kernels
                    raise RuntimeError("the process is ending")
                self._warm_up()
                break
            except Exception as error:
                # Kernels started at the same moment by two workers can pick the same free port (ZMQError:
                # Address already in use). A process ending meanwhile (`_shutdown_warm`) wants no more attempts.
                last = attempt == START_ATTEMPTS or _abandon.is_set()
                if last:
                    self._add_kernel_log(error)
                self.shutdown(keep_workdir=not last)
                if last:
                    raise

    def _add_kernel_log(self, error: BaseException) -> None:
        """What the kernel printed, under `error`'s traceback, if it printed anything."""
        try:
            said = self.log.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return
        if said:
            error.add_note(f"The Jupyter kernel's own output (its last {KERNEL_LOG_LINES} lines at most):")
            error.add_note("\n".join(said.splitlines()[-KERNEL_LOG_LINES:]))

    def _warm_up(self) -> None:
        # A client of the manager: it tells a kernel that is still starting from a dead one by its process.
        # One made from the connection info alone asks the heartbeat, which a kernel busy importing on a
        # loaded machine may not answer within the second `wait_for_ready` allows: "Kernel died before
        # replying to kernel_info" for a kernel that was alive (with ipykernel 6.29, 10 of 15 starts).
        connection = self.manager.blocking_client()
        connection.start_channels()
        try:
            connection.wait_for_ready(timeout=60)
            reply = connection.execute_interactive(
                WARM_UP, store_history=False, silent=True, timeout=120, output_hook=lambda message: None
            )
        finally:
            connection.stop_channels()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel preparation failed: {reply['content'].get('evalue', '')}")

    def execute(self, parameters: dict, output: Path) -> nbformat.NotebookNode:
        try:
            notebook = papermill.execute_notebook(
                _with_reset_cell(),
                str(output),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                engine_name="diagnoza-warm",
                warm=self,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,  # written once at the end (or on failure), not after every cell
                execution_timeout=CELL_TIMEOUT,
            )
        except Exception as error:
            _rewrite_as_town_record(output)
            if not self.manager.is_alive():
                self._add_kernel_log(error)
            raise
        notebook = as_town_record(notebook)
        nbformat.write(notebook, output)
        return notebook

    def shutdown(self, keep_workdir: bool = False) -> None:
        for connection in self.notebook_connections.values():
            connection.stop_channels()
        self.notebook_connections.clear()
        if self.manager.has_kernel:
            self.manager.shutdown_kernel()  # killed first (`KilledFirstKernelManager`)
        if not keep_workdir:
            _remove_workdir(self.workdir)


_WORKDIRS: set[str] = set()  # the working folders of this process's warm kernels not yet removed


def _remove_workdir(workdir: str) -> None:
    shutil.rmtree(workdir, ignore_errors=True)
    _WORKDIRS.discard(workdir)


_warm: WarmKernel | None = None


def _quiet_abandoned_cells() -> None:
    """The build is being stopped: shutting a kernel down fails the cell nbclient was waiting on (and its check
    that the kernel is alive), and asyncio would print each abandoned task's error as a traceback on the
    user's terminal, where the build says in one line that it was interrupted."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)


_starting: Future | None = None  # a warm kernel being started in the background
_abandon = threading.Event()  # set when this process ends: a kernel still starting is killed, not tried again
ABANDON_WAIT = 2  # seconds an ending process gives the start it killed to clean up (reap it, remove its working folder)


def prestart() -> None:
    """Start this process's warm kernel in the background, if it has none yet.

    The kernel imports its libraries in its own process, so this overlaps with the
    town's analysis in ours: for a one-town build the kernel is ready when needed.
    The thread is a daemon, so that a process ending never waits for it (`_shutdown_warm`).
    """
    global _starting
    if _warm is None and _starting is None:
        _starting = Future()
        threading.Thread(target=_start_warm, args=(_starting,), name="kernel-start", daemon=True).start()


def _start_warm(started: Future) -> None:
    try:
        started.set_result(WarmKernel())
    except BaseException as error:  # noqa: BLE001 - raised again where the kernel is needed (`_take_started`)
        started.set_exception(error)


def _take_started() -> None:
    global _warm, _starting
    if _starting is not None:
        try:
            _warm = _starting.result()  # a failed start raises here, in the town that needed it
        finally:
            if _starting.done():  # not after a Ctrl-C in the wait: that start is still to be stopped (`_shutdown_warm`)
                _starting = None


def _shutdown_warm() -> None:
    """At the process's end (or after a failed town): shut the warm kernel down.

    A kernel still starting is killed, not waited for: its start may take a minute on a loaded machine
    (the imports, and up to `START_ATTEMPTS` tries), and a build stopped early waited for it. Its worker
    then outlived the build's stop by over 20 s."""
    global _warm, _starting
    if _starting is not None and not _starting.done():
        _abandon.set()
        kill_kernels()
        try:
            _starting.exception(timeout=ABANDON_WAIT)  # it shuts its killed kernel down itself
        except TimeoutError:  # still waiting on the dead kernel: the daemon thread ends with the process,
            for workdir in list(_WORKDIRS):  # before it removes its working folder, so that is done here
                _remove_workdir(workdir)
        _starting = None
        return
    try:
        _take_started()
    except Exception:  # noqa: BLE001 - it failed to start: nothing to shut down
        pass
    if _warm is not None:
        _warm.shutdown()
        _warm = None


atexit.register(_shutdown_warm)


def execute_notebook(parameters: dict, output: Path, workdir: Path, reuse_kernel: bool = True) -> nbformat.NotebookNode:
    """Run the report notebook with `parameters` into `output`; raises papermill's error on failure."""
    global _warm
    if not reuse_kernel:
        _prefer_environment_kernel()
        earlier = set(_MANAGERS)
        try:
            return papermill.execute_notebook(
                str(REPORT_NOTEBOOK),
                str(output),
                parameters=parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=False,
                log_output=False,
                cwd=str(workdir),
                extra_arguments=KERNEL_ARGUMENTS,
                request_save_on_cell_execute=False,
                execution_timeout=CELL_TIMEOUT,
                kernel_manager_class=AsyncKilledFirstKernelManager,  # a Ctrl-C while it starts prints no stack
            )
        except KeyboardInterrupt:
            _quiet_abandoned_cells()
            raise
        finally:
            # A Ctrl-C while the town's kernel starts can leave it starting after nbclient's cleanup (which finds
            # no kernel yet to stop): it then reached its working folder after the build had removed it, and
            # printed a traceback on the build's terminal. Killed here, before the town ends, it prints nothing;
            # a kernel nbclient shut down is already gone.
            kill_kernels([manager for manager in list(_MANAGERS) if manager not in earlier])
    _take_started()
    if _warm is None:
        _warm = WarmKernel()
    try:
        return _warm.execute(parameters, output)
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            _quiet_abandoned_cells()
        _shutdown_warm()  # the next town gets a clean kernel (a timed-out cell may still be running in this one)
        raise
