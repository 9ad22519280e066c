"""The second hop in the Windows model: which logons reach a server with /server:, and the keys that steer it."""

from __future__ import annotations

import pytest

from tests.emulator.windows import ConfigError
from tests.emulator.windows.delegation import can_make_second_hop
from tests.emulator.windows.host import ExecContext
from tests.emulator.windows.testing import powershell_command, run_wts, sample_host

DENIED = 'Error [5]:Access is denied.'


def hop(host, auth, can_delegate):
    """quser /server:rdsh02 from a shell of that logon: (rc, last stderr line)."""
    ctx = ExecContext(account=host.account('administrator'), auth=auth, scheme='http', can_delegate=can_delegate)
    result = host.execute(powershell_command('quser /server:rdsh02'), b'', ctx)
    lines = result.stderr.decode('cp437').splitlines()
    return result.rc, lines[-1] if lines else ''


@pytest.mark.parametrize('auth, can_delegate, trusted, basic_logon, expected', [
    ('ntlm', False, True, 'network_cleartext', False),  # nothing reusable, whatever the host
    ('ntlm', True, True, 'network_cleartext', False),  # NTLM never delegates, even if a layer said so
    ('credssp', True, False, 'network', True),  # the delegated password
    ('credssp', False, False, 'network', False),  # no credentials arrived
    ('kerberos', False, True, 'network', False),  # a plain ticket
    ('kerberos', True, True, 'network', True),  # a forwarded TGT on a trusted host
    ('kerberos', True, False, 'network', False),  # ... on a host not trusted for delegation
    ('basic', True, False, 'network', False),  # Network logon: no reusable credentials
    ('basic', True, False, 'network_cleartext', True),  # NetworkCleartext logon: reusable
])
def test_which_logons_can_hop(auth, can_delegate, trusted, basic_logon, expected):
    assert can_make_second_hop(auth, can_delegate, trusted_for_delegation=trusted, basic_logon=basic_logon) is expected
    host = sample_host(trusted_for_delegation=trusted, basic_logon=basic_logon)
    rc, last = hop(host, auth, can_delegate)
    assert (rc == 0) is expected
    assert (last == DENIED) is not expected


def test_the_wts_payload_and_the_journal_see_the_same_decision():
    host = sample_host(trusted_for_delegation=True)
    denied = run_wts(host, {'op': 'snapshot', 'server': 'rdsh02'}, auth='ntlm')
    assert denied['error']['code'] == 5  # ERROR_ACCESS_DENIED from the helper's WTSOpenServer call
    reached = run_wts(host, {'op': 'snapshot', 'server': 'rdsh02'}, auth='credssp')
    assert reached['error'] is None and [s['user'] for s in reached['sessions']] == [None, 'carol', None]
    assert [(c['auth'], c['can_delegate']) for c in host.state()['commands']] == [('ntlm', False), ('credssp', True)]


def test_a_server_that_lets_every_logon_in_and_the_old_name_of_the_default():
    host = sample_host(servers=[{'name': 'rdsh02', 'double_hop': 'ntlm_denied'},
                                {'name': 'rdsh04', 'double_hop': 'allowed'}])
    ctx = ExecContext(account=host.account('administrator'), auth='ntlm')
    assert host.resolve('rdsh02', ctx.auth, ctx.can_delegate)[1] == 5
    assert host.resolve('rdsh04', ctx.auth, ctx.can_delegate)[1] == 0
    assert host.resolve('localhost', ctx.auth, ctx.can_delegate)[1] == 0  # no hop at all


@pytest.mark.parametrize('changes, message', [
    ({'auth': ['ntlm', 'digest']}, 'auth must be'),
    ({'auth': []}, 'auth must be'),
    ({'basic_logon': 'interactive'}, 'basic_logon must be'),
    ({'servers': [{'name': 'rdsh02', 'double_hop': 'sometimes'}]}, 'double_hop must be'),
])
def test_configuration_refuses_unknown_values(changes, message):
    with pytest.raises(ConfigError, match=message):
        sample_host(**changes)
