"""A client for BDL API v1 that keeps the quota, retries what is worth retrying, and caches every page.

Configuration comes from the environment only: `BDL_API_URL` (default the public
API) and `BDL_API_KEY` (optional, sent as the `X-ClientId` header). The key is
never written anywhere: the cache redacts the header and error messages name the
variable, page and status, not the request headers.

Caching (requests-cache, one JSON file per response): a page fetched within
`fresh_for` is reused without any request, so an interrupted fetch run again asks
only for the pages it lacks; an older page is revalidated with `If-None-Match` /
`If-Modified-Since` and reused on 304. Only well-formed JSON is ever cached.
"""

from __future__ import annotations

import email.utils
import os
import re
import socket
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlparse

from analysis.bdl.quota import Quota, limits_for

DEFAULT_BASE_URL = "https://bdl.stat.gov.pl/api/v1"
PAGE_SIZE = 100
GMINA_LEVEL = 6
VOIVODESHIP_LEVEL = 2
COUNTRY_LEVEL = 0
KEY_HEADER = "X-ClientId"


class BDLError(RuntimeError):
    """A request that failed for good; the message names what was asked for and why it failed."""


class BDLUnreachable(BDLError):
    """A request that got no usable answer in any attempt (no connection, no answer in time, server errors, the
    quota): the API is out of reach, not the thing asked for missing, so what follows would fail as well."""


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    attempts: int = 6  # tries per page, the first included
    backoff: float = 2.0  # seconds before the first retry; doubled each time
    max_wait: float = 15 * 60.0  # never wait longer than one 15-minute window at once
    fresh_for: timedelta = timedelta(days=7)

    @classmethod
    def from_environment(cls, **overrides) -> "Settings":
        settings = cls(
            base_url=os.environ.get("BDL_API_URL") or DEFAULT_BASE_URL, api_key=os.environ.get("BDL_API_KEY") or None
        )
        return replace(settings, **overrides)

    @property
    def keyed(self) -> bool:
        return bool(self.api_key)


def _connection_problem(error: Exception) -> str:
    """ "connection failed", with the system's reason where there is one ("Name or service not known": no network or
    no DNS; "Connection refused": nothing answers at that address), not urllib3's chain of wrappers around it."""
    reason = re.search(r"\[Errno -?\d+\] ([^\"')]+)", str(error))
    return f"connection failed ({reason.group(1).strip() if reason else type(error).__name__})"


def _name_unresolved(error: BaseException) -> bool:
    """Whether a failed connection failed on the address's name (`socket.gaierror`, anywhere in the chain of
    wrappers requests and urllib3 put around it): no network or no DNS, or a mistyped host."""
    seen, chain = set(), [error]
    while chain:
        cause = chain.pop()
        if cause is None or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return True
        wrapped = [arg for arg in getattr(cause, "args", ()) if isinstance(arg, BaseException)]
        chain += [cause.__cause__, cause.__context__, getattr(cause, "reason", None), *wrapped]
    return False


def _is_json(response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


def _retry_after(response) -> float | None:
    """Seconds asked for by a `Retry-After` header (a number or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BDLClient:
    def __init__(
        self,
        settings: Settings,
        cache_dir: Path,
        *,
        refresh: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        notify: Callable[[str], None] = lambda message: None,
    ):
        import requests_cache

        self.settings = settings
        self.refresh = refresh
        self.sleep = sleep
        self.notify = notify  # long waits and retries are told, so a slow fetch never looks hung
        cache_dir = Path(cache_dir)
        self.session = requests_cache.CachedSession(
            str(cache_dir / "http"),
            backend="filesystem",
            serializer="json",
            expire_after=settings.fresh_for,
            allowable_codes=(200,),
            filter_fn=_is_json,
            ignored_parameters=[KEY_HEADER],
            stale_if_error=False,
        )
        self.session.headers["User-Agent"] = "diagnoza (BDL client)"
        if settings.api_key:
            self.session.headers[KEY_HEADER] = settings.api_key
        self.quota = Quota(
            limits_for(settings.base_url, settings.keyed), cache_dir / "quota-history.json", clock=clock, sleep=sleep
        )
        self.sent = 0  # requests that reached the network, retries included
        self.reused = 0  # pages answered from the cache without a request
        self.answered = False  # whether the API has answered any request of this client

    def close(self) -> None:
        self.session.close()

    def _url(self, path: str) -> str:
        return self.settings.base_url.rstrip("/") + "/" + path.lstrip("/")

    def _params(self, params: dict) -> dict:
        return {**params, "format": "json"}

    def cached(self, path: str, params: dict) -> dict | None:
        """The cached, still fresh answer to a request, or None; sends nothing."""
        if self.refresh:
            return None
        response = self.session.get(self._url(path), params=self._params(params), only_if_cached=True)
        return response.json() if response.status_code == 200 else None

    def get(self, path: str, params: dict, what: str) -> dict:
        """One JSON document: from the cache if fresh, else from the API with bounded retries."""
        hit = self.cached(path, params)
        if hit is not None:
            self.reused += 1
            return hit
        import requests

        settings = self.settings
        problem = "no attempt made"
        for attempt in range(1, settings.attempts + 1):
            wait = settings.backoff * 2 ** (attempt - 1)
            if (delay := self.quota.delay()) > 5:
                self.notify(f"waiting {delay / 60:.1f} min for BDL's quota before {what}")
            self.quota.acquire()
            self.sent += 1
            try:
                response = self.session.get(
                    self._url(path), params=self._params(params), timeout=settings.timeout, refresh=self.refresh
                )
            except requests.Timeout:
                problem = f"no answer within {settings.timeout:g} s"
            except requests.ConnectionError as error:
                problem = _connection_problem(error)
                # Before the API has ever answered, a name that does not resolve is a machine without network
                # (or a mistyped BDL_API_URL), not a passing fault: six retries would only make it wait a minute.
                if not self.answered and _name_unresolved(error):
                    host = urlparse(settings.base_url).hostname
                    raise BDLUnreachable(
                        f"BDL API: {what}: {problem}: the name {host} does not resolve; is this machine offline, "
                        "or BDL_API_URL mistyped?"
                    ) from None
            else:
                self.answered = True
                status = response.status_code
                if status == 200:
                    try:
                        return response.json()
                    except ValueError:
                        problem = "HTTP 200 but the body is not valid JSON"
                elif status == 429:
                    problem = "HTTP 429 Too Many Requests (quota exceeded)"
                    asked = _retry_after(response)
                    wait = asked if asked is not None else wait
                elif status >= 500:
                    problem = f"HTTP {status} {response.reason}"
                else:
                    detail = response.text[:300].strip()
                    raise BDLError(
                        f"BDL API: {what}: HTTP {status} {response.reason}" + (f": {detail}" if detail else "")
                    )
            if attempt < settings.attempts:
                wait = min(wait, settings.max_wait)
                self.notify(f"{what}: {problem}; retrying in {wait:g} s (attempt {attempt + 1} of {settings.attempts})")
                self.sleep(wait)
        raise BDLUnreachable(f"BDL API: {what}: gave up after {settings.attempts} attempts; last: {problem}")

    def pages(self, path: str, params: dict, what: str) -> Iterator[dict]:
        """Every page of a paged resource, following `links.next` until it is absent."""
        page = 0
        while True:
            body = self.get(path, {**params, "page": page, "page-size": PAGE_SIZE}, f"{what}, page {page}")
            yield body
            following = (body.get("links") or {}).get("next")
            if not following:
                return
            pages = parse_qs(urlparse(following).query).get("page")
            if not pages or not pages[0].isdigit() or int(pages[0]) <= page:
                raise BDLError(
                    f"BDL API: {what}, page {page}: links.next does not point to a later page: {following!r}"
                )
            page = int(pages[0])

    # The resources a diagnosis needs.

    def units(self, level: int = GMINA_LEVEL) -> list[dict]:
        return [
            unit
            for body in self.pages("units", {"level": level}, f"units of level {level}")
            for unit in body.get("results", [])
        ]

    def attributes(self) -> list[dict]:
        return [a for body in self.pages("attributes", {}, "attributes") for a in body.get("results", [])]

    def variable(self, variable_id: int) -> dict:
        return self.get(f"variables/{variable_id}", {}, f"variable {variable_id} (metadata)")

    def data_by_variable(self, variable_id: int, years: list[int], parent_id: str | None = None) -> Iterator[dict]:
        params: dict = {"unit-level": GMINA_LEVEL, "year": list(years)}
        if parent_id:
            params["unit-parent-id"] = parent_id
        return self.pages(f"data/by-variable/{variable_id}", params, f"variable {variable_id}")
