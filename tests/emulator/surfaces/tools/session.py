"""``logoff`` and ``tsdiscon``.

Sources: docs/sources.md, "logoff" and "tsdiscon" (MSDOC logoff/tsdiscon). logoff refuses the console session
(``Could not logoff session ID 0 from session Console, Error code 5`` / ``Error [5]:...``: KB Q259436, and
MSDOC "You can't log off a user from the console session") even where the WTS API would end it; a session
*name* given to logoff must be an active session (MSDOC). tsdiscon refuses the console with 7041 (MSDOC "The
console session can't be disconnected"; ERROR_CTX_CONSOLE_DISCONNECT). Errors go to stderr (ARTools
Disconnect-LoggedOnUser.ps1 treats any stderr as failure). Without an ID or name both tools act on the
current session: through WinRM that is session 0, which they cannot end (docs/sources.md, "logoff").
"""

from __future__ import annotations

from tests.emulator.windows import errors
from tests.emulator.windows.sessions import Session
from tests.emulator.windows.toolenv import ToolEnv

from .args import ToolResult, parse_arguments, split_text, usage, usage_error


def _error_line(env: ToolEnv, code: int) -> str:
    return env.locale.text('error_line', code=code, text=env.locale.error_text(code))


def _find_target(env: ToolEnv, sessions: list[Session], target: str | None, active_only: bool) -> Session | None:
    if target is None:
        wanted = env.options.current_session_id
        return next((s for s in sessions if s.id == wanted), None)
    if target.isdigit():
        return next((s for s in sessions if s.id == int(target)), None)
    name = target.lower()
    for session in sessions:
        if session.display_name == name and (session.state == 'active' or not active_only):
            return session
    return None


def _remote_failure(env: ToolEnv, server: str, code: int) -> ToolResult:
    text = str(env.options.unknown('remote_open_failed')).format(
        open_error=env.locale.text('open_server_error', server=server), error=_error_line(env, code))
    return ToolResult(int(env.options.unknown('failure_rc')), [], split_text(text))


def _locate(env: ToolEnv, parsed, active_only: bool, not_found: str):
    """The computer ``/server:`` names and the session the positional argument names (call with the lock held).

    :returns: ``(computer, session, now, refused)``; ``refused`` is the tool's answer when either is missing.
    """
    target = parsed.positional[0] if parsed.positional else None
    computer, code, _remote = env.computer(parsed.server)
    if computer is None:
        return None, None, None, _remote_failure(env, parsed.server or '', code)
    now = env.now()
    session = _find_target(env, computer.list_sessions(now), target, active_only=active_only)
    if session is None:
        text = str(env.options.unknown(not_found)).format(target=target)
        return computer, None, now, ToolResult(int(env.options.unknown('failure_rc')), [], split_text(text))
    return computer, session, now, None


def logoff(env: ToolEnv, args: list[str]) -> ToolResult:
    """``LOGOFF [sessionname | sessionid] [/SERVER:servername] [/V] [/VM]``."""
    locale = env.locale
    parsed = parse_arguments(args, flags={'v', 'vm'}, valued={'server'}, max_positional=1)
    usage_text = str(locale.get('usage_logoff'))
    if parsed.help:
        # XC captured nothing on stdout for logoff; its usage text is on stderr (inferred:
        # docs/sources.md, "Switches and usage texts").
        return ToolResult(0, [], split_text(usage_text))
    if parsed.bad:
        return usage_error(usage_text, str(locale.get('invalid_parameters')))
    failure_rc = int(env.options.unknown('failure_rc'))
    with env.lock:
        computer, session, now, refused = _locate(env, parsed, active_only=True, not_found='logoff_not_found')
        if refused:
            return refused
        if session.is_console:
            code = errors.ERROR_ACCESS_DENIED
        else:
            code = computer.logoff(session.id, env.account, now, via='logoff.exe')
    if code:
        return ToolResult(failure_rc, [], [
            locale.text('logoff_failed', id=session.id, name=session.wts_name, code=code), _error_line(env, code)])
    verbose = str(env.options.unknown('logoff_verbose'))
    out = []
    if parsed.switches.get('v') and verbose:
        out = split_text(verbose.format(id=session.id, name=session.display_name))
    return ToolResult(0, out, [])


def tsdiscon(env: ToolEnv, args: list[str]) -> ToolResult:
    """``TSDISCON [sessionid | sessionname] [/SERVER:servername] [/V] [/VM]``."""
    locale = env.locale
    parsed = parse_arguments(args, flags={'v', 'vm'}, valued={'server'}, max_positional=1)
    usage_text = str(locale.get('usage_tsdiscon'))
    if parsed.help:
        return usage(usage_text)
    if parsed.bad:
        return usage_error(usage_text, str(locale.get('invalid_parameters')))
    failure_rc = int(env.options.unknown('failure_rc'))
    with env.lock:
        computer, session, now, refused = _locate(env, parsed, active_only=False, not_found='tsdiscon_not_found')
        if refused:
            return refused
        code = computer.disconnect(session.id, env.account, now, via='tsdiscon.exe')
    if code:
        return ToolResult(failure_rc, [], [
            locale.text('tsdiscon_failed', id=session.id, name=session.display_name, code=code),
            _error_line(env, code)])
    out = []
    if parsed.switches.get('v'):
        # "Disconnecting sessionID 2 from sessionname rdp-tcp#2" (JSI Tip 5428, Windows 2000;
        # docs/sources.md, "tsdiscon").
        out.append(locale.text('tsdiscon_verbose', id=session.id, name=session.display_name))
    return ToolResult(0, out, [])
