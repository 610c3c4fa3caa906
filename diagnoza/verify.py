"""Do a built batch's figures still follow from its records? Each town's analysis is computed again from the
parameters its executed notebook (the audit record) ran with, and compared with the figures kept beside it.

`diagnoza build --dry-run` says whether a town's inputs changed; it cannot say whether its figures did. On
another machine, with other library versions, every town's inputs count as changed and its figures may all be
the same; a store fetched again may change one town's figures, or none. This recomputes them: no notebook is
run and no page made, so it checks the numbers, not the pages (`diagnoza proof` reads those).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from analysis.editions import RECORD_NAME, figures, read_figures, record_differences
from diagnoza.build import NOTEBOOK_NAME, TOWN_FOLDER
from diagnoza.publish import PUBLISHED_MARK


class VerifyError(ValueError):
    """A folder that holds no built report to verify."""


@dataclass
class TownCheck:
    teryt: str
    differences: list[str] = field(default_factory=list)  # `analysis.editions.record_differences`
    # Computed now with another version of the method (code, catalogue or libraries) than the kept figures.
    method_changed: bool = False
    problem: str = ""  # why its figures could not be computed again

    @property
    def reproduced(self) -> bool:
        return not self.problem and not self.differences


def town_folders(folder: Path) -> list[Path]:
    """The town folders of a built batch's folder, or the town folder itself, each with its record and figures."""
    if (folder / NOTEBOOK_NAME).is_file():
        return [folder]
    towns = sorted(path for path in folder.glob(TOWN_FOLDER) if (path / NOTEBOOK_NAME).is_file())
    if not towns and (folder / PUBLISHED_MARK).is_file():  # readers get no notebooks (`diagnoza.publish`)
        raise VerifyError(f"{folder} is a copy for readers, made by diagnoza publish: verify the batch's own folder")
    if not towns:
        raise VerifyError(
            f"{folder}: no built report here (a batch's folder holds <TERYT>/{NOTEBOOK_NAME}); build the batch first"
        )
    return towns


def recorded_parameters(notebook: Path) -> dict:
    """The parameters the record ran with, as papermill keeps them in the notebook's metadata."""
    try:
        metadata = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError) as error:
        raise VerifyError(f"{notebook}: not a readable notebook ({error})") from None
    parameters = metadata.get("papermill", {}).get("parameters")
    if not isinstance(parameters, dict):
        raise VerifyError(f"{notebook}: no parameters in its metadata (not a notebook run by papermill)")
    return parameters


def verify_town(town_dir: Path, data_dir: str | None = None) -> TownCheck:
    """Compute the town's analysis again from its record's parameters (with `data_dir` instead of the
    record's store, where given: a store that moved) and compare it with the figures kept beside it."""
    from analysis.params import ParamsError
    from analysis.report import compute_report, method_version
    from analysis.town import TownParams

    check = TownCheck(town_dir.name)
    kept = read_figures(town_dir / RECORD_NAME)
    if kept is None:
        check.problem = f"no readable {RECORD_NAME} beside its notebook (a report built by this version keeps one)"
        return check
    try:
        parameters = recorded_parameters(town_dir / NOTEBOOK_NAME)
        if data_dir is not None:
            parameters["data_dir"] = data_dir
        town = TownParams.checked(str(town_dir / NOTEBOOK_NAME), **parameters)
        if town.data_dir and not Path(town.data_dir).is_dir():
            # The record keeps where the store was; a store moved since is no reason to fetch it again.
            check.problem = f"its data store {town.data_dir} is not there (moved? give its place: --data DIR)"
            return check
        # Computed, never loaded from the batch's cache, which would only give back the build's own figures.
        recomputed = figures(compute_report(town))
    except (VerifyError, ParamsError) as error:
        check.problem = str(error)
        return check
    except Exception as error:  # noqa: BLE001 - a town that fails now is reported and the others verified
        check.problem = f"its analysis fails now: {type(error).__name__}: {error}"
        return check
    check.differences = record_differences(kept, recomputed)
    check.method_changed = kept.get("method") not in (None, method_version())
    return check
