# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host will wait for, said on the controller before the command that waits is sent.

A grace period, a logoff's wait for sessions to leave and a message's wait for users to close it all happen inside
one command on the host. ansible-core's ``winrm`` connection returns a command's output only when the command ends
(it reads the whole output before ``exec_command`` returns), and its ``psrp`` connection collects the pipeline's
streams the same way, so nothing the host writes during the wait can reach the user before then. The controller
therefore says, before it sends the command, what the host will wait for and for how long.

Shown at ``-v``: the level at which Ansible shows each task's result. The default output stays one line per host
and task (what callbacks and log readers expect), and ``-v`` is the first thing a user adds when a task takes long.
"""

from __future__ import annotations

from ansible_collections.winrds.sessions.plugins.module_utils.durations import format_seconds


def _sessions(count):
    return '%d session%s' % (count, '' if count == 1 else 's')


def describe_wait(operation, params, count):
    """The sentence that says what the host will wait for, or None when the command does not wait.

    :param operation: the task's :class:`Operation`.
    :param params: the task's options, durations already in seconds.
    :param count: how many sessions the command acts on.
    """
    them = 'it' if count == 1 else 'them'
    if operation.name == 'message':
        if not params.get('wait'):
            return None
        return ('the host shows the message to %s and waits up to %s for the %s to close it'
                % (_sessions(count), format_seconds(params.get('timeout') or 0), 'user' if count == 1 else 'users'))
    grace = (params.get('grace_period') or 0) if params.get('message') else 0
    wait = operation.name == 'logoff' and bool(params.get('wait'))
    if not grace and not wait:
        return None
    verb = {'logoff': 'logs %s off', 'disconnect': 'disconnects %s'}[operation.name]
    if grace:
        text = 'the host shows the warning to %s, waits the grace period of %s, then %s' % (
            _sessions(count), format_seconds(grace), verb % them)
    else:
        text = 'the host %s' % ('logs off %s' % _sessions(count))
    if wait:
        text += ' and waits up to %s for %s to leave' % (format_seconds(params.get('timeout') or 0), them)
    return text
