"""Kerberos under the Negotiate scheme, per TCP connection, through pyspnego's GSSAPI acceptor.

What the clients send (pywinrm's vendored requests_kerberos over pykerberos): ``Authorization: Negotiate <token>``
with a raw Kerberos initial context token, the GSS-API framing of RFC 2743 3.1 around the Kerberos mechanism OID
1.2.840.113554.1.2.2 and an AP-REQ (RFC 4121 4.1), sent preemptively with the first request. Windows accepts it
in one leg and answers the request itself with ``WWW-Authenticate: Negotiate <AP-REP>`` (mutual authentication,
which the client requires). Windows clients wrap the same token in SPNEGO; no client of this project does, so that
form is not accepted here.

The acceptor uses the host's own service key only, ``HTTP/<host name>`` in the realm's keytab (the
``KRB5_KTNAME`` and ``KRB5_CONFIG`` of the emulator's process): a ticket for another host's name is refused, as
Windows refuses a ticket encrypted for another account. The client principal (``user@REALM``) names the account.
When the client delegated (GSS_C_DELEG_FLAG with a forwardable TGT: RFC 4121 4.1.1.1), the acceptor context
reports the delegate flag: the host then holds the user's forwarded TGT.
"""

from __future__ import annotations

import importlib.util

import spnego
from spnego.channel_bindings import GssChannelBindings

from . import constants as c
from .logon import KERBEROS, AuthError, ContextHandshake

# The service class of WinRM's SPN: pywinrm's Transport(service="HTTP") and Windows' own client ask for
# HTTP/<host> (dataplat/dbatools#316: a second HTTP SPN on the host breaks WinRM's Kerberos logon).
SERVICE = "HTTP"
# DER of the Kerberos V5 mechanism OID 1.2.840.113554.1.2.2 (RFC 1964 1.1, RFC 4121 4.1) and of Microsoft's
# legacy Kerberos OID 1.2.840.48018.1.2.2, both as they follow the 0x60 application tag of an initial token.
_KRB5_OIDS = (bytes.fromhex("06092a864886f712010202"), bytes.fromhex("06092a864882f712010202"))


def available() -> bool:
    """True when the Python ``gssapi`` package (pyspnego's Kerberos provider on Linux) can be imported."""
    return importlib.util.find_spec("gssapi") is not None


def is_kerberos_token(token: bytes) -> bool:
    """True for a raw Kerberos initial context token (RFC 2743 3.1 framing around the Kerberos OID)."""
    if len(token) < 2 or token[0] != 0x60:
        return False
    size = token[1]
    offset = 2 if size < 0x80 else 2 + (size & 0x7F)
    return token[offset : offset + len(_KRB5_OIDS[0])] in _KRB5_OIDS


class KerberosHandshake(ContextHandshake):
    """The Kerberos acceptor of one TCP connection for ``HTTP/<host name>``."""

    auth = KERBEROS
    protocol = c.SPNEGO_ENCRYPTED
    reply_scheme = "Negotiate"

    def __init__(self, host_name: str, channel_binding_data: bytes | None) -> None:
        bindings = GssChannelBindings(application_data=channel_binding_data) if channel_binding_data else None
        spn = f"{SERVICE}@{host_name}"
        try:
            self._context = spnego.server(
                hostname=host_name,
                service=SERVICE,
                protocol="kerberos",
                channel_bindings=bindings,
                credentials=spn,
            )
        except Exception as exc:  # no keytab entry for the SPN, no krb5 configuration
            raise AuthError(f"no Kerberos acceptor for {spn}: {exc}") from exc

    def step(self, token: bytes) -> bytes | None:
        """Accept the AP-REQ; return the AP-REP.

        :raises AuthError: not a Kerberos token, a ticket for another service, a bad or replayed authenticator,
            a clock skew, wrong channel bindings.
        """
        if not is_kerberos_token(token):
            raise AuthError("not a Kerberos initial context token")
        try:
            return self._context.step(token)
        except Exception as exc:  # pyspnego wraps GSSError into SpnegoError subclasses
            raise AuthError(str(exc)) from exc

    @property
    def delegated(self) -> bool:
        """True when the client forwarded its TGT with the AP-REQ."""
        return bool(self._context.complete and self._context.context_attr & spnego.ContextReq.delegate)
