"""The emulated fleet for the end-to-end tests: started once per test session, reset before each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import running_fleet

FLEET_CONFIG = Path(__file__).parent / 'fleet.yml'


@pytest.fixture(scope='session')
def fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('fleet')
    inventories = {'ntlm': {'transport': 'ntlm'}, 'basic': {'transport': 'basic'},
                   'helpdesk': {'transport': 'ntlm', 'user': 'helpdesk', 'password': 'Helpdesk1!'},
                   'wrong-password': {'transport': 'ntlm', 'password': 'not-the-password'}}
    with running_fleet(FLEET_CONFIG, workdir, inventories) as running:
        yield running


@pytest.fixture
def hosts(fleet):
    """Reset every host to its start state; give the inventories and the fleet to the test."""
    fleet.reset()
    return fleet
