"""Tests of the pipeline package, and what several of them share."""

from diagnoza.render import ReportInfo


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
