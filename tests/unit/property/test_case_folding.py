"""Names whose case folding changes their length (found as defects, fixed in selectors.py).

docs/selecting-sessions.md says that ``?`` matches exactly one character and that names compare without
regard to case. The selectors compare ``str.casefold()`` forms, and full case folding turns one character into
several (``ß`` -> ``ss``, ``ﬁ`` -> ``fi``, ``İ`` -> ``i̇``). Two things follow:

- ``?`` does not match such a character, so ``stra?e`` misses the user ``straße`` (a session left alone);
- a pattern without wildcards matches a different name: ``strasse`` selects the user ``straße``, so a task
  meant for the account ``strasse`` also logs off ``straße``. Windows' own case-insensitive ordinal comparison
  uppercases one character at a time (CompareStringOrdinal with bIgnoreCase,
  https://learn.microsoft.com/en-us/windows/win32/api/stringapiset/nf-stringapiset-comparestringordinal), under
  which the two names differ.

The fix (plugins/module_utils/selectors.py, ``fold``): each character is uppercased on its own and the length
kept, in both the pattern and the values it is matched against.
"""

from __future__ import annotations


from ansible_collections.winrds.sessions.plugins.module_utils.model import Session
from ansible_collections.winrds.sessions.plugins.module_utils.planner import OPERATIONS, build_plan
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector

STRASSE = Session(3, 'rdp-tcp#1', 'strasse', 'CONTOSO', 'active')
STRASSE_SHARP = Session(4, 'rdp-tcp#2', 'straße', 'CONTOSO', 'active')
TABLE = [STRASSE, STRASSE_SHARP]


def targets(**options):
    return [session.username for session in build_plan(TABLE, Selector(**options), OPERATIONS['logoff']).targets]


def test_names_of_one_to_one_case_pairs_compare_without_regard_to_case():
    table = [Session(5, None, 'jürgen', 'CONTOSO', 'disconnected'), Session(6, None, 'Σοφία', None, 'active')]
    plan = build_plan(table, Selector(username=['JÜRGEN', 'σοφία']), OPERATIONS['logoff'])
    assert [session.id for session in plan.targets] == [5, 6]


def test_a_name_without_wildcards_selects_only_that_user():
    assert targets(username='strasse') == ['strasse']


def test_question_mark_matches_one_character_of_any_kind():
    assert targets(username='stra?e') == ['straße']
    assert Selector(session_name='?').matches(Session(5, 'ﬁ', None, None, 'active'))
