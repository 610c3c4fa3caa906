"""Checking a catalogue variable against BDL's description of its id (`analysis.bdl.variables`)."""

from __future__ import annotations

import pytest

from analysis.bdl.client import BDLClient, BDLUnreachable, Settings
from analysis.bdl.variables import check_variable
from analysis.catalogue import variables
from tests.analysis.bdl.conftest import CLIENT_TIMEOUT
from tests.bdl_fake import unreachable_api_url

POPULATION = variables()["population"]


def test_an_id_bdl_does_not_know_makes_the_entry_wrong(fake_bdl, make_client):
    # The fake knows no variable at all: its answer to /variables/{id} is HTTP 404, which says the id is wrong.
    check = check_variable(make_client(), POPULATION)
    assert not check.ok
    assert check.problems[0].startswith("not found: ") and "HTTP 404" in check.problems[0]


def test_an_api_out_of_reach_says_nothing_of_the_entry_and_is_raised(tmp_path):
    # Before, a machine without the network waited a minute per variable, then printed all 28 as "not found".
    settings = Settings(base_url=unreachable_api_url(), timeout=CLIENT_TIMEOUT, attempts=1)
    with pytest.raises(BDLUnreachable, match="Connection refused"):
        check_variable(BDLClient(settings, tmp_path / "cache"), POPULATION)
