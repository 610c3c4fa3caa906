"""The BDL client against a real HTTP server on 127.0.0.1 (tests/bdl_fake.py) with BDL's page shapes."""

from __future__ import annotations

import socket

import pytest

from analysis.bdl.client import BDLClient, BDLError, BDLUnreachable, Settings
from tests.analysis.bdl.conftest import CLIENT_TIMEOUT
from tests.bdl_fake import unreachable_api_url

UNITS_PATH = "/api/v1/units"
DATA_PATH = "/api/v1/data/by-variable/72305"


def gminy(count: int) -> list[dict]:
    return [
        {
            "id": f"0112120{i:04d}1",
            "name": f"Gmina {i}",
            "parentId": "011212001000",
            "level": 6,
            "kind": "1",
            "hasDescription": False,
        }
        for i in range(count)
    ]


def with_population(fake, count=3):
    fake.variables[72305] = {
        "id": 72305,
        "subjectId": "P2137",
        "n1": "ogółem",
        "n2": "ogółem",
        "level": 6,
        "measureUnitId": 26,
        "measureUnitName": "osoba",
    }
    fake.data[72305] = [
        {
            "id": u["id"],
            "name": u["name"],
            "values": [{"year": "2020", "val": 1000 + i, "attrId": 1}, {"year": "2021", "val": 1001 + i, "attrId": 1}],
        }
        for i, u in enumerate(gminy(count))
    ]


def test_multi_page_results_are_followed_to_the_end(fake_bdl, make_client):
    fake_bdl.units = gminy(250)
    units = make_client().units()
    assert [u["id"] for u in units] == [u["id"] for u in gminy(250)]
    pages = fake_bdl.requests_to(UNITS_PATH)
    assert [p.page for p in pages] == [0, 1, 2]
    assert all(p.query["page-size"] == ["100"] and p.query["level"] == ["6"] for p in pages)


def test_several_years_go_in_one_call(fake_bdl, make_client):
    with_population(fake_bdl)
    pages = list(make_client().data_by_variable(72305, [2020, 2021]))
    (request,) = fake_bdl.requests_to(DATA_PATH)
    assert request.query["year"] == ["2020", "2021"] and request.query["unit-level"] == ["6"]
    assert [v["val"] for v in pages[0]["results"][2]["values"]] == [1002, 1003]


def test_429_without_retry_after_backs_off_exponentially(fake_bdl, make_client, waits):
    fake_bdl.units = gminy(3)
    fake_bdl.fail(UNITS_PATH, 0, 429, 429)
    assert len(make_client(backoff=2.0).units()) == 3
    assert waits == [2.0, 4.0]
    assert len(fake_bdl.requests_to(UNITS_PATH)) == 3


def test_429_with_retry_after_waits_as_told(fake_bdl, make_client, waits):
    fake_bdl.units = gminy(3)
    fake_bdl.fail(UNITS_PATH, 0, (429, "7"))
    assert len(make_client(backoff=2.0).units()) == 3
    assert waits == [7.0]


def test_a_500_then_success(fake_bdl, make_client, waits):
    with_population(fake_bdl)
    fake_bdl.fail(DATA_PATH, 0, 500)
    pages = list(make_client().data_by_variable(72305, [2020]))
    assert len(pages[0]["results"]) == 3
    assert len(fake_bdl.requests_to(DATA_PATH)) == 2 and len(waits) == 1


def test_a_timeout_is_retried(fake_bdl, make_client, waits):
    fake_bdl.units = gminy(3)
    fake_bdl.timeout_seconds = CLIENT_TIMEOUT + 1.0  # the first answer comes after the client stopped waiting
    fake_bdl.fail(UNITS_PATH, 0, "timeout")
    assert len(make_client().units()) == 3
    assert len(fake_bdl.requests_to(UNITS_PATH)) == 2 and len(waits) == 1


def test_a_lasting_failure_names_variable_page_and_status(fake_bdl, make_client, waits):
    with_population(fake_bdl, count=150)
    fake_bdl.fail(DATA_PATH, 1, *[503] * 4)
    with pytest.raises(BDLUnreachable, match=r"variable 72305, page 1: gave up after 4 attempts; last: HTTP 503"):
        list(make_client(attempts=4, backoff=1.0).data_by_variable(72305, [2020]))
    assert waits == [1.0, 2.0, 4.0]


def test_an_address_where_nothing_answers_is_unreachable_with_the_systems_reason(tmp_path, waits):
    # A port that was free a moment ago: the connection is refused at once, as where BDL's address is wrong. The
    # message gives the system's reason, not urllib3's wrappers, and the error says the API is out of reach.
    settings = Settings(base_url=unreachable_api_url(), timeout=CLIENT_TIMEOUT, attempts=2)
    client = BDLClient(settings, tmp_path / "cache", sleep=waits.append)
    with pytest.raises(
        BDLUnreachable,
        match=r"variable 72305 \(metadata\): gave up after 2 attempts; last: "
        r"connection failed \(Connection refused\)$",
    ):
        client.variable(72305)
    assert waits == [2.0]


def test_malformed_json_is_retried_then_reported_and_never_cached(fake_bdl, make_client, tmp_path):
    with_population(fake_bdl)
    fake_bdl.fail(DATA_PATH, 0, *["malformed"] * 2)
    with pytest.raises(BDLError, match=r"variable 72305, page 0: .*not valid JSON"):
        list(make_client(attempts=2).data_by_variable(72305, [2020]))
    # the next run must ask again (a broken page was not cached) and gets the good page
    pages = list(make_client().data_by_variable(72305, [2020]))
    assert len(pages[0]["results"]) == 3
    assert len(fake_bdl.requests_to(DATA_PATH)) == 3


def test_a_client_error_is_not_retried(fake_bdl, make_client, waits):
    with pytest.raises(BDLError, match=r"variable 999 \(metadata\): HTTP 404") as refused:
        make_client().variable(999)
    assert waits == [] and len(fake_bdl.requests_to("/api/v1/variables/999")) == 1
    assert not isinstance(refused.value, BDLUnreachable)  # BDL answered: this id, not the API, is wrong


def test_a_next_link_that_does_not_advance_is_an_error(fake_bdl, make_client):
    fake_bdl.units = gminy(150)
    original = fake_bdl.paged

    def looping(request, items, **envelope):
        body = original(request, items, **envelope)
        if "next" in body["links"]:
            body["links"]["next"] = body["links"]["self"]
        return body

    fake_bdl.paged = looping
    with pytest.raises(BDLError, match="links.next does not point to a later page"):
        make_client().units()


def test_cached_pages_are_not_requested_again_and_stale_ones_are_revalidated(fake_bdl, make_client):
    fake_bdl.units = gminy(150)
    make_client().units()
    assert len(fake_bdl.requests_to(UNITS_PATH)) == 2
    again = make_client()
    assert len(again.units()) == 150 and again.sent == 0 and again.reused == 2
    assert len(fake_bdl.requests_to(UNITS_PATH)) == 2
    # a refresh (`--refresh`, or a page older than `fresh_for`) asks with the ETag; 304 → the cached body
    refreshed = make_client(refresh=True)
    assert len(refreshed.units()) == 150 and refreshed.sent == 2
    revalidations = fake_bdl.requests_to(UNITS_PATH)[2:]
    assert len(revalidations) == 2 and all(r.headers.get("If-None-Match") for r in revalidations)


def test_the_key_is_sent_as_x_clientid_and_kept_out_of_the_cache(fake_bdl, tmp_path, monkeypatch):
    key = "c0ffee00-key-never-written"
    fake_bdl.units = gminy(3)
    monkeypatch.setenv("BDL_API_URL", fake_bdl.api_url)
    monkeypatch.setenv("BDL_API_KEY", key)
    settings = Settings.from_environment()
    assert key not in repr(settings)
    BDLClient(settings, tmp_path / "cache").units()
    assert [r.headers.get("X-Clientid") for r in fake_bdl.log] == [key]
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_retries_and_long_quota_waits_are_told(fake_bdl, tmp_path, waits):
    from analysis.bdl.quota import ANONYMOUS_LIMITS, Quota

    fake_bdl.units = gminy(3)
    fake_bdl.fail(UNITS_PATH, 0, 500)
    told = []
    client = BDLClient(
        Settings(base_url=fake_bdl.api_url, backoff=2.0), tmp_path / "cache", sleep=waits.append, notify=told.append
    )
    clock = [0.0]
    client.quota = Quota(ANONYMOUS_LIMITS, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    client.quota.sent = [0.0] * 100  # a full 15-minute window: the next request waits 900 s
    client.units()
    assert told[0] == "waiting 15.0 min for BDL's quota before units of level 6, page 0"
    assert "units of level 6, page 0: HTTP 500 INTERNAL SERVER ERROR; retrying in 2 s (attempt 2 of 6)" in told


def test_a_name_that_does_not_resolve_before_any_answer_stops_at_once_naming_it(tmp_path, waits):
    # ".invalid" never resolves (RFC 2606), online or not: as on a machine without network, the first request
    # fails on the name. Six retries over a minute would only delay saying so; nothing has answered yet.
    settings = Settings(base_url="http://bdl.invalid/api/v1", timeout=CLIENT_TIMEOUT, attempts=6)
    client = BDLClient(settings, tmp_path / "cache", sleep=waits.append)
    with pytest.raises(
        BDLUnreachable,
        match=r"variable 72305 \(metadata\): connection failed \(.+\): the name bdl\.invalid does not resolve",
    ):
        client.variable(72305)
    assert waits == [] and client.sent == 1


def test_a_name_that_stops_resolving_after_the_api_answered_is_retried(fake_bdl, make_client, waits, monkeypatch):
    # Mid-fetch, a failing name is more likely a passing fault of the network: it is retried as any other.
    import requests

    with_population(fake_bdl)
    client = make_client(attempts=3, backoff=1.0)
    list(client.data_by_variable(72305, [2020]))  # the API answers
    unresolved = requests.ConnectionError(socket.gaierror(-2, "Name or service not known"))
    cache_only = client.session.get

    def no_name(*args, only_if_cached=False, **kwargs):
        if only_if_cached:  # the cache still answers (with nothing: this page was never fetched)
            return cache_only(*args, only_if_cached=True, **kwargs)
        raise unresolved

    monkeypatch.setattr(client.session, "get", no_name)
    with pytest.raises(BDLUnreachable, match=r"gave up after 3 attempts"):
        client.variable(72305)
    assert waits == [1.0, 2.0]
