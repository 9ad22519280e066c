# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``method: logoff_exe``: the native tools through ``native.ps1``, which frames each tool's output.

The dialogue (docs/architecture.md, "native payload"): ASCII frame lines around each tool's raw output, with the
tool's exit code and, for the identity guard and the wait, a verdict; ``chcp`` first, whose code page decodes the
rest. The tools' texts are read by ``module_utils/query_parser.py`` and their error lines by ``native_output.py``.
"""

from __future__ import annotations

from ansible_collections.winrds.sessions.plugins.module_utils import diagnostics
from ansible_collections.winrds.sessions.plugins.module_utils.native_output import (
    NativeOutputError, codec_for_code_page, split_frames, tool_error)
from ansible_collections.winrds.sessions.plugins.module_utils.query_parser import (
    QueryParseError, parse_query_session, parse_query_user)
from ansible_collections.winrds.sessions.plugins.module_utils.remoting_text import session_text, tool_bytes
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import sessions_from_native
from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import PayloadError
from ansible_collections.winrds.sessions.plugins.plugin_utils.methods import TaskError, fail_call, request

ACT_STEPS = {'logoff': 'logoff', 'disconnect': 'tsdiscon', 'message': 'msg'}
"""The tool each operation runs, which names its frames."""


class _Target:
    """A target as the payload's request needs it: its id and identity cells."""

    def __init__(self, sid, identity):
        self.id = sid
        self.identity = identity


class NativeDriver:
    """The native tools of one host, for one task."""

    name = 'logoff_exe'

    def __init__(self, runner, operation, params, computer=None):
        self.runner = runner
        self.operation = operation
        self.params = params
        self.computer = computer
        self._codec = None

    def _fail(self, kind, code, message):
        fail_call(self.operation, self.params, kind, code, message)

    def _call(self, what, data):
        """The frames of one command and the codec its chcp frame names."""
        result = self.runner.run('native', data)
        try:
            frames, errors = split_frames(result.stdout)
            if errors:
                kind, code = errors[0]
                self._fail(kind, code, '')
            chcp = next((frame for frame in frames if frame.step == 'chcp'), None)
            codec = codec_for_code_page(chcp)
            self._codec = codec
            if self.runner.remoting:
                # psrp: PowerShell's strings, read in the ANSI code page; the frames again as the tools wrote them.
                frames, errors = split_frames(tool_bytes(result.stdout, codec))
        except NativeOutputError as error:
            raise PayloadError('the native payload\'s answer to %s cannot be read: %s' % (what, error))
        return frames, codec

    def snapshot(self):
        """The sessions, from ``query session`` and ``query user``."""
        frames, codec = self._call('snapshot', {'op': 'snapshot', 'server': self.params.get('server')})
        steps = dict((frame.step, frame) for frame in frames)
        for step in ('query-session', 'query-user'):
            if step not in steps or not steps[step].complete:
                raise PayloadError('the native payload\'s answer was cut before %s finished' % step)
        session_text = steps['query-session'].text(codec)
        user_text = steps['query-user'].text(codec)
        if steps['query-session'].rc != 0:
            found = tool_error(session_text)
            if found:
                self._fail('', found[0], found[1])
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
            self._fail('', found[0], found[1])
        return sessions_from_native(session_rows, user_rows)

    def act(self, targets):
        """Run the operation on the targets in one command; ``{id: (outcome, reason, output)}``."""
        sent = targets
        if self.runner.remoting and self._codec:
            # psrp: the payload compares the cells with the tools' lines as PowerShell reads them in the session.
            sent = [_Target(session.id, dict((key, value if value is None else session_text(value, self._codec))
                                             for key, value in session.identity.items())) for session in targets]
        frames, codec = self._call(self.operation.name, request(self.operation, self.params, sent))
        by_target = {}
        for frame in frames:
            if frame.id is not None:
                by_target.setdefault(frame.id, []).append(frame)
        act_step = ACT_STEPS[self.operation.name]
        outcomes = {}
        for session in targets:
            seen = by_target.get(session.id, [])
            output = [line for frame in seen if frame.step in (act_step, 'notice')
                      for line in frame.text(codec).splitlines() if line.strip()]
            outcomes[session.id] = self._outcome(seen, act_step, codec) + (output or None,)
        return outcomes

    def _outcome(self, frames, act_step, codec):
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
