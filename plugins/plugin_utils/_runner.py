# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task flow every module of the collection shares: validate, snapshot, select, plan, act, report.

One snapshot command per task, and one more when there is something to do, whatever the number of sessions.
Verbosity: ``-vv`` the steps and the plan, ``-vvvv`` each command sent, ``-vvvvv`` the payload data.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.winrds.sessions.plugins.module_utils import diagnostics
from ansible_collections.winrds.sessions.plugins.module_utils.native_output import (
    NativeOutputError, codec_for_code_page, split_frames, tool_error)
from ansible_collections.winrds.sessions.plugins.module_utils.planner import OPERATIONS, PlanError, build_plan
from ansible_collections.winrds.sessions.plugins.module_utils.query_parser import (
    QueryParseError, parse_query_session, parse_query_user)
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector, SelectorError
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import sessions_from_native, sessions_from_wts
from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import (
    PayloadError, PayloadRunner, parse_json_answer)

_SERVER_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,253}$')
_MAX_MESSAGE = 4096
_PAYLOAD = {'wts': 'wts', 'logoff_exe': 'native'}


class TaskError(Exception):
    """A failure of the whole task; ``sessions`` holds what is known per session (possibly nothing)."""

    def __init__(self, message, sessions=None):
        super().__init__(message)
        self.sessions = sessions or []


def validate(operation, params):
    """Check the values that the argument spec cannot; raise before anything reaches a host."""
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
    if operation.name == 'message' and not (params.get('message') or '').strip():
        raise SelectorError('message: an empty message cannot be sent')
    for name in ('grace_period', 'timeout', 'max_sessions'):
        value = params.get(name)
        if value is not None and value < 0:
            raise SelectorError('%s: %d is negative' % (name, value))
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
        self.method = None
        self.fallback_reason = None
        self.computer = None
        self.warnings = []

    # -- steps ---------------------------------------------------------------------------------------------

    def _say(self, text):
        if self.display:
            self.display.vv('winrds: %s' % text, host=self.host)

    def _fail_call(self, kind, code, message):
        raise TaskError(diagnostics.explain(kind, code, message, server=self.params.get('server'),
                                            operation=self.operation.name))

    def snapshot(self):
        """Ask the host for its sessions with the chosen method; fall back from wts when it cannot run."""
        method = self.params.get('method') or 'auto'
        server = self.params.get('server')
        if method in ('auto', 'wts'):
            document = parse_json_answer('wts', self.runner.run('wts', {'op': 'snapshot', 'server': server}))
            self.computer = document.get('computer')
            error = document.get('error')
            if not error:
                self.method = 'wts'
                try:
                    return sessions_from_wts(document)
                except (KeyError, TypeError, ValueError) as problem:
                    raise PayloadError('the wts payload reported a session this controller cannot read (%s: %s); '
                                       'the host and the collection may be of different versions'
                                       % (type(problem).__name__, problem))
            if error.get('kind') != 'helper_unavailable' or method == 'wts':
                self._fail_call(error.get('kind'), error.get('code') or 0, error.get('message'))
            self.fallback_reason = error.get('message') or 'the WTS functions could not be loaded'
            self._say('falling back to the native tools: %s' % self.fallback_reason)
        self.method = 'logoff_exe'
        frames, codec = self._native('snapshot', {'op': 'snapshot', 'server': server})
        steps = dict((frame.step, frame) for frame in frames)
        for step in ('query-session', 'query-user'):
            if step not in steps or not steps[step].complete:
                raise PayloadError('the native payload\'s answer was cut before %s finished' % step)
        session_text = steps['query-session'].text(codec)
        user_text = steps['query-user'].text(codec)
        if steps['query-session'].rc != 0:
            found = tool_error(session_text)
            if found:
                self._fail_call('', found[0], found[1])
            if session_text.strip():
                raise TaskError('query session failed (rc=%d): %s' % (steps['query-session'].rc, session_text.strip()))
        try:
            session_rows = parse_query_session(session_text)
            try:
                user_rows = parse_query_user(user_text)
            except QueryParseError:
                # quser exits 1 with "No User exists for *" when nobody is on; the text is localized.
                if steps['query-user'].rc == 0 or tool_error(user_text):
                    raise
                user_rows = []
        except QueryParseError as error:
            raise TaskError('the output of query on this host could not be read: %s. Use method: wts, or report '
                            'the text (it may be a display language this collection does not know yet).' % error)
        if steps['query-user'].rc != 0 and tool_error(user_text):
            found = tool_error(user_text)
            self._fail_call('', found[0], found[1])
        return sessions_from_native(session_rows, user_rows)

    def _native(self, what, data):
        result = self.runner.run('native', data)
        try:
            frames, errors = split_frames(result.stdout)
            if errors:
                kind, code = errors[0]
                self._fail_call(kind, code, '')
            chcp = next((frame for frame in frames if frame.step == 'chcp'), None)
            codec = codec_for_code_page(chcp)
        except NativeOutputError as error:
            raise PayloadError('the native payload\'s answer to %s cannot be read: %s' % (what, error))
        return frames, codec

    def act(self, targets):
        """Run the operation on the planned targets in one command; return {id: (outcome, reason, output)}."""
        params = self.params
        data = {'op': self.operation.payload_op, 'server': params.get('server')}
        if self.operation.name == 'message':
            data.update({'title': params.get('message_title') or '', 'text': params['message'],
                         'wait_response': bool(params.get('wait')), 'timeout_seconds': params.get('timeout') or 0})
        else:
            notice = None
            if params.get('message'):
                notice = {'title': params.get('message_title') or '', 'text': params['message'],
                          'grace_seconds': params.get('grace_period') or 0}
            data.update({'notice': notice, 'wait': bool(params.get('wait')),
                         'timeout_seconds': params.get('timeout') or 0})
        data['targets'] = [dict(session.identity, id=session.id) for session in targets]
        if self.method == 'wts':
            return self._act_wts(data, targets)
        return self._act_native(data, targets)

    def _act_wts(self, data, targets):
        document = parse_json_answer('wts', self.runner.run('wts', data))
        error = document.get('error')
        if error:
            self._fail_call(error.get('kind'), error.get('code') or 0, error.get('message'))
        by_id = dict((int(item['id']), item) for item in document.get('results') or [] if item)
        outcomes = {}
        for session in targets:
            item = by_id.get(session.id)
            if item is None:
                outcomes[session.id] = ('unknown', 'the host answered without a result for this session', None)
                continue
            outcomes[session.id] = self._wts_outcome(item)
        return outcomes

    def _wts_outcome(self, item):
        operation = self.operation
        kind = item.get('outcome')
        if kind == 'done':
            if operation.name == 'message':
                response = item.get('response')
                if response == 32000:
                    return 'timed_out', 'nobody acknowledged the message before the timeout', None
                if self.params.get('wait') and response not in (None, 32001):
                    return 'acknowledged', 'the user closed the message (response %s)' % response, None
            return operation.done, None, None
        if kind == 'gone':
            return 'already_gone', 'the session ended before the %s' % operation.name, None
        if kind == 'identity_changed':
            return 'skipped', 'the session ID now belongs to another logon: left untouched', None
        if kind == 'timeout':
            return 'failed', ('the %s was requested but the session was still there after %ss'
                              % (operation.name, self.params.get('timeout'))), None
        return 'failed', diagnostics.explain_session_failure(int(item.get('code') or 0), item.get('message'),
                                                             operation.name), None

    def _act_native(self, data, targets):
        frames, codec = self._native(self.operation.name, data)
        by_target = {}
        for frame in frames:
            if frame.id is not None:
                by_target.setdefault(frame.id, []).append(frame)
        outcomes = {}
        act_step = {'logoff': 'logoff', 'disconnect': 'tsdiscon', 'message': 'msg'}[self.operation.name]
        for session in targets:
            seen = by_target.get(session.id, [])
            output = [line for frame in seen if frame.step in (act_step, 'notice')
                      for line in frame.text(codec).splitlines() if line.strip()]
            outcomes[session.id] = self._native_outcome(seen, act_step, codec) + (output or None,)
        return outcomes

    def _native_outcome(self, frames, act_step, codec):
        operation = self.operation
        if not frames or not all(frame.complete for frame in frames):
            return 'unknown', 'the host\'s answer was cut before this session\'s result: check its state'
        for frame in frames:
            if frame.step == 'guard' and frame.verdict == 'gone':
                return 'already_gone', 'the session ended before the %s' % operation.name
            if frame.step == 'guard' and frame.verdict == 'mismatch':
                return 'skipped', 'the session ID now belongs to another logon: left untouched'
        acted = [frame for frame in frames if frame.step == act_step]
        if not acted:
            return 'unknown', 'the host did not report the %s of this session' % operation.name
        if acted[-1].rc != 0:
            text = acted[-1].text(codec).strip()
            found = tool_error(text)
            if found:
                return 'failed', diagnostics.explain_session_failure(found[0], found[1], operation.name)
            return 'failed', '%s exited with %d: %s' % (act_step, acted[-1].rc, text or 'no message')
        waited = [frame for frame in frames if frame.step == 'wait']
        if waited and waited[-1].verdict == 'timeout':
            return 'failed', ('the %s was requested but the session was still there after %ss'
                              % (operation.name, self.params.get('timeout')))
        return operation.done, None

    # -- the whole task ------------------------------------------------------------------------------------

    def run(self):
        """Run the task and return the module result (raises TaskError, SelectorError, PlanError)."""
        params = self.params
        selector = validate(self.operation, params)
        try:
            sessions = self.snapshot()
        except AnsibleConnectionFailure as error:
            raise AnsibleConnectionFailure('%s. This happened while reading the sessions: nothing was changed; run '
                                           'the task again once the host answers.' % error) from error
        except PayloadError as error:
            raise PayloadError('%s This happened while reading the sessions: nothing was changed; run the task '
                               'again, and if it fails the same way, check the host (-vvvv shows the answer).'
                               % error) from error
        if selector.has_qualified_user and self.method == 'logoff_exe':
            self.warnings.append('the native tools do not show domains: username patterns with a domain match no '
                                 'session with method logoff_exe; use method: wts or a bare user name')
        plan = build_plan(sessions, selector, self.operation, params.get('max_sessions'))
        self._say('%d sessions on the host, %d matched, %d to act on'
                  % (len(sessions), len(plan.matched), len(plan.targets)))
        outcomes = {}
        if plan.targets and self.operation.changes and not self.check_mode:
            try:
                outcomes = self.act(plan.targets)
            except AnsibleConnectionFailure as error:
                raise TaskError('the connection failed while the %s was running, so the outcome for each session is '
                                'unknown: %s. Run the task again: it only acts on what is still there.'
                                % (self.operation.name, error),
                                sessions=[self._entry(s, 'unknown', 'the connection failed during the %s'
                                                      % self.operation.name) for s in plan.targets])
            except PayloadError as error:
                raise TaskError('the answer to the %s cannot be read, so the outcome for each session is unknown: %s '
                                'Check the sessions, or run the task again: it only acts on what is still there.'
                                % (self.operation.name, error),
                                sessions=[self._entry(s, 'unknown', 'the host\'s answer to the %s was unreadable'
                                                      % self.operation.name) for s in plan.targets])
        elif plan.targets and self.operation.changes:
            outcomes = dict((session.id, (self.operation.would, None, None)) for session in plan.targets)
        return self._result(plan, outcomes)

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
        entries = []
        for session, outcome, reason in plan.skipped:
            entries.append((session, self._entry(session, outcome, reason)))
        for session in plan.targets:
            outcome, reason, output = outcomes.get(session.id, (operation.done, None, None))
            entries.append((session, self._entry(session, outcome, reason, output)))
        entries.sort(key=lambda pair: pair[0].id)
        sessions = [entry for _unused, entry in entries]
        done_words = (operation.done, 'acknowledged', 'timed_out')
        changed = operation.changes and any(entry.get('outcome') in done_words + (operation.would,)
                                            for entry in sessions)
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
            result['msg'] = 'listed %d sessions' % len(plan.matched)
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


def run_module(action, operation_name, params, result):
    """Run a session task for an action plugin; fill and return ``result`` (never raises for user errors)."""
    task = SessionTask(operation_name, action._connection, params, check_mode=action._task.check_mode,
                       diff=action._task.diff, display=getattr(action, '_display', None),
                       host=action._play_context.remote_addr)
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
