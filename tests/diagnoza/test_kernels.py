"""How the build hands a town's parameters to its notebook (diagnoza.kernels)."""

import sys

import nbformat
import psutil
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from analysis.paths import REPORT_NOTEBOOK
from diagnoza import kernels  # also registers the parameter writer the build uses

TRICKY = [
    "Diagnoza gminy Łąka – żółć",  # Polish letters and a dash: kept as they are
    'tytuł z "cudzysłowem" i \\ ukośnikiem',  # quotes and a backslash: escaped
    "dwie\nlinie\tz tabulatorem",  # controls: escaped, the cell stays one line per parameter
    "",
]


def injected_source(**parameters) -> str:
    notebook = parameterize_notebook(load_notebook_node(str(REPORT_NOTEBOOK)), parameters)
    [cell] = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return cell.source


@pytest.mark.parametrize("title", TRICKY)
def test_string_parameters_keep_their_letters_and_their_value(title):
    source = injected_source(teryt="1690021", title=title)
    namespace: dict = {}
    exec(source, namespace)  # the cell as the kernel runs it: the value is the one given
    assert namespace["title"] == title and namespace["teryt"] == "1690021"
    assert len(source.splitlines()) == 3  # "# Parameters" and one line per parameter
    if "Łąka" in title:
        assert "Łąka – żółć" in source and "\\u" not in source  # papermill wrote \u0141\u0105ka


@pytest.fixture
def warm_kernel():
    warm = kernels.WarmKernel()
    yield warm
    warm.shutdown()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="Unix sockets in the abstract namespace are Linux's")
def test_a_warm_kernel_listens_on_no_tcp_port(warm_kernel):
    # Over TCP a kernel binds ports its manager picked a moment before; one taken meanwhile (the other worker's
    # kernel starting) made the kernel fail and hang for the 60 s of its start's timeout: a build then outlived its
    # Ctrl-C (a red CI run). Its sockets are now Unix sockets of its own name: no port to race for.
    manager = warm_kernel.manager
    kernel = psutil.Process(manager.provisioner.process.pid)
    info = manager.get_connection_info()
    assert info["transport"] == "ipc"
    expected = {
        f"{info['ip']}-{info[name]}" for name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
    }
    bound = {connection.laddr.replace("\x00", "@") for connection in kernel.net_connections(kind="unix")}
    assert expected <= bound, (expected, bound)  # all five channels; ipykernel's own internal pipe may be TCP
    other = kernels.KilledFirstKernelManager(kernel_name=kernels.KERNEL_NAME)
    assert other.ip != manager.ip  # the next kernel's sockets have another name


@pytest.mark.slow
def test_what_a_dying_kernel_says_is_in_the_towns_error_not_on_the_terminal(warm_kernel, tmp_path, monkeypatch, capfd):
    # A kernel's stderr was the build's terminal: a kernel that died (or failed to start and was tried again)
    # printed there, mid-build, while the town's own error said only "Kernel died". Now it goes to the kernel's
    # log, and the error of the town it failed carries its last lines.
    dying = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell('import os\nos.write(2, b"segfault in a C library\\n")\nos._exit(1)')]
    )
    dying.metadata["kernelspec"] = {"name": kernels.KERNEL_NAME, "language": "python", "display_name": "Python 3"}
    monkeypatch.setattr(kernels, "_with_reset_cell", lambda: dying)
    capfd.readouterr()
    with pytest.raises(Exception) as failed:  # noqa: B017 - papermill's DeadKernelError, whatever its module
        warm_kernel.execute({}, tmp_path / "report.ipynb")
    assert "segfault in a C library" in "\n".join(getattr(failed.value, "__notes__", []))
    assert "segfault in a C library" not in capfd.readouterr().err
