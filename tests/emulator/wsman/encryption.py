"""HTTP-SPNEGO session encryption of WinRM bodies ([MS-WSMV] 2.2.9.1.1).

An encrypted body is a MIME-like multipart::

    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/HTTP-SPNEGO-session-encrypted\\r\\n
    \\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plain length>\\r\\n
    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/octet-stream\\r\\n
    <signature length, 4 bytes little-endian><signature><sealed message>--Encrypted Boundary--\\r\\n

The security context comes from the NTLM handshake of the same TCP connection; sealing is stateful
(RC4 sequence), so messages must be wrapped and unwrapped in order.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from . import constants as c

_LENGTH = re.compile(rb"Length=(\d+)")
_OCTET_STREAM = b"\tContent-Type: application/octet-stream\r\n"


class EncryptionError(ValueError):
    """The body is not a well-formed or authentic encrypted message."""


def is_encrypted(content_type: str | None) -> bool:
    """True when the Content-Type announces an HTTP-SPNEGO encrypted body."""
    return bool(content_type) and c.SPNEGO_ENCRYPTED.lower() in content_type.lower()


def unwrap(context: Any, body: bytes) -> bytes:
    """Return the plain SOAP message of an encrypted body.

    :param context: an established pyspnego context (``unwrap_winrm``).
    :raises EncryptionError: malformed multipart, bad signature, or wrong length.
    """
    opening = c.ENCRYPTED_BOUNDARY + b"\r\n"
    closing = c.ENCRYPTED_BOUNDARY + b"--\r\n"
    if not body.startswith(opening) or not body.endswith(closing):
        raise EncryptionError("body is not an Encrypted Boundary multipart")
    header_end = body.find(opening, len(opening))
    if header_end < 0:
        raise EncryptionError("second boundary missing")
    length = _LENGTH.search(body[len(opening) : header_end])
    if not length:
        raise EncryptionError("OriginalContent has no Length")
    payload = body[header_end + len(opening) : -len(closing)]
    if not payload.startswith(_OCTET_STREAM):
        raise EncryptionError("payload part is not application/octet-stream")
    payload = payload[len(_OCTET_STREAM) :]
    if len(payload) < 4:
        raise EncryptionError("payload too short")
    signature_length = struct.unpack("<I", payload[:4])[0]
    signature = payload[4 : 4 + signature_length]
    sealed = payload[4 + signature_length :]
    try:
        message = context.unwrap_winrm(signature, sealed)
    except Exception as exc:  # pyspnego raises its own error types for bad signatures
        raise EncryptionError(f"cannot unwrap: {exc}") from exc
    if len(message) != int(length.group(1)):
        raise EncryptionError("decrypted length differs from OriginalContent Length")
    return message


def wrap(context: Any, message: bytes) -> bytes:
    """Return the encrypted body for a plain SOAP message (Content-Type: ``ENCRYPTED_CONTENT_TYPE``)."""
    sealed = context.wrap_winrm(message)
    return b"".join(
        (
            c.ENCRYPTED_BOUNDARY,
            b"\r\n\tContent-Type: ",
            c.SPNEGO_ENCRYPTED.encode("ascii"),
            b"\r\n\tOriginalContent: type=",
            c.SOAP_CONTENT_TYPE.encode("ascii"),
            b";Length=%d\r\n" % len(message),
            c.ENCRYPTED_BOUNDARY,
            b"\r\n",
            _OCTET_STREAM,
            struct.pack("<I", len(sealed.header)),
            sealed.header,
            sealed.data,
            c.ENCRYPTED_BOUNDARY,
            b"--\r\n",
        )
    )
