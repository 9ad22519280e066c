# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``method: wts``: the WTS API through ``wts.ps1``, which answers with one JSON object per command.

The dialogue (docs/architecture.md, "wts payload"): the snapshot answer lists every session with its WTSINFO
times; an action answer has one result per target with an outcome word (``done``, ``gone``, ``identity_changed``,
``timeout``, ``failed``) and, for a message, the WTSSendMessage response. A whole call that fails answers an
``error`` with a kind and a Win32 code; ``helper_unavailable`` means the WTS functions could not be loaded here.
"""

from __future__ import annotations

from ansible_collections.winrds.sessions.plugins.module_utils import diagnostics
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import sessions_from_wts
from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import PayloadError, parse_json_answer
from ansible_collections.winrds.sessions.plugins.plugin_utils.methods import Unavailable, fail_call, request

IDTIMEOUT = 32000
"""WTSSendMessage's response when nobody answered within the timeout."""
IDASYNC = 32001
"""WTSSendMessage's response when it did not wait for one."""


class WtsDriver:
    """The WTS API of one host, for one task."""

    name = 'wts'

    def __init__(self, runner, operation, params):
        self.runner = runner
        self.operation = operation
        self.params = params
        self.computer = None

    @staticmethod
    def refusal(operation, params):
        """Why this method cannot do what the task asks, before anything is sent; None when it can."""
        return None

    def _call(self, data):
        document = parse_json_answer('wts', self.runner.run('wts', data))
        self.computer = document.get('computer') or self.computer
        return document

    def snapshot(self):
        """The sessions; raises Unavailable when the WTS functions cannot be loaded on the host."""
        document = self._call({'op': 'snapshot', 'server': self.params.get('server')})
        error = document.get('error')
        if error:
            if error.get('kind') == 'helper_unavailable':
                raise Unavailable(error.get('message') or '')
            fail_call(self.operation, self.params, error.get('kind'), error.get('code') or 0, error.get('message'))
        try:
            return sessions_from_wts(document)
        except (KeyError, TypeError, ValueError) as problem:
            raise PayloadError('the wts payload reported a session this controller cannot read (%s: %s); the host '
                               'and the collection may be of different versions' % (type(problem).__name__, problem))

    def act(self, targets):
        """Run the operation on the targets in one command; ``{id: (outcome, reason, output)}``."""
        document = self._call(request(self.operation, self.params, targets))
        error = document.get('error')
        if error:
            fail_call(self.operation, self.params, error.get('kind'), error.get('code') or 0, error.get('message'))
        by_id = dict((int(item['id']), item) for item in document.get('results') or [] if item)
        outcomes = {}
        for session in targets:
            item = by_id.get(session.id)
            if item is None:
                outcomes[session.id] = ('unknown', 'the host answered without a result for this session', None)
            else:
                outcomes[session.id] = self._outcome(item)
        return outcomes

    def _outcome(self, item):
        operation = self.operation
        kind = item.get('outcome')
        if kind == 'done':
            if operation.name == 'message':
                response = item.get('response')
                if response == IDTIMEOUT:
                    return 'timed_out', 'nobody acknowledged the message before the timeout', None
                if self.params.get('wait') and response not in (None, IDASYNC):
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
