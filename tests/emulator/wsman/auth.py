"""The authentication policy of one host: which schemes it offers, and who a completed logon is.

What Windows offers on a 401 (capture in jborean93/omi#29): one ``WWW-Authenticate`` header per enabled scheme,
in the order ``Negotiate``, ``Kerberos``, ``Basic realm="WSMAN"``, ``CredSSP``, with an empty body. The emulator
offers the schemes a host enables (``auth: [basic, ntlm, kerberos, credssp]``); ``Negotiate`` stands for NTLM and
Kerberos, which arrive under that word and are told apart by their token (:mod:`ntlm`, :mod:`kerberos`).

Basic is checked on every request. NTLM, Kerberos and CredSSP authenticate a TCP connection once
(:mod:`ntlm`, :mod:`kerberos`, :mod:`credssp`); the completed handshake names the account and tells whether the
host received reusable credentials (:mod:`logon`).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from . import kerberos
from .credssp import CredSspHandshake
from .kerberos import KerberosHandshake
from .logon import BASIC, CREDSSP, KERBEROS, NTLM, SUPPORTED, AuthError, Handshake
from .ntlm import NtlmHandshake, NtlmUserFile

__all__ = ["BASIC", "CREDSSP", "KERBEROS", "NTLM", "SUPPORTED", "AuthError", "Authenticator"]


class Authenticator:
    """The authentication policy of one host.

    :param methods: the enabled schemes, a subset of ``("basic", "ntlm", "kerberos", "credssp")``.
    :param channel_binding_data: for https, what NTLM and Kerberos clients must bind to (None over http).
    """

    def __init__(self, host: Any, methods: list[str], directory: Path, channel_binding_data: bytes | None) -> None:
        unknown = set(methods) - set(SUPPORTED)
        if unknown or not methods:
            raise ValueError(f"auth must be a non-empty subset of {SUPPORTED}, got {methods}")
        if KERBEROS in methods and not kerberos.available():
            raise ValueError("auth kerberos needs the Python gssapi package (tests/requirements/kerberos.txt)")
        self._host = host
        self.methods = tuple(methods)
        self._channel_binding_data = channel_binding_data
        needs_user_file = NTLM in methods or CREDSSP in methods
        self._user_file = NtlmUserFile(host, directory) if needs_user_file else None

    def offers(self) -> list[str]:
        """The ``WWW-Authenticate`` values of a 401, in Windows' order."""
        values = []
        if NTLM in self.methods or KERBEROS in self.methods:
            values.append("Negotiate")
        if KERBEROS in self.methods:
            values.append("Kerberos")
        if BASIC in self.methods:
            values.append('Basic realm="WSMAN"')
        if CREDSSP in self.methods:
            values.append("CredSSP")
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

    def negotiate(self, scheme_word: str, token: bytes) -> Handshake:
        """Start the handshake a first ``Negotiate`` (or ``NTLM``) token asks for.

        :raises AuthError: the token's mechanism is not enabled, or not emulated (SPNEGO-wrapped tokens).
        """
        if kerberos.is_kerberos_token(token):
            if KERBEROS not in self.methods:
                raise AuthError("Kerberos is not enabled")
            return KerberosHandshake(self._host.name, self._channel_binding_data)
        if NTLM not in self.methods or self._user_file is None:
            raise AuthError("NTLM is not enabled")
        return NtlmHandshake(self._user_file, self._channel_binding_data, scheme_word)

    def credssp(self) -> Handshake:
        """Start a CredSSP handshake.

        :raises AuthError: CredSSP is not enabled.
        """
        if CREDSSP not in self.methods or self._user_file is None:
            raise AuthError("CredSSP is not enabled")
        return CredSspHandshake(self._user_file, self._host.name)

    def account_of(self, handshake: Handshake) -> Any:
        """The host account of a completed handshake.

        :raises AuthError: the principal is not an account of the host; CredSSP credentials that do not log on as
            that account.
        """
        account = self._host.account(handshake.principal or "")
        if account is None:
            raise AuthError(f"no account for {handshake.principal!r}")
        if isinstance(handshake, CredSspHandshake):
            credentials = handshake.credentials
            if credentials is None:
                raise AuthError("CredSSP delivered no password credentials")
            _domain, user, password = credentials
            delegated = self._host.authenticate_basic(user, password)
            if delegated is None or delegated.name.lower() != account.name.lower():
                raise AuthError(f"the delegated credentials of {user!r} do not log on as {account.name!r}")
        return account
