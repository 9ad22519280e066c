"""The second hop end to end: ``server`` reaches another Session Host only from a logon that delegated.

Windows' answer to a hop without credentials is Access is denied (Win32 error 5): the server sees an anonymous
caller (Microsoft, "Making the second hop in PowerShell Remoting"; jborean93/pypsrp#30, #57; dataplat/dbatools#10616
for the same token failing over WinRM). The model is tests/emulator/windows/delegation.py. Each test logs off erin's
session on rdsh-far through the managed host and checks the far server's own table afterwards.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import inventory, one_task, run_playbook, run_task, sessions_of

LOGOFF = 'win_rds_logoff'
ERIN_ON_FAR = {'server': 'rdsh-far', 'username': 'erin'}


def assert_hop_refused(fleet, host, run, entry):
    assert entry['status'] == 'failed', run.stdout[-3000:]
    message = entry['result']['msg']
    assert 'Access is denied on rdsh-far (Win32 error 5)' in message
    assert 'second hop' in message and 'NTLM, Basic and Kerberos without delegation delegate none' in message
    assert 'CredSSP' in message and 'ansible_winrm_kerberos_delegation' in message
    assert 2 in sessions_of(fleet, host, server='rdsh-far')  # erin is still there


def assert_hop_made(fleet, host, run, entry):
    assert entry['status'] == 'changed', run.stdout[-3000:]
    assert entry['result']['server'] == 'rdsh-far'
    far = sessions_of(fleet, host, server='rdsh-far')
    assert 2 not in far and 3 in far  # erin logged off on the far server, frank untouched
    assert 2 in sessions_of(fleet, host)  # the managed host's own bob is not touched


# -- without Kerberos ---------------------------------------------------------------------------------------------

def test_ntlm_cannot_make_the_second_hop(credssp_hosts):
    run, entry = run_task(credssp_hosts, 'rdsh-c', LOGOFF, ERIN_ON_FAR, inventory_name='ntlm')
    assert_hop_refused(credssp_hosts, 'rdsh-c', run, entry)
    assert {e['auth'] for e in credssp_hosts.state('rdsh-c')['commands']} == {'ntlm'}


@pytest.mark.parametrize('host', ['rdsh-c', 'rdsh-cs'], ids=['http-encrypted', 'https'])
def test_credssp_makes_the_second_hop(credssp_hosts, host):
    run, entry = run_task(credssp_hosts, host, LOGOFF, ERIN_ON_FAR, inventory_name='credssp')
    assert_hop_made(credssp_hosts, host, run, entry)


def test_basic_hops_only_where_its_logon_keeps_the_password(credssp_hosts):
    # rdsh-c makes Network logons for Basic (the default), rdsh-cb NetworkCleartext ones (basic_logon).
    run = run_playbook(credssp_hosts.workdir / 'runs-basic', inventory(credssp_hosts, 'basic'),
                       one_task(LOGOFF, ERIN_ON_FAR), limit='rdsh-c,rdsh-cb')
    assert_hop_refused(credssp_hosts, 'rdsh-c', run, run.result('act', 'rdsh-c'))
    assert_hop_made(credssp_hosts, 'rdsh-cb', run, run.result('act', 'rdsh-cb'))


# -- Kerberos -------------------------------------------------------------------------------------------------------

def test_kerberos_with_a_forwarded_ticket_makes_the_second_hop(kerberos_hosts, ticket):
    env, listing = ticket(forwardable=True)
    assert 'Flags: FI' in listing  # the TGT kinit -f got is forwardable
    run, entry = run_task(kerberos_hosts, 'rdsh-kd', LOGOFF, ERIN_ON_FAR, inventory_name='ticket-delegate', env=env)
    assert_hop_made(kerberos_hosts, 'rdsh-kd', run, entry)
    assert {(e['auth'], e['can_delegate']) for e in kerberos_hosts.state('rdsh-kd')['commands']} == {
        ('kerberos', True)}


def test_ansible_kinit_forwards_the_ticket_when_delegation_is_on(kerberos_hosts, realm):
    # ansible adds -f to its own kinit when ansible_winrm_kerberos_delegation is true (winrm.py, kinit_args).
    run, entry = run_task(kerberos_hosts, 'rdsh-kd', LOGOFF, ERIN_ON_FAR, inventory_name='password-delegate',
                          env=realm.client_env())
    assert_hop_made(kerberos_hosts, 'rdsh-kd', run, entry)


@pytest.mark.parametrize('inventory_name, forwardable', [('ticket', True), ('ticket-delegate', False)],
                         ids=['delegation-off', 'ticket-not-forwardable'])
def test_plain_kerberos_cannot_make_the_second_hop(kerberos_hosts, ticket, inventory_name, forwardable):
    env, _listing = ticket(forwardable=forwardable)
    run, entry = run_task(kerberos_hosts, 'rdsh-kd', LOGOFF, ERIN_ON_FAR, inventory_name=inventory_name, env=env)
    assert_hop_refused(kerberos_hosts, 'rdsh-kd', run, entry)
    assert {(e['auth'], e['can_delegate']) for e in kerberos_hosts.state('rdsh-kd')['commands']} == {
        ('kerberos', False)}


def test_a_forwarded_ticket_needs_a_host_trusted_for_delegation(kerberos_hosts, ticket):
    env, _listing = ticket(forwardable=True)
    run, entry = run_task(kerberos_hosts, 'rdsh-ku', LOGOFF, ERIN_ON_FAR, inventory_name='ticket-delegate', env=env)
    assert_hop_refused(kerberos_hosts, 'rdsh-ku', run, entry)
    # The TGT did arrive; Windows does not use it on a host that is not trusted for delegation.
    assert {(e['auth'], e['can_delegate']) for e in kerberos_hosts.state('rdsh-ku')['commands']} == {
        ('kerberos', True)}
