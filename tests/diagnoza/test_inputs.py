"""What a report's input hash reads: a notebook's code, not its outputs; the libraries' versions."""

from __future__ import annotations

import nbformat

from analysis.paths import REPORT_NOTEBOOK
from diagnoza import inputs


def _saved_after_a_run(tmp_path):
    """The report notebook as JupyterLab saves it after a run: outputs, counts, kernel metadata."""
    notebook = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="run\n")]
            cell.metadata["execution"] = {"iopub.status.busy": "2026-11-29T10:00:00Z"}
    notebook.metadata["widgets"] = {"state": {}}
    path = tmp_path / "saved.ipynb"
    nbformat.write(notebook, path)
    return path, notebook


def test_a_notebook_run_and_saved_is_the_same_code(tmp_path):
    path, _ = _saved_after_a_run(tmp_path)
    assert path.read_bytes() != REPORT_NOTEBOOK.read_bytes()
    assert inputs.notebook_code(path) == inputs.notebook_code(REPORT_NOTEBOOK)


def test_an_edited_cell_is_new_code(tmp_path):
    path, notebook = _saved_after_a_run(tmp_path)
    notebook.cells[-1].source += "\nprint('one more line')"
    nbformat.write(notebook, path)
    assert inputs.notebook_code(path) != inputs.notebook_code(REPORT_NOTEBOOK)


def test_library_versions_enter_the_code_fingerprint(monkeypatch):
    from importlib import metadata

    before = inputs.code_fingerprint()
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "99.0" if name == "matplotlib" else real(name))
    inputs.code_fingerprint.cache_clear()
    try:
        assert inputs.code_fingerprint() != before
    finally:
        monkeypatch.undo()
        inputs.code_fingerprint.cache_clear()
