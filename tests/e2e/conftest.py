"""The emulated fleet for the end-to-end tests: started once per test session, reset before each test.

Every test that takes ``hosts`` runs once per connection: ``winrm`` (ansible-core's winrm plugin and pywinrm, the
cmd shell) and, where the emulated hosts run the real PowerShell engine, ``psrp`` (ansible-core's psrp plugin and
pypsrp, PowerShell remoting). Over psrp, the hosts that register ``PowerShell.7`` (fleet.yml) are reached through
that session configuration, the others through ``Microsoft.PowerShell``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import CONNECTIONS, ConnectedFleet, powershell_7_hosts, remoting_available, running_fleet

FLEET_CONFIG = Path(__file__).parent / 'fleet.yml'
ACCOUNTS = {'ntlm': {'transport': 'ntlm'}, 'basic': {'transport': 'basic'},
            'helpdesk': {'transport': 'ntlm', 'user': 'helpdesk', 'password': 'Helpdesk1!'},
            'wrong-password': {'transport': 'ntlm', 'password': 'not-the-password'}}


def pytest_generate_tests(metafunc):
    if 'connection' in metafunc.fixturenames:
        metafunc.parametrize('connection', CONNECTIONS if remoting_available() else ['winrm'], scope='session')


@pytest.fixture(scope='session')
def fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('fleet')
    inventories = dict(ACCOUNTS)
    for name, options in ACCOUNTS.items():
        inventories['psrp-' + name] = dict(options, connection='psrp', configuration=powershell_7_hosts(FLEET_CONFIG))
    with running_fleet(FLEET_CONFIG, workdir, inventories) as running:
        yield running


@pytest.fixture
def hosts(fleet, connection):
    """Reset every host to its start state; give the inventories of ``connection`` and the fleet to the test."""
    fleet.reset()
    return ConnectedFleet(fleet, connection)
