"""Check mode plans what the real run does: the real task flow (``SessionTask``) run twice on the same snapshot.

The connection is the scripted fake of the unit tests. In check mode the host must see one command (the
snapshot) and the result lists ``would_*`` outcomes; in the real run the action command must carry exactly those
sessions as targets, each with the identity the snapshot showed, and the result must report every one of them
done, with the same skipped sessions and reasons as in check mode.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.winrds.sessions.plugins.module_utils.options import argument_spec
from ansible_collections.winrds.sessions.plugins.module_utils.planner import OPERATIONS, PlanError
from ansible_collections.winrds.sessions.plugins.plugin_utils._runner import SessionTask
from tests.unit.fakes import FakeConnection
from tests.unit.property import cases
from tests.unit.property.strategies import selector_options, sessions_tables, wts_document

MODULES = {'logoff': 'logoff', 'disconnect': 'disconnect', 'message': 'message'}


@st.composite
def tasks(draw):
    table = draw(sessions_tables())
    return table, draw(selector_options(table, require=True))


def _params(operation, options):
    params = dict((name, spec.get('default')) for name, spec in argument_spec(operation).items())
    params.update(options)
    if operation == 'message':
        params['message'] = 'The host restarts at 18:00.'
    return params


def _snapshot_answer(table):
    return 0, json.dumps(wts_document(table)).encode('ascii'), b''


def _act_answer(sent):
    """The wts payload's answer to an action: every target done (``sent`` collects the targets it got)."""
    def answer(command, stdin):
        data = json.loads(stdin.split(b'\n', 1)[0])
        sent.extend(data['targets'])
        document = {'payload': 'wts', 'version': 2, 'computer': 'RDSH01', 'server': None,
                    'language_mode': 'FullLanguage', 'console_session_id': None, 'error': None,
                    'results': [{'id': target['id'], 'outcome': 'done', 'code': 0, 'message': '',
                                 'response': 32001} for target in data['targets']]}
        return 0, json.dumps(document).encode('ascii'), b''
    return answer


def _run(operation, table, options, check_mode, answers):
    connection = FakeConnection(answers)
    try:
        return SessionTask(operation, connection, _params(operation, options), check_mode=check_mode).run(), \
            connection
    except PlanError as error:
        return str(error), connection


@pytest.mark.parametrize('operation', sorted(MODULES))
@cases.budget(200)
@given(case=tasks())
def test_check_mode_plans_what_the_real_run_does(operation, case):
    cases.count('check mode plans what the real run does (%s)' % operation)
    table, options = case
    checked, check_connection = _run(operation, table, options, True, [_snapshot_answer(table)])
    sent = []
    real, real_connection = _run(operation, table, options, False, [_snapshot_answer(table), _act_answer(sent)])
    assert len(check_connection.calls) == 1
    if isinstance(checked, str):
        assert real == checked and len(real_connection.calls) == 1
        return
    operation_words = OPERATIONS[operation]
    would = [entry['id'] for entry in checked['sessions'] if entry['outcome'] == operation_words.would]
    assert [target['id'] for target in sent] == would
    assert len(real_connection.calls) == (2 if would else 1)
    done = [entry['id'] for entry in real['sessions'] if entry['outcome'] == operation_words.done]
    assert done == would
    left = [(entry['id'], entry['outcome'], entry['reason']) for entry in checked['sessions']
            if entry['outcome'] != operation_words.would]
    assert left == [(entry['id'], entry['outcome'], entry['reason']) for entry in real['sessions']
                    if entry['outcome'] != operation_words.done]
    assert checked['changed'] == real['changed'] == bool(would)
    assert checked['matched'] == real['matched']
    snapshot = dict((session.id, session) for session in table)
    for target in sent:
        assert target['user'] == (snapshot[target['id']].username or '')
        assert target['domain'] == (snapshot[target['id']].domain or '')
        assert target['logon_time'] == (snapshot[target['id']].logon_time if snapshot[target['id']].username
                                        else None)
