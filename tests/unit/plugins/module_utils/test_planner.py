"""The planner: the match minus protected sessions, with reasons; errors before anything is touched."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.model import Session
from ansible_collections.winrds.sessions.plugins.module_utils.planner import OPERATIONS, PlanError, build_plan
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector

SERVICES = Session(0, 'services', None, None, 'disconnected')
CONSOLE = Session(1, 'console', 'Administrator', 'RDSH01', 'active', is_console=True)
ALICE = Session(3, 'rdp-tcp#5', 'alice', 'CONTOSO', 'active')
BOB = Session(4, None, 'bob', 'CONTOSO', 'disconnected')
IDLE = Session(2, None, None, None, 'connected')
LISTENER = Session(65536, 'rdp-tcp', None, None, 'listen')
TABLE = [LISTENER, BOB, ALICE, CONSOLE, SERVICES, IDLE]


def plan(operation='logoff', max_sessions=None, **options):
    return build_plan(TABLE, Selector(**options), OPERATIONS[operation], max_sessions)


def test_targets_are_the_match_minus_protected_sessions_in_id_order():
    result = plan(state=['active', 'disconnected', 'listen', 'connected'])
    assert [session.id for session in result.targets] == [2, 3, 4]
    assert [(session.id, outcome) for session, outcome, _unused in result.skipped] == [
        (0, 'skipped'), (1, 'skipped'), (65536, 'skipped')]
    assert len(result.matched) == 6


@pytest.mark.parametrize('options', [{'session_id': [0]}, {'session_id': [65536]}, {'session': 'console'},
                                     {'session': '1'}, {'session_name': ['RDP-Tcp']}])
def test_naming_a_protected_session_is_an_error(options):
    with pytest.raises(PlanError) as error:
        plan(**options)
    assert 'Nothing was changed' in str(error.value)


def test_disconnect_leaves_disconnected_sessions_alone():
    result = plan('disconnect', username=['*'])
    assert [session.id for session in result.targets] == [3]
    assert ('already_disconnected' in [outcome for _unused, outcome, _unused in result.skipped])


def test_message_may_reach_the_console_but_not_sessions_without_a_user():
    result = plan('message', state=['active', 'connected'])
    assert [session.id for session in result.targets] == [1, 3]
    assert [session.id for session, _unused, _unused in result.skipped] == [2]


def test_info_lists_everything_it_matches():
    result = build_plan(TABLE, Selector(), OPERATIONS['info'])
    assert [session.id for session in result.targets] == [0, 1, 2, 3, 4, 65536]


def test_max_sessions():
    assert len(plan(max_sessions=2, username=['alice', 'bob']).targets) == 2
    with pytest.raises(PlanError) as error:
        plan(max_sessions=1, username=['alice', 'bob'])
    assert 'max_sessions=1' in str(error.value) and 'rdp-tcp#5' in str(error.value)


def test_max_sessions_does_not_count_skipped_sessions():
    assert len(plan(max_sessions=1, username=['*'], state=['active']).targets) == 1


def test_planning_after_applying_finds_nothing():
    first = plan(username=['alice', 'bob'])
    remaining = [session for session in TABLE if session not in first.targets]
    second = build_plan(remaining, Selector(username=['alice', 'bob']), OPERATIONS['logoff'])
    assert second.targets == [] and second.matched == []


STRANGER = Session(7, 'rdp-tcp#9', 'jan', 'CONTOSO', 'unknown', state_word='Actief')


def test_an_unknown_state_does_not_stop_selection_by_id_name_or_user():
    table = TABLE + [STRANGER]
    for options in ({'session_id': [7]}, {'session_name': ['rdp-tcp#9']}, {'username': ['jan']}):
        result = build_plan(table, Selector(**options), OPERATIONS['logoff'])
        assert [session.id for session in result.targets] == [7]
    listed = build_plan(table, Selector(username=['*']), OPERATIONS['info'])
    assert 7 in [session.id for session in listed.targets]


@pytest.mark.parametrize('operation, options', [('logoff', {'state': ['disconnected']}),
                                                ('info', {'state': ['active'], 'username': ['j*']}),
                                                ('disconnect', {'username': ['jan']})])
def test_a_rule_that_needs_an_unknown_state_fails_naming_the_word(operation, options):
    """A state selector cannot tell whether a session in an unknown state matches, and disconnect cannot tell
    whether it is already disconnected: the task fails before acting, names the word and asks for a report."""
    with pytest.raises(PlanError) as error:
        build_plan(TABLE + [STRANGER], Selector(**options), OPERATIONS[operation])
    assert 'Actief' in str(error.value) and 'session 7' in str(error.value) and 'report' in str(error.value)


def test_an_unknown_state_that_no_other_selector_admits_is_not_an_error():
    result = build_plan(TABLE + [STRANGER], Selector(state=['disconnected'], username=['bob']), OPERATIONS['logoff'])
    assert [session.id for session in result.targets] == [4]


NO_DOMAIN = Session(8, 'rdp-tcp#10', 'alice', None, 'active')
"""A session the native tools saw without a domain: its processes were gone, or ran under two accounts."""


@pytest.mark.parametrize('operation, options', [('logoff', {'username': ['CONTOSO\\alice']}),
                                                ('info', {'username': ['alice@contoso.com']}),
                                                ('disconnect', {'username': ['*\\al*'], 'state': ['active']})])
def test_a_domain_pattern_that_only_an_unknown_domain_would_decide_fails_before_acting(operation, options):
    with pytest.raises(PlanError) as error:
        build_plan(TABLE + [NO_DOMAIN], Selector(**options), OPERATIONS[operation])
    assert 'session 8 (alice)' in str(error.value) and 'Nothing was changed' in str(error.value)
    assert 'method: wts' in str(error.value)


@pytest.mark.parametrize('options, targets', [({'username': ['CONTOSO\\bob']}, [4]),
                                              ({'username': ['CONTOSO\\alice', 'alice']}, [3, 8]),
                                              ({'username': ['CONTOSO\\alice'], 'session_id': [3]}, [3]),
                                              ({'username': ['CONTOSO\\alice'], 'state': ['disconnected']}, [])])
def test_an_unknown_domain_that_would_not_decide_is_not_an_error(options, targets):
    """Another user's pattern, a bare pattern that selects the session anyway, or another option that rules it
    out: the domain does not matter, and the task goes on."""
    result = build_plan(TABLE + [NO_DOMAIN], Selector(**options), OPERATIONS['logoff'])
    assert [session.id for session in result.targets] == targets
