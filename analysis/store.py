"""The data store: units and observations in Parquet, validated on load (pandera).

A store is a directory with `units.parquet`, `observations.parquet` (each figure with GUS's mark on it, if
any: `analysis.gus_marks`) and `metadata.json`, and `area_values.parquet`: the figures GUS publishes for each
voivodeship and for Poland of the rates it cannot be summed over gminy for (`published_for_areas` in the
variable catalogue), with GUS's marks on them too; a store written before it had none. The embedded demo store
and a store fetched from GUS BDL have the same shape, so everything downstream works on either.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import renumbering
from analysis.catalogue import variable_ids, variable_keys, variables
from analysis.gus_marks import MARK_KINDS, NO_MARK
from analysis.paths import DEMO_STORE_DIR, VALIDATED_STORES_DIR, VARIABLES_FILE
from analysis.renumbering import Renumbering, join_renumbered, renumberings
from analysis.teryt import VOIVODESHIPS

UNIT_COLUMNS = ["teryt", "name", "kind", "voivodeship", "powiat"]
OBSERVATION_COLUMNS = ["teryt", "year", "var_id", "value", "mark"]
AREA_VALUE_COLUMNS = ["area", "year", "var_id", "value", "mark"]
AREA_VALUES_FILE = "area_values.parquet"
COUNTRY_AREA = "PL"  # Poland in `area_values`; a voivodeship is its 2-digit TERYT code ("02")
CITY_WITH_POWIAT_RIGHTS = "powiat-city"  # an urban gmina that is a powiat of its own (`cities_with_powiat_rights`)
UNIT_KINDS = ("urban", "urban-rural", "rural", CITY_WITH_POWIAT_RIGHTS)
FIRST_CITY_POWIAT = 61  # TERYT numbers the powiats that are cities from 61 (61–79 in 2020), land powiats from 01
TERYT_PATTERN = r"^\d{7}$"


class StoreError(ValueError):
    """A store that cannot be used; the message names the file and offending rows."""


class NoStore(StoreError):
    """No store where one was asked for (no folder, or a folder without the tables): one must be fetched, where
    a store that is there but wrong must be mended."""


@dataclass(frozen=True)
class Store:
    units: pd.DataFrame
    observations: pd.DataFrame
    metadata: dict = field(default_factory=dict)
    path: Path | None = None
    # Gminy whose series the files hold under two TERYT codes, joined on load under the newer one
    # (analysis.renumbering); their older codes are not among the units.
    renumbered: tuple[Renumbering, ...] = ()
    # GUS's own figures of a rate for each voivodeship and Poland (AREA_VALUE_COLUMNS; area: a 2-digit
    # voivodeship code or COUNTRY_AREA), for the variables marked `published_for_areas`.
    area_values: pd.DataFrame = field(default_factory=lambda: no_area_values())

    @property
    def earlier_codes(self) -> dict[str, str]:
        """TERYT code -> the code the same gmina had before it was renumbered, for each series the store joined."""
        return {change.successor: change.predecessor for change in self.renumbered}

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic", False))

    @property
    def vintage(self) -> str:
        """The date the data were fetched from BDL (YYYY-MM-DD); empty for generated data."""
        return str(self.metadata.get("fetched") or "")[:10]

    @property
    def years(self) -> tuple[int, int]:
        """The first and last year with any figure. A fetch before GUS published a year keeps that year's rows,
        every one marked missing (BDL's "not yet available"): a report to it would be titled with a year it
        has nothing of, so such a year is not the store's."""
        observations = self.observations
        with_figures = observations["year"][observations["value"].notna()]
        years = with_figures if not with_figures.empty else observations["year"]
        return int(years.min()), int(years.max())

    @property
    def years_without_figures(self) -> list[int]:
        """Years the store has rows of, every one marked missing, after its last year with a figure (`years`)."""
        last = self.years[1]
        return sorted(int(year) for year in self.observations["year"].unique() if year > last)

    @property
    def years_without_figures_said(self) -> str:
        """Why a later year fetched is not among `years`, for a message; "" when none is."""
        empty = self.years_without_figures
        if not empty:
            return ""
        return f"{', '.join(map(str, empty))}: fetched, but every value marked missing (not yet published)"

    def years_said(self) -> str:
        """The store's years for a message: "2014–2023" (a store of one year: "2019"), and why a later year fetched
        is not among them."""
        first, last = self.years
        span = f"{first}–{last}" if last > first else str(first)
        why = self.years_without_figures_said
        return f"{span}; {why}" if why else span

    def unit(self, teryt: str) -> pd.Series:
        rows = self.units.loc[self.units["teryt"] == teryt]
        if rows.empty:
            raise KeyError(f"no unit with TERYT code {teryt!r} in the store")
        return rows.iloc[0]


_CHECK_WORDS = {
    "field_uniqueness": "duplicated",
    "multiple_fields_uniqueness": "duplicated rows (the same unit, year and variable)",
    "column_in_dataframe": "missing column",
    "not_nullable": "empty",
}


@cache
def _schemas():
    """The pandera schemas of the two tables; built on first use (pandera is slow to import)."""
    import pandera.pandas as pa

    code = pa.Check.str_matches(TERYT_PATTERN, error="TERYT codes must be 7 digits")
    units = pa.DataFrameSchema(
        {
            "teryt": pa.Column("string", code, unique=True),
            "name": pa.Column("string"),
            "kind": pa.Column("string", pa.Check.isin(UNIT_KINDS, error=f"kind must be one of {UNIT_KINDS}")),
            "voivodeship": pa.Column("string"),
            "powiat": pa.Column("string"),
        },
        strict="filter",
        coerce=True,
    )
    observations = pa.DataFrameSchema(
        {
            "teryt": pa.Column("string", code),
            "year": pa.Column("int64", pa.Check.in_range(1990, 2100, error="years out of range 1990–2100")),
            "var_id": pa.Column("int64", pa.Check.gt(0)),
            "value": pa.Column(  # NaN: BDL marked the value missing; an infinity is no figure at all
                "float64",
                pa.Check(lambda v: ~np.isinf(v), error="infinite value (a figure is a finite number)"),
                nullable=True,
            ),
            "mark": pa.Column(  # GUS's mark on the figure (analysis.gus_marks), "" for none
                "string",
                pa.Check.isin(
                    [NO_MARK, *MARK_KINDS], error=f"mark must be empty or one of GUS's {', '.join(MARK_KINDS)}"
                ),
            ),
        },
        strict="filter",
        coerce=True,
        unique=["teryt", "year", "var_id"],
    )
    area_values = pa.DataFrameSchema(
        {
            "area": pa.Column(
                "string",
                pa.Check.isin(
                    [*VOIVODESHIPS, COUNTRY_AREA],
                    error=f"area must be a 2-digit voivodeship code or {COUNTRY_AREA!r} (Poland)",
                ),
            ),
            "year": observations.columns["year"],
            "var_id": observations.columns["var_id"],
            "value": observations.columns["value"],
            "mark": observations.columns["mark"],
        },
        strict="filter",
        coerce=True,
        unique=["area", "year", "var_id"],
    )
    return units, observations, area_values


def no_area_values() -> pd.DataFrame:
    """An empty table of published area figures: a store that has none."""
    return pd.DataFrame(
        {
            "area": pd.Series(dtype="string"),
            "year": pd.Series(dtype="int64"),
            "var_id": pd.Series(dtype="int64"),
            "value": pd.Series(dtype="float64"),
            "mark": pd.Series(dtype="string"),
        }
    )


def _validated(table: str, schema, frame: pd.DataFrame, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Validate with pandera, turning its failure table into one message that names the rows."""
    import pandera.pandas as pa

    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        problems: dict[str, None] = {}
        cases = error.failure_cases
        whole_row = cases["check"].isin(["multiple_fields_uniqueness", "column_in_dataframe"])
        cases = cases.assign(column=cases["column"].where(~whole_row, "rows"))
        for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
            what = _CHECK_WORDS.get(str(check), str(check))
            index = [int(i) for i in group["index"].dropna().unique()[:5]]
            shown = (
                frame.loc[index].to_dict("records") if index else sorted(map(str, group["failure_case"].unique()))[:5]
            )
            more = f" (and {group['index'].nunique() - 5} more)" if group["index"].nunique() > 5 else ""
            problems[f"{table}: {column}: {what}: {shown}{more}"] = None
        raise StoreError("; ".join(problems)) from None


def validate_units(units: pd.DataFrame) -> pd.DataFrame:
    units = _validated("units", _schemas()[0], units.reset_index(drop=True))
    units = cities_with_powiat_rights(_register_voivodeships(units))
    return units[UNIT_COLUMNS].sort_values("teryt").reset_index(drop=True)


def cities_with_powiat_rights(units: pd.DataFrame) -> pd.DataFrame:
    """Cities with powiat rights (miasta na prawach powiatu) as a kind of their own.

    Such a city is one gmina that is also a powiat: its budget carries the powiat's tasks (secondary
    schools, powiat roads, the labour office) and the powiat's shares of PIT and CIT, so its revenue and
    spending per resident are not a gmina's. GUS publishes their budgets apart, and the association's
    Monitor Rozwoju Lokalnego compares them with each other; so do peer groups, which match a town with
    towns of its kind. TERC and BDL list them as urban gminy (kind digit 1), so an urban gmina is read as
    one where its powiat's TERYT code is from `FIRST_CITY_POWIAT` and it is the powiat's only gmina in the
    store. The demo store's fictional powiats, numbered from 90, hold several gminy each, so it has none."""
    powiat = units["teryt"].str[:4]
    alone = powiat.map(powiat.value_counts()).eq(1)
    city = units["kind"].eq("urban") & units["teryt"].str[2:4].astype(int).ge(FIRST_CITY_POWIAT) & alone
    return units.assign(kind=units["kind"].mask(city, CITY_WITH_POWIAT_RIGHTS))


def _register_voivodeships(units: pd.DataFrame) -> pd.DataFrame:
    """Each unit's voivodeship as the register spells it ("dolnośląskie"), checked against its TERYT code.

    A store written from another source may spell it otherwise (TERC prints "DOLNOŚLĄSKIE"); a report
    prints it in running text, so the spelling is the register's. A name of another voivodeship than the
    code's first two digits say is an error in the data, named with its rows."""
    expected = units["teryt"].str[:2].map(VOIVODESHIPS)
    wrong = units.loc[expected.isna() | (units["voivodeship"].str.lower() != expected)]
    if not wrong.empty:
        shown = wrong.head(5)[["teryt", "name", "voivodeship"]].to_dict("records")
        more = f" (and {len(wrong) - 5} more)" if len(wrong) > 5 else ""
        raise StoreError(f"units: voivodeship does not match the first two digits of the TERYT code: {shown}{more}")
    return units.assign(voivodeship=expected.astype(units["voivodeship"].dtype))


def validate_observations(observations: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The observations, checked; a table without GUS's marks (a store written before they were kept, or by
    hand) gets none: a figure without a mark is a plain one."""
    if "mark" not in observations.columns:
        observations = observations.assign(mark=NO_MARK)
    observations = _validated("observations", _schemas()[1], observations.reset_index(drop=True))
    unknown = observations.loc[~observations["teryt"].isin(units["teryt"])]
    if not unknown.empty:
        shown = unknown.head(5).to_dict("records")
        more = f" (and {len(unknown) - 5} more)" if len(unknown) > 5 else ""
        raise StoreError(f"observations: TERYT codes not in units: {shown}{more}")
    unsigned = {v.bdl_id: key for key, v in variables().items() if not v.signed}
    negative = observations.loc[observations["var_id"].isin(unsigned) & (observations["value"] < 0)]
    if not negative.empty:
        shown = negative.head(5).assign(variable=negative["var_id"].map(unsigned)).to_dict("records")
        more = f" (and {len(negative) - 5} more)" if len(negative) > 5 else ""
        raise StoreError(f"observations: negative values of variables that cannot be negative: {shown}{more}")
    key = ["teryt", "year", "var_id"]
    return observations[OBSERVATION_COLUMNS].sort_values(key).reset_index(drop=True)


def validate_area_values(area_values: pd.DataFrame) -> pd.DataFrame:
    """GUS's published area figures, checked; as the observations, a table without marks gets none."""
    if "mark" not in area_values.columns:
        area_values = area_values.assign(mark=NO_MARK)
    area_values = _validated("area values", _schemas()[2], area_values.reset_index(drop=True))
    return area_values[AREA_VALUE_COLUMNS].sort_values(["area", "year", "var_id"]).reset_index(drop=True)


def load_store(path: Path | str | None = None) -> Store:
    """Load and validate a store; `None` means the embedded demo store."""
    directory = Path(path) if path else DEMO_STORE_DIR
    if directory.is_file():
        raise NoStore(f"{directory} is a file: a data store is the folder `diagnoza data fetch --out` wrote")
    if not directory.is_dir():
        raise NoStore(
            f"{directory}: no such data store; fetch one from GUS BDL with "
            f"`diagnoza data fetch --years 2014-2024 --out {directory}`"
        )
    for name in ("units.parquet", "observations.parquet"):
        if not (directory / name).is_file():
            raise NoStore(f"{directory}: no {name} (is this a Diagnoza data store?)")
    units, observations, renumbered, area_values = _validated_tables(directory)
    return Store(units, observations, _metadata(directory), directory, renumbered, area_values)


def _metadata(directory: Path) -> dict:
    """The store's `metadata.json`: where its data come from, and whether they are synthetic. Required:
    without it the demo store's tables, copied, would be printed as GUS's figures, without the banner."""
    path = directory / "metadata.json"
    if not path.is_file():
        raise StoreError(
            f"{directory}: no metadata.json, which says where the store's data come from and whether they are "
            "synthetic (`diagnoza data fetch` and `diagnoza data demo` write it with the tables)"
        )
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise StoreError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise StoreError(f'{path}: must be a JSON object (keys such as "source" and "synthetic")')
    return metadata


def _validated_tables(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, tuple[Renumbering, ...], pd.DataFrame]:
    """The store's units and observations, validated, with renumbered gminy's series joined
    (`analysis.renumbering`; which ones, the third item), and its published area figures (none where
    the store has no such file).

    Validation takes 0.3 s (pandera), in every command and every build worker, while a store
    rarely changes. So it runs once per content: the validated tables are kept under .cache/,
    keyed by a hash of the files and of how they are validated: this module (the schemas) and
    analysis.renumbering, the variable catalogue (which variables may be negative), the pandas and pandera
    versions. Any change to one of them validates the store again. The tables kept by an older edit of that
    code are removed as one is written (with what a writer killed halfway left of them): nothing reads them
    again, and they grew by a few MB per store at every edit. Those of other library versions stay: the
    tests run on the newest and on the oldest versions pyproject.toml allows, each with its own tables, and
    each run removed the other's, validating every store again.
    """
    from importlib.metadata import version

    files = [(directory / name).read_bytes() for name in ("units.parquet", "observations.parquet")]
    areas_file = directory / AREA_VALUES_FILE
    files.append(areas_file.read_bytes() if areas_file.is_file() else b"")
    code = (Path(__file__).read_bytes(), Path(renumbering.__file__).read_bytes(), VARIABLES_FILE.read_bytes())
    edit = _hash(*code)[:16]
    validation = f"{edit}-{_hash(pd.__version__.encode(), version('pandera').encode())[:8]}"
    kept = VALIDATED_STORES_DIR / f"{validation}-{_hash(*files, validation.encode())}.pickle"
    try:
        return pickle.loads(kept.read_bytes())
    except Exception:  # noqa: BLE001 - none kept yet, or unreadable: validate
        pass
    units = validate_units(_read_parquet(directory / "units.parquet", files[0]))
    observations = validate_observations(_read_parquet(directory / "observations.parquet", files[1]), units)
    renumbered = renumberings(units, observations)
    units, observations = join_renumbered(units, observations, renumbered)
    area_values = (
        validate_area_values(_read_parquet(areas_file, files[2])) if areas_file.is_file() else no_area_values()
    )
    tables = (units, observations, renumbered, area_values)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        for other in kept.parent.iterdir():  # kept tables, and a killed writer's staged ".<name>.<pid>.tmp"
            if not other.name.lstrip(".").startswith(f"{edit}-"):
                other.unlink(missing_ok=True)
        staged = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        staged.write_bytes(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(staged, kept)
    except OSError:
        pass  # a read-only place: validate every time
    return tables


def _hash(*parts: bytes) -> str:
    key = hashlib.sha256()
    for part in parts:
        key.update(len(part).to_bytes(8, "little") + part)
    return key.hexdigest()


def _read_parquet(path: Path, content: bytes) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(content))
    except Exception as error:  # noqa: BLE001 - pyarrow's errors name a buffer, not the file
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise StoreError(f"{path}: not a readable Parquet file ({first})") from None


def write_store(
    store_dir: Path,
    units: pd.DataFrame,
    observations: pd.DataFrame,
    metadata: dict,
    area_values: pd.DataFrame | None = None,
) -> None:
    """Validate, then write a store; files are replaced only once all are written. Without `area_values`,
    the store has no published area figures (an empty table, never an earlier store's left in place)."""
    units = validate_units(units)
    observations = validate_observations(observations, units)
    area_values = validate_area_values(no_area_values() if area_values is None else area_values)
    store_dir.mkdir(parents=True, exist_ok=True)
    staged = {
        "units.parquet": lambda p: units.to_parquet(p, index=False),
        "observations.parquet": lambda p: observations.to_parquet(p, index=False),
        AREA_VALUES_FILE: lambda p: area_values.to_parquet(p, index=False),
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
    key_of = variable_keys()
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
