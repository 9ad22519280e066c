"""The self-signed certificate of an https listener and its channel binding.

Windows' HTTPS listener needs a server certificate; tests run with
``ansible_winrm_server_cert_validation: ignore``, so a fresh self-signed one per start is enough.
NTLM over TLS binds the authentication to this certificate with the ``tls-server-end-point`` channel
binding (RFC 5929 section 4.1: the hash of the DER certificate, with the certificate's signature hash,
MD5 and SHA-1 being replaced by SHA-256). The certificate is signed with SHA-256, so the binding is its
SHA-256 digest.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class SelfSignedCertificate:
    """A throw-away certificate for ``common_name`` (and localhost, 127.0.0.1), written to ``directory``."""

    def __init__(self, common_name: str, directory: Path) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName(common_name),
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    ]
                ),
                critical=False,
            )
            .sign(key, hashes.SHA256())
        )
        self.der = certificate.public_bytes(serialization.Encoding.DER)
        self.cert_path = Path(directory) / "listener.crt"
        self.key_path = Path(directory) / "listener.key"
        self.cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        descriptor = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key_pem)

    @property
    def end_point_hash(self) -> bytes:
        """The ``tls-server-end-point`` value: SHA-256 of the DER certificate (RFC 5929 4.1)."""
        return hashlib.sha256(self.der).digest()

    @property
    def channel_binding_data(self) -> bytes:
        """The application data of the channel bindings an NTLM client must present."""
        return b"tls-server-end-point:" + self.end_point_hash

    def server_context(self) -> ssl.SSLContext:
        """An SSL context for the listener."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context
