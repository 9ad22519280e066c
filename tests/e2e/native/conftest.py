"""The emulated hosts of the native-path tests: started once per test session, reset before each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.harness import running_fleet

FLEET_CONFIG = Path(__file__).parent / 'fleet_native.yml'


@pytest.fixture(scope='session')
def native_fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('native-fleet')
    with running_fleet(FLEET_CONFIG, workdir, {'ntlm': {'transport': 'ntlm'}}) as running:
        yield running


@pytest.fixture
def native(native_fleet):
    native_fleet.reset()
    return native_fleet
