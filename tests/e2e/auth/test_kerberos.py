"""Kerberos logons with the real clients against a real KDC: a ticket from kinit, and ansible's own kinit.

ansible-core's winrm plugin with ``ansible_winrm_transport: kerberos`` drives pywinrm's Kerberos auth (pykerberos,
GSS-API of MIT krb5); the emulated host accepts the AP-REQ with pyspnego's GSSAPI acceptor and its own
``HTTP/<name>`` key (tests/emulator/wsman/kerberos.py).
"""

from __future__ import annotations

from tests.e2e.harness import inventory, one_task, run_playbook, run_task

INFO = 'win_rds_session_info'
EVERYONE = {'username': '*'}


def _logons(fleet, host):
    return {(entry['account'], entry['auth'], entry['can_delegate']) for entry in fleet.state(host)['commands']}


def test_a_ticket_from_kinit_logs_on_over_http(kerberos_hosts, ticket):
    env, listing = ticket()
    assert 'krbtgt/WINRDS.TEST@WINRDS.TEST' in listing
    run, entry = run_task(kerberos_hosts, 'rdsh-kd', INFO, EVERYONE, inventory_name='ticket', env=env)
    assert entry['status'] == 'ok', run.stdout[-3000:]
    assert [(s['id'], s['username']) for s in entry['result']['sessions']] == [(1, 'Administrator'), (2, 'bob')]
    assert _logons(kerberos_hosts, 'rdsh-kd') == {('administrator', 'kerberos', False)}
    # Over http every body after the handshake went sealed with the Kerberos session key; an unsealed body on a
    # Kerberos connection would have been refused with 400 (service.py), so no request was refused.
    assert kerberos_hosts.state('rdsh-kd')['requests']['auth_failures'] == 0


def test_a_ticket_logs_on_over_https_with_channel_binding(kerberos_hosts, ticket):
    env, _listing = ticket()
    run, entry = run_task(kerberos_hosts, 'rdsh-ks', INFO, {}, inventory_name='ticket', env=env)
    assert entry['status'] == 'ok', run.stdout[-3000:]
    assert _logons(kerberos_hosts, 'rdsh-ks') == {('administrator', 'kerberos', False)}


def test_ansible_gets_the_ticket_itself_from_the_password(kerberos_hosts, realm):
    # No ticket cache of ours: ansible runs kinit with ansible_password into a private cache.
    run, entry = run_task(kerberos_hosts, 'rdsh-kd', INFO, {}, inventory_name='password', env=realm.client_env())
    assert entry['status'] == 'ok', run.stdout[-3000:]
    assert _logons(kerberos_hosts, 'rdsh-kd') == {('administrator', 'kerberos', False)}


def test_a_ticket_for_another_host_is_refused(kerberos_hosts, ticket):
    # The client asks the KDC for HTTP/rdsh-ku and sends that ticket to rdsh-kd, whose key cannot open it.
    env, _listing = ticket()
    run, entry = run_task(kerberos_hosts, 'rdsh-kd', INFO, {}, inventory_name='ticket-for-rdsh-ku', env=env)
    assert entry['status'] == 'unreachable', run.stdout[-3000:]
    assert 'rejected' in entry['result']['msg'] or '401' in entry['result']['msg']
    state = kerberos_hosts.state('rdsh-kd')
    assert state['commands'] == [] and state['requests']['auth_failures'] >= 1


def test_a_principal_without_an_account_is_refused(kerberos_hosts, realm, ticket):
    # The KDC vouches for mallory, but no account of the host is called so.
    realm.add_user('mallory', 'Mallory1!')
    env, _listing = ticket(user='mallory', password='Mallory1!')
    run = run_playbook(kerberos_hosts.workdir / 'runs-mallory', inventory(kerberos_hosts, 'ticket'),
                       one_task(INFO, {}), limit='rdsh-kd', extra_vars={'ansible_user': realm.principal('mallory')},
                       env=env)
    entry = run.result('act', 'rdsh-kd')
    assert entry['status'] == 'unreachable', run.stdout[-3000:]
    assert 'rejected' in entry['result']['msg'] or '401' in entry['result']['msg']
    assert kerberos_hosts.state('rdsh-kd')['commands'] == []
