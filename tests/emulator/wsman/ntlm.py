"""NTLM per TCP connection, through pyspnego's pure-Python acceptor.

pyspnego reads the account database from the file named by the ``NTLM_USER_FILE`` environment variable, twice:
when the acceptor is created (the file must exist) and in the last leg, when it looks up the user of the
AUTHENTICATE message (``spnego/_ntlm.py``: ``NTLMProxy.__init__`` and ``_step_accept_authenticate``). Because the
variable is process-wide and every host has its own accounts, both calls run under one process-wide lock with the
variable pointing at that host's file (:func:`user_file`), and the previous value is restored afterwards. CredSSP
authenticates with NTLM inside its TLS channel and uses the same lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import spnego
from spnego.channel_bindings import GssChannelBindings

from . import constants as c
from .logon import NTLM, AuthError, ContextHandshake

log = logging.getLogger(__name__)

_ENV_LOCK = threading.Lock()
_ENV_NAME = "NTLM_USER_FILE"
SIGNATURE = b"NTLMSSP\x00"  # every NTLM message starts with it ([MS-NLMP] 2.2.1)


@contextlib.contextmanager
def user_file(path: Path) -> Iterator[None]:
    """Point ``NTLM_USER_FILE`` at ``path`` for the duration, holding the process-wide lock."""
    with _ENV_LOCK:
        previous = os.environ.get(_ENV_NAME)
        os.environ[_ENV_NAME] = str(path)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(_ENV_NAME, None)
            else:
                os.environ[_ENV_NAME] = previous


class NtlmUserFile:
    """The ``DOMAIN:USER:PASSWORD`` file of one host's accounts, rewritten when the accounts change.

    Each account gets three lines, for the domains a local account may be given with: none, the
    computer name and ``.``. A password containing ``:`` or a line break cannot be written in this format;
    such an account cannot log on with NTLM (a warning is logged).
    """

    def __init__(self, host: Any, directory: Path) -> None:
        self._host = host
        self.path = Path(directory) / "ntlm_users"
        self._written: str | None = None
        self.refresh()

    def refresh(self) -> None:
        """Write the file if the host's accounts differ from what it holds."""
        lines = []
        for account in self._host.accounts():
            if any(ch in f"{account.name}{account.password}" for ch in ":\r\n"):
                log.warning("account %r cannot be written to the NTLM user file; NTLM logon refused", account.name)
                continue
            for domain in ("", self._host.name.upper(), "."):
                lines.append(f"{domain}:{account.name}:{account.password}")
        text = "\n".join(lines) + "\n"
        if text != self._written:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            self._written = text


class NtlmHandshake(ContextHandshake):
    """The NTLM acceptor of one TCP connection; once complete it also seals and unseals bodies."""

    auth = NTLM
    protocol = c.SPNEGO_ENCRYPTED

    def __init__(self, user_file_: NtlmUserFile, channel_binding_data: bytes | None, reply_scheme: str) -> None:
        self._user_file = user_file_
        self.reply_scheme = reply_scheme  # Windows answers under the scheme word the client used
        bindings = GssChannelBindings(application_data=channel_binding_data) if channel_binding_data else None
        with user_file(user_file_.path):
            self._context = spnego.server(
                protocol="ntlm",
                service="http",
                channel_bindings=bindings,
                options=spnego.NegotiateOptions.use_ntlm,
            )

    def step(self, token: bytes) -> bytes | None:
        """Feed a client token; return the token to send back (None when there is none).

        :raises AuthError: malformed token, unknown user, wrong password, wrong channel bindings.
        """
        if not token.startswith(SIGNATURE):
            raise AuthError("not an NTLM token")
        self._user_file.refresh()
        try:
            with user_file(self._user_file.path):
                return self._context.step(token)
        except Exception as exc:  # pyspnego raises SpnegoError subclasses, struct/ValueError on garbage
            raise AuthError(str(exc)) from exc
