"""The emulated hosts of the safety tests: started once per test session, reset before each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import running_fleet

FLEET_CONFIG = Path(__file__).parent / 'fleet_safety.yml'


@pytest.fixture(scope='session')
def safety_fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('safety-fleet')
    # pywinrm polls a running command again after each OperationTimeout: with 1 s, a command that takes longer
    # is answered over several Receive requests (short-poll; docs/sources.md, "One command on the wire").
    short_poll = {'ansible_winrm_operation_timeout_sec': 1, 'ansible_winrm_read_timeout_sec': 5}
    inventories = {'ntlm': {'transport': 'ntlm'}, 'basic': {'transport': 'basic'},
                   'wrong-password': {'transport': 'ntlm', 'password': 'not-the-password'},
                   'short-poll': {'transport': 'ntlm', 'extra_vars': short_poll}}
    with running_fleet(FLEET_CONFIG, workdir, inventories) as running:
        yield running


@pytest.fixture
def safe(safety_fleet):
    """Every safety host back to its start state: tables, journals, counters, no faults."""
    safety_fleet.reset()
    return safety_fleet
