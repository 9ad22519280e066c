"""Hostile input: every string of hostile_strings.yml in every string option of every module, end to end.

One playbook per module loops over the corpus once per string option (``ignore_errors``), against a host of its
own (on the real PowerShell engine, the options that travel to the host with a sample of the corpus: sweep_plan).
Afterwards, for each string and option:

- the task either refused the value with a message naming the option, before any command, or ran;
- the host received only the fixed bootstrap command line, and line 1 of every stdin is JSON (ASCII) which,
  where the option travels to the host (``server``, ``message``, ``message_title``), holds the string verbatim;
- selectors never travel: the JSON only ever holds the keys of the wire contract;
- nothing was acted on but the one session the notices and messages were aimed at, and no session changed.

``test_hostile_user_names_are_matched_literally`` gives a host users whose names are hostile strings and look-alikes
of them, and logs off exactly one by name, with both methods.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.model import Session
from ansible_collections.winrds.sessions.plugins.module_utils.options import argument_spec
from tests.e2e.harness import by_id, inventory, run_playbook, run_task
from tests.e2e.safety.checks import (
    assert_only_the_bootstrap, assert_untouched_outside, commands, identities, load_corpus, touched)
from tests.unit.property.oracle import glob_matches, user_matches

TARGET = 4
"""The session of the sweep hosts that notices and messages are aimed at."""
WIRE_KEYS = {'op', 'server', 'targets', 'notice', 'wait', 'timeout_seconds', 'title', 'text', 'wait_response'}
TRAVELLING = ('server', 'message', 'message_title')
MODULES = {'logoff': 'win_rds_logoff', 'disconnect': 'win_rds_disconnect', 'message': 'win_rds_message',
           'info': 'win_rds_session_info'}


CORPUS = load_corpus()


def _yaml_string(text):
    """``text`` as a YAML double-quoted scalar whose every non-printable character is escaped."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append('\\' + char)
        elif code < 0x20 or 0x7f <= code <= 0x9f or 0xd800 <= code <= 0xdfff or code in (0xfeff, 0xfffe, 0xffff):
            out.append('\\u%04x' % code)
        else:
            out.append(char)
    return '"%s"' % ''.join(out)


def write_corpus_vars(path, strings):
    """Strings as an Ansible vars file of ``!unsafe`` strings (loaded as data, never re-quoted by a shell)."""
    lines = ['corpus:'] + ['  - !unsafe %s' % _yaml_string(text) for text in strings]
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return path


def string_options(operation):
    """The options of a module that take text: str, list of str, and raw."""
    def takes_text(spec):
        return spec.get('type') in ('str', 'raw') or (spec.get('type') == 'list' and spec.get('elements') == 'str')
    return sorted(name for name, spec in argument_spec(operation).items() if takes_text(spec))


def task_args(operation, option):
    """The arguments of the task that puts the loop item in ``option``; the rest is valid and aimed at TARGET."""
    spec = argument_spec(operation)[option]
    value = ['{{ item }}'] if spec.get('type') == 'list' else '{{ item }}'  # a list: no splitting at commas
    if option in ('message', 'message_title') and operation != 'message':
        args = {'session_id': [TARGET], 'message': 'Please save your work.'}
        if operation == 'logoff':
            args['wait'] = False  # the logoff of TARGET hangs (a fault): do not wait for it
    elif operation == 'message':
        args = {'session_id': [TARGET], 'message': 'Please save your work.'}
        if option not in ('message', 'message_title', 'server', 'method'):
            args = {'message': 'Please save your work.'}
    elif option in ('server', 'method') and operation != 'info':
        args = {'username': 'nobody-by-this-name'}
    else:
        args = {}
    args[option] = value
    return args


def sweep_playbook(operation, host, vars_file, options):
    tasks = []
    for option in options:
        tasks.append({'name': option, 'winrds.sessions.%s' % MODULES[operation]: task_args(operation, option),
                      'loop': '{{ corpus }}', 'loop_control': {'label': '{{ index }}', 'index_var': 'index'},
                      'ignore_errors': True})
    return json.dumps([{'hosts': host, 'gather_facts': False, 'vars_files': [str(vars_file)], 'tasks': tasks}],
                      indent=1)


def test_the_corpus_is_large_and_names_no_session_of_the_sweep_hosts(safe):
    assert len(CORPUS) >= 50 and len(set(CORPUS)) == len(CORPUS)
    table = [Session(item['id'], item['name'], item['user'], item['domain'], item['state'])
             for item in safe.state('rdsh-sweep-logoff')['sessions']]
    for text in CORPUS:
        for session in table:
            assert not glob_matches(text, session.name), (text, session)
            assert not user_matches(text, session), (text, session)


def _failed(item):
    """Whether a loop item failed (ansible-core 2.21 reports it by ``exception`` alone in loop results)."""
    return bool(item.get('failed')) or 'exception' in item


def _item_results(run, host, option):
    return run.result(option, host)['result']['results']


def sweep_plan(fleet, host, operation):
    """The options and strings to sweep: all of them where the host's PowerShell is the contract engine.

    On the real engine every command starts a PowerShell (about a second), and the whole sweep would be thousands
    of them. There the sweep keeps the options whose strings travel to the host, where the engine can make a
    difference, and every twelfth string (quotes, expansion, operators, control characters, framing, Unicode); the selectors' strings never leave
    the controller, so the contract engine's run of them proves the same. tests/engine runs every string of the
    corpus through both payloads on the real engine.
    """
    options = string_options(operation)
    if fleet.state(host)['engine']['name'] != 'pwsh':
        return options, CORPUS
    return [option for option in options if option in TRAVELLING], CORPUS[::12]


@pytest.mark.parametrize('operation', sorted(MODULES))
def test_every_hostile_string_in_every_string_option(safe, operation, tmp_path):
    host = 'rdsh-sweep-%s' % operation
    options, strings = sweep_plan(safe, host, operation)
    if operation == 'logoff':
        safe.faults(host, {'logoff_hangs': [TARGET]})  # every item's notice reaches the same session
    if operation == 'disconnect':
        safe.faults(host, {'access_denied_ids': [TARGET]})  # the notice and the action reach it, and change nothing
    before = identities(safe, host)
    vars_file = write_corpus_vars(tmp_path / 'corpus.yml', strings)
    run = run_playbook(tmp_path / 'run', inventory(safe), sweep_playbook(operation, host, vars_file, options),
                       timeout=900)
    records = commands(safe, host)
    documents = assert_only_the_bootstrap(records)
    assert all(set(document) <= WIRE_KEYS for document in documents)

    cursor = 0
    accepted = dict((option, 0) for option in options)
    for option in options:
        items = _item_results(run, host, option)
        assert [item['item'] for item in items] == strings
        for text, item in zip(strings, items):
            assert not item.get('msg', '').startswith('Unexpected failure'), (option, text, item['msg'])
            sent = item.get('commands', 0)
            if _failed(item) and not sent:
                assert option in item['msg'] and 'Unsupported parameters' not in item['msg'], (option, text, item)
                continue
            accepted[option] += 1
            mine = documents[cursor:cursor + sent]
            cursor += sent
            assert mine and mine[0]['op'] == 'snapshot', (option, text, item)
            if option == 'server':
                assert all(document['server'] == text for document in mine)
            if option in ('message', 'message_title'):
                key = {'message': 'text', 'message_title': 'title'}[option]
                act = mine[-1]
                assert len(mine) == 2 and [target['id'] for target in act['targets']] == [TARGET]
                assert (act if operation == 'message' else act['notice'])[key] == text
            if option not in TRAVELLING:
                assert item['sessions'] == [], (option, text)
    assert cursor == len(documents), 'the host ran commands no item accounts for'

    assert_untouched_outside(safe, host, before, allowed=[TARGET])
    assert identities(safe, host) == before
    if operation in ('logoff', 'message'):
        texts = [message['text'] for message in safe.state(host)['messages']]
        for text, item in zip(strings, _item_results(run, host, 'message')):
            if item.get('commands') == 2:
                assert text in texts, text
    for option in ('username', 'session_name', 'message'):
        if option in accepted:
            assert accepted[option] >= len(strings) - 15 * len(strings) // len(CORPUS), (option, accepted)
    print('%s: %d strings x %d options, accepted per option %s, %d commands, all the bootstrap'
          % (operation, len(strings), len(accepted), accepted, len(records)))


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_hostile_user_names_are_matched_literally(safe, method):
    host = 'rdsh-literal'
    before = identities(safe, host)
    wanted = ["o'brien $(x)", 'a&b %P% ^!']
    run, entry = run_task(safe, host, 'win_rds_session_info', {'username': wanted, 'method': method})
    assert sorted(by_id(entry)) == [2, 10], run.stdout[-2000:]
    run, entry = run_task(safe, host, 'win_rds_logoff', {'username': wanted, 'method': method})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    outcomes = dict((ident, item['outcome']) for ident, item in by_id(entry).items())
    assert outcomes == {2: 'logged_off', 10: 'logged_off'}
    assert sorted(touched(safe, host)) == [2, 10]
    assert_untouched_outside(safe, host, before, allowed=[2, 10])
    left = identities(safe, host)
    assert sorted(left[ident][0] for ident in (3, 4, 5, 6, 7, 8, 9, 11)) == sorted(
        ["o'brien", "o'brien $(y)", 'o\u2019brien $(x)', "o''brien $(x)", "o'brien `$(x)", 'obrien x', 'x', 'a&b %P% ^'])
    assert_only_the_bootstrap(commands(safe, host))
