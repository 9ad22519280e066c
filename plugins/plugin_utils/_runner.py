# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task flow every module of the collection shares: validate, snapshot, select, plan, act, report.

One snapshot command per task, and one more when there is something to do, whatever the number of sessions. How a
host is asked, and how its answers read, is the business of the method drivers (``methods/``): this flow knows
neither payload's format. Verbosity: ``-v`` what the host will wait for (before the command that waits), ``-vv``
the steps and the plan, ``-vvvv`` each command sent, ``-vvvvv`` the payload data.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.winrds.sessions.plugins.module_utils import diagnostics
from ansible_collections.winrds.sessions.plugins.module_utils.durations import parse_seconds
from ansible_collections.winrds.sessions.plugins.module_utils.options import SECONDS_OPTIONS
from ansible_collections.winrds.sessions.plugins.module_utils.planner import OPERATIONS, PlanError, build_plan
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector, SelectorError
from ansible_collections.winrds.sessions.plugins.plugin_utils import _unreachable
from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import (
    ConnectionLost, HostUnreachable, PayloadError, PayloadRunner)
from ansible_collections.winrds.sessions.plugins.plugin_utils._waits import describe_wait
from ansible_collections.winrds.sessions.plugins.plugin_utils.methods import STILL_THERE, TaskError, read_sessions
from ansible_collections.winrds.sessions.plugins.plugin_utils.methods.native import NativeDriver

__all__ = ['SessionTask', 'TaskError', 'run_module', 'validate']

_SERVER_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,253}$')
_MAX_MESSAGE = 4096


def validate(operation, params):
    """Check the values that the argument spec cannot; raise before anything reaches a host.

    The durations in seconds (``grace_period``, ``timeout``) are turned into seconds in ``params``.
    """
    for name in SECONDS_OPTIONS:
        if params.get(name) is not None:
            try:
                params[name] = parse_seconds(params[name])
            except ValueError as error:
                raise SelectorError('%s: %s' % (name, error))
    selector = Selector.from_params(params)
    if selector.empty and operation.name != 'info':
        raise SelectorError(diagnostics.NO_SELECTOR)
    server = params.get('server')
    if server is not None and not _SERVER_NAME.match(server):
        raise SelectorError("server: '%s' is not a host name: write a NetBIOS name, a DNS name or an IPv4 address "
                            '(letters, digits, dots, hyphens, underscores; no spaces, slashes or quotes)' % server)
    for name in ('message', 'message_title'):
        value = params.get(name)
        if value is None:
            continue
        if '\x00' in value:
            raise SelectorError('%s: a NUL character cannot be shown to a user; remove it' % name)
        if len(value) > _MAX_MESSAGE:
            raise SelectorError('%s: %d characters is too long for a message box (at most %d)'
                                % (name, len(value), _MAX_MESSAGE))
    refusal = params.get('method') == 'logoff_exe' and NativeDriver.refusal(operation, params)
    if refusal:
        raise SelectorError(refusal)
    if operation.name == 'message' and not (params.get('message') or '').strip():
        raise SelectorError('message: an empty message cannot be sent')
    if params.get('max_sessions') is not None and params['max_sessions'] < 0:
        raise SelectorError('max_sessions: %d is negative' % params['max_sessions'])
    if params.get('grace_period') and not params.get('message'):
        raise SelectorError('grace_period gives users time to save their work after a warning: set message too')
    if operation.name == 'logoff' and params.get('wait') and params.get('timeout') == 0:
        raise SelectorError('timeout: 0 leaves no time to wait; set wait: false to not wait')
    if operation.name == 'message' and params.get('timeout') == 0:
        raise SelectorError('timeout: 0 would keep the message (and, with wait, the task) waiting for ever; give '
                            'the seconds the message stays on screen')
    return selector


class SessionTask:
    """One run of one module against one host."""

    def __init__(self, operation_name, connection, params, check_mode=False, diff=False, display=None, host=None):
        self.operation = OPERATIONS[operation_name]
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.display = display
        self.host = host
        self.runner = PayloadRunner(connection, display=display, host=host)
        self.driver = None
        self.method = None
        self.fallback_reason = None
        self.computer = None
        self.warnings = []

    # -- steps ---------------------------------------------------------------------------------------------

    def _say(self, text):
        if self.display:
            self.display.vv('winrds: %s' % text, host=self.host)

    def _announce_wait(self, targets):
        """Say at -v what the host will wait for, before the command that waits is sent (``_waits.py``)."""
        text = describe_wait(self.operation, self.params, len(targets))
        if text and self.display:
            self.display.v('winrds: %s' % text, host=self.host)

    def snapshot(self):
        """The host's sessions, asked with the chosen method (``methods.read_sessions`` has the fallback rule)."""
        self.driver, sessions, self.fallback_reason = read_sessions(self.runner, self.operation, self.params,
                                                                    say=self._say, using=self._use)
        self.computer = self.driver.computer
        return sessions

    def _use(self, driver):
        self.method = driver.name

    def act(self, targets):
        """Run the operation on the planned targets in one command; return {id: (outcome, reason, output)}."""
        return self.driver.act(targets)

    # -- the whole task ------------------------------------------------------------------------------------

    def run(self):
        """Run the task and return the module result (raises TaskError, SelectorError, PlanError)."""
        params = self.params
        selector = validate(self.operation, params)
        try:
            sessions = self.snapshot()
        except ConnectionLost as error:
            raise HostUnreachable(_unreachable.explain_lost(error)) from error
        except AnsibleConnectionFailure as error:
            raise HostUnreachable(_unreachable.explain(error, self.runner.connection)) from error
        except PayloadError as error:
            raise PayloadError('%s This happened while reading the sessions: nothing was changed; run the task '
                               'again, and if it fails the same way, check the host (-vvvv shows the answer).'
                               % error) from error
        plan = build_plan(sessions, selector, self.operation, params.get('max_sessions'))
        self._say('%d sessions on the host, %d matched, %d to act on'
                  % (len(sessions), len(plan.matched), len(plan.targets)))
        outcomes = {}
        refusal = plan.targets and self.operation.changes and self.driver.refusal(self.operation, params)
        if refusal:
            # method auto fell back to a method that cannot do this: found before anything was changed.
            raise TaskError('%s. Nothing was changed.' % refusal)
        if plan.targets and self.operation.changes and not self.check_mode:
            self._announce_wait(plan.targets)
            try:
                outcomes = self.act(plan.targets)
            except AnsibleConnectionFailure as error:
                raise TaskError('the connection failed while the %s was running, so the outcome for each session is '
                                'unknown: %s. Run the task again: it only acts on what is still there.'
                                % (self.operation.name, error),
                                sessions=self._failed_entries(plan, 'the connection failed during the %s'
                                                              % self.operation.name))
            except PayloadError as error:
                raise TaskError('the answer to the %s cannot be read, so the outcome for each session is unknown: %s '
                                'Check the sessions, or run the task again: it only acts on what is still there.'
                                % (self.operation.name, error),
                                sessions=self._failed_entries(plan, 'the host\'s answer to the %s was unreadable'
                                                              % self.operation.name))
        elif plan.targets and self.operation.changes:
            outcomes = dict((session.id, (self.operation.would, None, None)) for session in plan.targets)
        return self._result(plan, outcomes)

    def _failed_entries(self, plan, reason):
        """Every matched session of a plan whose action failed as a whole: the targets unknown, the others as
        planned, in ID order."""
        return self._entries(plan, lambda session: ('unknown', reason, None))

    def _entries(self, plan, outcome_of):
        """The result entries of every matched session in ID order: the sessions left alone as the plan says, each
        target as ``outcome_of(session)`` gives ``(outcome, reason, output)``."""
        entries = [(session, self._entry(session, outcome, why)) for session, outcome, why in plan.skipped]
        entries += [(session, self._entry(session, *outcome_of(session))) for session in plan.targets]
        return [entry for _unused, entry in sorted(entries, key=lambda pair: pair[0].id)]

    def _entry(self, session, outcome, reason, output=None):
        entry = session.to_result()
        if self.operation.changes:
            entry['outcome'] = outcome
            entry['reason'] = reason
            if output:
                entry['output'] = output
        return entry

    def _result(self, plan, outcomes):
        operation = self.operation

        def target_outcome(session):
            outcome, reason, output = outcomes.get(session.id, (operation.done, None, None))
            # Requested but not finished at the timeout: the host did change, and the session failed.
            return ('failed' if outcome == STILL_THERE else outcome), reason, output

        sessions = self._entries(plan, target_outcome)
        requested = any(outcomes.get(session.id, (None,))[0] == STILL_THERE for session in plan.targets)
        done_words = (operation.done, 'acknowledged', 'timed_out')
        changed = operation.changes and (requested or any(entry.get('outcome') in done_words + (operation.would,)
                                                          for entry in sessions))
        failed = [entry for entry in sessions if entry.get('outcome') == 'failed']
        unknown = [entry for entry in sessions if entry.get('outcome') == 'unknown']
        result = {
            'changed': bool(changed),
            'method': self.method,
            'server': self.params.get('server'),
            'computer': self.computer,
            'sessions': sessions,
            'matched': len(plan.matched),
            'commands': self.runner.commands,
        }
        if self.fallback_reason:
            result['fallback_reason'] = self.fallback_reason
        if self.warnings:
            result['warnings'] = list(self.warnings)
        if self.diff and operation.changes:
            result['diff'] = self._diff(plan, sessions)
        if failed or unknown:
            result['failed'] = True
            parts = []
            if failed:
                parts.append('the %s failed for %d of %d sessions: %s' % (
                    operation.name, len(failed), len(plan.targets),
                    '; '.join('session %d: %s' % (entry['id'], entry.get('reason')) for entry in failed)))
            if unknown:
                parts.append('the outcome of %d of %d sessions is unknown (%s): check them with '
                             'win_rds_session_info, or run the task again - it only acts on what is still there' % (
                                 len(unknown), len(plan.targets),
                                 '; '.join('session %d: %s' % (entry['id'], entry.get('reason')) for entry in unknown)))
            result['msg'] = '; '.join(parts)
        elif not operation.changes:
            result['msg'] = 'listed %d session%s' % (len(plan.matched), '' if len(plan.matched) == 1 else 's')
        else:
            counted = sum(1 for entry in sessions if entry.get('outcome') in done_words + (operation.would,))
            result['msg'] = '%s: %d of %d matched sessions' % (operation.would if self.check_mode else operation.done,
                                                               counted, len(plan.matched))
        return result

    def _diff(self, plan, sessions):
        outcome = dict((entry['id'], entry.get('outcome')) for entry in sessions)
        before = [session.describe() for session in plan.matched]
        after = []
        for session in plan.matched:
            state = outcome.get(session.id)
            if state in ('logged_off', 'would_log_off', 'already_gone'):
                continue
            if state in ('disconnected', 'would_disconnect'):
                after.append(session.describe().replace(' %s' % session.state, ' disconnected', 1))
                continue
            after.append(session.describe())
        return {'before': '\n'.join(before) + ('\n' if before else ''),
                'after': '\n'.join(after) + ('\n' if after else ''),
                'before_header': 'sessions matched (%s)' % (self.params.get('server') or self.host or 'host'),
                'after_header': 'after the %s' % self.operation.name}


def run_module(action, operation_name, params, result, host=None):
    """Run a session task for an action plugin; fill and return ``result`` (never raises for user errors).

    ``host`` is the inventory name of the host (messages, warnings and the diff name it); its address otherwise.
    """
    task = SessionTask(operation_name, action._connection, params, check_mode=action._task.check_mode,
                       diff=action._task.diff, display=getattr(action, '_display', None),
                       host=host or action._play_context.remote_addr)
    try:
        result.update(task.run())
    except (SelectorError, PlanError) as error:
        result.update({'failed': True, 'changed': False, 'msg': str(error)})
    except TaskError as error:
        result.update({'failed': True, 'changed': False, 'msg': str(error), 'sessions': error.sessions,
                       'method': task.method, 'server': params.get('server'), 'commands': task.runner.commands})
    except PayloadError as error:
        result.update({'failed': True, 'changed': False, 'msg': str(error), 'method': task.method,
                       'commands': task.runner.commands})
    if task.fallback_reason and 'fallback_reason' not in result:
        result['fallback_reason'] = task.fallback_reason
    return result
