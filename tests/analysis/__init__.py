"""Helpers shared by the tests of the analysis package."""

import re


def printed_years(table) -> list[str]:
    """The period of each row of a section's comparison table (`analysis.display.comparison_table`) as a reader
    finds it: its "Rok" ("Year") column, or, where the table has none, the one year its caption names."""
    for column in ("Rok", "Year"):
        if column in table.frame:
            return list(table.frame[column])
    [year] = re.findall(r"\((\d{4})(?: r\.)?\)", table.caption)
    return [year] * len(table.frame)
