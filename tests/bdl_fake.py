"""A BDL API v1 look-alike for tests: a real HTTP server on 127.0.0.1 with BDL's field names.

The pages follow the recorded real responses in ../shared/data/bdl/api_samples_pybdl/
(see ../shared/data/PROVENANCE.md): `results[].id/name/values[].year/val/attrId` for
data, `id/name/parentId/level/kind/hasDescription` for units, `id/name/symbol/description`
for attributes, `id/subjectId/n1/level/measureUnitId/measureUnitName` for variables, with
BDL's paging envelope (`totalRecords`, `page`, `pageSize`, `links.first/self/next/last`).

Faults can be queued per (resource, page): an HTTP status (with or without
`Retry-After`), "timeout" (the answer comes too late) or "malformed" (broken JSON).
Every request that reaches the server is logged with its path, query and headers.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from werkzeug import Request, Response

DATA_PATH = re.compile(r"^/api/v1/data/by-variable/(\d+)$")
VARIABLE_PATH = re.compile(r"^/api/v1/variables/(\d+)$")

# A subset of the real /attributes list (ids, names and symbols as BDL publishes them).
ATTRIBUTES = [
    {"id": 0, "name": "0", "symbol": " ", "description": ""},
    {"id": 1, "name": "wartość", "symbol": " ", "description": ""},
    {"id": 4, "name": ". lub 0", "symbol": "x", "description": "Brak informacji"},
    {"id": 7, "name": "0", "symbol": "a", "description": "Wartość mniejsza niż przyjęty format prezentacji"},
    {"id": 9, "name": "wartość", "symbol": "s", "description": "Szacunki wstępne"},
    {"id": 11, "name": "wartość", "symbol": "M", "description": "Zmiany metodologiczne"},
    {"id": 14, "name": ". lub 0", "symbol": "X", "description": "Zmiany metodologiczne, brak informacji"},
    {"id": 15, "name": "-", "symbol": " ", "description": "Znak '-' oznacza brak informacji"},
    {"id": 50, "name": "- lub 0", "symbol": "n", "description": "Dana jeszcze niedostępna"},
    {"id": 94, "name": "0", "symbol": "z", "description": "Wartość znacząca, wartość zerowa"},
    {"id": 97, "name": "wartość", "symbol": "p", "description": "Łącznie dla powiatu i miasta na prawach powiatu"},
    {"id": 20, "name": "wartość", "symbol": "v", "description": "Dane o niskiej precyzji"},
]
# A figure's mark in a store (analysis.gus_marks) -> the attribute BDL sends it with, of those above.
ATTRIBUTE_OF_MARK = {"": 1, "s": 9, "M": 11, "v": 20}


def bdl_unit_id(teryt: str, macroregion: str = "01") -> str:
    """A 12-character BDL id whose characters 3–4 and 8–12 are the TERYT code."""
    return f"{macroregion}{teryt[:2]}000{teryt[2:]}"


@dataclass
class Logged:
    path: str
    query: dict
    headers: dict

    @property
    def page(self) -> int:
        return int(self.query.get("page", ["0"])[0])


@dataclass
class FakeBDL:
    units: list[dict] = field(default_factory=list)
    variables: dict[int, dict] = field(default_factory=dict)  # id -> /variables/{id} body
    # id -> results (id, name, values); a result of a voivodeship or Poland also has "level" (2 or 0), which
    # selects it by `unit-level` and is not sent (BDL's data results carry no level); a gmina's is 6
    data: dict[int, list[dict]] = field(default_factory=dict)
    attributes: list[dict] = field(default_factory=lambda: list(ATTRIBUTES))
    faults: dict[tuple[str, int], list] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    timeout_seconds: float = 1.0
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, path: str, page: int, *faults) -> None:
        """Queue faults for the next requests of one page: 429, (429, "2"), 500, "timeout", "malformed"."""
        self.faults.setdefault((path, page), []).extend(faults)

    def requests_to(self, path: str) -> list[Logged]:
        return [entry for entry in self.log if entry.path == path]

    # The server side.

    def handle(self, request: Request) -> Response:
        query = {key: request.args.getlist(key) for key in request.args}
        with self._lock:
            self.log.append(Logged(request.path, query, dict(request.headers)))
            page = int(request.args.get("page", 0))
            pending = self.faults.get((request.path, page))
            fault = pending.pop(0) if pending else None
        if fault == "timeout":
            time.sleep(self.timeout_seconds)
        elif fault == "malformed":
            return Response('{"totalRecords": 3, "results": [', status=200, content_type="application/json")
        elif isinstance(fault, tuple):
            return Response("Too Many Requests", status=fault[0], headers={"Retry-After": fault[1]})
        elif isinstance(fault, int):
            return Response("error", status=fault)
        body = self.body(request)
        if body is None:
            return Response(
                json.dumps({"errors": [{"message": "Not found"}]}), status=404, content_type="application/json"
            )
        text = json.dumps(body, ensure_ascii=False)
        etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(text, status=200, content_type="application/json; charset=utf-8", headers={"ETag": etag})

    def body(self, request: Request) -> dict | None:
        path, args = request.path, request.args
        if path == "/api/v1/units":
            level = int(args.get("level", -1))
            return self.paged(request, [u for u in self.units if u["level"] == level])
        if path == "/api/v1/attributes":
            return self.paged(request, self.attributes)
        if match := VARIABLE_PATH.match(path):
            return self.variables.get(int(match[1]))
        if match := DATA_PATH.match(path):
            variable_id = int(match[1])
            if variable_id not in self.variables:
                return None
            years = set(args.getlist("year"))
            parent = args.get("unit-parent-id")
            level = int(args.get("unit-level", 6))
            results = []
            for result in self.data.get(variable_id, []):
                if (parent and result["id"][:4] != parent[:4]) or result.get("level", 6) != level:
                    continue
                values = [v for v in result["values"] if not years or v["year"] in years]
                if values:
                    sent = {key: value for key, value in result.items() if key != "level"}
                    results.append({**sent, "values": values})
            meta = self.variables[variable_id]
            return self.paged(
                request,
                results,
                variableId=variable_id,
                measureUnitId=meta["measureUnitId"],
                lastUpdate=meta.get("lastUpdate", "2025-06-30T10:15:00.000"),
            )
        return None

    def paged(self, request: Request, items: list, **envelope) -> dict:
        page = int(request.args.get("page", 0))
        size = int(request.args.get("page-size", 10))
        last = max(0, math.ceil(len(items) / size) - 1)

        def link(number: int) -> str:
            query = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", number)]
            return f"{self.base_url}{request.path}?{urlencode(query)}"

        links = {"first": link(0), "self": link(page), "last": link(last)}
        if page < last:
            links["next"] = link(page + 1)
        if page > 0:
            links["prev"] = link(page - 1)
        return {
            "totalRecords": len(items),
            "page": page,
            "pageSize": size,
            "links": links,
            **envelope,
            "results": items[page * size : (page + 1) * size],
        }


def from_store(store, variables, years=None) -> FakeBDL:
    """A fake BDL serving a Diagnoza store's figures: NaN is sent as BDL sends it, `val: 0, attrId: 4`."""
    fake = FakeBDL()
    units = store.units
    for row in units.itertuples():
        fake.units.append(
            {
                "id": bdl_unit_id(row.teryt),
                "name": row.name,
                "parentId": bdl_unit_id(row.powiat + "000"),
                "level": 6,
                "kind": row.teryt[-1],
                "hasDescription": False,
            }
        )
    names = units.set_index("teryt")["name"]
    observations = store.observations
    if years is not None:
        observations = observations.loc[observations["year"].isin(list(years))]
    for variable in variables:
        fake.variables[variable.bdl_id] = {
            "id": variable.bdl_id,
            "subjectId": "P0000",
            "n1": variable.name_pl,
            "level": 6,
            "measureUnitId": 1,
            "measureUnitName": variable.unit,
        }
        fake.data[variable.bdl_id] = []
    # Plain lists grouped in order: a pandas group per unit and variable took 1.6 s per fake of the demo store.
    ordered = observations.sort_values(["var_id", "teryt", "year"])
    rows = zip(*(ordered[column].tolist() for column in ("var_id", "teryt", "year", "value", "mark")))
    for (variable_id, teryt), unit_rows in itertools.groupby(rows, key=lambda row: row[:2]):
        if variable_id not in fake.data:
            continue
        values = _sent([row[2:] for row in unit_rows])
        fake.data[variable_id].append({"id": bdl_unit_id(teryt), "name": names.at[teryt], "values": values})
    area_values = store.area_values
    if years is not None:
        area_values = area_values.loc[area_values["year"].isin(list(years))]
    for (variable_id, area), group in area_values.sort_values(["var_id", "area", "year"]).groupby(["var_id", "area"]):
        if variable_id not in fake.data:
            continue
        country = area == "PL"
        fake.data[variable_id].append(
            {
                "id": "0" * 12 if country else f"01{area}00000000",
                "name": "POLSKA" if country else area,
                "level": 0 if country else 2,
                "values": _sent(zip(group["year"].tolist(), group["value"].tolist(), group["mark"].tolist())),
            }
        )
    return fake


def _sent(years_and_values) -> list[dict]:
    """A unit's values ((year, value) or (year, value, mark) tuples) as BDL sends them: NaN as `val: 0` with
    `attrId: 4`, a marked figure with its mark's attribute (`ATTRIBUTE_OF_MARK`)."""
    return [
        {
            "year": str(int(y)),
            "val": 0 if math.isnan(v) else (int(v) if float(v).is_integer() else v),
            "attrId": 4 if math.isnan(v) else ATTRIBUTE_OF_MARK[str(mark[0]) if mark else ""],
        }
        for y, v, *mark in years_and_values
    ]


def serve(fake: FakeBDL):
    """Start a threaded HTTP server on 127.0.0.1 answering every path from `fake`; returns (server, base URL)."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(re.compile(r"^/.*")).respond_with_handler(fake.handle)
    server.start()
    fake.base_url = server.url_for("").rstrip("/")
    return server, fake.base_url + "/api/v1"


def unreachable_api_url() -> str:
    """An API address where nothing answers, as where there is no network or BDL_API_URL is wrong."""
    from tests.conftest import free_loopback_port

    return f"http://127.0.0.1:{free_loopback_port()}/api/v1"
