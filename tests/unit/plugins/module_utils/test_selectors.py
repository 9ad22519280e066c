"""Selectors: which sessions an option set matches."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.model import Session
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector, SelectorError

ALICE = Session(3, 'rdp-tcp#5', 'alice', 'CONTOSO', 'active', idle_minutes=12)
BOB = Session(4, None, 'Bob', 'CONTOSO', 'disconnected', idle_minutes=190)
LOCAL_BOB = Session(6, 'rdp-tcp#9', 'bob', 'RDSH01', 'active', idle_minutes=None)
IVAN = Session(7, 'rdp-tcp#1', 'Администратор', 'RDSH01', 'active', idle_minutes=0)
BRACKET = Session(8, 'ica[1]', 'x', 'D', 'active')
NO_DOMAIN = Session(9, None, 'alice', None, 'disconnected')
ALL = [ALICE, BOB, LOCAL_BOB, IVAN, BRACKET, NO_DOMAIN]


def selected(**options):
    selector = Selector(**options)
    return [session.id for session in ALL if selector.matches(session)]


@pytest.mark.parametrize('options,ids', [
    ({'session': '3'}, [3]),
    ({'session': ' 4 '}, [4]),
    ({'session': 'RDP-TCP#5'}, [3]),
    ({'session_id': [3, 4]}, [3, 4]),
    ({'session_id': ['6']}, [6]),
    ({'session_name': ['rdp-tcp#*']}, [3, 6, 7]),
    ({'session_name': ['rdp-tcp#?']}, [3, 6, 7]),
    ({'session_name': ['ica[1]']}, [8]),
    ({'session_id': [4], 'session_name': ['rdp-tcp#5']}, [3, 4]),
    ({'username': ['bob']}, [4, 6]),
    ({'username': ['contoso\\BOB']}, [4]),
    ({'username': ['bob@contoso.com']}, [4]),
    ({'username': ['bob@rdsh01']}, [6]),
    ({'username': ['*\\bob']}, [4, 6]),
    ({'username': ['a*']}, [3, 9]),
    ({'username': ['contoso\\alice']}, [3]),
    ({'username': ['администратор']}, [7]),
    ({'state': ['disconnected']}, [4, 9]),
    ({'state': ['Active'], 'username': ['bob']}, [6]),
    ({'idle_time': '1h'}, [4]),
    ({'idle_time': 12}, [3, 4]),
    ({'idle_time': '0'}, [3, 4, 7]),
    ({'username': '*', 'idle_time': '3h'}, [4]),
])
def test_selection(options, ids):
    assert selected(**options) == ids


def test_empty_selector():
    assert Selector().empty
    assert not Selector(state=['active']).empty
    assert not Selector(idle_time='0').empty


def test_from_params_reads_only_selector_options():
    selector = Selector.from_params({'username': ['alice'], 'message': 'hi', 'server': 'x'})
    assert [user.text for user in selector.users] == ['alice']


def test_explicit_naming():
    assert Selector(session='3').names_explicitly(ALICE)
    assert Selector(session_name=['rdp-tcp#5']).names_explicitly(ALICE)
    assert not Selector(session_name=['rdp-tcp#*']).names_explicitly(ALICE)
    assert not Selector(username=['alice']).names_explicitly(ALICE)


def test_qualified_user_flag():
    assert Selector(username=['CONTOSO\\a']).has_qualified_user
    assert not Selector(username=['a']).has_qualified_user


@pytest.mark.parametrize('options,words', [
    ({'session': '3', 'session_id': [4]}, 'cannot be combined'),
    ({'session': ''}, 'names no session'),
    ({'session': 'rdp*'}, 'session_name for patterns'),
    ({'session_id': ['x']}, 'not a session ID'),
    ({'session_id': [-1]}, 'not a valid session ID'),
    ({'session_id': [True]}, 'not a session ID'),
    ({'session_name': ['']}, 'empty value'),
    ({'username': ['a\\b\\c']}, 'more than one backslash'),
    ({'username': ['alice@']}, 'empty domain'),
    ({'username': ['\\alice']}, 'empty domain'),
    ({'username': ['x' * 300]}, 'longer than any Windows name'),
    ({'username': ['a\x00b']}, 'NUL'),
    ({'state': ['sleeping']}, 'not a session state'),
    ({'idle_time': 'soon'}, 'not a duration'),
    ({'idle_time': -5}, 'negative'),
    ({'username': 5}, 'not a user name'),
])
def test_errors(options, words):
    with pytest.raises(SelectorError) as error:
        Selector(**options)
    assert words in str(error.value)


def test_regex_characters_are_literal():
    session = Session(10, 'a.b+c(d)$', 'u', 'D', 'active')
    assert Selector(session_name=['a.b+c(d)$']).matches(session)
    assert not Selector(session_name=['a?b+c(d)']).matches(session)
    assert not Selector(session_name=['axb+c(d)$']).matches(session)
