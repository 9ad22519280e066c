"""CredSSP per TCP connection, through pyspnego's CredSSP acceptor ([MS-CSSP]).

On the wire ([MS-CSSP] 3.1.5, and pywinrm's requests-credssp client): ``Authorization: CredSSP <token>`` legs,
each answered by a 401 with ``WWW-Authenticate: CredSSP <token>``: a TLS handshake, then NTLM inside the TLS
channel (TSRequest negoTokens), then the public-key binding (pubKeyAuth) that ties the inner authentication to the
TLS server key, and last the client's credentials (authInfo: TSCredentials with the user name, domain and
password). The request that carries the last token is answered normally (200).

The server's TLS certificate is pyspnego's throw-away self-signed one, as a host without a configured
CredSSP certificate uses a self-signed one (Enable-WSManCredSSP -Role Server). The inner authentication is
pyspnego's Negotiate acceptor, which takes raw NTLM (requests-credssp with ``auth_mechanism='ntlm'``) as well as
SPNEGO-wrapped NTLM (``'auto'`` without a Kerberos ticket); it reads the host's NTLM user file under the lock of
:mod:`ntlm`. Windows logs the user on with the delegated credentials (a NetworkCleartext logon: Microsoft,
"Administrative tools and logon types", row "PowerShell WinRM with CredSSP"); so does the host here: the
delegated user name and password must be those of the account the inner authentication proved, or the logon is
refused.
"""

from __future__ import annotations


import spnego

from . import constants as c
from .logon import CREDSSP, AuthError, ContextHandshake
from .ntlm import NtlmUserFile, user_file

_FAILED_STAGE = "Authentication failure"  # pyspnego's auth_stage once its acceptor sent the errorCode


class CredSspHandshake(ContextHandshake):
    """The CredSSP acceptor of one TCP connection."""

    auth = CREDSSP
    protocol = c.CREDSSP_ENCRYPTED
    reply_scheme = "CredSSP"

    def __init__(self, user_file_: NtlmUserFile, host_name: str) -> None:
        self._user_file = user_file_
        with user_file(user_file_.path):
            self._context = spnego.server(hostname=host_name, service="HTTP", protocol="credssp")

    def step(self, token: bytes) -> bytes | None:
        """Feed one CredSSP token; return the token to send back.

        :raises AuthError: a broken TLS handshake, a refused inner authentication, a public key that does not
            match (a man in the middle), no credentials in the last leg.
        """
        self._user_file.refresh()
        try:
            with user_file(self._user_file.path):
                reply = self._context.step(token)
        except Exception as exc:  # pyspnego raises SpnegoError subclasses, ssl errors inside them
            raise AuthError(str(exc)) from exc
        if self._context.get_extra_info("auth_stage") == _FAILED_STAGE:
            # The inner authentication failed: the acceptor answers with a TSRequest carrying the NTSTATUS
            # ([MS-CSSP] 2.2.1 errorCode, protocol version 3 and later), which still goes to the client.
            raise AuthError("CredSSP's inner authentication was refused", reply=(self.reply_scheme, reply or b""))
        return reply

    @property
    def credentials(self) -> tuple[str, str, str] | None:
        """The delegated ``(domain, user, password)``, once the last leg arrived."""
        received = self._context.get_extra_info("client_credential") if self.complete else None
        if received is None or not hasattr(received, "password"):
            return None  # smart-card credentials (TSSmartCardCreds) are not emulated
        return received.domain_name, received.username, received.password

    @property
    def delegated(self) -> bool:
        """True once the password arrived (checked against the account by the authenticator)."""
        return self.credentials is not None
