"""Any option value either selects sessions or fails with the collection's own error, before any command.

Values are drawn of the types the argument spec lets through (it refuses the others itself, see
tests/e2e/safety/test_bad_input.py): any text (NUL, controls, any Unicode but lone surrogates) for strings, any
integers for IDs and numbers, and anything at all for the raw ``idle_time``. ``validate`` of the task flow must
return a selector or raise ``SelectorError`` whose message names the option; nothing else may escape it, and it
never touches the connection: it is given none.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.winrds.sessions.plugins.module_utils.planner import OPERATIONS
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector, SelectorError
from ansible_collections.winrds.sessions.plugins.plugin_utils._runner import validate
from tests.unit.property import cases

_TEXT = st.text(st.characters(exclude_categories=['Cs']), max_size=12)
_TEXTS = st.lists(_TEXT, max_size=3)
_RAW = st.one_of(st.none(), _TEXT, st.integers(-5, 2 ** 33), st.booleans(), st.floats(allow_nan=True),
                 st.lists(_TEXT, max_size=2), st.dictionaries(_TEXT, _TEXT, max_size=2))
_OPTIONS = st.fixed_dictionaries({}, optional={
    'session': _TEXT, 'session_id': st.lists(st.integers(-5, 2 ** 33), max_size=3), 'session_name': _TEXTS,
    'username': _TEXTS, 'state': _TEXTS, 'idle_time': _RAW, 'server': _TEXT, 'message': _TEXT,
    'message_title': _TEXT, 'grace_period': _RAW, 'timeout': _RAW,
    'max_sessions': st.integers(-3, 3), 'wait': st.booleans(),
})
_OPTION_NAMES = ('session', 'session_id', 'session_name', 'username', 'state', 'idle_time', 'server', 'message',
                 'message_title', 'grace_period', 'timeout', 'max_sessions', 'wait', 'no session is selected')


@cases.budget(1000)
@given(operation=st.sampled_from(sorted(OPERATIONS)), params=_OPTIONS)
def test_option_values_select_or_fail_with_a_message_naming_the_option(operation, params):
    cases.count('option values select or fail clearly')
    try:
        selector = validate(OPERATIONS[operation], params)
    except SelectorError as error:
        assert any(name in str(error) for name in _OPTION_NAMES), str(error)
        return
    assert isinstance(selector, Selector)
