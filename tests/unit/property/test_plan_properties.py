"""Properties of the engine over generated session tables and selectors.

- The plan is exactly the match minus the protected sessions (and, per operation, the sessions already in the
  end state or without a user), in ID order; everything matched and not planned is reported with a reason.
- A protected session is never planned; named explicitly it makes the plan fail before anything is done.
- After a plan is applied, planning again with the same selector finds nothing to do.
- The wts snapshot of a table reads back as the same table.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.winrds.sessions.plugins.module_utils.planner import OPERATIONS, PlanError, build_plan
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import sessions_from_wts
from tests.unit.property import cases
from tests.unit.property.oracle import Expected
from tests.unit.property.strategies import selector_options, sessions_tables, wts_document


@st.composite
def tables_and_selectors(draw, require=False):
    table = draw(sessions_tables())
    return table, draw(selector_options(table, require=require))


def _ids(sessions):
    return [session.id for session in sessions]


@pytest.mark.parametrize('operation', ['logoff', 'disconnect', 'message', 'info'])
@cases.budget(1250)
@given(case=tables_and_selectors())
def test_plan_is_the_match_minus_protected_sessions(operation, case):
    cases.count('plan is the match minus protected (%s)' % operation)
    table, options = case
    matched, targets, error = Expected(options).plan(table, operation)
    selector = Selector(**options)
    if error:
        with pytest.raises(PlanError, match='Nothing was changed'):
            build_plan(table, selector, OPERATIONS[operation])
        return
    plan = build_plan(table, selector, OPERATIONS[operation])
    assert _ids(plan.matched) == matched
    assert _ids(plan.targets) == targets
    skipped = [session.id for session, _unused, _unused in plan.skipped]
    assert sorted(skipped + _ids(plan.targets)) == matched
    assert all(reason for _unused, _unused, reason in plan.skipped)


@pytest.mark.parametrize('operation', ['logoff', 'disconnect'])
@cases.budget(750)
@given(case=tables_and_selectors())
def test_protected_sessions_are_never_planned(operation, case):
    cases.count('protected sessions are never planned (%s)' % operation)
    table, options = case
    try:
        plan = build_plan(table, Selector(**options), OPERATIONS[operation])
    except PlanError:
        return
    for session in plan.targets:
        assert session.id != 0
        assert session.id < 65536 and session.state != 'listen'
        assert not session.is_console
    protected = [session for session, outcome, _unused in plan.skipped if outcome == 'skipped']
    assert all(Expected.protected(session, operation) for session in protected)


def _apply(table, plan):
    """The table after the plan was carried out: logged-off sessions leave, disconnected ones lose their name."""
    targets = set(_ids(plan.targets))
    if plan.operation.name == 'logoff':
        return [session for session in table if session.id not in targets]
    return [session.__class__(**dict(session.__dict__, state='disconnected', name=None))
            if session.id in targets else session for session in table]


@pytest.mark.parametrize('operation', ['logoff', 'disconnect'])
@cases.budget(1000)
@given(case=tables_and_selectors())
def test_planning_after_applying_a_plan_finds_nothing(operation, case):
    cases.count('planning after applying finds nothing (%s)' % operation)
    table, options = case
    selector = Selector(**options)
    try:
        first = build_plan(table, selector, OPERATIONS[operation])
    except PlanError:
        return
    second = build_plan(_apply(table, first), selector, OPERATIONS[operation])
    assert second.targets == []
    assert set(_ids(second.matched)) <= set(_ids(first.matched))


@cases.budget(1000)
@given(table=sessions_tables())
def test_the_wts_snapshot_reads_back_as_the_table(table):
    cases.count('wts snapshot reads back as the table')
    read = dict((session.id, session) for session in sessions_from_wts(wts_document(table)))
    assert sorted(read) == sorted(session.id for session in table)
    for session in table:
        back = read[session.id]
        assert (back.username, back.domain, back.state, back.is_console) == (
            session.username or None, session.domain if session.username else None, session.state,
            session.is_console)
        assert back.name == (session.name or None)
        assert back.idle_minutes == (session.idle_minutes if session.username else None)
        assert back.identity['user'] == (session.username or '')
