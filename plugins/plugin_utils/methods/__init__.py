# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a host is asked: one driver per ``method``, each with its payload script beside it.

=====================  ==================================================================================
``wts.py``/``.ps1``     the WTS API (``method: wts``): JSON answers, outcome words
``native.py``/``.ps1``  the native tools (``method: logoff_exe``): framed tool output, code pages, tool errors
=====================  ==================================================================================

Every driver has the same small interface, which the task flow (``_runner.py``) uses::

    driver = Driver(runner, operation, params)   # runner: _transport.PayloadRunner; operation: planner.Operation
    driver.name                                  # the method's name, as the result reports it
    driver.computer                              # the host's name when the payload reported it, else None
    driver.snapshot() -> list[Session]           # the sessions of the host (or of params['server'])
    driver.act(targets) -> {id: (outcome, reason, output)}   # one command for every target

Failures: ``Unavailable`` from ``snapshot`` means "this method cannot run on this host, another may";
``TaskError`` a failure of the whole task; ``PayloadError`` an answer that cannot be read. ``read_sessions`` holds
the rule of ``method: auto``: the WTS API first, the native tools when the WTS functions cannot be loaded.
"""

from __future__ import annotations

from ansible_collections.winrds.sessions.plugins.module_utils import diagnostics


class TaskError(Exception):
    """A failure of the whole task; ``sessions`` holds what is known per session (possibly nothing)."""

    def __init__(self, message, sessions=None):
        super().__init__(message)
        self.sessions = sessions or []


class Unavailable(Exception):
    """The method cannot run on this host (the WTS functions cannot be loaded); the message says why."""


STILL_THERE = 'still_there'
"""The outcome a driver gives a session that the operation was requested for but that had not left at the timeout.
The task reports it as ``failed`` for that session, and as a change: the host was asked to act."""


def still_there(operation, params):
    """``(outcome, reason)`` of a session still there at the end of the wait, the same for every method."""
    return STILL_THERE, ('the %s was requested but the session was still there after %ss'
                         % (operation.name, params.get('timeout')))


def fail_call(operation, params, kind, code, message):
    """Raise the TaskError that explains a whole call's failure (diagnostics.explain)."""
    raise TaskError(diagnostics.explain(kind, code, message, server=params.get('server'), operation=operation.name))


def request(operation, params, targets):
    """The input document of an action, the same for both payloads (docs/architecture.md, "Standard input")."""
    data = {'op': operation.payload_op, 'server': params.get('server')}
    if operation.name == 'message':
        data.update({'title': params.get('message_title') or '', 'text': params['message'],
                     'wait_response': bool(params.get('wait')), 'timeout_seconds': params.get('timeout') or 0})
    else:
        notice = None
        if params.get('message'):
            notice = {'title': params.get('message_title') or '', 'text': params['message'],
                      'grace_seconds': params.get('grace_period') or 0}
        data.update({'notice': notice, 'wait': bool(params.get('wait')), 'timeout_seconds': params.get('timeout') or 0})
    data['targets'] = [dict(session.identity, id=session.id) for session in targets]
    return data


def read_sessions(runner, operation, params, say=None, using=None):
    """The driver the task uses and the host's sessions: ``(driver, sessions, fallback_reason)``.

    ``method: wts`` and ``logoff_exe`` use their driver; ``auto`` uses the WTS API and, when its functions cannot be
    loaded on the host (Constrained Language Mode, a policy), the native tools, saying why in ``fallback_reason``.
    ``using(driver)`` is called once a driver is the one the task goes on with (the native driver before it asks
    the host, the WTS driver once it answered), so that a failure can name the method it happened with.
    """
    from .native import NativeDriver
    from .wts import WtsDriver

    using = using or (lambda driver: None)
    method = params.get('method') or 'auto'
    if method == 'logoff_exe':
        driver = NativeDriver(runner, operation, params)
        using(driver)
        return driver, driver.snapshot(), None
    driver = WtsDriver(runner, operation, params)
    try:
        sessions = driver.snapshot()
        using(driver)
        return driver, sessions, None
    except Unavailable as unavailable:
        if method == 'wts':
            raise TaskError(diagnostics.explain('helper_unavailable', 0, str(unavailable),
                                                server=params.get('server'), operation=operation.name))
        reason = str(unavailable) or 'the WTS functions could not be loaded'
        if say:
            say('falling back to the native tools: %s' % reason)
        native = NativeDriver(runner, operation, params, computer=driver.computer)
        using(native)
        return native, native.snapshot(), reason
