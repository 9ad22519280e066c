"""``tasklist``: the processes of the host, with the session and the account each runs in.

Sources: Microsoft's tasklist reference (``tasklist [/s <computer>] [{/m | /svc | /v}] [/fo {table | list | csv}]
[/nh] [/fi <filter>]``; /v adds the user name and window title; /nh drops the header; the SESSION filter with
``eq``). With ``/v /fo csv`` every row is nine quoted fields: image name, PID, session name, session number, memory
usage, status, user name (``DOMAIN\\user``), CPU time, window title, the order open-source parsers of that output
read it in. Only ``/v``, ``/fo csv``, ``/nh``, ``/s`` and ``/fi "SESSION eq <n>"`` are emulated; other filters and
formats answer with the tool's usage error.

Which processes run where is the model's (``Session.processes``): a session with a user runs the user's shell
processes under the user's account, beside csrss.exe, winlogon.exe and dwm.exe under system accounts; session 0
runs the services. The names of the system accounts and the status word are localized (``tasklist_*`` keys).
"""

from __future__ import annotations

from tests.emulator.windows.sessions import Session
from tests.emulator.windows.toolenv import ToolEnv

from .args import ToolResult, split_text

USER_IMAGES = ('explorer.exe', 'rdpclip.exe', 'sihost.exe', 'taskhostw.exe')
"""Processes of a logged-on user's desktop (run under the user's account)."""


def _quote(field: str) -> str:
    return '"%s"' % field.replace('"', '""')


def _processes(env: ToolEnv, session: Session, computer_name: str) -> list[tuple[str, str]]:
    """``(image, account)`` of every process of a session."""
    locale = env.locale
    system = '%s\\SYSTEM' % locale.text('tasklist_nt_authority')
    if session.id == 0:
        network = '%s\\%s' % (locale.text('tasklist_nt_authority'), locale.text('tasklist_network_service'))
        return [('System', system), ('smss.exe', system), ('services.exe', system), ('svchost.exe', system),
                ('svchost.exe', network), ('TermService.exe', network)]
    if session.is_listener:
        return []
    processes = [('csrss.exe', system), ('winlogon.exe', system),
                 ('dwm.exe', 'Window Manager\\DWM-%d' % session.id)]
    if session.has_user and session.processes:
        account = '%s\\%s' % (session.domain or computer_name, session.user)
        processes += [(image, account) for image in USER_IMAGES]
    elif not session.has_user:
        processes.append(('LogonUI.exe', system))
    return processes


def tasklist(env: ToolEnv, args: list[str]) -> ToolResult:
    """``tasklist /v /fo csv /nh [/s server] [/fi "SESSION eq n"]``."""
    locale = env.locale
    lowered = [arg.lower() for arg in args]
    if '/?' in lowered:
        return ToolResult(0, split_text(str(locale.get('usage_tasklist'))), [])
    server, session_filter, verbose, csv, header = None, None, False, False, True
    index = 0
    while index < len(args):
        arg = lowered[index]
        if arg == '/v':
            verbose = True
        elif arg == '/nh':
            header = False
        elif arg == '/fo' and index + 1 < len(args) and lowered[index + 1] == 'csv':
            csv = True
            index += 1
        elif arg == '/s' and index + 1 < len(args):
            server = args[index + 1]
            index += 1
        elif arg == '/fi' and index + 1 < len(args):
            words = args[index + 1].split()
            if len(words) != 3 or words[0].lower() != 'session' or words[1].lower() != 'eq' or not words[2].isdigit():
                return ToolResult(1, [], [locale.text('tasklist_bad_filter')])
            session_filter = int(words[2])
            index += 1
        else:
            return ToolResult(1, [], split_text(locale.text('tasklist_bad_syntax', arg=args[index])))
        index += 1
    if not (verbose and csv):
        return ToolResult(1, [], split_text(locale.text('tasklist_bad_syntax', arg=' '.join(args) or '(none)')))
    with env.lock:
        computer, code, _remote = env.computer(server)
        if computer is None:
            return ToolResult(1, [], [locale.text('tasklist_remote_error', code=code, text=locale.error_text(code))])
        sessions = [s for s in computer.list_sessions(env.now()) if session_filter is None or s.id == session_filter]
        computer_name = computer.computer_name
    rows = []
    if header:
        rows.append(','.join(_quote(title) for title in str(locale.get('tasklist_csv_header')).split('|')))
    pid = 4
    for session in sessions:
        for image, account in _processes(env, session, computer_name):
            pid += 4
            rows.append(','.join(_quote(field) for field in (
                image, str(pid), session.wts_name if session.id == 0 else (session.wts_name or ''), str(session.id),
                '12,345 K', locale.text('tasklist_unknown_status'), account, '0:00:01', locale.text('tasklist_na'))))
    if not rows:
        return ToolResult(0, [locale.text('tasklist_no_tasks')], [])
    return ToolResult(0, rows, [])
