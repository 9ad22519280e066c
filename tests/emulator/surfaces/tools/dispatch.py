"""The native tools a command line can run, by name: what ``query.exe`` and friends do on the host."""

from __future__ import annotations

from tests.emulator.windows.toolenv import ToolEnv

from . import misc, msg, query, reg, session, tasklist
from .args import ToolResult


TOOLS = ('query', 'quser', 'qwinsta', 'logoff', 'tsdiscon', 'msg', 'hostname', 'whoami', 'chcp', 'tasklist', 'reg')


class ToolMissing(LookupError):
    """The tool is not installed on this host (``missing_tools``): Windows cannot start it."""


def tool_name(word: str) -> str | None:
    """The tool a command word names (``query``, ``query.exe``, ``C:\\Windows\\System32\\quser.exe``), or None."""
    base = word.replace('/', '\\').rsplit('\\', 1)[-1].lower()
    for suffix in ('.exe', '.com'):
        if base.endswith(suffix):
            base = base[:-len(suffix)]
    return base if base in TOOLS else None


def reads_stdin(name: str, args: list[str]) -> bool:
    """Whether tool ``name`` reads its standard input with these arguments (only msg does, without a message)."""
    return name == 'msg' and msg.reads_stdin(args)


def run_tool(env: ToolEnv, name: str, args: list[str], stdin_text: str | None = None) -> ToolResult:
    """Run native tool ``name`` with ``args`` (``stdin_text``: what the tool reads from stdin, for msg).

    :raises ToolMissing: the host does not have the tool (a client edition without query.exe, for example).
    """
    if name in env.options.missing_tools or (name in ('quser', 'qwinsta') and 'query' in env.options.missing_tools):
        raise ToolMissing(name)
    if name == 'query':
        return query.query(env, args)
    if name == 'quser':
        return query.query_user(env, args)
    if name == 'qwinsta':
        return query.query_session(env, args)
    if name == 'logoff':
        return session.logoff(env, args)
    if name == 'tsdiscon':
        return session.tsdiscon(env, args)
    if name == 'msg':
        return msg.msg(env, args, stdin_text)
    if name == 'hostname':
        return misc.hostname(env, args)
    if name == 'whoami':
        return misc.whoami(env, args)
    if name == 'chcp':
        return misc.chcp(env, args)
    if name == 'tasklist':
        return tasklist.tasklist(env, args)
    if name == 'reg':
        return reg.reg(env, args)
    raise KeyError(name)
