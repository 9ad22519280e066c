"""win_rds_logoff end to end: real ansible-playbook and pywinrm against the emulated hosts, asserting on the
hosts' own state. The Windows behaviour each test relies on is cited in the emulator (tests/emulator/windows)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import by_id, commands_of, is_bootstrap_command, run_task, sessions_of


@pytest.mark.parametrize('transport', ['ntlm', 'basic'])
def test_logoff_by_id_over_both_transports(hosts, transport):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'session': '4'}, inventory_name=transport)
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert by_id(entry)[4]['outcome'] == 'logged_off'
    assert 4 not in sessions_of(hosts, 'rdsh-en')
    assert len(sessions_of(hosts, 'rdsh-en')) == 9  # services, listener and the seven others are untouched


def test_logoff_over_https_with_channel_binding(hosts):
    run, entry = run_task(hosts, 'rdsh-tls', 'win_rds_logoff', {'state': 'disconnected'})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert 2 not in sessions_of(hosts, 'rdsh-tls') and 3 in sessions_of(hosts, 'rdsh-tls')


def test_logoff_by_name_then_second_run_is_ok(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'session': 'RDP-Tcp#5'})
    assert entry['status'] == 'changed' and list(by_id(entry)) == [3]
    assert 3 not in sessions_of(hosts, 'rdsh-en') and 7 in sessions_of(hosts, 'rdsh-en')
    before = len(commands_of(hosts, 'rdsh-en'))
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'session': 'RDP-Tcp#5'})
    assert entry['status'] == 'ok' and entry['result']['sessions'] == []
    assert len(commands_of(hosts, 'rdsh-en')) == before + 1  # nothing to do costs one command


def test_every_command_line_is_the_fixed_bootstrap(hosts):
    run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': 'alice', 'message': '"; logoff 1 & echo $(x) %PATH%'})
    commands = commands_of(hosts, 'rdsh-en')
    assert len(commands) == 2
    assert all(is_bootstrap_command(command) for command in commands)
    assert len(set(command.get('command_line') or command['script'] for command in commands)) == 1
    assert 1 in sessions_of(hosts, 'rdsh-en')


@pytest.mark.winrm_only('matching runs on the controller; both methods bring domains back over psrp in '
                        'test_a_domain_qualified_user_is_the_same_task_on_both_kinds_of_host')
@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_username_wildcards_and_domains(hosts, method):
    args = {'username': ['CONTOSO\\al*'] if method == 'wts' else ['al*'], 'method': method}
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', args)
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert entry['result']['method'] == method
    assert sorted(by_id(entry)) == [3, 7]
    remaining = sessions_of(hosts, 'rdsh-en')
    assert 3 not in remaining and 7 not in remaining and 4 in remaining


@pytest.mark.winrm_only('matching runs on the controller')
def test_domain_mismatch_matches_nothing(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': 'FABRIKAM\\alice'})
    assert entry['status'] == 'ok' and entry['result']['sessions'] == []
    assert 3 in sessions_of(hosts, 'rdsh-en')


@pytest.mark.winrm_only('the filters run on the controller; states and idle times come back over psrp in '
                        'test_every_language')
@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_state_and_idle_filters(hosts, method):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff',
                          {'state': 'disconnected', 'idle_time': '1h', 'method': method})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert sorted(by_id(entry)) == [4, 7]  # dave (30 minutes) stays
    remaining = sessions_of(hosts, 'rdsh-en')
    assert 6 in remaining and 4 not in remaining and 7 not in remaining


@pytest.mark.winrm_only('check mode stops on the controller after the snapshot')
def test_check_mode_changes_nothing(hosts):
    before = sessions_of(hosts, 'rdsh-en')
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': '*'}, check=True, diff=True)
    assert entry['status'] == 'changed'
    outcomes = dict((sid, item['outcome']) for sid, item in by_id(entry).items())
    assert outcomes[1] == 'skipped' and set(outcomes.values()) == {'skipped', 'would_log_off'}
    assert sessions_of(hosts, 'rdsh-en') == before
    assert len(commands_of(hosts, 'rdsh-en')) == 1
    assert 'alice' in entry['result']['diff']['before']


def test_a_grace_period_is_shown_at_v_before_the_host_waits(hosts):
    # ansible's winrm connection returns a command's output only when it ends: the controller says what the host
    # will wait for before it sends the command, at the verbosity where Ansible shows each task's result.
    args = {'username': 'bob', 'message': 'Maintenance', 'grace_period': 2}
    shown = '<rdsh-en> winrds: the host shows the warning to 1 session, waits the grace period of 2s'
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', args, env={'ANSIBLE_VERBOSITY': '1'})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert shown in run.stdout, run.stdout[-2000:]
    assert run.stdout.index(shown) < run.stdout.index('changed: [rdsh-en]')
    hosts.reset('rdsh-en')
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', args)
    assert entry['status'] == 'changed' and 'winrds:' not in run.stdout, 'the default output stays one line a host'


@pytest.mark.winrm_only('the diff is written on the controller')
def test_the_diff_names_the_inventory_host(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': 'bob'}, check=True, diff=True)
    assert entry['result']['diff']['before_header'] == 'sessions matched (rdsh-en)', run.stdout[-2000:]
    assert '--- before: sessions matched (rdsh-en)' in run.stdout


def test_console_by_name_is_an_error_and_listeners_are_never_touched(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'session': 'console'})
    assert entry['status'] == 'failed' and 'console' in entry['result']['msg']
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'session_id': [65536]})
    assert entry['status'] == 'failed' and 'listener' in entry['result']['msg']
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'session_id': [0]})
    assert entry['status'] == 'failed' and 'services' in entry['result']['msg']
    table = sessions_of(hosts, 'rdsh-en')
    assert {0, 1, 65536} <= set(table)
    assert len(commands_of(hosts, 'rdsh-en')) == 3  # one read each, no action


@pytest.mark.winrm_only('the limit is checked on the controller after the snapshot')
def test_max_sessions_stops_before_anything_changes(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': '*', 'max_sessions': 3})
    assert entry['status'] == 'failed' and 'max_sessions=3' in entry['result']['msg']
    assert len(sessions_of(hosts, 'rdsh-en')) == 10
    assert len(commands_of(hosts, 'rdsh-en')) == 1


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_message_and_grace_period(hosts, method):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff',
                          {'username': 'carol smith', 'message': 'Grüße – bitte speichern', 'message_title': 'Wartung',
                           'grace_period': 4, 'method': method})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    messages = hosts.state('rdsh-en')['messages']
    assert [message['session_id'] for message in messages] == [5]
    if method == 'wts':
        assert messages[0]['title'] == 'Wartung' and messages[0]['text'] == 'Grüße – bitte speichern'
    else:
        # msg.exe reads the text from stdin, written by PowerShell in the console's code page (65001, as ansible
        # opens the shell); the title goes first, on a line of its own.
        assert messages[0]['text'] == 'Wartung\r\nGrüße – bitte speichern'
    assert 5 not in sessions_of(hosts, 'rdsh-en')


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_access_denied_for_a_non_administrator(hosts, method):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': 'bob', 'method': method},
                          inventory_name='helpdesk')
    assert entry['status'] == 'failed'
    text = entry['result']['msg'] + str(entry['result'].get('sessions'))
    assert 'Full Control' in text
    assert 4 in sessions_of(hosts, 'rdsh-en')


def test_wrong_password_is_unreachable(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': 'bob'}, inventory_name='wrong-password')
    assert entry['status'] == 'unreachable'
    assert commands_of(hosts, 'rdsh-en') == []


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_id_reused_by_another_user_is_left_alone(hosts, method):
    hosts.faults('rdsh-en', {'replace': {'after_commands': 1, 'id': 4, 'user': 'mallory', 'domain': 'CONTOSO'}})
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': 'bob', 'method': method})
    assert by_id(entry)[4]['outcome'] == 'skipped', run.stdout[-2000:]
    assert 'another logon' in by_id(entry)[4]['reason']
    assert sessions_of(hosts, 'rdsh-en')[4]['user'] == 'mallory'


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_session_gone_before_the_action_is_already_gone(hosts, method):
    hosts.faults('rdsh-en', {'vanish': {'after_commands': 1, 'ids': [4]}})
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'username': 'bob', 'method': method})
    assert entry['status'] == 'ok', run.stdout[-2000:]
    assert by_id(entry)[4]['outcome'] == 'already_gone'


def test_constrained_language_host_falls_back(hosts):
    run, entry = run_task(hosts, 'rdsh-clm', 'win_rds_logoff', {'username': 'bob'})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert entry['result']['method'] == 'logoff_exe'
    assert 'ConstrainedLanguage' in entry['result']['fallback_reason']
    assert 2 not in sessions_of(hosts, 'rdsh-clm')
    run, entry = run_task(hosts, 'rdsh-clm', 'win_rds_logoff', {'username': 'alice', 'method': 'wts'})
    assert entry['status'] == 'failed' and 'Constrained' in entry['result']['msg']
    assert 3 in sessions_of(hosts, 'rdsh-clm')


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_server_reaches_another_host(hosts, method):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'server': 'rdsh-far', 'state': 'disconnected',
                                                               'method': method})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert entry['result']['server'] == 'rdsh-far'
    assert 2 not in sessions_of(hosts, 'rdsh-en', server='rdsh-far')
    assert 3 in sessions_of(hosts, 'rdsh-en', server='rdsh-far')
    assert 4 in sessions_of(hosts, 'rdsh-en')  # the managed host's own bob is untouched


def test_server_double_hop_and_unreachable(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'server': 'rdsh-hop', 'username': 'erin'})
    assert entry['status'] == 'failed' and 'second hop' in entry['result']['msg']
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_logoff', {'server': 'rdsh-down', 'username': 'erin'})
    assert entry['status'] == 'failed' and 'AllowRemoteRPC' in entry['result']['msg']
    assert 2 in sessions_of(hosts, 'rdsh-en', server='rdsh-hop')


LANGUAGES = ['de', 'fr', 'es', 'it', 'ru', 'zh', 'ja']
NAMES = {'de': 'jürgen', 'fr': 'françois', 'es': 'josé', 'it': 'niccolò', 'ru': 'иван', 'zh': '张伟', 'ja': '田中'}


@pytest.mark.psrp_one_language_per_code_pages
@pytest.mark.parametrize('method', ['logoff_exe', 'wts'])
@pytest.mark.parametrize('language', LANGUAGES)
def test_every_language(hosts, language, method):
    host = 'rdsh-%s' % language
    run, entry = run_task(hosts, host, 'win_rds_logoff',
                          {'state': 'disconnected', 'idle_time': '1h', 'method': method})
    assert entry['status'] == 'changed', run.stdout[-3000:]
    sessions = by_id(entry)
    assert list(sessions) == [3]
    assert sessions[3]['username'] == NAMES[language]
    remaining = sessions_of(hosts, host)
    assert 3 not in remaining and {1, 2, 4} <= set(remaining)
    run, entry = run_task(hosts, host, 'win_rds_logoff', {'username': NAMES[language], 'method': method})
    assert entry['status'] == 'ok' and entry['result']['sessions'] == []
