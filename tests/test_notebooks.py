"""Notebooks are stored clean and hold no logic: one parameters cell of scalars, no definitions."""

import ast
import re

import nbformat
import pytest

from analysis.paths import NOTEBOOKS_DIR, REPORT_NOTEBOOK

NOTEBOOKS = sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))


def test_there_are_notebooks():
    assert REPORT_NOTEBOOK in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has stored outputs (run nbstripout)"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_defines_nothing(path):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            assert not re.search(r"^\s*(def|class|lambda)\b", cell.source, re.M), cell.source


def test_report_notebook_has_one_parameters_cell_of_scalars():
    cells = [c for c in nbformat.read(REPORT_NOTEBOOK, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    for statement in tree.body:
        assert isinstance(statement, ast.Assign), ast.dump(statement)
        assert isinstance(statement.value, ast.Constant), f"not a scalar: {ast.unparse(statement)}"
