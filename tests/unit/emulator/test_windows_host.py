"""The Host: configuration, accounts, state and reset, host-side faults, the clock, concurrency."""

from __future__ import annotations

import threading

import pytest

from tests.emulator.windows import ConfigError, load_config
from tests.emulator.windows.faults import GARBAGE
from tests.emulator.windows.testing import SAMPLE_HOST, run_raw, run_wts, sample_host


def ids(host) -> set[int]:
    return {s['id'] for s in host.state()['sessions'] if s['user']}


# -- configuration and accounts -------------------------------------------------------------------------------

def test_load_config_from_yaml_file(tmp_path):
    path = tmp_path / 'hosts.yml'
    path.write_text('hosts:\n  - name: rdsh09\n    port: 5985\n    scheme: https\n    auth: [basic]\n'
                    '    users: [{name: administrator, password: "p", admin: true}]\n', encoding='utf-8')
    (spec,) = load_config(path)
    assert (spec.host.name, spec.port, spec.scheme, spec.auth) == ('rdsh09', 5985, 'https', ['basic'])
    assert [s['id'] for s in spec.host.state()['sessions']] == [0, 65536]  # services and the listener


@pytest.mark.parametrize('change, message', [
    ({'locale': 'xx-XX'}, 'locale'), ({'language_mode': 'Full'}, 'language_mode'), ({'scheme': 'ftp'}, 'scheme'),
    ({'sessions': [{'id': 2, 'state': 'sleeping'}]}, 'unknown state'), ({'unknowns': {'nope': 1}}, 'unknowns'),
    ({'sessions': [{'id': 2}, {'id': 2}]}, 'twice'), ({'users': [{'name': 'x'}]}, 'password'),
])
def test_invalid_configuration_is_refused_with_the_key(change, message):
    with pytest.raises((ConfigError, ValueError), match=message):
        sample_host(**change)


def test_accounts_match_case_insensitively_with_domain_forms():
    host = sample_host()
    assert host.account('RDSH01\\Administrator').name == 'administrator'
    assert host.account('HelpDesk@contoso.com').admin is False
    assert host.account('nobody') is None
    assert host.authenticate_basic('ADMINISTRATOR', 'Passw0rd!').admin is True
    assert host.authenticate_basic('administrator', 'passw0rd!') is None
    assert [a.name for a in host.accounts()] == ['administrator', 'helpdesk', 'alice']


# -- state and reset ------------------------------------------------------------------------------------------

def test_state_document_keys_and_values():
    host = sample_host()
    state = host.state()
    assert {'name', 'locale', 'language_mode', 'sessions', 'servers', 'messages', 'commands', 'events'} <= set(state)
    alice = next(s for s in state['sessions'] if s['id'] == 3)
    assert alice == {'id': 3, 'name': 'rdp-tcp#5', 'user': 'alice', 'domain': 'CONTOSO', 'state': 'active',
                     'idle_minutes': 12, 'logon_time': '2026-11-20T08:15:00', 'disconnect_time': None,
                     'client': 'PC042'}
    assert state['servers'][0]['name'] == 'rdsh02' and state['servers'][0]['sessions'][1]['user'] == 'carol'


def test_reset_restores_sessions_clock_faults_and_journals():
    host = sample_host()
    run_raw(host, 'logoff 3; msg 4 hi')
    host.set_faults({'access_denied_ids': [4]})
    host.clock.advance(600)
    host.reset()
    state = host.state()
    assert ids(host) == {1, 3, 4}
    assert (state['messages'], state['commands'], state['events']) == ([], [], [])
    assert state['clock'] == '2026-11-22T10:00:00' and state['faults']['access_denied_ids'] == []


def test_idle_time_grows_with_host_time():
    host = sample_host()
    host.clock.advance(3 * 60)
    assert next(s for s in host.state()['sessions'] if s['id'] == 3)['idle_minutes'] == 15


# -- host-side faults -----------------------------------------------------------------------------------------

def test_vanish_after_commands():
    host = sample_host()
    host.set_faults({'vanish': {'after_commands': 2, 'ids': [3, 4]}})
    run_raw(host, 'quser')
    assert ids(host) == {1, 3, 4}
    run_raw(host, 'quser')
    assert ids(host) == {1}
    assert [e['event'] for e in host.state()['events']] == ['vanished', 'vanished']


def test_vanish_now_and_protocol_keys_are_ignored():
    host = sample_host()
    host.set_faults({'vanish': {'after_commands': 0, 'ids': [4]}, 'http_500_on_requests': [3],
                     'command_delay_seconds': 1, 'drop_connection_after_requests': 2})
    assert ids(host) == {1, 3}


def test_replace_gives_the_id_to_another_logon():
    host = sample_host()
    host.set_faults({'replace': {'after_commands': 1, 'id': 3, 'user': 'mallory', 'domain': 'CONTOSO'}})
    run_raw(host, 'hostname')
    session = next(s for s in host.state()['sessions'] if s['id'] == 3)
    assert (session['user'], session['logon_time']) == ('mallory', '2026-11-22T10:00:00')
    answer = run_wts(host, {'op': 'logoff', 'server': None, 'wait': False, 'timeout_seconds': 5, 'notice': None,
                            'targets': [{'id': 3, 'user': 'alice', 'domain': 'CONTOSO',
                                         'logon_time': '2026-11-20T08:15:00Z'}]})
    assert answer['results'][0]['outcome'] == 'identity_changed'


def test_access_denied_ids_apply_to_admins_too():
    host = sample_host()
    host.set_faults({'access_denied_ids': [3]})
    assert run_raw(host, 'logoff 3').stderr.decode().splitlines()[-1] == 'Error [5]:Access is denied.'
    assert run_raw(host, 'tsdiscon 3').rc == 1 and run_raw(host, 'msg 3 hi').rc == 1
    host.set_faults({'access_denied_ids': None})
    assert run_raw(host, 'logoff 3').rc == 0


def test_logoff_hangs_accepts_but_keeps_the_session():
    host = sample_host()
    host.set_faults({'logoff_hangs': [3]})
    assert run_raw(host, 'logoff 3').rc == 0
    assert 3 in ids(host)


def test_stdout_truncation_and_garbage():
    host = sample_host()
    full = run_raw(host, 'qwinsta').stdout
    host.set_faults({'stdout_truncate_bytes': 10})
    assert run_raw(host, 'qwinsta').stdout == full[:10]
    host.set_faults({'stdout_truncate_bytes': None, 'stdout_garbage': True})
    damaged = run_raw(host, 'qwinsta').stdout
    assert damaged == full[:len(full) // 2] + GARBAGE
    with pytest.raises(UnicodeDecodeError):
        damaged.decode('utf-8')


# -- clock and concurrency ------------------------------------------------------------------------------------

def test_time_scale_zero_never_waits_but_host_time_moves():
    host = sample_host(time_scale=0)
    finished = threading.Event()

    def wait_a_minute():
        run_raw(host, 'msg 3 /time:60 /w hi')
        finished.set()

    worker = threading.Thread(target=wait_a_minute)
    worker.start()
    assert finished.wait(5)
    worker.join()
    assert host.state()['clock'] == '2026-11-22T10:01:00'


def test_concurrent_commands_keep_the_table_consistent():
    sessions = [{'id': i, 'name': f'rdp-tcp#{i}', 'user': f'user{i}', 'domain': 'D'} for i in range(2, 40)]
    host = sample_host(sessions=sessions)
    threads = [threading.Thread(target=run_raw, args=(host, f'logoff {i}')) for i in range(2, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ids(host) == set()
    assert sorted(c['rc'] for c in host.state()['commands']) == [0] * 38
    assert len(SAMPLE_HOST['sessions']) == 3  # the template was not mutated


def test_an_emulator_bug_answers_rc_1_and_is_recorded(monkeypatch):
    host = sample_host()
    monkeypatch.setattr(host.engine, '_run_script', lambda *args: 1 / 0)
    result = run_raw(host, 'quser')
    assert result.rc == 1 and b'ZeroDivisionError' in result.stderr
    assert host.state()['commands'][-1]['internal_error'].startswith('ZeroDivisionError')
