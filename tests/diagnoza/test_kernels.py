"""How the build hands a town's parameters to its notebook (diagnoza.kernels)."""

import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from analysis.paths import REPORT_NOTEBOOK
from diagnoza import kernels  # noqa: F401  (registers the parameter writer the build uses)

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
