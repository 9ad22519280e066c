"""``query user`` / ``quser`` and ``query session`` / ``qwinsta``.

Sources: docs/sources.md, "query user and query session" (layout, messages, streams), tables.py; the usage
texts: docs/sources.md, "Switches and usage texts".
The table goes to stdout; ``No User exists for *``, ``No session exists for *`` and the ``Error`` lines to
stderr; quser exits 1 when nobody matches (a code comment only); the other failure codes are not documented
(``failure_rc``, options.py): docs/sources.md, "Streams and exit codes of query".
"""

from __future__ import annotations

from tests.emulator.windows.sessions import Session
from tests.emulator.windows.toolenv import ToolEnv

from . import tables
from .args import ToolResult, parse_arguments, usage, usage_error


def _matches(session: Session, target: str) -> bool:
    if target.isdigit():
        return session.id == int(target)
    wanted = target.lower()
    return session.display_name == wanted or (session.user or '').lower() == wanted


def _error_line(env: ToolEnv, code: int) -> str:
    return env.locale.text('error_line', code=code, text=env.locale.error_text(code))


def query_user(env: ToolEnv, args: list[str]) -> ToolResult:
    """``QUERY USER [username | sessionname | sessionid] [/SERVER:servername]``."""
    locale = env.locale
    parsed = parse_arguments(args, flags=set(), valued={'server'}, max_positional=1)
    if parsed.help:
        return usage(str(locale.get('usage_query_user')))
    if parsed.bad:
        return usage_error(str(locale.get('usage_query_user')), str(locale.get('invalid_parameters')))
    target = parsed.positional[0] if parsed.positional else None
    with env.lock:
        computer, code, remote = env.computer(parsed.server)
        if computer is None:
            # "Error 0x000006BA enumerating sessionnames" / "Error [1722]:..." (docs/sources.md, "Errors of query").
            return ToolResult(1, [], [locale.text('quser_enum_error', code=code), _error_line(env, code)])
        faulted = env.host.faults.query_error_ids.get(int(target)) if target and target.isdigit() else None
        if faulted and not remote:
            return ToolResult(1, [], [locale.text('quser_enum_error', code=faulted), _error_line(env, faulted)])
        now = env.now()
        sessions = [s for s in computer.list_sessions(now) if s.has_user]
    if target is not None:
        sessions = [s for s in sessions if _matches(s, target)]
    if not sessions:
        return ToolResult(1, [], [locale.text('no_user', arg=target if target is not None else '*')])
    lines = tables.query_user_lines(sessions, locale, now, env.current_session_id(remote), env.options.date_format)
    return ToolResult(0, lines, [])


def query_session(env: ToolEnv, args: list[str]) -> ToolResult:
    """``QUERY SESSION [sessionname | username | sessionid] [/SERVER:servername] [/MODE] ...``.

    /MODE, /FLOW, /CONNECT and /COUNTER are accepted, but their output is not in any source
    (docs/sources.md, "Errors of query"): the plain table is printed.
    """
    locale = env.locale
    parsed = parse_arguments(args, flags={'mode', 'flow', 'connect', 'counter', 'vm'}, valued={'server'},
                             max_positional=1)
    if parsed.help:
        return usage(str(locale.get('usage_query_session')))
    if parsed.bad:
        return usage_error(str(locale.get('usage_query_session')), str(locale.get('invalid_parameters')))
    target = parsed.positional[0] if parsed.positional else None
    failure_rc = int(env.options.unknown('failure_rc'))
    with env.lock:
        computer, code, remote = env.computer(parsed.server)
        if computer is None:
            # "Error opening Terminal server example.com", a blank line, "Error [5]:Access is denied."
            # (blog post id 39456616928; docs/sources.md, "Errors of query").
            return ToolResult(failure_rc, [], [locale.text('open_server_error', server=parsed.server), '',
                                               _error_line(env, code)])
        sessions = computer.list_sessions(env.now())
    if target is not None:
        sessions = [s for s in sessions if _matches(s, target)]
        if not sessions:
            return ToolResult(failure_rc, [], [locale.text('no_session', arg=target)])
    lines = tables.query_session_lines(sessions, locale, env.current_session_id(remote), env.options.qwinsta_padding)
    return ToolResult(0, lines, [])


def query(env: ToolEnv, args: list[str]) -> ToolResult:
    """``query`` with its object word; bare ``query`` prints ``QUERY { PROCESS | SESSION | TERMSERVER | USER }``."""
    if args and args[0].lower() == 'user':
        return query_user(env, args[1:])
    if args and args[0].lower() == 'session':
        return query_session(env, args[1:])
    if args and args[0].lower() in ('process', 'termserver'):
        return ToolResult(1, [], [f'query {args[0].lower()} is not emulated by this test host'])
    # XC query.exe (docs/sources.md, "Switches and usage texts"); stream and exit code assumed.
    return ToolResult(1, [str(env.locale.get('usage_query'))], [])
