"""The emulated fleet for the end-to-end tests: started once per test session, reset before each test.

Every test that takes ``hosts`` runs once per connection: ``winrm`` (ansible-core's winrm plugin and pywinrm, the
cmd shell) and, where the emulated hosts run the real PowerShell engine, ``psrp`` (ansible-core's psrp plugin and
pypsrp, PowerShell remoting). Over psrp, the hosts that register ``PowerShell.7`` (fleet.yml) are reached through
that session configuration, the others through ``Microsoft.PowerShell``.

psrp changes how a command reaches the host and how its output comes back; it changes nothing the controller does
with an answer once it has it. Two markers keep the psrp runs to what psrp can change (docs/testing.md):

- ``winrm_only(why)``: the test checks the controller's own work (matching, check mode, diff, limits) on answers
  that other tests already bring back over psrp; it runs over winrm only.
- ``psrp_one_language_per_code_pages``: the test takes ``language`` (the host ``rdsh-<language>``); over psrp it runs
  for the first language of each pair of OEM and ANSI code pages of those hosts' locales, since what psrp changes
  for a language is which code page the tools' output is read in.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import yaml

from tests.e2e.harness import CONNECTIONS, ConnectedFleet, powershell_7_hosts, remoting_available, running_fleet
from tests.emulator.windows import locales

FLEET_CONFIG = Path(__file__).parent / 'fleet.yml'
ACCOUNTS = {'ntlm': {'transport': 'ntlm'}, 'basic': {'transport': 'basic'},
            'helpdesk': {'transport': 'ntlm', 'user': 'helpdesk', 'password': 'Helpdesk1!'},
            'wrong-password': {'transport': 'ntlm', 'password': 'not-the-password'}}


def pytest_generate_tests(metafunc):
    if 'connection' in metafunc.fixturenames:
        connections = CONNECTIONS if remoting_available() else ['winrm']
        marker = metafunc.definition.get_closest_marker('winrm_only')
        if marker:
            assert marker.args and marker.args[0], '%s: winrm_only needs the reason' % metafunc.definition.nodeid
            connections = ['winrm']
        metafunc.parametrize('connection', connections, scope='session')


@functools.cache
def _fleet_locales():
    """``{host: locale tag}`` of fleet.yml (read once)."""
    with open(FLEET_CONFIG, encoding='utf-8') as handle:
        return dict((entry['name'], entry['locale']) for entry in yaml.safe_load(handle)['hosts'])


def code_pages(language):
    """The OEM and ANSI code pages of the locale of the host ``rdsh-<language>`` of fleet.yml."""
    locale = locales.load(_fleet_locales()['rdsh-%s' % language])
    return locale.oem_codepage, locale.ansi_codepage


def psrp_runs_left_out(items):
    """The psrp runs of ``psrp_one_language_per_code_pages`` tests whose code pages an earlier language has."""
    seen, left_out = set(), []
    for item in items:
        params = getattr(getattr(item, 'callspec', None), 'params', {})
        if params.get('connection') != 'psrp' or not item.get_closest_marker('psrp_one_language_per_code_pages'):
            continue
        others = tuple(sorted((name, repr(value)) for name, value in params.items() if name != 'language'))
        key = (item.module.__name__, item.originalname, others, code_pages(params['language']))
        if key in seen:
            left_out.append(item)
        seen.add(key)
    return left_out


def pytest_collection_modifyitems(config, items):
    left_out = psrp_runs_left_out(items)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        dropped = set(id(item) for item in left_out)
        items[:] = [item for item in items if id(item) not in dropped]


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
