"""The execution context the protocol layer hands to ``Host.execute``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ExecContext:
    """Who runs a command, and how they connected.

    :param account: the authenticated account (an ``Account`` of the host: ``.name``, ``.admin``...).
    :param auth: ``"basic"``, ``"ntlm"``, ``"kerberos"`` or ``"credssp"``.
    :param scheme: ``"http"`` or ``"https"``.
    :param codepage: the shell's WINRS_CODEPAGE option ([MS-WSMV] 3.1.4.5; pywinrm's default 437,
        ansible's winrm plugin asks for 65001).
    :param shell_id: the WinRS shell the command runs in (several commands of one task share it).
    :param cancelled: a ``threading.Event`` set when the command is aborted (terminate signal, shell deleted): the
        host stops what runs for it.
    :param can_delegate: the logon brought credentials the host could present to another computer: Basic's
        password, CredSSP's delegated password, a forwarded Kerberos TGT; never with NTLM (``logon.py``). What
        Windows makes of them (the second hop) is the model's decision.
    """

    account: Any
    auth: str
    scheme: str
    codepage: int = 437
    shell_id: str = ""
    cancelled: Any = None
    can_delegate: bool = False
