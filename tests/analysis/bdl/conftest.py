"""A fake BDL on loopback per test, and a client pointed at it with no waiting between retries."""

from __future__ import annotations

import pytest

from analysis.bdl.client import BDLClient, Settings
from tests.bdl_fake import FakeBDL, serve


@pytest.fixture
def fake_bdl():
    fake = FakeBDL()
    server, api_url = serve(fake)
    fake.api_url = api_url
    yield fake
    server.clear()
    server.stop()


CLIENT_TIMEOUT = 3.0  # seconds


@pytest.fixture
def waits():
    """The sleeps a client asked for, recorded instead of slept."""
    return []


@pytest.fixture
def make_client(fake_bdl, tmp_path, waits):
    def make(refresh: bool = False, **overrides) -> BDLClient:
        # A loopback answer takes milliseconds, but over a second when the suite's other workers hold the cores
        # (an answer slower than the timeout is a timeout, and a test then counts one request too many).
        settings = Settings(base_url=fake_bdl.api_url, **{"timeout": CLIENT_TIMEOUT, "attempts": 4, **overrides})
        return BDLClient(settings, tmp_path / "cache", refresh=refresh, sleep=waits.append)

    return make
