"""The native tools a command line can run, by name: what ``query.exe`` and friends do on the host."""

from __future__ import annotations

from . import native_misc, native_msg, native_query, native_session
from .toolargs import ToolResult
from .toolenv import ToolEnv

TOOLS = ('query', 'quser', 'qwinsta', 'logoff', 'tsdiscon', 'msg', 'hostname', 'whoami', 'chcp')


def tool_name(word: str) -> str | None:
    """The tool a command word names (``query``, ``query.exe``, ``C:\\Windows\\System32\\quser.exe``), or None."""
    base = word.replace('/', '\\').rsplit('\\', 1)[-1].lower()
    for suffix in ('.exe', '.com'):
        if base.endswith(suffix):
            base = base[:-len(suffix)]
    return base if base in TOOLS else None


def reads_stdin(name: str, args: list[str]) -> bool:
    """Whether tool ``name`` reads its standard input with these arguments (only msg does, without a message)."""
    return name == 'msg' and native_msg.reads_stdin(args)


def run_tool(env: ToolEnv, name: str, args: list[str], stdin_text: str | None = None) -> ToolResult:
    """Run native tool ``name`` with ``args`` (``stdin_text``: what the tool reads from stdin, for msg)."""
    if name == 'query':
        return native_query.query(env, args)
    if name == 'quser':
        return native_query.query_user(env, args)
    if name == 'qwinsta':
        return native_query.query_session(env, args)
    if name == 'logoff':
        return native_session.logoff(env, args)
    if name == 'tsdiscon':
        return native_session.tsdiscon(env, args)
    if name == 'msg':
        return native_msg.msg(env, args, stdin_text)
    if name == 'hostname':
        return native_misc.hostname(env, args)
    if name == 'whoami':
        return native_misc.whoami(env, args)
    if name == 'chcp':
        return native_misc.chcp(env, args)
    raise KeyError(name)
