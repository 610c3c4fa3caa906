"""The notebooks as their users run them: papermill from the command line's values, and a live kernel.

Slow: each test starts a Jupyter kernel.
"""

from __future__ import annotations

import errno
from pathlib import Path

import nbformat
import papermill
import pytest
from nbclient import NotebookClient

from analysis.paths import NOTEBOOKS_DIR, REPORT_NOTEBOOK

pytestmark = pytest.mark.slow


def _text(notebook) -> str:
    return "\n".join(
        str(output.get("data", {}).get("text/markdown", "")) + str(output.get("text", ""))
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


def test_papermill_with_the_teryt_as_a_number_builds_that_town(tmp_path):
    # `papermill ... -p teryt 0290011` parses the value as YAML: the notebook receives the int 290011.
    out = papermill.execute_notebook(
        str(REPORT_NOTEBOOK),
        str(tmp_path / "out.ipynb"),
        parameters={"teryt": 290011},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    assert "TERYT\u00a00290011" in _text(out)  # the title block's items do not break inside (no-break spaces)


@pytest.mark.parametrize(
    "name, value",
    [
        ("language", "de"),
        ("last_year", 2030),
        ("first_year", 2010),
        ("teryt", "12345"),
        ("tery", "0490013"),
        ("previous", "reports/no-such-edition/0290011/figures.json"),
    ],
)
def test_a_bad_parameter_stops_the_notebook_in_its_validation_cell_naming_it(tmp_path, name, value):
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        papermill.execute_notebook(
            str(REPORT_NOTEBOOK),
            str(tmp_path / "out.ipynb"),
            parameters={name: value},
            progress_bar=False,
            cwd=str(tmp_path),
        )
    assert raised.value.ename == "ParamsError"
    assert f"{name}: " in raised.value.evalue
    # Nothing after the validation cell ran: no report was computed.
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    failed_at = next(
        i for i, c in enumerate(executed.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))
    )
    assert "validate_town" in executed.cells[failed_at].source
    assert all(c.get("execution_count") is None for c in executed.cells[failed_at + 1 :] if c.cell_type == "code")


def test_after_the_report_the_analysts_own_plots_show_and_charts_are_figures_to_change(tmp_path):
    notebook = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    notebook.cells += [
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"),
        nbformat.v4.new_code_cell(
            'figure = charts.trend_chart(report, "population")\n'
            'figure.axes[0].set_title("Mój tytuł")\nfigure.set_size_inches(8, 4)\nfigure'
        ),
    ]
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    own_plot, chart = notebook.cells[-2].outputs, notebook.cells[-1].outputs
    assert any("image/png" in o.get("data", {}) for o in own_plot), own_plot
    svg = next(o["data"]["image/svg+xml"] for o in chart if "image/svg+xml" in o.get("data", {}))
    assert "Mój tytuł" in svg and 'width="576pt"' in svg


def test_the_explore_notebook_compares_the_towns_it_is_given(tmp_path):
    out = papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "explore.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={"towns": "0290011,0490013", "indicator": "births_per_1000"},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    html = "\n".join(str(o.get("data", {}).get("text/html", "")) for c in out.cells for o in c.get("outputs", []))
    assert "(0290011)" in html and "(0490013)" in html and "(1690021)" not in html
    # Under papermill no widget is built (it would show nothing, and could hang the run: nbclient#312); the
    # first town's verdicts under each peer rule are a table.
    assert "Czy ocena zależy od doboru grupy" in html
    assert not any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for c in out.cells for o in c.get("outputs", [])
    )
    assert sum("image/svg+xml" in o.get("data", {}) for c in out.cells for o in c.get("outputs", [])) == 2


def test_a_notebook_run_by_hand_renders_to_the_styled_html_and_pdf(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from diagnoza.cli import app

    papermill.execute_notebook(
        str(REPORT_NOTEBOOK),
        str(tmp_path / "mine.ipynb"),
        parameters={"teryt": "0490013", "peer_method": "voivodeship", "language": "en"},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    result = CliRunner().invoke(app, ["render", str(tmp_path / "mine.ipynb"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "mine.html").read_text(encoding="utf-8")
    assert "Bławatkopole" in html and 'lang="en"' in html and "def " not in html
    assert "Skip to content" in html and "Przejdź do treści" not in html  # the page around it speaks English too
    assert (tmp_path / "out" / "mine.pdf").read_bytes().startswith(b"%PDF")
    assert '<a href="mine.pdf">PDF</a>' in html  # as a batch's page links its PDF, to the one rendered beside it
    # Rendered again onto a disk that fills up halfway through the page: the error says so, and the pair rendered
    # before stays whole (the page was written in place, and a cut-off page replaced the good one).
    rendered = {name: (tmp_path / "out" / name).read_bytes() for name in ("mine.html", "mine.pdf")}
    write_text = Path.write_text

    def full_disk(path, text, *args, **kwargs):
        if path.suffix != ".html":
            return write_text(path, text, *args, **kwargs)
        write_text(path, text[: len(text) // 2], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(Path, "write_text", full_disk)
        failed = CliRunner().invoke(app, ["render", str(tmp_path / "mine.ipynb"), "--out", str(tmp_path / "out")])
    assert failed.exit_code == 2 and "cannot write its report" in failed.output
    assert "No space left on device" in failed.output
    assert {name: (tmp_path / "out" / name).read_bytes() for name in rendered} == rendered
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["mine.html", "mine.pdf"]  # no scratch left
    # Saved with its last cells not run (the methodology and the peer group missing): refused, naming them, and
    # nothing written, where a report without those sections would otherwise go out.
    partial = nbformat.read(tmp_path / "mine.ipynb", as_version=4)
    code = [cell for cell in partial.cells if cell.cell_type == "code"]
    for cell in code[-2:]:
        cell.outputs, cell.execution_count = [], None
    nbformat.write(partial, tmp_path / "partial.ipynb")
    refused = CliRunner().invoke(app, ["render", str(tmp_path / "partial.ipynb"), "--out", str(tmp_path / "none")])
    assert refused.exit_code == 2, refused.output
    assert f"code cells {len(code) - 1}, {len(code)} (counting from the top) did not run" in refused.output
    assert not list((tmp_path / "none").glob("partial.*"))

    explore = papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "explore.ipynb"),
        str(tmp_path / "explore.ipynb"),
        parameters={"towns": "0490013"},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    assert explore.cells
    refused = CliRunner().invoke(app, ["render", str(tmp_path / "explore.ipynb")])
    assert refused.exit_code == 2 and "no report title block" in refused.output


@pytest.mark.usefixtures("pdftotext")
def test_an_analysts_own_notes_charts_and_tables_are_rendered_in_both_forms(tmp_path):
    # An analyst adds, after the demography section, a note (Markdown with a link and a code block), a chart
    # function's Figure retitled, a chart of their own (`plt.show()`: a PNG) and a DataFrame. `diagnoza render`
    # shows all four in the HTML and the PDF; the two charts, which carry no text description, get one saying
    # so (a tagged PDF cannot hold an image without one) and the command names their cells.
    import subprocess

    from bs4 import BeautifulSoup
    from typer.testing import CliRunner

    from diagnoza.cli import app

    notebook = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(notebook.cells) if 'heading("economy"' in c.source)
    note = "### Uwaga analityka\n\nZob. [GUS](https://bdl.stat.gov.pl):\n\n```\nkod = 1\n```"
    notebook.cells[at:at] = [
        nbformat.v4.new_markdown_cell(note),
        nbformat.v4.new_code_cell(
            'own = charts.trend_chart(report, "births_per_1000")\nown.axes[0].set_title("Mój tytuł")\nown'
        ),
        nbformat.v4.new_code_cell(
            'import matplotlib.pyplot as plt\nplt.plot([1, 2], [2, 1])\nplt.show()\nprint("sprawdzone ręcznie")'
        ),
        nbformat.v4.new_code_cell('report.comparison[["value", "peer_median"]].head(2)'),
    ]
    nbformat.write(notebook, tmp_path / "mine.ipynb")
    papermill.execute_notebook(
        str(tmp_path / "mine.ipynb"), str(tmp_path / "ran.ipynb"), parameters={"teryt": "0490013"}, progress_bar=False
    )
    result = CliRunner().invoke(app, ["render", str(tmp_path / "ran.ipynb"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    ran = nbformat.read(tmp_path / "ran.ipynb", as_version=4)
    counts = [c.execution_count for c in ran.cells if c.source.startswith(("own =", "import matplotlib"))]
    assert f"the charts of cells [{counts[0]}], [{counts[1]}] have no text description" in result.output  # as Lab shows
    # What a cell printed is a log's, not the reader's: left out, and its cell named (that one alone: the report's
    # own cells print nothing).
    assert f"note: what cell [{counts[1]}] printed is not in the report" in " ".join(result.output.split())

    page = BeautifulSoup((tmp_path / "out" / "ran.html").read_text(encoding="utf-8"), "html.parser")
    alts = [(img.get("alt") or "").replace("\u00a0", " ") for img in page.find_all("img")]
    for count in counts:  # each named by its cell, so that two such charts are told apart
        assert f"Wykres dodany w notatniku (komórka [{count}]), bez opisu tekstowego." in alts
    assert "" not in alts
    # The DataFrame scrolls inside a region a keyboard can reach (tabindex), named by its cell.
    region = page.find("div", attrs={"aria-label": lambda name: name and name.startswith("Wynik komórki [")})
    assert region is not None and region.get("tabindex") == "0" and region.find("table") is not None
    # Its corner and the blanks beside its index's name are no headers of nothing (axe-core: empty-table-header).
    assert region.find_all("th") and all(th.get_text(strip=True) for th in region.find_all("th"))
    pdf = subprocess.run(["pdftotext", str(tmp_path / "out" / "ran.pdf"), "-"], capture_output=True, text=True).stdout
    for shown in ("Uwaga analityka", "Zob. GUS", "kod = 1", "Mój tytuł", "peer_median"):
        assert shown in pdf, shown
    assert "sprawdzone ręcznie" not in pdf and "sprawdzone ręcznie" not in page.get_text()

    # Markdown the PDF has no form for is named with its cell; neither file is written.
    next(c for c in ran.cells if c.source.startswith("### Uwaga")).source = "![mapa](mapa.png)"
    nbformat.write(ran, tmp_path / "image.ipynb")
    refused = CliRunner().invoke(app, ["render", str(tmp_path / "image.ipynb"), "--out", str(tmp_path / "none")])
    assert refused.exit_code == 2 and "has no form for Markdown 'image'" in refused.output
    assert not list((tmp_path / "none").glob("image.*"))
