"""The molecule scenarios, run by molecule itself: the emulated one, and the real-host one pointed at an
emulated host through its environment variables (which proves the scenario's playbooks, not Windows)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.e2e.harness import sessions_of

BIN = Path(sys.executable).parent


def molecule(scenario, home, extra_env=None):
    """``molecule test -s scenario`` with its own ANSIBLE_HOME and cache under ``home``.

    molecule (through ansible-compat) installs the collection into ANSIBLE_HOME and keeps each scenario's state
    in its cache folder; runs that share them (pytest-xdist runs these tests side by side, and two of them use
    real_host) remove each other's files.

    Ansible runs at verbosity 3, which logs where each task on the controller (``localhost``) makes its
    temporary folder (:func:`assert_temporary_files_stayed_in`).
    """
    if not (BIN / 'molecule').exists():
        pytest.fail('molecule is not installed next to %s: run the tests through make' % sys.executable)
    env = dict(os.environ, PATH='%s%s%s' % (BIN, os.pathsep, os.environ.get('PATH', '')), ANSIBLE_NOCOLOR='1',
               NO_COLOR='1', ANSIBLE_HOME=str(home / 'ansible'), XDG_CACHE_HOME=str(home / 'cache'),
               ANSIBLE_VERBOSITY='3')
    for name in list(env):
        if name.startswith('WINRDS_'):
            del env[name]
    env.update(extra_env or {})
    return subprocess.run([str(BIN / 'molecule'), 'test', '-s', scenario], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900, check=False)


def assert_temporary_files_stayed_in(home, output):
    """The temporary folders of the scenario's tasks on the controller are made inside ``home``. Ansible's default
    (``~/.ansible/tmp`` on the target, which for ``localhost`` is expanded as ``~user``) would put them in the
    account's home from the password database, whatever HOME says: outside the checkout."""
    folders = set(re.findall(r'mkdir -p "` echo (.+?) `"', output))
    assert folders, 'no task on the controller made a temporary folder (is verbosity 3 on?)'
    outside = [folder for folder in folders if not Path(folder).resolve().is_relative_to(home.resolve())]
    assert not outside, 'temporary folders outside %s: %s' % (home, outside)


def test_default_scenario_converges_idempotently(tmp_path, connection):
    run = molecule('default', tmp_path, {'WINRDS_MOLECULE_CONNECTION': connection})
    output = run.stdout.decode('utf-8', errors='replace')
    assert run.returncode == 0, output[-4000:]
    assert 'idempotence' in output and 'All assertions passed' in output
    assert_temporary_files_stayed_in(tmp_path, output)


def test_real_host_scenario_without_a_host_tests_nothing_and_says_so(tmp_path):
    run = molecule('real_host', tmp_path)
    output = run.stdout.decode('utf-8', errors='replace')
    assert run.returncode == 0, output[-4000:]
    assert 'tests nothing' in output
    assert_temporary_files_stayed_in(tmp_path, output)


def test_real_host_scenario_against_an_emulated_host(hosts, tmp_path):
    endpoint = hosts.endpoints['rdsh-en']
    run = molecule('real_host', tmp_path, {
        'WINRDS_HOST': endpoint['host'], 'WINRDS_PORT': str(endpoint['port']), 'WINRDS_SCHEME': 'http',
        'WINRDS_USER': 'administrator', 'WINRDS_PASSWORD': 'Passw0rd!', 'WINRDS_TEST_USER': 'alice',
        'WINRDS_CERT_VALIDATION': 'ignore', 'WINRDS_CONNECTION': hosts.connection,
        'WINRDS_PSRP_CONFIGURATION': 'PowerShell.7'})
    output = run.stdout.decode('utf-8', errors='replace')
    assert run.returncode == 0, output[-4000:]
    remaining = sessions_of(hosts, 'rdsh-en')
    assert 3 not in remaining and 7 not in remaining  # alice's two sessions
    assert 4 in remaining and 1 in remaining
    assert_temporary_files_stayed_in(tmp_path, output)
