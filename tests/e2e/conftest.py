"""The emulated fleet for the end-to-end tests: started once per test session, reset before each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulator.fleet import Fleet

FLEET_CONFIG = Path(__file__).parent / 'fleet.yml'


@pytest.fixture(scope='session')
def fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('fleet')
    with Fleet(FLEET_CONFIG, workdir) as running:
        running.inventory(workdir / 'ntlm.yml', transport='ntlm')
        running.inventory(workdir / 'basic.yml', transport='basic')
        running.inventory(workdir / 'helpdesk.yml', transport='ntlm', user='helpdesk', password='Helpdesk1!')
        running.inventory(workdir / 'wrong-password.yml', transport='ntlm', password='not-the-password')
        yield running


@pytest.fixture
def hosts(fleet):
    """Reset every host to its start state; give the inventories and the fleet to the test."""
    fleet.reset()
    return fleet
