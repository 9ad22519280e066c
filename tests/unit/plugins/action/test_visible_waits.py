"""A task whose command waits on the host (a grace period, a logoff's wait, a message's wait) says so on the
controller, at -v, before it sends that command: ansible's winrm connection returns a command's output only when
the command ends, so nothing the host writes meanwhile can reach the user."""

from __future__ import annotations

import pytest

from tests.unit.fakes import FakeConnection, RecordingDisplay, STANDARD_WTS_SESSIONS, wts_answer

DONE = [{'id': 3, 'outcome': 'done'}, {'id': 4, 'outcome': 'done'}]


def _shown(run_action, module, args, check_mode=False):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), wts_answer(results=DONE)])
    display = RecordingDisplay(connection)
    run_action(module, args, connection, check_mode=check_mode, inventory_hostname='rdsh-web01', display=display)
    return [entry for entry in display.shown if entry[0] == 'v'], connection


@pytest.mark.parametrize('module, args, words', [
    ('win_rds_logoff', {'username': ['alice', 'bob'], 'message': 'Bye', 'grace_period': 20},
     ['shows the warning to 2 sessions', 'waits the grace period of 20s', 'logs them off',
      'waits up to 2m for them to leave']),
    ('win_rds_logoff', {'username': 'alice', 'timeout': '5m'}, ['logs off 1 session', 'waits up to 5m for it to leave']),
    ('win_rds_logoff', {'username': 'alice', 'message': 'Bye', 'grace_period': '1m30s', 'wait': False},
     ['shows the warning to 1 session', 'waits the grace period of 1m30s', 'logs it off']),
    ('win_rds_disconnect', {'username': 'alice', 'message': 'Bye', 'grace_period': 45},
     ['shows the warning to 1 session', 'waits the grace period of 45s', 'disconnects it']),
    ('win_rds_message', {'username': ['alice', 'bob'], 'message': 'Hi', 'wait': True, 'timeout': 30},
     ['shows the message to 2 sessions', 'waits up to 30s for the users to close it']),
])
def test_a_wait_is_announced_at_v_before_the_command_that_waits(run_action, module, args, words):
    shown, connection = _shown(run_action, module, args)
    assert len(shown) == 1, shown
    _level, text, host, commands_before = shown[0]
    for part in words:
        assert part in text, (part, text)
    assert host == 'rdsh-web01'
    assert commands_before == 1 and len(connection.calls) == 2, 'shown after the read, before the command that waits'


@pytest.mark.parametrize('module, args, check_mode', [
    ('win_rds_logoff', {'username': 'alice', 'wait': False}, False),
    ('win_rds_message', {'username': 'alice', 'message': 'Hi'}, False),
    ('win_rds_disconnect', {'username': 'alice'}, False),
    ('win_rds_logoff', {'username': 'alice', 'message': 'Bye', 'grace_period': 20}, True),
    ('win_rds_logoff', {'username': 'nobody', 'message': 'Bye', 'grace_period': 20}, False),
])
def test_nothing_is_announced_when_nothing_waits(run_action, module, args, check_mode):
    shown, _connection = _shown(run_action, module, args, check_mode=check_mode)
    assert shown == []
