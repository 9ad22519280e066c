# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan: which matched sessions an operation will act on, and why the others are left alone.

The plan is exactly the match minus the protected sessions (services, listeners, the console) and minus the
sessions already in the operation's end state. Naming a protected session explicitly is an error, raised before
anything reaches a host; catching one with a pattern only skips it, with the reason in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import UNKNOWN_STATE


class PlanError(ValueError):
    """The task asks for something that must not be done; nothing has been changed."""


@dataclass(frozen=True)
class Operation:
    """What an operation does, in the words its results use."""

    name: str
    payload_op: str
    done: str
    would: str
    changes: bool = True
    protects_console: bool = True
    end_state: str | None = None
    end_state_outcome: str | None = None


OPERATIONS = {
    'logoff': Operation('logoff', 'logoff', done='logged_off', would='would_log_off'),
    'disconnect': Operation('disconnect', 'disconnect', done='disconnected', would='would_disconnect',
                            end_state='disconnected', end_state_outcome='already_disconnected'),
    'message': Operation('message', 'message', done='sent', would='would_send', protects_console=False),
    'info': Operation('info', 'snapshot', done='listed', would='listed', changes=False, protects_console=False),
}


@dataclass
class Plan:
    """The matched sessions of one host, split into targets and the ones left alone."""

    operation: Operation
    matched: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    """(session, outcome, reason) triples for matched sessions that are not acted on."""


def _refuse_unknown_states(sessions, selector, operation):
    """Fail when a rule needs the state of a session the native tools gave a state word no source lists: a
    ``state`` selector (does it match?) or an operation with an end state (is it already there?)."""
    unknown = [session for session in sorted(sessions, key=lambda item: item.id)
               if session.state == UNKNOWN_STATE and selector.matches_but_state(session)
               and (selector.uses_state or (operation.end_state and operation.changes))]
    if unknown:
        needs = 'the state selector' if selector.uses_state else 'the %s (is it already %s?)' % (
            operation.name, operation.end_state)
        raise PlanError('%s needs the state of %s, which the host printed in words this collection does not know '
                        'yet: %s. Nothing was changed. Select these sessions by ID, name or user instead, or use '
                        'method: wts; and please report the words with the host\'s display language, so that they '
                        'can be added.'
                        % (needs, ', '.join('session %d' % session.id for session in unknown),
                           ', '.join(sorted(set("'%s'" % session.state_word for session in unknown)))))


def _refuse_unknown_domains(sessions, selector):
    """Fail when only a session's domain, which the host did not show, decides whether a domain-qualified
    ``username`` pattern selects it: the native tools learn a domain from the session's processes (tasklist), and a
    session may have none left, or processes of more than one account of that name."""
    undecided = [session for session in sorted(sessions, key=lambda item: item.id)
                 if selector.undecided_by_domain(session)]
    if undecided:
        raise PlanError('username names a domain, and the host did not show the domain of %s (the native tools '
                        'learn it from the processes of a session, and %s none under one account of that name). '
                        'Nothing was changed. Select these sessions by ID or by a bare user name, or use method: '
                        'wts, which reads the domain of every session.'
                        % (', '.join('session %d (%s)' % (session.id, session.username) for session in undecided),
                           'it has' if len(undecided) == 1 else 'they have'))


def build_plan(sessions, selector, operation, max_sessions=None):
    """Plan an operation on the sessions a selector matches.

    :param sessions: the snapshot, a list of :class:`Session`.
    :param selector: a :class:`Selector`.
    :param operation: an :class:`Operation` (see ``OPERATIONS``).
    :param max_sessions: fail when more sessions than this would be acted on.
    :raises PlanError: a protected session is named explicitly, the plan exceeds ``max_sessions``, or a rule
        needs a state or a domain the host did not show.
    """
    _refuse_unknown_states(sessions, selector, operation)
    _refuse_unknown_domains(sessions, selector)
    plan = Plan(operation)
    for session in sorted(sessions, key=lambda item: item.id):
        if not selector.matches(session):
            continue
        plan.matched.append(session)
        if not operation.changes:
            plan.targets.append(session)
            continue
        reason = session.protection
        if reason and session.is_console and not operation.protects_console and session.id != 0:
            reason = None
        if reason:
            if selector.names_explicitly(session):
                raise PlanError('session %d (%s) is protected: %s. Nothing was changed.'
                                % (session.id, session.name or 'no name', reason))
            plan.skipped.append((session, 'skipped', reason))
            continue
        if operation.end_state and session.state == operation.end_state:
            plan.skipped.append((session, operation.end_state_outcome, 'the session is already %s'
                                 % operation.end_state))
            continue
        if operation.name == 'message' and not session.username:
            plan.skipped.append((session, 'skipped', 'no user is logged on to this session'))
            continue
        plan.targets.append(session)
    if max_sessions is not None and operation.changes and len(plan.targets) > max_sessions:
        raise PlanError('%d sessions match, more than max_sessions=%d allows: nothing was changed. Narrow the '
                        'selectors, or raise max_sessions after checking the list with win_rds_session_info and the '
                        'same selectors (%s).'
                        % (len(plan.targets), max_sessions,
                           ', '.join(session.describe() for session in plan.targets[:10])))
    return plan
