"""From an executed notebook to the files a town receives: HTML (nbconvert) and PDF (pandoc → Typst).

Both renderers read the same outputs. Each display object of `analysis.display`
carries an HTML form, a Markdown or SVG form, and a `diagnoza` role in its output
metadata, so the HTML shows the web form and the PDF the print form of one result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import cache
from pathlib import Path

import nbformat

from analysis.display import ROLE
from analysis.labels import label
from analysis.paths import TEMPLATES_DIR

HTML_TEMPLATES = TEMPLATES_DIR / "html"
PDF_TEMPLATE = TEMPLATES_DIR / "pdf" / "report.typ"


def _font_dir() -> Path:
    """matplotlib's DejaVu Sans, the charts' font, for the PDF text too."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def _pdf_fonts():
    """The PDF's fonts, read once per process: DejaVu Sans and Typst's own, never the system's.

    Scanning the system's fonts for every report cost more (0.05 s) than typesetting it, and
    made the PDF depend on the machine that built it.
    """
    import typst

    return typst.Fonts(include_system_fonts=False, font_paths=[str(_font_dir())])


@dataclass(frozen=True)
class ReportInfo:
    """What the cover, header and metadata of a report say; plain text, escaped by the renderers."""

    title: str
    town: str
    teryt: str
    voivodeship: str
    kind: str
    first_year: int
    last_year: int
    edition: str
    language: str
    synthetic: bool
    source: str
    vintage: str = ""  # "Stan danych: 2026-11-20", shown with the source line


def _outputs(notebook: nbformat.NotebookNode):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") in ("display_data", "execute_result"):
                    yield output


def _role(output) -> dict:
    return output.get("metadata", {}).get(ROLE, {})


# --- HTML -------------------------------------------------------------------------

@cache
def _html_exporter(language: str):
    """One exporter per language and process: building one compiles its templates (0.1 s)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.extra_template_basedirs = [str(HTML_TEMPLATES)]
    config.HTMLExporter.template_name = "diagnoza"
    config.HTMLExporter.language_code = language
    config.HTMLExporter.optimistic_validation = True  # validate once after the preprocessors, not after each
    config.TagRemovePreprocessor.enabled = True
    # Parameter cells show nothing, and papermill gives its injected cell a random id: leave them
    # out, so the same inputs give the same page.
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "parameters", "injected-parameters"}
    return HTMLExporter(config=config)


def prepare_renderers(language: str) -> None:
    """Ready the renderers ahead of the first report (about 0.5 s), e.g. while its notebook runs.

    Besides the imports and fonts: an empty notebook through the HTML exporter compiles its
    templates (0.17 s on the first page otherwise), and pypandoc locates pandoc and asks its version.
    """
    import pypandoc

    _pdf_fonts()
    _html_exporter(language).from_notebook_node(nbformat.v4.new_notebook(),
                                                resources={"diagnoza": {"skip_link": "", "footer": ""}})
    pypandoc.get_pandoc_version()


def render_html(notebook: nbformat.NotebookNode, info: ReportInfo) -> str:
    exporter = _html_exporter(info.language)
    # The exporter works on its own deep copy; only the metadata is changed here, on a copy.
    notebook = nbformat.NotebookNode({**notebook, "metadata": nbformat.NotebookNode(
        {**notebook.metadata, "title": f"{info.title}: {info.town}"})})
    language = info.language
    resources = {"diagnoza": {
        "skip_link": "Przejdź do treści" if language == "pl" else "Skip to content",
        "footer": f"{info.source}. {label('data_years', language)}: {info.first_year}–{info.last_year}. "
                  + (f"{info.vintage}. " if info.vintage else "")
                  + f"{label('edition', language)}: {info.edition}.",
    }}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


# --- PDF --------------------------------------------------------------------------


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def notebook_markdown(notebook: nbformat.NotebookNode, media_dir: Path) -> str:
    """The report body as Markdown for pandoc; charts written as SVG files into `media_dir`.

    The title block is left out: the Typst cover page shows it from `ReportInfo`.
    """
    media_dir.mkdir(parents=True, exist_ok=True)
    parts, figures = [], 0
    for output in _outputs(notebook):
        role = _role(output)
        data = output.get("data", {})
        if role.get("role") in ("title", "contents"):
            continue
        if "image/svg+xml" in data:
            figures += 1
            path = media_dir / f"figure-{figures:02d}.svg"
            path.write_text(data["image/svg+xml"], encoding="utf-8")
            alt = role.get("alt", "")
            caption = role.get("caption", "")
            parts.append(
                "```{=typst}\n"
                f"#figure(image({_typst_string(path.name)}, width: 100%, alt: {_typst_string(alt)}), "
                f"caption: {_typst_string(caption)})\n```"
            )
        elif "text/markdown" in data:
            parts.append(data["text/markdown"])
    return "\n\n".join(parts) + "\n"


def _pdf_metadata(info: ReportInfo) -> dict:
    language = info.language
    return {
        "title": info.title,
        "town": info.town,
        "subtitle": f"{label(info.kind, language)}, {label('voivodeship', language).lower()} {info.voivodeship}",
        "teryt": info.teryt,
        "years": f"{label('data_years', language)}: {info.first_year}–{info.last_year}",
        "edition": f"{label('edition', language)}: {info.edition}",
        "lang": info.language,
        "source": info.source,
        "vintage": info.vintage,
        "banner": label("synthetic_banner", language) if info.synthetic else "",
        "toc-title": "Spis treści" if language == "pl" else "Contents",
        "page-word": "strona" if language == "pl" else "page",
        "of-word": "z" if language == "pl" else "of",
    }


def render_typst_source(notebook: nbformat.NotebookNode, info: ReportInfo, workdir: Path) -> Path:
    """Write `report.typ` (and its SVG charts) into `workdir`; return its path."""
    workdir.mkdir(parents=True, exist_ok=True)
    markdown = notebook_markdown(notebook, workdir)
    metadata_file = workdir / "metadata.json"
    metadata_file.write_text(json.dumps(_pdf_metadata(info), ensure_ascii=False), encoding="utf-8")
    import pypandoc

    source = pypandoc.convert_text(
        markdown, "typst", format="markdown-raw_html-tex_math_dollars",
        extra_args=[f"--template={PDF_TEMPLATE}", f"--metadata-file={metadata_file}",
                    "--shift-heading-level-by=-1", "--wrap=preserve"],
    )
    typ = workdir / "report.typ"
    typ.write_text(source, encoding="utf-8")
    return typ


def _timestamp(edition: str) -> datetime | None:
    """The edition date as the PDF's creation date, so the same inputs give the same bytes."""
    try:
        return datetime.combine(date.fromisoformat(edition), time(12), tzinfo=timezone.utc)
    except ValueError:
        return None


def render_pdf(notebook: nbformat.NotebookNode, info: ReportInfo, workdir: Path, output: Path) -> Path:
    """Compile the report as a tagged PDF/UA-1 document (alt text, language, title, reading order)."""
    import typst

    typ = render_typst_source(notebook, info, workdir)
    typst.compile(str(typ), output=str(output), root=str(workdir), font_paths=_pdf_fonts(),
                  pdf_standards=["ua-1"], timestamp=_timestamp(info.edition))
    return output
