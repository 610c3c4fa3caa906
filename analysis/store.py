"""The data store: units and observations in Parquet, validated on load.

A store is a directory with `units.parquet`, `observations.parquet` and
`metadata.json`. The embedded demo store and a store fetched from GUS BDL have
the same shape, so everything downstream works on either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.catalogue import variable_ids
from analysis.paths import DEMO_STORE_DIR

UNIT_COLUMNS = ["teryt", "name", "kind", "voivodeship", "powiat"]
OBSERVATION_COLUMNS = ["teryt", "year", "var_id", "value"]
UNIT_KINDS = ("urban", "urban-rural", "rural")
TERYT_PATTERN = r"^\d{7}$"


class StoreError(ValueError):
    """A store that cannot be used; the message names the file and offending rows."""


@dataclass(frozen=True)
class Store:
    units: pd.DataFrame
    observations: pd.DataFrame
    metadata: dict = field(default_factory=dict)
    path: Path | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic", False))

    @property
    def vintage(self) -> str:
        """The date the data were fetched from BDL (YYYY-MM-DD); empty for generated data."""
        return str(self.metadata.get("fetched") or "")[:10]

    @property
    def years(self) -> tuple[int, int]:
        return int(self.observations["year"].min()), int(self.observations["year"].max())

    def unit(self, teryt: str) -> pd.Series:
        rows = self.units.loc[self.units["teryt"] == teryt]
        if rows.empty:
            raise KeyError(f"no unit with TERYT code {teryt!r} in the store")
        return rows.iloc[0]


def _examples(frame: pd.DataFrame, limit: int = 5) -> str:
    shown = frame.head(limit).to_dict("records")
    more = f" (and {len(frame) - limit} more)" if len(frame) > limit else ""
    return f"{shown}{more}"


def validate_units(units: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in UNIT_COLUMNS if c not in units.columns]
    if missing:
        raise StoreError(f"units: missing columns {missing}")
    units = units[UNIT_COLUMNS].copy()
    for column in UNIT_COLUMNS:
        units[column] = units[column].astype("string")
    bad_code = units.loc[~units["teryt"].fillna("").str.match(TERYT_PATTERN)]
    if not bad_code.empty:
        raise StoreError(f"units: TERYT codes must be 7 digits: {_examples(bad_code)}")
    duplicated = units.loc[units["teryt"].duplicated(keep=False)]
    if not duplicated.empty:
        raise StoreError(f"units: duplicated TERYT codes: {_examples(duplicated)}")
    bad_kind = units.loc[~units["kind"].isin(UNIT_KINDS)]
    if not bad_kind.empty:
        raise StoreError(f"units: kind must be one of {UNIT_KINDS}: {_examples(bad_kind)}")
    return units.sort_values("teryt").reset_index(drop=True)


def validate_observations(observations: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in OBSERVATION_COLUMNS if c not in observations.columns]
    if missing:
        raise StoreError(f"observations: missing columns {missing}")
    observations = observations[OBSERVATION_COLUMNS].copy()
    observations["teryt"] = observations["teryt"].astype("string")
    try:
        observations["year"] = observations["year"].astype("int64")
        observations["var_id"] = observations["var_id"].astype("int64")
        observations["value"] = observations["value"].astype("float64")
    except (TypeError, ValueError) as error:
        raise StoreError(f"observations: wrong column type ({error})") from error
    bad_year = observations.loc[~observations["year"].between(1990, 2100)]
    if not bad_year.empty:
        raise StoreError(f"observations: years out of range: {_examples(bad_year)}")
    unknown = observations.loc[~observations["teryt"].isin(units["teryt"])]
    if not unknown.empty:
        raise StoreError(f"observations: TERYT codes not in units: {_examples(unknown)}")
    key = ["teryt", "year", "var_id"]
    duplicated = observations.loc[observations.duplicated(key, keep=False)]
    if not duplicated.empty:
        raise StoreError(f"observations: duplicated (teryt, year, var_id): {_examples(duplicated)}")
    return observations.sort_values(key).reset_index(drop=True)


def load_store(path: Path | str | None = None) -> Store:
    """Load and validate a store; `None` means the embedded demo store."""
    directory = Path(path) if path else DEMO_STORE_DIR
    for name in ("units.parquet", "observations.parquet"):
        if not (directory / name).is_file():
            raise StoreError(f"{directory}: no {name} (is this a Diagnoza data store?)")
    units = validate_units(pd.read_parquet(directory / "units.parquet"))
    observations = validate_observations(
        pd.read_parquet(directory / "observations.parquet"), units
    )
    metadata_file = directory / "metadata.json"
    metadata = json.loads(metadata_file.read_text(encoding="utf-8")) if metadata_file.is_file() else {}
    return Store(units=units, observations=observations, metadata=metadata, path=directory)


def write_store(store_dir: Path, units: pd.DataFrame, observations: pd.DataFrame, metadata: dict) -> None:
    """Validate, then write a store; files are replaced only once all are written."""
    units = validate_units(units)
    observations = validate_observations(observations, units)
    store_dir.mkdir(parents=True, exist_ok=True)
    staged = {
        "units.parquet": lambda p: units.to_parquet(p, index=False),
        "observations.parquet": lambda p: observations.to_parquet(p, index=False),
        "metadata.json": lambda p: p.write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        ),
    }
    temporary = []
    for name, write in staged.items():
        target = store_dir / f".{name}.tmp"
        write(target)
        temporary.append((target, store_dir / name))
    for source, destination in temporary:
        source.replace(destination)


def variable_panel(store: Store, teryts=None) -> pd.DataFrame:
    """Observations as a wide frame: index (teryt, year), one column per variable key.

    Only the variables of the catalogue are kept; a variable the store lacks is a
    column of NaN, so formulas that need it give missing values rather than errors.
    """
    ids = variable_ids()
    key_of = {bdl_id: key for key, bdl_id in ids.items()}
    observations = store.observations
    if teryts is not None:
        observations = observations.loc[observations["teryt"].isin(list(teryts))]
    observations = observations.loc[observations["var_id"].isin(key_of)]
    wide = (
        observations.assign(variable=observations["var_id"].map(key_of))
        .set_index(["teryt", "year", "variable"])["value"]
        .unstack("variable")
    )
    wide.columns.name = None
    return wide.reindex(columns=list(ids))
