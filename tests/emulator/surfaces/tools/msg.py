"""``msg``: a message box in one or more sessions.

Sources: docs/sources.md, "msg". The message is the rest of the command line, or stdin when none is given (usage
text). The arguments are those the C runtime's parser gives (CommandLineToArgvW rules): a quoted message is one
argument without its quotes, which is how ansible's win_msg module passes it (``& msg.exe $msg_args``, where
PowerShell quotes an argument with blanks; community.windows ``plugins/modules/win_msg.ps1``, which also refuses
messages over 255 characters). ``/TIME`` defaults to 60 s (MicrosoftDocs/windowsserverdocs#6518). ``/V`` prints ``Sending message to
session Console, display time 1`` and ``Async message sent to session Console``; msg names sessions by their
WinStation name (``Console``). ``msg *`` always includes session 1, even where it does not exist (ansible#67414),
and then fails with ``Error sending message to session Console : Error 2147500058`` (community.windows#533);
errors go to stderr and the exit code is non-zero (ansible's win_msg.ps1 checks ``$LASTEXITCODE``).
"""

from __future__ import annotations

from tests.emulator.windows import errors
from tests.emulator.windows.computer import IDTIMEOUT
from tests.emulator.windows.sessions import Session
from tests.emulator.windows.toolenv import ToolEnv

from .args import ToolResult, split_text, usage, usage_error


DEFAULT_TIME = 60


def _parse(args: list[str]):
    """``(target, switches, message_words, bad)``: switches come after the target and before the message."""
    target = None
    switches: dict[str, str | bool] = {}
    words: list[str] = []
    bad = False
    for arg in args:
        if words:
            words.append(arg)
        elif arg.startswith('/'):
            name, sep, value = arg[1:].partition(':')
            name = name.lower()
            if name in ('server', 'time') and sep and value:
                switches[name] = value
            elif name in ('v', 'w') and not sep:
                switches[name] = True
            else:
                bad = True
        elif target is None:
            target = arg
        else:
            words.append(arg)
    if 'time' in switches and not str(switches['time']).isdigit():
        bad = True
    return target, switches, words, bad


def _targets(sessions: list[Session], target: str) -> list[tuple[int, str]]:
    """``(id, name)`` pairs a target names; for ``*`` session 1 always, as ``Console`` when it is missing."""
    users = [s for s in sessions if not s.is_listener and s.id != 0]
    if target == '*':
        chosen = [(s.id, s.wts_name) for s in users if s.has_user]
        if not any(session_id == 1 for session_id, _unused in chosen):
            one = next((s for s in sessions if s.id == 1), None)
            chosen.append((1, one.wts_name if one else 'Console'))
        return sorted(chosen)
    if target.isdigit():
        return [(int(target), next((s.wts_name for s in sessions if s.id == int(target)), target))]
    wanted = target.lower()
    return [(s.id, s.wts_name) for s in users
            if s.display_name == wanted or (s.user or '').lower() == wanted]


def reads_stdin(args: list[str]) -> bool:
    """Whether msg reads the message from its standard input: when the command line gives none (usage text)."""
    if '/?' in args:
        return False
    target, _switches, words, bad = _parse(args)
    return target is not None and not bad and not words


def msg(env: ToolEnv, args: list[str], stdin_text: str | None) -> ToolResult:
    """``MSG {username | sessionname | sessionid | @filename | *} [/SERVER] [/TIME] [/V] [/W] [message]``."""
    locale = env.locale
    usage_text = str(locale.get('usage_msg'))
    if '/?' in args:
        return usage(usage_text)
    target, switches, words, bad = _parse(args)
    if bad or target is None:
        return usage_error(usage_text, str(locale.get('invalid_parameters')))
    text = ' '.join(words) if words else (stdin_text or '').rstrip('\r\n')
    seconds = int(switches.get('time', DEFAULT_TIME))
    verbose = bool(switches.get('v'))
    wait = bool(switches.get('w'))
    server = switches.get('server') if isinstance(switches.get('server'), str) else None
    failure_rc = int(env.options.unknown('failure_rc'))
    result = ToolResult(0, [], [])
    with env.lock:
        computer, code, _remote = env.computer(server)
        if computer is None:
            # "Error 1722 getting session names" (satyajit321/PowerShell-Multi-Threading-Broadcast-Using-MSG).
            return ToolResult(failure_rc, [], [locale.text('msg_names_error', code=code)])
        targets = _targets(computer.list_sessions(env.now()), target)
    if not targets or target.startswith('@'):
        return ToolResult(failure_rc, [], split_text(str(env.options.unknown('msg_not_found')).format(target=target)))
    for session_id, name in targets:
        if verbose:
            result.out.append(locale.text('msg_sending', name=name, time=seconds))
        with env.lock:
            now = env.now()
            exists = computer.find(session_id, now) is not None
            outcome = computer.send_message(session_id, env.account, now, title=None, text=text, timeout=seconds,
                                            wait=wait, via='msg.exe', block_seconds=env.options.message_block_seconds)
        # A missing session: what msg prints for the missing session 1 (community.windows#533), assumed for any ID.
        code = outcome.code if exists else errors.CO_E_RUNAS_LOGON_FAILURE
        if code:
            result.err.append(locale.text('msg_send_error', name=name, code=code))
            result.rc = failure_rc
            continue
        if not wait:
            if verbose:
                result.out.append(locale.text('msg_async_sent', name=name))
            continue
        env.clock.sleep(outcome.wait_seconds)
        if outcome.response == IDTIMEOUT:
            if verbose:
                result.out.append(str(env.options.unknown('msg_wait_timeout')).format(name=name))
            result.rc = result.rc or int(env.options.unknown('msg_wait_timeout_rc'))
        elif verbose:
            result.out.append(str(env.options.unknown('msg_wait_answered')).format(name=name))
    return result
