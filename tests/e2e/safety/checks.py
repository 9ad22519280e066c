"""What every safety test asserts about a host after a task: who was touched, what the host was sent."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import bootstrap_command

CORPUS_FILE = Path(__file__).parent / 'hostile_strings.yml'
"""Strings a shell, PowerShell, a parser or the wire would read as something other than data (its comments say)."""

ACTION_EVENTS = ('logoff', 'disconnect')
"""Journal events the collection causes; ``vanished`` and ``replaced`` are the faults' own doing."""


class _CorpusLoader(yaml.SafeLoader):
    """Reads the corpus file: ``!unsafe`` marks a plain string for Ansible; here it is just the string."""


_CorpusLoader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def load_corpus():
    """The hostile strings: the listed ones, then the repeated ones."""
    document = yaml.load(CORPUS_FILE.read_text(encoding='utf-8'), Loader=_CorpusLoader)
    return list(document['corpus']) + [entry['text'] * entry['times'] for entry in document['repeated']]


def identities(fleet, host):
    """The host's table as ``{id: (user, domain, logon time, state)}``: what a wrong action would change."""
    return dict((session['id'], (session['user'], session['domain'], session['logon_time'], session['state']))
                for session in fleet.state(host)['sessions'])


def touched(fleet, host):
    """IDs of the sessions the collection logged off or disconnected, in order."""
    return [event['session_id'] for event in fleet.state(host)['events'] if event['event'] in ACTION_EVENTS]


def assert_untouched_outside(fleet, host, before, allowed):
    """No session outside ``allowed`` was acted on, and each of them is still there exactly as it was."""
    assert set(touched(fleet, host)) <= set(allowed), fleet.state(host)['events']
    after = identities(fleet, host)
    for ident, identity in before.items():
        if ident not in allowed:
            assert after.get(ident) == identity, 'session %d changed: %r -> %r' % (ident, identity, after.get(ident))


def assert_outcomes(entry, expected):
    """Every matched session has the expected outcome, and a reason whenever it is not simply done."""
    sessions = dict((item['id'], item) for item in entry['result'].get('sessions') or [])
    assert dict((ident, sessions.get(ident, {}).get('outcome')) for ident in expected) == expected, sessions
    for ident, outcome in expected.items():
        if outcome not in ('logged_off', 'disconnected', 'sent', 'would_log_off'):
            assert sessions[ident]['reason'], sessions[ident]


def commands(fleet, host):
    return fleet.state(host)['commands']


def assert_only_the_bootstrap(records):
    """Every command line is the fixed bootstrap; stdin line 1 is JSON; return those JSON documents."""
    expected = bootstrap_command()
    documents = []
    for record in records:
        assert record['command_line'] == expected, record['command_line'][:300]
        first_line = record['stdin'].split('\n', 1)[0]
        assert all(ord(char) < 128 for char in first_line)
        documents.append(json.loads(first_line))
    return documents
