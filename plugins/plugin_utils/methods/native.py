# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``method: logoff_exe``: the native tools through ``native.ps1``, which hands over each tool's exact output.

The dialogue (docs/architecture.md, "native payload"): ASCII frame lines around each tool's output and error bytes
(in hexadecimal), with the tool's exit code and, for the identity guard and the wait, a verdict; first the console
code page (chcp) and the OEM code page (reg query), which decode the rest (``native_output.Codecs``). The tools'
texts are read by ``module_utils/query_parser.py`` and ``tasklist_parser.py``, their error lines by
``native_output.py``. The identity a guard compares is the bytes of the cells the snapshot read, in the code page
they were written in.
"""

from __future__ import annotations

from ansible_collections.winrds.sessions.plugins.module_utils import diagnostics
from ansible_collections.winrds.sessions.plugins.module_utils.native_output import (
    Codecs, NativeOutputError, cell_hex, split_frames, tool_error)
from ansible_collections.winrds.sessions.plugins.module_utils.query_parser import (
    QueryParseError, parse_query_session, parse_query_user)
from ansible_collections.winrds.sessions.plugins.module_utils.selectors import Selector
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import sessions_from_native
from ansible_collections.winrds.sessions.plugins.module_utils.tasklist_parser import (
    TasklistParseError, parse_tasklist_accounts)
from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import PayloadError
from ansible_collections.winrds.sessions.plugins.plugin_utils.methods import TaskError, fail_call, request

ACT_STEPS = {'logoff': 'logoff', 'disconnect': 'tsdiscon', 'message': 'msg'}
"""The tool each operation runs, which names its frames."""

MSG_LIMIT = 255
"""The most characters msg.exe takes as a message (title, line break and text); ansible's win_msg module refuses
more for the same reason."""


def message_text(title, text):
    """The text msg.exe shows: the title on a line of its own above the message."""
    return '%s\r\n%s' % (title, text) if title else text


class NativeDriver:
    """The native tools of one host, for one task."""

    name = 'logoff_exe'

    def __init__(self, runner, operation, params, computer=None):
        self.runner = runner
        self.operation = operation
        self.params = params
        self.computer = computer
        self.cell_codecs = {}
        """The codec each session's query user and tasklist cells were written in: ``{id: (query, tasklist)}``."""

    @staticmethod
    def refusal(operation, params):
        """Why this method cannot do what the task asks, before anything is sent; None when it can."""
        if not params.get('message'):
            return None
        shown = message_text(params.get('message_title') or '', params['message'])
        if len(shown) > MSG_LIMIT:
            return ('message: msg.exe, which shows messages with method logoff_exe, takes at most %d characters, '
                    'and this message is %d with its title (the title and a line break count). Shorten it, or use '
                    'method: wts, whose message box has no such limit' % (MSG_LIMIT, len(shown)))
        return None

    def _fail(self, kind, code, message):
        fail_call(self.operation, self.params, kind, code, message)

    def _call(self, what, data):
        """The frames of one command, by step, and the codecs that decode them."""
        result = self.runner.run('native', data)
        try:
            frames, errors = split_frames(result.stdout)
            if errors:
                kind, code = errors[0]
                self._fail(kind, code, '')
            codecs_ = Codecs.from_frames(frames)
        except NativeOutputError as error:
            raise PayloadError('the native payload\'s answer to %s cannot be read: %s' % (what, error))
        return frames, codecs_

    def _step(self, frames, step):
        frame = next((frame for frame in frames if frame.step == step), None)
        if frame is None or not frame.complete:
            raise PayloadError('the native payload\'s answer was cut before %s finished' % step)
        if frame.missing:
            raise TaskError('%s could not be started on the host: %s. method: logoff_exe needs the Remote Desktop '
                            'tools of Windows (query.exe, logoff.exe, tsdiscon.exe, msg.exe, tasklist.exe) in '
                            'System32; use method: wts, or install the Remote Desktop Session Host role'
                            % (frame.step.split('-')[0] + '.exe', frame.note or 'no reason given'))
        return frame

    def _fail_on_tool_error(self, frame, text):
        found = tool_error(text)
        if found:
            self._fail('', found[0], found[1])
        if frame.rc != 0 and text.strip():
            raise TaskError('%s failed (rc=%d): %s' % (frame.step.replace('-', ' '), frame.rc, text.strip()))

    def snapshot(self):
        """The sessions, from ``query session`` and ``query user``, and with a domain-qualified username pattern
        the accounts of their processes (tasklist), which give the domains."""
        domains = Selector.from_params(self.params).has_qualified_user
        frames, codecs_ = self._call('snapshot', {'op': 'snapshot', 'server': self.params.get('server'),
                                                  'domains': domains})
        session_frame = self._step(frames, 'query-session')
        user_frame = self._step(frames, 'query-user')
        session_text = session_frame.text(codecs_)
        user_text = user_frame.text(codecs_)
        if session_frame.rc != 0:
            self._fail_on_tool_error(session_frame, session_frame.all_text(codecs_))
        try:
            session_rows = parse_query_session(session_text)
            try:
                user_rows = parse_query_user(user_text)
            except QueryParseError:
                # quser exits 1 with "No User exists for *" when nobody is on; the text is localized.
                if user_frame.rc == 0 or tool_error(user_frame.all_text(codecs_)):
                    raise
                user_rows = []
        except QueryParseError as error:
            raise TaskError('the output of query on this host could not be read: %s. Use method: wts, or report '
                            'the text (it may be a display language this collection does not know yet).' % error)
        if user_frame.rc != 0 and tool_error(user_frame.all_text(codecs_)):
            self._fail_on_tool_error(user_frame, user_frame.all_text(codecs_))
        accounts = None
        tasklist_codec = None
        if domains:
            tasklist = self._step(frames, 'tasklist')
            if tasklist.rc != 0:
                self._fail_on_tool_error(tasklist, tasklist.all_text(codecs_))
            tasklist_codec = codecs_.codec_of(tasklist.out)
            try:
                accounts = parse_tasklist_accounts(tasklist.text(codecs_))
            except TasklistParseError as error:
                raise TaskError('the output of tasklist on this host could not be read: %s. Use method: wts, or '
                                'select users without a domain.' % error)
        sessions = sessions_from_native(session_rows, user_rows, accounts)
        query_codec = codecs_.codec_of(user_frame.out)
        self.cell_codecs = dict((session.id, (query_codec, tasklist_codec)) for session in sessions)
        return sessions

    def _target(self, session):
        """What the guard compares for one session: its cells as the bytes the tools wrote, in hexadecimal."""
        query_codec, tasklist_codec = self.cell_codecs.get(session.id, ('utf-8', None))
        identity = session.identity
        target = {'id': session.id, 'user_hex': cell_hex(identity.get('user_cell') or '', query_codec) or '',
                  'logon_hex': None, 'account_hex': None}
        if identity.get('logon_cell'):
            target['logon_hex'] = cell_hex(identity['logon_cell'], query_codec)
        if identity.get('account') and tasklist_codec:
            target['account_hex'] = cell_hex('"%s"' % identity['account'], tasklist_codec)
        return target

    def act(self, targets):
        """Run the operation on the targets in one command; ``{id: (outcome, reason, output)}``."""
        data = request(self.operation, self.params, targets)
        data['targets'] = [self._target(session) for session in targets]
        frames, codecs_ = self._call(self.operation.name, data)
        by_target = {}
        for frame in frames:
            if frame.id is not None:
                by_target.setdefault(frame.id, []).append(frame)
        act_step = ACT_STEPS[self.operation.name]
        outcomes = {}
        for session in targets:
            seen = by_target.get(session.id, [])
            output = [line for frame in seen if frame.step in (act_step, 'notice')
                      for line in frame.all_text(codecs_).splitlines() if line.strip()]
            outcomes[session.id] = self._outcome(seen, act_step, codecs_) + (output or None,)
        return outcomes

    def _outcome(self, frames, act_step, codecs_):
        operation = self.operation
        if not frames or not all(frame.complete for frame in frames):
            return 'unknown', 'the host\'s answer was cut before this session\'s result: check its state'
        for frame in frames:
            if frame.missing:
                return 'failed', '%s could not be started on the host: %s' % (
                    'query.exe' if frame.step.startswith('guard') else act_step + '.exe', frame.note or 'no reason')
            if frame.step == 'guard' and frame.verdict == 'gone':
                return 'already_gone', 'the session ended before the %s' % operation.name
            if frame.step == 'guard' and frame.verdict == 'mismatch':
                return 'skipped', 'the session ID now belongs to another logon: left untouched'
            if frame.step == 'guard' and frame.verdict == 'error':
                failing = [item for item in frames if item.step.startswith('guard') and item.rc != 0] or [frame]
                text = failing[0].all_text(codecs_).strip()
                found = tool_error(text)
                why = diagnostics.explain_session_failure(found[0], found[1], operation.name) if found else (
                    '%s exited with %d: %s' % (failing[0].step, failing[0].rc, text or 'no message'))
                return 'failed', ('the check that the session still holds the same logon failed, so it was left '
                                  'untouched: %s' % why)
        acted = [frame for frame in frames if frame.step == act_step]
        if not acted:
            return 'unknown', 'the host did not report the %s of this session' % operation.name
        if acted[-1].rc != 0:
            text = acted[-1].all_text(codecs_).strip()
            found = tool_error(text)
            if found:
                return 'failed', diagnostics.explain_session_failure(found[0], found[1], operation.name)
            return 'failed', '%s exited with %d: %s' % (act_step, acted[-1].rc, text or 'no message')
        waited = [frame for frame in frames if frame.step == 'wait']
        if waited and waited[-1].verdict == 'timeout':
            return 'failed', ('the %s was requested but the session was still there after %ss'
                              % (operation.name, self.params.get('timeout')))
        return operation.done, None
