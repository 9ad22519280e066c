"""The emulated hosts of the authentication tests: a CredSSP fleet, and a Kerberos fleet with its own realm.

Both are started once per test process and reset before each test. The Kerberos fleet needs a machine with the
KDC tools and the compiled Kerberos libraries (``realm.missing_prerequisites``); without them its tests are skipped,
and one note line says so in the summary of ``make test`` (through the file named by ``TEST_STEP_NOTES``, which
tests/tooling/run_steps.sh prints under the step). The line does not start with ``skipped:``: the step still
passes, as everything else in it ran.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
import yaml

from tests.e2e.harness import running_fleet
from tests.emulator.realm import Realm, missing_prerequisites

HERE = Path(__file__).parent
CREDSSP_FLEET = HERE / 'fleet_credssp.yml'
KERBEROS_FLEET = HERE / 'fleet_kerberos.yml'
ADMIN, ADMIN_PASSWORD = 'administrator', 'Passw0rd!'
KERBEROS_PACKAGES = 'krb5-kdc krb5-admin-server krb5-user libkrb5-dev'


def note_once(text):
    """Append ``text`` to the step's notes unless a test process (or the other environment) already did."""
    path = os.environ.get('TEST_STEP_NOTES')
    if not path:
        return
    with open(path, 'a+', encoding='utf-8') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        if text not in handle.read().splitlines():
            handle.write(text + '\n')


@pytest.fixture(scope='session')
def credssp_fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('credssp-fleet')
    inventories = {'credssp': {'transport': 'credssp'}, 'ntlm': {'transport': 'ntlm'},
                   'basic': {'transport': 'basic'},
                   'credssp-wrong-password': {'transport': 'credssp', 'password': 'not-the-password'}}
    with running_fleet(CREDSSP_FLEET, workdir, inventories) as running:
        yield running


@pytest.fixture
def credssp_hosts(credssp_fleet):
    credssp_fleet.reset()
    return credssp_fleet


@pytest.fixture(scope='session')
def realm():
    missing = missing_prerequisites()
    if missing:
        note_once('note: the Kerberos tests were skipped: this machine lacks %s; install %s (bindep.txt, profile '
                  'test) and run make test again' % (', '.join(missing), KERBEROS_PACKAGES))
        pytest.skip('Kerberos needs %s' % ', '.join(missing))
    with Realm() as running:
        running.add_fleet(yaml.safe_load(KERBEROS_FLEET.read_text(encoding='utf-8')))
        yield running


@pytest.fixture(scope='session')
def kerberos_fleet(realm, tmp_path_factory):
    workdir = tmp_path_factory.mktemp('kerberos-fleet')
    principal = realm.principal(ADMIN)
    delegate = {'ansible_winrm_kerberos_delegation': True}
    # ansible runs its own kinit with a blank environment but for the variables named here (winrm.py,
    # kinit_env_vars): the realm's krb5.conf must reach it.
    managed = {'ansible_winrm_kinit_env_vars': ['KRB5_CONFIG']}
    inventories = {
        'ticket': {'transport': 'kerberos', 'user': principal, 'password': ''},
        'ticket-delegate': {'transport': 'kerberos', 'user': principal, 'password': '', 'extra_vars': delegate},
        'ticket-for-rdsh-ku': {'transport': 'kerberos', 'user': principal, 'password': '',
                               'extra_vars': {'ansible_winrm_kerberos_hostname_override': 'rdsh-ku'}},
        'password': {'transport': 'kerberos', 'user': principal, 'extra_vars': managed},
        'password-delegate': {'transport': 'kerberos', 'user': principal, 'extra_vars': {**managed, **delegate}},
    }
    with running_fleet(KERBEROS_FLEET, workdir, inventories, env=realm.server_env()) as running:
        yield running


@pytest.fixture
def kerberos_hosts(kerberos_fleet):
    kerberos_fleet.reset()
    return kerberos_fleet


@pytest.fixture
def ticket(realm, tmp_path):
    """``ticket(forwardable)``: a TGT of the administrator from the real kinit, and the environment that uses it."""
    def get(forwardable=False, user=ADMIN, password=ADMIN_PASSWORD):
        ccache = tmp_path / ('ccache-%s-%s' % (user, 'forwardable' if forwardable else 'plain'))
        listing = realm.kinit(user, password, ccache, forwardable=forwardable)
        return realm.client_env(ccache), listing
    return get
