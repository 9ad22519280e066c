"""What an authentication leaves behind on one connection, and the error every scheme raises.

The scheme names (``basic``, ``ntlm``, ``kerberos``, ``credssp``) are the values of a host's ``auth`` list and of
``ExecContext.auth``. ``delegated`` is the protocol's fact about the logon that the Windows model turns into a
second-hop decision: whether the host received credentials it could present to another computer. Basic sends the
password itself; CredSSP sends the password inside its TLS channel after authenticating ([MS-CSSP] 1.3: the
client's credentials are delegated to the server); Kerberos sends a forwarded TGT (a KRB-CRED in the
authenticator's checksum, RFC 4121 4.1.1) only when the client asked for delegation and its TGT is forwardable
(RFC 4120 2.6); NTLM never sends anything the server could reuse (the challenge response proves the password
without revealing it: [MS-NLMP] 1.3).
"""

from __future__ import annotations

from typing import Any, Protocol

BASIC = "basic"
NTLM = "ntlm"
KERBEROS = "kerberos"
CREDSSP = "credssp"
SUPPORTED = (BASIC, NTLM, KERBEROS, CREDSSP)


class AuthError(Exception):
    """The credentials or tokens were refused.

    :param reply: ``(scheme, token)`` the refusal goes out with, when the scheme itself tells the client why
        (CredSSP's TSRequest errorCode, [MS-CSSP] 2.2.1).
    """

    def __init__(self, message: str, reply: tuple[str, bytes] | None = None) -> None:
        super().__init__(message)
        self.reply = reply


class Handshake(Protocol):
    """The acceptor of one connection-based scheme (NTLM, Kerberos, CredSSP).

    ``step`` feeds one client token and returns the token to send back (None when there is none); once
    ``complete``, ``principal`` names the client, ``context`` seals and unseals bodies (``wrap_winrm`` /
    ``unwrap_winrm``) under the ``protocol`` string of [MS-WSMV] 2.2.9.1, and ``delegated`` tells whether
    reusable credentials arrived.
    """

    auth: str
    reply_scheme: str
    protocol: str

    def step(self, token: bytes) -> bytes | None: ...

    @property
    def complete(self) -> bool: ...

    @property
    def principal(self) -> str | None: ...

    @property
    def context(self) -> Any: ...

    @property
    def delegated(self) -> bool: ...


class ContextHandshake:
    """What the handshakes built on a pyspnego acceptor context share: its state, the client it proved, and the
    context itself, which seals and unseals bodies. ``delegated`` is False unless the scheme says otherwise."""

    _context: Any

    @property
    def complete(self) -> bool:
        """True once the client's last token was accepted."""
        return bool(self._context.complete)

    @property
    def principal(self) -> str | None:
        """The client as it authenticated (``DOMAIN\\user``, ``user`` or ``user@REALM``)."""
        return self._context.client_principal

    @property
    def context(self) -> Any:
        """The pyspnego context."""
        return self._context

    @property
    def delegated(self) -> bool:
        """Whether reusable credentials arrived with the logon."""
        return False
