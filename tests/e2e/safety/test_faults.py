"""The fault matrix: real ansible-playbook and pywinrm against an emulated host that fails under the task.

Every test states the fault, runs ``win_rds_logoff`` through it, and checks the three promises: no session outside
the match is touched, every matched session has an honest outcome, and the message says what happened and what
to do. docs/reliability.md lists the matrix with its results.

A logoff task with something to do sends these WS-Man operations, numbered as the emulator's wire faults count
them (tests/emulator/ARCHITECTURE.md, "Requests per command"; NTLM's handshake legs are not operations):
1 Create; 2 Command, 3 Send, 4 Receive, 5 Signal for the snapshot; 6 Command, 7 Send, 8 Receive, 9 Signal for
the action; 10 Delete.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.e2e.harness import by_id, run_task
from tests.e2e.safety.checks import (
    assert_outcomes, assert_untouched_outside, commands, identities, touched)

HOST = 'rdsh-safe'
BOB = {'username': 'bob'}  # matches session 4 only
SNAPSHOT_RECEIVE, ACTION_COMMAND, ACTION_SEND, ACTION_RECEIVE, ACTION_SIGNAL = 4, 6, 7, 8, 9
UNKNOWN_WORDS = ('outcome for each session is unknown', 'Run the task again')


def wait_for(condition, what, timeout=60.0):
    """Poll the emulator's state until ``condition()`` holds (the emulator has no push notifications)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.02)


def run_with_fault_after_snapshot(fleet, args, fault, method='wts'):
    """Run a logoff whose action (not its snapshot) meets ``fault``.

    Every command waits a second before it runs; once the host has recorded the snapshot, the fault is set and the
    wait removed, so it lands on the action, which is still waiting.
    """
    fleet.faults(HOST, {'command_delay_seconds': 1})
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(
        zip(('run', 'entry'), run_task(fleet, HOST, 'win_rds_logoff', dict(args, method=method)))))
    worker.start()
    wait_for(lambda: len(commands(fleet, HOST)) >= 1, 'the snapshot')
    fleet.faults(HOST, dict(fault, command_delay_seconds=None))
    worker.join(120)
    return outcome['run'], outcome['entry']


# -- the connection fails ---------------------------------------------------------------------------------------


@pytest.mark.parametrize('fault', ['drop_connection_after_requests', 'http_500_on_requests'])
def test_connection_lost_during_the_snapshot_changes_nothing(safe, fault):
    before = identities(safe, HOST)
    safe.faults(HOST, {fault: SNAPSHOT_RECEIVE if fault.startswith('drop') else [SNAPSHOT_RECEIVE]})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB)
    assert entry['status'] == 'unreachable', run.stdout[-2000:]
    assert 'payload failed on the way' in entry['result']['msg']
    assert touched(safe, HOST) == [] and identities(safe, HOST) == before


def test_connection_lost_during_the_snapshot_says_nothing_changed(safe):
    safe.faults(HOST, {'drop_connection_after_requests': SNAPSHOT_RECEIVE})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB)
    assert 'nothing was changed' in entry['result']['msg'].lower()
    assert 'run the task again' in entry['result']['msg'].lower()
    assert entry['result']['msg'].count('payload failed on the way') == 1, entry['result']['msg']


@pytest.mark.parametrize('operation', [ACTION_COMMAND, ACTION_SEND], ids=['after-snapshot', 'action-upload'])
def test_connection_dropped_before_the_action_runs_is_unknown_and_nothing_changes(safe, operation):
    before = identities(safe, HOST)
    safe.faults(HOST, {'drop_connection_after_requests': operation})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB)
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert_outcomes(entry, {4: 'unknown'})
    assert all(words in entry['result']['msg'] for words in UNKNOWN_WORDS)
    assert touched(safe, HOST) == [] and identities(safe, HOST) == before
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB)  # what the message says to do
    assert entry['status'] == 'changed' and by_id(entry)[4]['outcome'] == 'logged_off'
    assert_untouched_outside(safe, HOST, before, allowed=[4])


def test_connection_dropped_while_the_action_runs_is_unknown_then_a_rerun_finds_nothing(safe):
    before = identities(safe, HOST)
    safe.faults(HOST, {'drop_connection_after_requests': ACTION_RECEIVE, 'command_delay_seconds': 0.5})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB)
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert_outcomes(entry, {4: 'unknown'})
    assert all(words in entry['result']['msg'] for words in UNKNOWN_WORDS)
    wait_for(lambda: touched(safe, HOST) == [4], 'the logoff the host carried out without a listener')
    assert_untouched_outside(safe, HOST, before, allowed=[4])
    safe.faults(HOST, {'command_delay_seconds': None})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB)
    assert entry['status'] == 'ok' and entry['result']['sessions'] == []


@pytest.mark.parametrize('fault', ['drop_connection_after_requests', 'http_500_on_requests'])
def test_connection_lost_while_the_result_comes_back_is_unknown(safe, fault):
    before = identities(safe, HOST)
    operation = ACTION_SIGNAL if fault.startswith('drop') else ACTION_RECEIVE
    safe.faults(HOST, {fault: operation if fault.startswith('drop') else [operation]})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB)
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert_outcomes(entry, {4: 'unknown'})
    assert all(words in entry['result']['msg'] for words in UNKNOWN_WORDS)
    # The command may have finished before the client gave up, or been ended with its shell while it ran
    # (a real PowerShell takes its time): either way the outcome is unknown and nothing else was touched.
    assert touched(safe, HOST) in ([], [4])
    assert_untouched_outside(safe, HOST, before, allowed=[4])


def test_slow_commands_are_polled_until_they_finish(safe):
    before = identities(safe, HOST)
    safe.faults(HOST, {'command_delay_seconds': 2.5})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB, inventory_name='short-poll')
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert_outcomes(entry, {4: 'logged_off'})
    state = safe.state(HOST)
    assert state['requests']['by_action']['Receive'] > 2  # the 1 s OperationTimeout made the client poll
    assert state['requests']['faults_served'] >= 2
    assert_untouched_outside(safe, HOST, before, allowed=[4])


# -- the host changes under the task ----------------------------------------------------------------------------


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_a_session_that_vanishes_before_the_action_is_already_gone(safe, method):
    before = identities(safe, HOST)
    safe.faults(HOST, {'vanish': {'after_commands': 1, 'ids': [4]}})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', dict(BOB, method=method))
    assert entry['status'] == 'ok', run.stdout[-2000:]
    assert_outcomes(entry, {4: 'already_gone'})
    assert touched(safe, HOST) == []
    assert_untouched_outside(safe, HOST, before, allowed=[4])


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_an_id_reused_by_another_user_is_left_alone(safe, method):
    before = identities(safe, HOST)
    safe.faults(HOST, {'replace': {'after_commands': 1, 'id': 4, 'user': 'mallory', 'domain': 'CONTOSO'}})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', dict(BOB, method=method))
    assert_outcomes(entry, {4: 'skipped'})
    assert 'another logon' in by_id(entry)[4]['reason']
    assert touched(safe, HOST) == []
    assert identities(safe, HOST)[4][0] == 'mallory'
    assert_untouched_outside(safe, HOST, before, allowed=[4])


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_a_logoff_that_hangs_past_the_timeout_fails_for_that_session(safe, method):
    before = identities(safe, HOST)
    safe.faults(HOST, {'logoff_hangs': [4]})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', dict(BOB, method=method, timeout=5))
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert_outcomes(entry, {4: 'failed'})
    assert 'still there after 5s' in by_id(entry)[4]['reason']
    assert 'session 4' in entry['result']['msg']
    assert entry['result']['changed'] is True, 'the logoff was requested, so the host changed'
    assert 4 in identities(safe, HOST)
    assert_untouched_outside(safe, HOST, before, allowed=[4])


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_access_denied_on_some_sessions_only(safe, method):
    before = identities(safe, HOST)
    safe.faults(HOST, {'access_denied_ids': [4, 6]})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', {'state': 'disconnected', 'method': method})
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert_outcomes(entry, {4: 'failed', 6: 'failed', 7: 'logged_off'})
    assert all('Full Control' in by_id(entry)[ident]['reason'] for ident in (4, 6))
    assert 'failed for 2 of 3 sessions' in entry['result']['msg']
    assert touched(safe, HOST) == [7]
    assert_untouched_outside(safe, HOST, before, allowed=[7])


# -- the host cannot be used ------------------------------------------------------------------------------------


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_an_unreachable_server_fails_after_one_read_and_says_how_to_fix_it(safe, method):
    before = identities(safe, HOST)
    run, entry = run_task(safe, HOST, 'win_rds_logoff', {'server': 'rdsh-down', 'username': '*', 'method': method})
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert 'RPC server is unavailable' in entry['result']['msg'] and 'AllowRemoteRPC' in entry['result']['msg']
    assert len(commands(safe, HOST)) == 1
    assert touched(safe, HOST) == [] and identities(safe, HOST) == before


def test_wrong_credentials_are_unreachable_before_any_command(safe):
    run, entry = run_task(safe, HOST, 'win_rds_logoff', BOB, inventory_name='wrong-password')
    assert entry['status'] == 'unreachable'
    assert 'credentials were rejected' in entry['result']['msg']
    assert commands(safe, HOST) == [] and touched(safe, HOST) == []
    assert safe.state(HOST)['requests']['auth_failures'] >= 1


# -- the answer is damaged --------------------------------------------------------------------------------------


@pytest.mark.parametrize('fault, method, words', [
    ({'stdout_truncate_bytes': 200}, 'wts', 'not whole JSON'),
    ({'stdout_truncate_bytes': 200}, 'logoff_exe', 'cut before query-session finished'),
    ({'stdout_garbage': True}, 'wts', 'not whole JSON'),
    ({'stdout_garbage': True}, 'logoff_exe', "native payload's answer"),
], ids=['truncated-wts', 'truncated-native', 'garbage-wts', 'garbage-native'])
def test_a_damaged_snapshot_fails_before_anything_is_done(safe, fault, method, words):
    before = identities(safe, HOST)
    safe.faults(HOST, fault)
    run, entry = run_task(safe, HOST, 'win_rds_logoff', dict(BOB, method=method))
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert words in entry['result']['msg']
    assert len(commands(safe, HOST)) == 1
    assert touched(safe, HOST) == [] and identities(safe, HOST) == before


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_a_damaged_snapshot_says_nothing_was_changed(safe, method):
    safe.faults(HOST, {'stdout_truncate_bytes': 200})
    run, entry = run_task(safe, HOST, 'win_rds_logoff', dict(BOB, method=method))
    assert 'may have been changed' not in entry['result']['msg']
    assert 'nothing was changed' in entry['result']['msg'].lower()


def test_a_truncated_action_answer_wts_fails_and_says_to_run_again(safe):
    before = identities(safe, HOST)
    run, entry = run_with_fault_after_snapshot(safe, BOB, {'stdout_truncate_bytes': 40})
    assert entry['status'] == 'failed', run.stdout[-2000:]
    assert 'cut short' in entry['result']['msg'] and 'run the task again' in entry['result']['msg']
    assert touched(safe, HOST) == [4]
    assert_untouched_outside(safe, HOST, before, allowed=[4])


@pytest.mark.parametrize('method, cut', [('wts', 40), ('logoff_exe', 60)])
def test_an_unreadable_action_answer_reports_each_target_unknown(safe, method, cut):
    run, entry = run_with_fault_after_snapshot(safe, BOB, {'stdout_truncate_bytes': cut}, method=method)
    assert_outcomes(entry, {4: 'unknown'})


@pytest.mark.parametrize('fault', [{'stdout_truncate_bytes': 200}, {'stdout_garbage': True}],
                         ids=['truncated', 'garbage'])
def test_a_damaged_action_answer_native_is_unknown_per_session(safe, fault):
    before = identities(safe, HOST)
    run, entry = run_with_fault_after_snapshot(safe, {'state': 'disconnected'}, fault, method='logoff_exe')
    assert entry['status'] == 'failed', run.stdout[-2000:]
    sessions = by_id(entry)
    assert set(sessions) == {4, 6, 7}, 'a state never selects session 0 (services)'
    for ident in (4, 6, 7):
        assert sessions[ident]['outcome'] in ('unknown', 'logged_off'), sessions[ident]
    unknown = [ident for ident in (4, 6, 7) if sessions[ident]['outcome'] == 'unknown']
    assert unknown and all(('cut before' in sessions[ident]['reason'] or 'did not report' in sessions[ident]['reason'])
                           for ident in unknown)
    reported = [ident for ident in (4, 6, 7) if sessions[ident]['outcome'] == 'logged_off']
    assert set(reported) <= set(touched(safe, HOST))  # "logged_off" only where it happened
    assert_untouched_outside(safe, HOST, before, allowed=[4, 6, 7])


def test_a_damaged_action_answer_native_says_unknown_and_what_to_do(safe):
    run, entry = run_with_fault_after_snapshot(safe, {'state': 'disconnected'}, {'stdout_truncate_bytes': 200},
                                               method='logoff_exe')
    assert 'failed for' not in entry['result']['msg']
    assert 'unknown' in entry['result']['msg'] and 'run the task again' in entry['result']['msg'].lower()
