"""Notebooks are stored clean and hold no logic; the report notebook's parameters are `TownParams`.

"Stored" means what git keeps: with nbstripout's git filter installed (`make lab`), a notebook
run and saved in JupyterLab has outputs on disk but none in git, and that is fine. JupyterLab's
`.ipynb_checkpoints/` copies are never read.
"""

import ast
import re
import subprocess
from pathlib import Path

import nbformat
import papermill
import pytest

from analysis.paths import NOTEBOOKS_DIR, PROJECT_ROOT, REPORT_NOTEBOOK
from analysis.town import TownParams


def _notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS_DIR.glob("*.ipynb"))


def _stored(path: Path) -> nbformat.NotebookNode:
    """The notebook as git stores it (the index, after its filters), else as on disk."""
    relative = path.relative_to(PROJECT_ROOT).as_posix()
    shown = subprocess.run(["git", "show", f":{relative}"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    text = shown.stdout if shown.returncode == 0 else path.read_text(encoding="utf-8")
    return nbformat.reads(text, as_version=4)


NOTEBOOKS = _notebooks()


def test_there_are_notebooks():
    assert REPORT_NOTEBOOK in NOTEBOOKS and NOTEBOOKS_DIR / "explore.ipynb" in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    for cell in _stored(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has stored outputs (run `make lab` once: nbstripout)"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_defines_nothing(path):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            assert not re.search(r"^\s*(def|class|lambda)\b", cell.source, re.M), cell.source


def _parameters_cell(path: Path) -> nbformat.NotebookNode:
    cells = [c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    return cells[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_parameters_cell_holds_typed_scalars(path):
    for statement in ast.parse(_parameters_cell(path).source).body:
        assert isinstance(statement, ast.AnnAssign), f"not `name: type = value`: {ast.unparse(statement)}"
        assert isinstance(statement.value, ast.Constant), f"not a scalar: {ast.unparse(statement)}"


def test_the_report_notebooks_parameters_are_the_town_contract():
    # papermill's own reading of the notebook (names, types, defaults) against the pydantic model.
    inspected = papermill.inspect_notebook(str(REPORT_NOTEBOOK))
    fields = TownParams.model_fields
    assert list(inspected) == list(fields)
    for name, parameter in inspected.items():
        assert ast.literal_eval(parameter["default"]) == fields[name].default, name
        annotation = fields[name].annotation
        expected = annotation.__name__ if isinstance(annotation, type) else "str"  # Literal[...] of strings
        assert parameter["inferred_type_name"] == expected, name


def test_the_report_notebook_validates_every_parameter_in_the_next_cell():
    cells = nbformat.read(REPORT_NOTEBOOK, as_version=4).cells
    index = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    calls = [
        node
        for node in ast.walk(ast.parse(cells[index + 1].source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "validate_town"
    ]
    assert len(calls) == 1
    passed = {k.arg: k.value.id for k in calls[0].keywords if isinstance(k.value, ast.Name)}
    assert passed.pop("history") == "In"  # the cells run so far: a name papermill passed that is not a parameter
    assert passed == {name: name for name in TownParams.model_fields}


def test_the_explore_notebook_validates_every_parameter_in_the_next_cell():
    # The names `explore.validate_towns` accepts from papermill are the parameters cell's, and all are passed.
    from analysis import explore

    path = NOTEBOOKS_DIR / "explore.ipynb"
    assert tuple(papermill.inspect_notebook(str(path))) == explore.PARAMETERS
    cells = nbformat.read(path, as_version=4).cells
    index = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    [call] = [
        node
        for node in ast.walk(ast.parse(cells[index + 1].source))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "validate_towns"
    ]
    passed = [call.args[0].id] + [k.value.id for k in call.keywords if isinstance(k.value, ast.Name)]
    assert passed.pop() == "In"  # history: where papermill's cell shows a mistyped name
    assert sorted(passed) == sorted(explore.PARAMETERS)
