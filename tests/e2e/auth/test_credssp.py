"""CredSSP logons with the real clients: ansible-core's winrm plugin, pywinrm and requests-credssp.

The emulated host runs pyspnego's CredSSP acceptor (tests/emulator/wsman/credssp.py): TLS, NTLM inside it, the
public-key binding, then the delegated credentials, which must log on as the account NTLM proved.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import run_task

INFO = 'win_rds_session_info'
EVERYONE = {'username': '*'}


def _logons(fleet, host):
    return {(entry['account'], entry['auth'], entry['can_delegate']) for entry in fleet.state(host)['commands']}


@pytest.mark.parametrize('host', ['rdsh-c', 'rdsh-cs'], ids=['http-encrypted', 'https'])
def test_credssp_logs_on_and_delegates_the_password(credssp_hosts, host):
    run, entry = run_task(credssp_hosts, host, INFO, EVERYONE, inventory_name='credssp')
    assert entry['status'] == 'ok', run.stdout[-3000:]
    assert [(s['id'], s['username']) for s in entry['result']['sessions']] == [(1, 'Administrator'), (2, 'bob')]
    # The host received the password with the last CredSSP leg and logged the account on with it.
    assert _logons(credssp_hosts, host) == {('administrator', 'credssp', True)}
    assert credssp_hosts.state(host)['requests']['auth_failures'] == 0


def test_credssp_with_a_wrong_password_is_refused(credssp_hosts):
    run, entry = run_task(credssp_hosts, 'rdsh-c', INFO, {}, inventory_name='credssp-wrong-password')
    assert entry['status'] == 'unreachable', run.stdout[-3000:]
    state = credssp_hosts.state('rdsh-c')
    assert state['commands'] == [] and state['requests']['auth_failures'] >= 1
