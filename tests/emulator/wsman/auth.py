"""Authentication of WinRM requests: Basic per request, NTLM per TCP connection.

What Windows offers on a 401 (capture in jborean93/omi#29): one ``WWW-Authenticate`` header per
scheme, ``Negotiate`` and ``Basic realm="WSMAN"`` among them, with an empty body. The emulator offers
only the schemes a host enables (``auth: [basic, ntlm]``); Kerberos and CredSSP are not emulated.

NTLM is accepted by pyspnego's pure-Python acceptor. pyspnego reads the account database from the
file named by the ``NTLM_USER_FILE`` environment variable, twice: when the acceptor is created (the
file must exist) and in the last leg, when it looks up the user of the AUTHENTICATE message
(``spnego/_ntlm.py``: ``NTLMProxy.__init__`` and ``_step_accept_authenticate``). Because the variable is
process-wide and every host has its own accounts, both calls run under one process-wide lock with the
variable pointing at that host's file, and the previous value is restored afterwards.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import spnego
from spnego.channel_bindings import GssChannelBindings

log = logging.getLogger(__name__)

BASIC = "basic"
NTLM = "ntlm"
SUPPORTED = (BASIC, NTLM)

_ENV_LOCK = threading.Lock()
_ENV_NAME = "NTLM_USER_FILE"


@contextlib.contextmanager
def _user_file(path: Path) -> Iterator[None]:
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


class AuthError(Exception):
    """The credentials or tokens were refused."""


class NtlmHandshake:
    """The NTLM acceptor of one TCP connection; once complete it also seals and unseals bodies."""

    def __init__(self, user_file: NtlmUserFile, channel_binding_data: bytes | None) -> None:
        self._user_file = user_file
        bindings = GssChannelBindings(application_data=channel_binding_data) if channel_binding_data else None
        with _user_file(user_file.path):
            self.context = spnego.server(
                protocol="ntlm",
                service="http",
                channel_bindings=bindings,
                options=spnego.NegotiateOptions.use_ntlm,
            )

    def step(self, token: bytes) -> bytes | None:
        """Feed a client token; return the token to send back (None when there is none).

        :raises AuthError: malformed token, unknown user, wrong password, wrong channel bindings.
        """
        if not token.startswith(b"NTLMSSP\x00"):
            raise AuthError("only raw NTLM tokens are accepted")
        self._user_file.refresh()
        try:
            with _user_file(self._user_file.path):
                return self.context.step(token)
        except Exception as exc:  # pyspnego raises SpnegoError subclasses, struct/ValueError on garbage
            raise AuthError(str(exc)) from exc

    @property
    def complete(self) -> bool:
        """True once the AUTHENTICATE message was accepted."""
        return bool(self.context.complete)

    @property
    def principal(self) -> str | None:
        """``DOMAIN\\user`` or ``user`` as the client authenticated."""
        return self.context.client_principal


class Authenticator:
    """The authentication policy of one host.

    :param methods: the enabled schemes, a subset of ``("basic", "ntlm")``.
    :param channel_binding_data: for https, what NTLM clients must bind to (None over http).
    """

    def __init__(self, host: Any, methods: list[str], directory: Path, channel_binding_data: bytes | None) -> None:
        unknown = set(methods) - set(SUPPORTED)
        if unknown or not methods:
            raise ValueError(f"auth must be a non-empty subset of {SUPPORTED}, got {methods}")
        self._host = host
        self.methods = tuple(methods)
        self._channel_binding_data = channel_binding_data
        self._user_file = NtlmUserFile(host, directory) if NTLM in methods else None

    def offers(self) -> list[str]:
        """The ``WWW-Authenticate`` values of a 401, in Windows' order."""
        values = []
        if NTLM in self.methods:
            values.append("Negotiate")
        if BASIC in self.methods:
            values.append('Basic realm="WSMAN"')
        return values

    def basic(self, credentials: str) -> Any:
        """Check ``Authorization: Basic`` credentials.

        :returns: the account.
        :raises AuthError: scheme disabled, malformed header or refused by the host.
        """
        if BASIC not in self.methods:
            raise AuthError("Basic is not enabled")
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise AuthError("malformed Basic credentials") from exc
        user, sep, password = decoded.partition(":")
        if not sep:
            raise AuthError("malformed Basic credentials")
        account = self._host.authenticate_basic(user, password)
        if account is None:
            raise AuthError(f"Basic logon refused for {user!r}")
        return account

    def ntlm(self) -> NtlmHandshake:
        """Start an NTLM handshake for a connection.

        :raises AuthError: NTLM is not enabled.
        """
        if self._user_file is None:
            raise AuthError("NTLM is not enabled")
        return NtlmHandshake(self._user_file, self._channel_binding_data)

    def ntlm_account(self, handshake: NtlmHandshake) -> Any:
        """The host account of a completed handshake.

        :raises AuthError: the principal is not an account of the host.
        """
        account = self._host.account(handshake.principal or "")
        if account is None:
            raise AuthError(f"no account for {handshake.principal!r}")
        return account
