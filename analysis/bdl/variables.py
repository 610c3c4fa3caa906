"""Checking the variable catalogue against BDL's own description of each id (`/variables/{id}`).

A wrong id gives a report with a plausible-looking but wrong figure, the worst bug
we can ship; so before a real edition every id is compared with what BDL says it
is: its unit, the finest level it is published at, and its name for a person to read.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from analysis.bdl.client import GMINA_LEVEL, BDLClient, BDLError, BDLUnreachable
from analysis.bdl.fetch import variable_name
from analysis.catalogue import Variable


@dataclass(frozen=True)
class VariableCheck:
    variable: Variable
    bdl_name: str = ""
    bdl_unit: str = ""
    bdl_level: int | None = None
    problems: tuple[str, ...] = ()  # each one makes the catalogue entry wrong
    name_similarity: float = 1.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _normal(text: str) -> str:
    return " ".join(str(text).lower().replace(".", " ").split())


def check_variable(client: BDLClient, variable: Variable) -> VariableCheck:
    """What BDL says of `variable`'s id against the catalogue. BDL refusing the id (HTTP 404) makes the entry wrong;
    BDL out of reach (`BDLUnreachable`) is raised: it says nothing of the entry, and of the next ones either."""
    try:
        meta = client.variable(variable.bdl_id)
    except BDLUnreachable:
        raise
    except BDLError as error:
        return VariableCheck(variable, problems=(f"not found: {error}",))
    name, unit, level = variable_name(meta), str(meta.get("measureUnitName", "")), meta.get("level")
    problems = []
    if _normal(unit) != _normal(variable.unit):
        problems.append(f"unit: catalogue {variable.unit!r}, BDL {unit!r}")
    if level != GMINA_LEVEL:
        problems.append(f"level: BDL publishes it down to level {level}, not gminy ({GMINA_LEVEL})")
    similarity = difflib.SequenceMatcher(None, _normal(variable.name_pl), _normal(name)).ratio()
    return VariableCheck(variable, name, unit, level, tuple(problems), round(similarity, 2))
