"""Tests of the pipeline package, and what several of them share."""

from pathlib import Path

from diagnoza.render import ReportInfo

PAGE = '#set page(width: 300pt, height: 200pt, margin: 60pt)\n#set text(font: "DejaVu Sans", size: 10pt)\n'


def report_info(**changes) -> ReportInfo:
    """A report's cover information for renderer tests: a fictional town with Polish letters."""
    values = dict(
        title="Diagnoza społeczno-gospodarcza",
        town="Żółwiowo",
        teryt="0000000",
        voivodeship="testowe",
        kind="urban",
        first_year=2014,
        last_year=2024,
        edition="2026-11-22",
        language="pl",
        synthetic=True,
        source="Źródło: dane testowe",
    )
    return ReportInfo(**{**values, **changes})


def typeset(folder: Path, body: str, name: str = "report.pdf") -> Path:
    """A PDF of `body` (Typst markup) on small pages, with the fonts the reports use."""
    import typst

    from diagnoza.render import _pdf_fonts

    source = folder / "page.typ"
    source.write_text(PAGE + body, encoding="utf-8")
    target = folder / name
    target.write_bytes(typst.compile(str(source), font_paths=_pdf_fonts()))
    return target
