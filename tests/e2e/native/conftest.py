"""The emulated hosts of the native-path tests: started once per test session, reset before each test.

A test that takes ``native_over`` runs once per connection (``connection``, tests/e2e/conftest.py): over psrp the
payload's output reaches the controller as strings PowerShell read in the session, not as console bytes, which is
where the tools' encodings could be undone twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import ConnectedFleet, powershell_7_hosts, remoting_available, running_fleet

FLEET_CONFIG = Path(__file__).parent / 'fleet_native.yml'


@pytest.fixture(scope='session')
def native_fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('native-fleet')
    inventories = {'ntlm': {'transport': 'ntlm'}}
    if remoting_available():
        inventories['psrp-ntlm'] = {'transport': 'ntlm', 'connection': 'psrp', 'configuration': powershell_7_hosts(FLEET_CONFIG)}
    with running_fleet(FLEET_CONFIG, workdir, inventories) as running:
        yield running


@pytest.fixture
def native(native_fleet):
    native_fleet.reset()
    return native_fleet


@pytest.fixture
def native_over(native_fleet, connection):
    """The native hosts, reset, as ``connection`` reaches them."""
    native_fleet.reset()
    return ConnectedFleet(native_fleet, connection)
