"""Windows side of the emulated Remote Desktop Session Host used to test ``winrds.sessions``.

A test double of Windows, not of the collection: it keeps a session table and answers as Windows' native
tools, the WTS API and Windows PowerShell 5.1 do, each behaviour citing its public source. The protocol layer
(``tests/emulator/wsman``) authenticates a client and hands each WinRS command to :meth:`Host.execute`.

Public interface::

    load_config(path_or_dict) -> list[HostSpec]          # config.py documents every key
    HostSpec(host, port, scheme, auth)
    Host.name; Host.accounts(); Host.account(user); Host.authenticate_basic(user, password)
    Host.execute(command_line, stdin, ctx: ExecContext) -> CommandResult   # thread-safe; may sleep
    Host.state() -> dict; Host.reset(); Host.set_faults(spec)              # faults.py documents the spec
    Account(name, password, admin); ExecContext(account, auth, scheme, can_delegate); CommandResult(rc, stdout, stderr)

State document (``Host.state()``)::

    {"name", "computer_name", "locale", "language_mode", "clock",
     "sessions": [{"id", "name", "user", "domain", "state", "idle_minutes", "logon_time",
                   "disconnect_time", "client"}],                      # services and listeners included
     "servers": [{"name", "locale", "sessions": [...]}],
     "messages": [{"server", "session_id", "title", "text", "time", "via", "sender", "wait",
                   "timeout_seconds", "response"}],
     "commands": [{"command_line", "stdin", "account", "auth", "rc", "script"?, "payload"?, "op"?,
                   "internal_error"?}],                                  # internal_error: an emulator bug
     "events": [{"time", "event", "server", "session_id", "user", "domain", "by", "via"}],
     "faults": {...}}

Modules: ``config`` (configuration), ``host`` (command-line front, state, faults), ``computer`` and
``sessions`` (the session table and its operations), ``native*`` (the tools), ``tables``/``dates`` (their
text), ``locales`` and ``locales/*.yml`` (languages), ``payload_wts``/``payload_native`` (PowerShell running the
collection's payloads), ``bootstrap`` (recognising them), ``powershell`` (PowerShell and cmd.exe behaviour),
``faults``, ``clock``, ``options`` (unknowns), ``testing`` (helpers for in-process tests).

Session times are host-local ISO strings; a session that is logged off leaves ``sessions``; ``commands`` is
append-only, one entry per command, ``script`` the decoded -EncodedCommand text.
"""

from .accounts import Account
from .config import ConfigError, HostSpec, load_config
from .host import CommandResult, ExecContext, Host

__all__ = ['Account', 'CommandResult', 'ConfigError', 'ExecContext', 'Host', 'HostSpec', 'load_config']
