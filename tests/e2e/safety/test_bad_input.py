"""Bad input: invalid option values and combinations fail with a clear message before any command is sent.

All cases run as the tasks of one playbook (``ignore_errors``) against one emulated host; afterwards every task
must have failed with its expected message, and the host must have seen no command and no WinRM operation.
"""

from __future__ import annotations

import json

from tests.e2e.harness import inventory, run_playbook
from tests.e2e.safety.checks import commands, identities

HOST = 'rdsh-safe'

# (module, arguments, words the message must contain). Arguments are YAML, so Jinja builds the long values.
CASES = [
    ('win_rds_logoff', {}, 'no session is selected'),
    ('win_rds_disconnect', {}, 'no session is selected'),
    ('win_rds_message', {'message': 'hello'}, 'no session is selected'),
    ('win_rds_logoff', {'session_id': []}, 'no session is selected'),
    ('win_rds_message', {'username': 'bob'}, 'missing required arguments: message'),
    ('win_rds_logoff', {'session': '4', 'session_id': [4]}, 'mutually exclusive: session|session_id'),
    ('win_rds_logoff', {'session': '4', 'session_name': ['rdp*']}, 'mutually exclusive: session|session_name'),
    ('win_rds_logoff', {'session': 'rdp-tcp#*'}, "session: 'rdp-tcp#*' has a wildcard"),
    ('win_rds_logoff', {'session': '  '}, 'session: an empty value names no session'),
    ('win_rds_logoff', {'session_id': ['four']}, 'session_id'),
    ('win_rds_logoff', {'session_id': [-1]}, 'session_id: -1 is not a valid session ID'),
    ('win_rds_logoff', {'session_id': [4294967296]}, 'session_id: 4294967296 is not a valid session ID'),
    ('win_rds_logoff', {'session_name': ['']}, 'session_name: an empty value selects nothing'),
    ('win_rds_logoff', {'session_name': [None]}, 'session_name'),
    ('win_rds_logoff', {'username': ''}, 'username'),
    ('win_rds_logoff', {'username': 'CONTOSO\\ops\\bob'}, 'has more than one backslash'),
    ('win_rds_logoff', {'username': 'bob@'}, "username: 'bob@' has an empty domain part"),
    ('win_rds_logoff', {'username': 'CONTOSO\\'}, 'username: an empty value selects nothing'),
    ('win_rds_logoff', {'username': "{{ 'b' * 300 }}"}, 'longer than any Windows name'),
    ('win_rds_logoff', {'state': ['sleeping']}, 'value of state must be one or more of'),
    ('win_rds_logoff', {'idle_time': '2 hours'}, "idle_time: '2 hours' is not a duration"),
    ('win_rds_logoff', {'idle_time': '1h2d'}, "idle_time: '1h2d' is not a duration"),
    ('win_rds_logoff', {'idle_time': -5}, 'idle_time: a duration cannot be negative'),
    ('win_rds_logoff', {'idle_time': True}, 'idle_time: True is not a duration'),
    ('win_rds_logoff', {'username': 'bob', 'method': 'psexec'}, 'value of method must be one of'),
    ('win_rds_logoff', {'username': 'bob', 'server': 'rdsh far'}, "server: 'rdsh far' is not a host name"),
    ('win_rds_logoff', {'username': 'bob', 'server': '\\\\rdsh-far'}, 'is not a host name'),
    ('win_rds_logoff', {'username': 'bob', 'server': '/server:rdsh-far'}, 'is not a host name'),
    ('win_rds_logoff', {'username': 'bob', 'grace_period': 60}, 'grace_period gives users time'),
    ('win_rds_logoff', {'username': 'bob', 'message': 'bye', 'grace_period': -1},
     'grace_period: a duration cannot be negative'),
    ('win_rds_logoff', {'username': 'bob', 'message': 'bye', 'grace_period': '5 min'},
     "grace_period: '5 min' is not a duration"),
    ('win_rds_logoff', {'username': 'bob', 'timeout': 0}, 'timeout: 0 leaves no time to wait'),
    ('win_rds_logoff', {'username': 'bob', 'timeout': '0m'}, 'timeout: 0 leaves no time to wait'),
    ('win_rds_logoff', {'username': 'bob', 'timeout': -5}, 'timeout: a duration cannot be negative'),
    ('win_rds_logoff', {'username': 'bob', 'timeout': 'soon'}, "timeout: 'soon' is not a duration"),
    ('win_rds_logoff', {'username': 'bob', 'max_sessions': -1}, 'max_sessions: -1 is negative'),
    ('win_rds_logoff', {'username': 'bob', 'wait': 'perhaps'}, 'wait'),
    ('win_rds_logoff', {'username': 'bob', 'message': 'bye\u0000now'}, 'message: a NUL character'),
    ('win_rds_logoff', {'username': 'bob', 'message': 'bye', 'message_title': "{{ 'T' * 5000 }}"},
     'message_title: 5000 characters is too long'),
    ('win_rds_message', {'username': 'bob', 'message': '   '}, 'message: an empty message cannot be sent'),
    ('win_rds_message', {'username': 'bob', 'message': 'hello', 'timeout': 0}, 'timeout: 0 would keep the message'),
    ('win_rds_message', {'username': 'bob', 'message': 'hello', 'timeout': '0s'}, 'timeout: 0 would keep the message'),
    ('win_rds_message', {'username': 'bob', 'message': "{{ 'x' * 4097 }}"}, 'message: 4097 characters is too long'),
    # A typo names the module the task wrote, as ansible-core does for modules, not the plugin's Python path.
    ('win_rds_logoff', {'sesion': '4'}, 'Unsupported parameters for (winrds.sessions.win_rds_logoff) module: sesion'),
    ('win_rds_logoff', {'usernme': 'bob'}, 'usernme (did you mean username?)'),
    ('win_rds_session_info', {'message': 'hello'},
     'Unsupported parameters for (winrds.sessions.win_rds_session_info) module: message'),
    ('win_rds_disconnect', {'username': 'bob', 'wait': True},
     'Unsupported parameters for (winrds.sessions.win_rds_disconnect) module: wait'),
]


def playbook():
    tasks = [{'name': 'bad-%02d' % index, 'winrds.sessions.%s' % module: args, 'ignore_errors': True}
             for index, (module, args, _unused) in enumerate(CASES)]
    return json.dumps([{'hosts': HOST, 'gather_facts': False, 'tasks': tasks}], indent=1)


def test_bad_input_fails_clearly_before_any_command(safe, tmp_path):
    before = identities(safe, HOST)
    run = run_playbook(tmp_path, inventory(safe), playbook())
    problems = []
    for index, (module, args, words) in enumerate(CASES):
        entry = run.result('bad-%02d' % index, HOST)
        message = entry['result'].get('msg', '')
        if entry['status'] != 'failed' or words not in message or message.startswith('Unexpected failure'):
            problems.append('%s %r: %s %r' % (module, args, entry['status'], message))
    assert problems == [], '\n'.join(problems)
    state = safe.state(HOST)
    assert commands(safe, HOST) == []
    assert state['requests']['by_action'].get('Command', 0) == 0
    assert identities(safe, HOST) == before
    print('%d invalid inputs refused before any command' % len(CASES))
