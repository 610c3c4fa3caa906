"""Fetch the catalogue's variables for every gmina from BDL into a Diagnoza store.

The steps: the missing-value markers (`/attributes`), the gminy (`/units?level=6`),
then for each catalogue variable its metadata (`/variables/{id}`) and its values
(`/data/by-variable/{id}`, all years in one paged call); for a rate GUS also publishes for
each voivodeship and Poland (`published_for_areas`), those figures too (levels 2 and 0).
The store is written only once every page is in hand, so an interrupted fetch leaves no
half store, and run again it reuses every page it already has.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from analysis.bdl.client import COUNTRY_LEVEL, GMINA_LEVEL, PAGE_SIZE, VOIVODESHIP_LEVEL, BDLClient, BDLError
from analysis.catalogue import Variable, variables
from analysis.gus_marks import MARK_KINDS, NO_MARK
from analysis.store import AREA_VALUE_COLUMNS, COUNTRY_AREA, OBSERVATION_COLUMNS, Store, load_store, write_store
from analysis.teryt import KIND_BY_DIGIT, VOIVODESHIPS, teryt_from_bdl, voivodeship_bdl_id

# /units?level=6 listed 3,938 units in 2019 (gminy and their parts, some historical);
# used to estimate page counts before the unit list itself is cached.
ESTIMATED_LEVEL6_UNITS = 3_900
# An attribute whose name is one of these marks a value that does not exist
# ("." or "-": no data, confidentiality, not yet available); BDL sends it as 0.
VALUE_ATTRIBUTE_NAMES = {"wartość", "0"}
# An attribute whose description begins so (97, "p": "Łącznie dla powiatu i miasta na prawach powiatu") marks a
# figure of a city with powiat rights and its land powiat together: more than any one gmina. Not expected at
# gmina level, but a figure so marked there would be read as the gmina's, twice or more its size.
WIDER_AREA_DESCRIPTION = "łącznie dla powiatu"


@dataclass(frozen=True)
class FetchSpec:
    years: tuple[int, ...]
    voivodeship: str | None = None  # TERYT voivodeship code, e.g. "24"
    variables: tuple[Variable, ...] = ()

    @classmethod
    def create(cls, years: str, voivodeship: str | None = None) -> "FetchSpec":
        if voivodeship is not None and voivodeship not in VOIVODESHIPS:
            raise ValueError(
                f"voivodeship must be a 2-digit TERYT code ({', '.join(VOIVODESHIPS)}), got {voivodeship!r}"
            )
        return cls(parse_years(years), voivodeship, tuple(variables().values()))


def parse_years(text: str) -> tuple[int, ...]:
    """'2014-2024' or '2014,2016,2018' → the years, checked to be plausible."""
    text = text.strip()
    if match := re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", text):
        first, last = int(match[1]), int(match[2])
        years = tuple(range(first, last + 1))
    elif re.fullmatch(r"\d{4}(\s*,\s*\d{4})*", text):
        years = tuple(sorted({int(y) for y in text.split(",")}))
    else:
        raise ValueError(f"years must look like 2014-2024 or 2014,2019,2024, got {text!r}")
    if not years:
        raise ValueError(f"years {text!r}: the last year is before the first")
    if years[0] < 1995:
        raise ValueError(f"years {text!r}: BDL's gmina data start in 1995")
    if years[-1] > date.today().year:
        raise ValueError(f"years {text!r}: {years[-1]} is still to come; BDL has no data for it")
    return years


@dataclass(frozen=True)
class Markers:
    """Which BDL attributes (`attrId`) mark a value as missing rather than a figure, and which mark a figure
    the store keeps with GUS's mark (`analysis.gus_marks`)."""

    missing: frozenset[int]
    known: frozenset[int]
    wider_area: frozenset[int] = frozenset()  # figures of more than a gmina (`WIDER_AREA_DESCRIPTION`)
    symbols: tuple[tuple[int, str], ...] = ()  # attribute -> GUS's symbol, of the figures kept with a mark

    @classmethod
    def from_attributes(cls, attributes: Iterable[dict]) -> "Markers":
        attributes = list(attributes)
        missing = {int(a["id"]) for a in attributes if str(a.get("name", "")).strip() not in VALUE_ATTRIBUTE_NAMES}
        wider = {
            int(a["id"])
            for a in attributes
            if str(a.get("description", "")).strip().lower().startswith(WIDER_AREA_DESCRIPTION)
        }
        symbols = {
            int(a["id"]): str(a.get("symbol", "")).strip()
            for a in attributes
            if int(a["id"]) not in missing and str(a.get("symbol", "")).strip() in MARK_KINDS
        }
        return cls(
            frozenset(missing),
            frozenset(int(a["id"]) for a in attributes),
            frozenset(wider),
            tuple(sorted(symbols.items())),
        )

    def mark(self, attribute: int) -> str:
        """GUS's mark of a figure sent with `attribute` ("" for a plain one)."""
        return dict(self.symbols).get(attribute, NO_MARK)

    def is_missing(self, attribute: int, value) -> bool:
        """Marked missing; or a 0 under an attribute /attributes does not list (trust no unknown zero)."""
        if value is None or attribute in self.missing:
            return True
        return attribute not in self.known and value == 0


def units_frame(units: Iterable[dict], voivodeship: str | None = None) -> pd.DataFrame:
    """The gminy proper (kinds 1–3) of a `/units?level=6` listing, in the store's shape."""
    rows = []
    for unit in units:
        unit_id = str(unit.get("id", ""))
        if unit.get("level") != GMINA_LEVEL or len(unit_id) != 12:
            continue
        teryt = teryt_from_bdl(unit_id)
        kind = KIND_BY_DIGIT.get(teryt[-1])
        if kind is None or (voivodeship and teryt[:2] != voivodeship):
            continue
        rows.append(
            {
                "teryt": teryt,
                "name": unit["name"],
                "kind": kind,
                "voivodeship": VOIVODESHIPS.get(teryt[:2], teryt[:2]),
                "powiat": teryt[:4],
                "bdl_id": unit_id,
            }
        )
    return pd.DataFrame(rows, columns=["teryt", "name", "kind", "voivodeship", "powiat", "bdl_id"])


def observation_rows(
    page: dict, variable_id: int, markers: Markers, known: set[str], set_aside: list[tuple] | None = None
) -> list[tuple]:
    """(teryt, year, var_id, value, mark) of one data page; missing-marked values become NaN, never 0. A figure
    marked as one of more than the gmina (`Markers.wider_area`) is no figure of the gmina: NaN too, and its
    (teryt, year, var_id) is added to `set_aside`. `mark`: GUS's mark of a figure kept (`Markers.mark`)."""
    rows = []
    for result in page.get("results", []):
        unit_id = str(result.get("id", ""))
        teryt = teryt_from_bdl(unit_id) if len(unit_id) == 12 else ""
        if teryt not in known:
            continue  # a part of a gmina, or a unit outside the fetched area
        for value in result.get("values", []):
            number, attribute, year = value.get("val"), int(value.get("attrId", 1)), int(value["year"])
            wider = attribute in markers.wider_area and number is not None
            if wider and set_aside is not None:
                set_aside.append((teryt, year, variable_id))
            marked = wider or markers.is_missing(attribute, number)
            if marked:
                rows.append((teryt, year, variable_id, math.nan, NO_MARK))
            else:
                rows.append((teryt, year, variable_id, float(number), markers.mark(attribute)))
    return rows


COUNTRY_BDL_ID = "0" * 12  # POLSKA, BDL's one unit of level 0
AREA_LEVELS = {VOIVODESHIP_LEVEL: len(VOIVODESHIPS), COUNTRY_LEVEL: 1}  # level -> how many units it has


def area_code(unit_id: str) -> str | None:
    """The store's code of a BDL unit of level 2 or 0 (a voivodeship's 2-digit TERYT code, or `COUNTRY_AREA`);
    None for any other unit."""
    if unit_id == COUNTRY_BDL_ID:
        return COUNTRY_AREA
    if len(unit_id) == 12 and unit_id[4:] == "0" * 8 and unit_id[2:4] in VOIVODESHIPS:
        return unit_id[2:4]
    return None


def area_value_rows(page: dict, variable_id: int, markers: Markers, voivodeship: str | None = None) -> list[tuple]:
    """(area, year, var_id, value, mark) of one data page of level 2 or 0; missing-marked values become NaN.
    With `voivodeship`, of that voivodeship and Poland only. `mark`: GUS's mark of a figure kept (`Markers.mark`)."""
    rows = []
    for result in page.get("results", []):
        area = area_code(str(result.get("id", "")))
        if area is None or (voivodeship and area not in (voivodeship, COUNTRY_AREA)):
            continue
        for value in result.get("values", []):
            number, attribute = value.get("val"), int(value.get("attrId", 1))
            if markers.is_missing(attribute, number):
                rows.append((area, int(value["year"]), variable_id, math.nan, NO_MARK))
            else:
                rows.append((area, int(value["year"]), variable_id, float(number), markers.mark(attribute)))
    return rows


def variable_name(meta: dict) -> str:
    """BDL names a variable by its levels n1, n2, ...; joined as BDL's own site shows them."""
    parts = [str(meta[key]) for key in ("n1", "n2", "n3", "n4", "n5") if meta.get(key)]
    return ", ".join(parts)


@dataclass(frozen=True)
class FetchPlan:
    requests: int  # requests still to send
    cached: int  # pages already in the cache
    seconds: float  # how long BDL's quota makes sending them take, at the earliest
    limited: bool

    def describe(self) -> str:
        if not self.limited:
            duration = "no client-side quota (a server on this machine)"
        else:
            duration = f"at least {_duration(self.seconds)} under BDL's quota"
        return f"{self.requests} requests to send ({self.cached} pages already cached); {duration}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _chain(client: BDLClient, path: str, params: dict, estimated_records: int) -> tuple[int, int]:
    """(cached pages, pages still to request) of one paged resource, without sending anything."""
    cached, page, total = 0, 0, None
    while True:
        body = client.cached(path, {**params, "page": page, "page-size": PAGE_SIZE})
        if body is None:
            break
        cached += 1
        total = body.get("totalRecords", total)
        if not (body.get("links") or {}).get("next"):
            return cached, 0
        page += 1
    records = total if total is not None else estimated_records
    return cached, max(1, math.ceil(records / PAGE_SIZE)) - cached


def plan_fetch(client: BDLClient, spec: FetchSpec) -> FetchPlan:
    """How many requests a fetch needs now, and how long the quota makes it take.

    Pages already cached are counted and not sent. A page count not yet known is
    estimated from the cached unit list (one record per unit), else from BDL's size.
    """
    units_cached, units_todo = _chain(client, "units", {"level": GMINA_LEVEL}, ESTIMATED_LEVEL6_UNITS)
    attributes_cached, attributes_todo = _chain(client, "attributes", {}, 50)
    cached, todo = units_cached + attributes_cached, units_todo + attributes_todo
    listed = _cached_unit_ids(client)
    if listed is None:
        share = 1 / len(VOIVODESHIPS) if spec.voivodeship else 1.0
        in_scope, parent = round(ESTIMATED_LEVEL6_UNITS * share), None
    else:
        chosen = [i for i in listed if not spec.voivodeship or i[2:4] == spec.voivodeship]
        in_scope = len(chosen)
        parent = voivodeship_bdl_id(chosen[0]) if spec.voivodeship and chosen else None
    for variable in spec.variables:
        if client.cached(f"variables/{variable.bdl_id}", {}) is not None:
            cached += 1
        else:
            todo += 1
        done, left = _chain(client, f"data/by-variable/{variable.bdl_id}", _data_params(spec, parent), in_scope)
        cached, todo = cached + done, todo + left
        for level, units in AREA_LEVELS.items() if variable.published_for_areas else ():
            done, left = _chain(client, f"data/by-variable/{variable.bdl_id}", _area_params(spec, level), units)
            cached, todo = cached + done, todo + left
    limited = bool(client.quota.windows)
    return FetchPlan(todo, cached, client.quota.finish_time(todo) if limited else 0.0, limited)


def _cached_unit_ids(client: BDLClient) -> list[str] | None:
    """Ids of the level-6 units if their whole listing is cached, else None; sends nothing."""
    ids, page = [], 0
    while True:
        body = client.cached("units", {"level": GMINA_LEVEL, "page": page, "page-size": PAGE_SIZE})
        if body is None:
            return None
        ids.extend(str(u.get("id", "")) for u in body.get("results", []))
        if not (body.get("links") or {}).get("next"):
            return ids
        page += 1


def _data_params(spec: FetchSpec, parent: str | None) -> dict:
    params: dict = {"unit-level": GMINA_LEVEL, "year": list(spec.years)}
    if parent:
        params["unit-parent-id"] = parent
    return params


def _area_params(spec: FetchSpec, level: int) -> dict:
    return {"unit-level": level, "year": list(spec.years)}


def what_the_fetch_would_drop(out_dir: Path, spec: FetchSpec) -> list[str]:
    """What a store already in `out_dir` holds that `spec` would not fetch: its years and voivodeships outside it.

    A fetch replaces the store in its folder whole, so `--years 2024` or `--voivodeship 24` into the folder of a
    whole store would lose the rest, which took up to 12 hours of BDL's anonymous quota to fetch. Empty where
    the folder holds no (readable) store, or one within the fetch."""
    try:
        years = set(pd.read_parquet(out_dir / "observations.parquet", columns=["year"])["year"].astype(int))
        voivodeships = {code[:2] for code in pd.read_parquet(out_dir / "units.parquet", columns=["teryt"])["teryt"]}
    except Exception:  # noqa: BLE001 - no store there, or not one to be read: nothing of it to keep
        return []
    dropped = []
    if lost_years := sorted(years - set(spec.years)):
        dropped.append(f"{_other(len(lost_years), 'year')} ({', '.join(map(str, lost_years))})")
    if spec.voivodeship and (lost := sorted(voivodeships - {spec.voivodeship})):
        names = ", ".join(VOIVODESHIPS.get(code, code) for code in lost)
        dropped.append(f"the gminy of {_other(len(lost), 'voivodeship')} ({names})")
    return dropped


def _other(count: int, noun: str) -> str:
    return f"{count} other {noun}{'s' if count > 1 else ''}"


def fetch_store(
    client: BDLClient, spec: FetchSpec, out_dir: Path, on_step: Callable[[str], None] = lambda step: None
) -> Store:
    """Fetch every catalogue variable for the gminy and write the store to `out_dir`."""
    on_step("attributes")
    markers = Markers.from_attributes(client.attributes())
    on_step("units")
    units = units_frame(client.units(GMINA_LEVEL), spec.voivodeship)
    if units.empty:
        raise BDLError(
            f"BDL API: no gminy at level {GMINA_LEVEL}"
            + (f" in voivodeship {spec.voivodeship}" if spec.voivodeship else "")
        )
    parent = voivodeship_bdl_id(units["bdl_id"].iloc[0]) if spec.voivodeship else None
    known = set(units["teryt"])
    rows: list[tuple] = []
    area_rows: list[tuple] = []  # GUS's figures of the voivodeships and Poland (`published_for_areas`)
    set_aside: list[tuple] = []  # figures of a powiat and its city together (`Markers.wider_area`)
    described = {}
    for variable in spec.variables:
        on_step(f"variable {variable.bdl_id} ({variable.key})")
        meta = client.variable(variable.bdl_id)
        last_update = meta.get("lastUpdate")
        for page in client.pages(
            f"data/by-variable/{variable.bdl_id}", _data_params(spec, parent), f"variable {variable.bdl_id}"
        ):
            rows.extend(observation_rows(page, variable.bdl_id, markers, known, set_aside))
            last_update = page.get("lastUpdate") or last_update
        for level in AREA_LEVELS if variable.published_for_areas else ():
            what = f"variable {variable.bdl_id} at level {level}"
            on_step(f"variable {variable.bdl_id} ({variable.key}): {'voivodeships' if level else 'Poland'}")
            for page in client.pages(f"data/by-variable/{variable.bdl_id}", _area_params(spec, level), what):
                area_rows.extend(area_value_rows(page, variable.bdl_id, markers, spec.voivodeship))
        described[variable.key] = {
            "bdl_id": variable.bdl_id,
            "name": variable_name(meta),
            "unit": meta.get("measureUnitName"),
            "level": meta.get("level"),
            "lastUpdate": last_update,
        }
    observations = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)
    observations = observations.loc[observations["year"].isin(spec.years)]
    # BDL's list of gminy keeps those that ended long ago (144 more than the 2020 register in its 2019 list:
    # abolished, merged, renumbered on gaining town rights). One without any figure in the years fetched is
    # no gmina of theirs: left out, and named in the metadata.
    with_figures = units["teryt"].isin(observations.loc[observations["value"].notna(), "teryt"])
    ended, units = units.loc[~with_figures], units.loc[with_figures]
    observations = observations.loc[observations["teryt"].isin(units["teryt"])]
    keys = {variable.bdl_id: variable.key for variable in spec.variables}
    metadata = {
        "source": "GUS, Bank Danych Lokalnych (BDL), API v1",
        "api": client.settings.base_url,
        "fetched": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "synthetic": False,
        "years": [spec.years[0], spec.years[-1]],
        "voivodeship": spec.voivodeship,
        "missing_attributes": sorted(markers.missing),
        # Kept with the figures they mark (observations' `mark`, analysis.gus_marks): attribute id -> GUS's symbol.
        "marked_attributes": {str(attribute): symbol for attribute, symbol in markers.symbols},
        "variables": described,
        "units_without_figures": sorted(ended["teryt"]),
        "wider_area_attributes": sorted(markers.wider_area),
        # Stored as missing (`observation_rows`), in the years fetched.
        "figures_of_powiat_and_city": [
            {"teryt": teryt, "year": year, "variable": keys[var_id]}
            for teryt, year, var_id in sorted(set_aside)
            if year in spec.years
        ],
    }
    area_values = pd.DataFrame(area_rows, columns=AREA_VALUE_COLUMNS)
    area_values = area_values.loc[area_values["year"].isin(spec.years)]
    write_store(Path(out_dir), units.drop(columns="bdl_id"), observations, metadata, area_values)
    return load_store(out_dir)
