"""HTTP session encryption of WinRM bodies ([MS-WSMV] 2.2.9.1 Encrypted Message Types).

An encrypted body is a MIME-like multipart of one or more parts::

    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/HTTP-SPNEGO-session-encrypted\\r\\n
    \\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plain length>\\r\\n
    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/octet-stream\\r\\n
    <length, 4 bytes little-endian><header><sealed message>--Encrypted Boundary--\\r\\n

The protocol string names the security context: ``HTTP-SPNEGO-session-encrypted`` for a Negotiate logon
(NTLM, or Kerberos under the Negotiate scheme: 2.2.9.1.1), ``HTTP-CredSSP-session-encrypted`` for CredSSP
(2.2.9.1.3). With NTLM and Kerberos the 4-byte length is that of the signature (the wrap token's header) and the
sealed message follows it; with CredSSP it is the TLS trailer length and the whole TLS record follows (pyspnego's
``wrap_winrm`` splits a record into the same two pieces). CredSSP sends a message longer than 16 KiB as several
parts of at most 16 KiB of plain text each, under ``multipart/x-multi-encrypted``.

The security context comes from the handshake of the same TCP connection; sealing is stateful (NTLM's RC4
sequence, Kerberos sequence numbers, the TLS record sequence), so messages must be wrapped and unwrapped in order.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from . import constants as c

_LENGTH = re.compile(rb"Length=(\d+)")
_OCTET_STREAM = b"\tContent-Type: application/octet-stream\r\n"
_OPENING = c.ENCRYPTED_BOUNDARY + b"\r\n"
_CLOSING = c.ENCRYPTED_BOUNDARY + b"--\r\n"
PROTOCOLS = (c.SPNEGO_ENCRYPTED, c.CREDSSP_ENCRYPTED)


class EncryptionError(ValueError):
    """The body is not a well-formed or authentic encrypted message."""


def protocol_of(content_type: str | None) -> str | None:
    """The protocol string an encrypted body's Content-Type announces, or None for a plain body."""
    lowered = (content_type or "").lower()
    for protocol in PROTOCOLS:
        if protocol.lower() in lowered:
            return protocol
    return None


def is_encrypted(content_type: str | None) -> bool:
    """True when the Content-Type announces an HTTP session-encrypted body."""
    return protocol_of(content_type) is not None


def unwrap(context: Any, body: bytes, protocol: str = c.SPNEGO_ENCRYPTED) -> bytes:
    """Return the plain SOAP message of an encrypted body (all its parts, in order).

    :param context: an established pyspnego context (``unwrap_winrm``).
    :param protocol: the protocol string every part must name.
    :raises EncryptionError: malformed multipart, another protocol, bad signature, or wrong length.
    """
    if not body.startswith(_OPENING) or not body.endswith(_CLOSING):
        raise EncryptionError("body is not an Encrypted Boundary multipart")
    pieces = body[len(_OPENING) : -len(_CLOSING)].split(_OPENING)
    if len(pieces) % 2:
        raise EncryptionError("every part needs a header and a payload")
    message = b""
    for header, payload in zip(pieces[0::2], pieces[1::2]):
        if protocol.encode("ascii") not in header:
            raise EncryptionError(f"a part is not {protocol}")
        length = _LENGTH.search(header)
        if not length:
            raise EncryptionError("OriginalContent has no Length")
        if not payload.startswith(_OCTET_STREAM):
            raise EncryptionError("payload part is not application/octet-stream")
        payload = payload[len(_OCTET_STREAM) :]
        if len(payload) < 4:
            raise EncryptionError("payload too short")
        header_length = struct.unpack("<I", payload[:4])[0]
        try:
            plain = context.unwrap_winrm(payload[4 : 4 + header_length], payload[4 + header_length :])
        except Exception as exc:  # pyspnego raises its own error types for bad signatures
            raise EncryptionError(f"cannot unwrap: {exc}") from exc
        if len(plain) != int(length.group(1)):
            raise EncryptionError("decrypted length differs from OriginalContent Length")
        message += plain
    return message


def wrap(context: Any, message: bytes, protocol: str = c.SPNEGO_ENCRYPTED) -> tuple[bytes, str]:
    """Return the encrypted body for a plain SOAP message and its Content-Type."""
    multipart = c.ENCRYPTED_MULTIPART
    chunks = [message]
    if protocol == c.CREDSSP_ENCRYPTED and len(message) > c.CREDSSP_CHUNK:
        multipart = c.MULTI_ENCRYPTED_MULTIPART
        chunks = [message[i : i + c.CREDSSP_CHUNK] for i in range(0, len(message), c.CREDSSP_CHUNK)]
    parts = []
    for chunk in chunks:
        sealed = context.wrap_winrm(chunk)
        parts.append(
            b"".join(
                (
                    _OPENING,
                    b"\tContent-Type: ",
                    protocol.encode("ascii"),
                    b"\r\n\tOriginalContent: type=",
                    c.SOAP_CONTENT_TYPE.encode("ascii"),
                    b";Length=%d\r\n" % len(chunk),
                    _OPENING,
                    _OCTET_STREAM,
                    struct.pack("<I", len(sealed.header)),
                    sealed.header,
                    sealed.data,
                )
            )
        )
    content_type = f'{multipart};protocol="{protocol}";boundary="Encrypted Boundary"'
    return b"".join(parts) + _CLOSING, content_type
