"""What a town's report depends on, as hashes: the basis of incremental builds.

A report is rebuilt only when one of its inputs changed:
- code: the report notebook's cells (their source, not outputs or metadata: a notebook run and
  saved in JupyterLab is the same code), the templates, the `analysis` and `diagnoza` packages;
- catalogue: the indicator and variable catalogues (`analysis/catalogue/*.yaml`), which an analyst edits
  more often than the code, kept apart so that a dry run says which of the two changed;
- libraries: the versions of the libraries the numbers and pages come from;
- params: the town's parameters and what its cover says (title, edition, language, peer rule);
- data: the store's rows (unit and observations, with GUS's marks on them) of every town the report compares it with
  (`analysis.report.towns_compared`), and who those towns are;
- areas: the store's rows of every gmina the report's voivodeship and Poland figures are summed over
  (`analysis.aggregates`): those of its voivodeship, and where the store covers the country, every gmina;
  and GUS's published figures of its voivodeship and of Poland (`Store.area_values`);
- calibration: the population of every town of the store, which the pooled projection
  backtest (`analysis.projection`) reads to choose the method and size the interval, and its density,
  by which the backtest leaves out the towns whose boundaries changed with residents;
- previous: the previous edition's figures of the town, when `--previous` asks for a comparison.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.paths import CATALOGUE_DIR, PROJECT_ROOT, REPORT_NOTEBOOK, TEMPLATES_DIR
from analysis.store import Store
from analysis.town import TownParams

CODE_ROOTS = (PROJECT_ROOT / "analysis", PROJECT_ROOT / "diagnoza", TEMPLATES_DIR)
CODE_SUFFIXES = {".py", ".yaml", ".j2", ".css", ".json", ".typ"}


def _sha(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


LIBRARIES = ("papermill", "nbconvert", "matplotlib", "seaborn", "typst", "xlsxwriter", "babel")


def notebook_code(path: Path) -> str:
    """The notebook as code: each cell's type, tags and source, without outputs, counts or other metadata."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return json.dumps(
        [(cell["cell_type"], cell.get("metadata", {}).get("tags", []), "".join(cell["source"])) for cell in cells],
        ensure_ascii=False,
    )


def _code_files() -> list[Path]:
    files = []
    for root in CODE_ROOTS:
        files += [
            p
            for p in root.rglob("*")
            if p.is_file()
            and p.suffix in CODE_SUFFIXES
            and "__pycache__" not in p.parts
            and "data" not in p.relative_to(root).parts[:1]
        ]
    return sorted(files)


@lru_cache(maxsize=1)
def code_fingerprints() -> dict[str, str]:
    """Everything that turns data into a report (the data themselves excluded), as three hashes: the code
    ("code"), the catalogues ("catalogue") and the libraries' versions ("libraries")."""
    from importlib.metadata import version

    from analysis.report import library_versions

    code = [str(REPORT_NOTEBOOK.relative_to(PROJECT_ROOT)), notebook_code(REPORT_NOTEBOOK)]
    catalogue = []
    for path in _code_files():
        part = catalogue if path.is_relative_to(CATALOGUE_DIR) else code
        part += [str(path.relative_to(PROJECT_ROOT)), path.read_bytes()]
    versions = {**library_versions(), **{name: version(name) for name in LIBRARIES}}
    libraries = [f"{name}=={versions[name]}" for name in sorted(versions)]
    return {"code": _sha(*code), "catalogue": _sha(*catalogue), "libraries": _sha(*libraries)}


def code_fingerprint() -> str:
    """`code_fingerprints` as one hash."""
    return _sha(*(f"{part}={value}" for part, value in sorted(code_fingerprints().items())))


def batch_files_fingerprint(towns: list[dict], language: str) -> str:
    """What the batch workbook (`diagnoza.publish.write_batch_data`) is made of: each built town's place and
    record, the language and the code."""
    return _sha(code_fingerprint(), language, json.dumps(towns, sort_keys=True, ensure_ascii=False))


def town_data_fingerprints(store: Store) -> dict[str, str]:
    """Per TERYT code, a hash of its unit row and all its observations (order-independent)."""
    observations = store.observations.sort_values(["teryt", "var_id", "year"])
    row_hashes = pd.util.hash_pandas_object(observations[["teryt", "var_id", "year", "value", "mark"]], index=False)
    by_town = {
        teryt: _sha(group.to_numpy().tobytes())
        for teryt, group in row_hashes.groupby(observations["teryt"].to_numpy(), sort=False)
    }
    units = store.units.sort_values("teryt")
    unit_hashes = pd.util.hash_pandas_object(units, index=False).to_numpy()
    return {
        teryt: _sha(str(unit_hash), by_town.get(teryt, "")) for teryt, unit_hash in zip(units["teryt"], unit_hashes)
    }


def area_fingerprints(store: Store, fingerprints: dict[str, str]) -> dict[str, str]:
    """Per voivodeship (as the store names it), a hash of the data its figures and Poland's are summed over
    (`analysis.aggregates.voivodeship_and_country`): its gminy's, and every gmina's where the store covers
    the country (a revised figure of any gmina moves Poland's value on every report); and the figures GUS
    publishes of the voivodeship and of Poland (`Store.area_values`)."""
    from analysis.aggregates import covers_country
    from analysis.store import COUNTRY_AREA
    from analysis.teryt import VOIVODESHIPS

    country = data_fingerprint(tuple(store.units["teryt"]), fingerprints) if covers_country(store) else ""
    published = store.area_values.sort_values(["area", "year", "var_id"])
    row_hashes = pd.util.hash_pandas_object(published, index=False).to_numpy()
    by_area = {
        area: _sha(rows.to_numpy().tobytes())
        for area, rows in pd.Series(row_hashes).groupby(published["area"].to_numpy())
    }
    code_of = {name: code for code, name in VOIVODESHIPS.items()}
    return {
        voivodeship: _sha(
            data_fingerprint(tuple(gminy), fingerprints),
            country,
            by_area.get(code_of.get(voivodeship, ""), ""),
            by_area.get(COUNTRY_AREA, ""),
        )
        for voivodeship, gminy in store.units.groupby("voivodeship")["teryt"]
    }


# What the projection backtest reads of every town (`analysis.projection.backtest_population`): the residents,
# and their density, from which it finds the towns whose boundaries changed with residents and leaves them out.
# A revised density alone can drop a town from the backtest and so move every report's interval.
CALIBRATION_VARIABLES = ("population", "population_density")


def calibration_fingerprint(store: Store) -> str:
    """A hash of the variables of every town the projection backtest reads (`CALIBRATION_VARIABLES`)."""
    from analysis.catalogue import variable_ids

    observations = store.observations
    wanted = [variable_ids()[name] for name in CALIBRATION_VARIABLES]
    read = observations.loc[observations["var_id"].isin(wanted)]
    read = read.sort_values(["teryt", "var_id", "year"])[["teryt", "var_id", "year", "value"]]
    return _sha(pd.util.hash_pandas_object(read, index=False).to_numpy().tobytes())


def params_fingerprint(town: TownParams, store_metadata: dict) -> str:
    """The town's parameters and what its cover says of the store (synthetic or not, when fetched).
    Where the store and the cache are is not an input: the store's content is (`data_fingerprint`)."""
    relevant = town.model_dump(exclude={"data_dir", "cache_dir", "previous"})
    return _sha(json.dumps([relevant, store_metadata], sort_keys=True, ensure_ascii=False, default=str))


def file_fingerprint(path: str) -> str:
    """A file's content ("" for no file): where the previous edition's figures are is not an input, they are."""
    return _sha(Path(path).read_bytes()) if path else ""


def data_fingerprint(towns: tuple[str, ...], fingerprints: dict[str, str]) -> str:
    return _sha(*(f"{teryt}:{fingerprints.get(teryt, 'absent')}" for teryt in sorted(towns)))


def input_hash(inputs: dict[str, str]) -> str:
    return _sha(*(f"{key}={inputs[key]}" for key in sorted(inputs)))
