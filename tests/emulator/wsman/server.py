"""The HTTP/1.1 listener of one emulated host: threads, keep-alive, TLS, one write per response.

Python's ``http.server`` writes the status line and headers and then the body in separate sends;
with Nagle's algorithm on one side and delayed ACKs on the other each request then costs ~40 ms
(docs/sources.md, "One command on the wire"). This handler disables Nagle (TCP_NODELAY) and sends every response with a
single write. A handler instance lives as long as its TCP connection, which is where the NTLM, Kerberos or
CredSSP security context lives.
"""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .actions import DEFAULT_OPERATION_TIMEOUT
from .service import ConnectionState, HostService, HttpRequest, HttpResponse
from .tls import SelfSignedCertificate

log = logging.getLogger(__name__)

MAX_BODY = 32 * 1024 * 1024
SCHEMES = ("http", "https")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    timeout = 300  # an idle keep-alive connection is closed after this many seconds
    server: _Listener

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.ssl_context is not None:
            self.request.settimeout(self.timeout)
            self.request = self.server.ssl_context.wrap_socket(self.request, server_side=True)
        self.server.track(self.request)
        super().setup()
        self.state = ConnectionState()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.request)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_PUT(self) -> None:  # noqa: N802
        self._serve()

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._write(HttpResponse(HTTPStatus.LENGTH_REQUIRED))
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._write(HttpResponse(HTTPStatus.BAD_REQUEST))
            return
        body = self.rfile.read(length) if length else b""
        request = HttpRequest(self.command, self.path, self.headers, body, self.client_address[0])
        try:
            response = self.server.service.handle(request, self.state)
        except Exception:  # a bug in the emulator: answer 500 rather than hang the client
            log.exception("unhandled error for %s %s", self.command, self.path)
            response = HttpResponse(HTTPStatus.INTERNAL_SERVER_ERROR)
        if response.drop:
            self.close_connection = True
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._write(response)

    def _write(self, response: HttpResponse) -> None:
        status = HTTPStatus(response.status)
        lines = [f"{self.protocol_version} {status.value} {status.phrase}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        lines.append(f"Content-Length: {len(response.body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of http.server
        log.debug("%s %s", self.address_string(), format % args)


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5; many clients connecting at once (forks, the load test) must not
    # find the accept queue full. Windows' HTTP.sys keeps a far longer queue (its default is 1,000).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], service: HostService, ssl_context: Any) -> None:
        self.service = service
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up, TLS handshakes that fail: part of normal life for a test server.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class WSManServer:
    """One emulated host listening on 127.0.0.1.

    :param host: the Windows model of the host.
    :param port: 0 for any free port.
    :param scheme: ``http`` or ``https`` (a self-signed certificate is made at start).
    :param auth: the enabled schemes, a subset of ``("basic", "ntlm", "kerberos", "credssp")``.
    :param receive_wait_cap: the longest a Receive waits for output, whatever the client's OperationTimeout.
    """

    def __init__(
        self,
        host: Any,
        *,
        port: int = 0,
        scheme: str = "http",
        auth: list[str] | tuple[str, ...] = ("basic", "ntlm"),
        address: str = "127.0.0.1",
        receive_wait_cap: float = DEFAULT_OPERATION_TIMEOUT,
    ) -> None:
        if scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
        self.host = host
        self.scheme = scheme
        self.auth = list(auth)
        self._address = address
        self._requested_port = port
        self._receive_wait_cap = receive_wait_cap
        self._listener: _Listener | None = None
        self._thread: threading.Thread | None = None
        self._directory: Path | None = None
        self.certificate: SelfSignedCertificate | None = None
        self.service: HostService | None = None

    @property
    def name(self) -> str:
        """The host's name."""
        return self.host.name

    @property
    def port(self) -> int:
        """The port listened on (known after :meth:`start`)."""
        if self._listener is None:
            raise RuntimeError("the server is not started")
        return self._listener.server_address[1]

    @property
    def endpoint(self) -> str:
        """The WinRM URL, e.g. ``http://127.0.0.1:5985/wsman``."""
        return f"{self.scheme}://{self._address}:{self.port}/wsman"

    def start(self) -> WSManServer:
        """Bind and serve in a background thread; on return the port accepts connections."""
        if self._listener is not None:
            return self
        self._directory = Path(tempfile.mkdtemp(prefix=f"wsman-{self.host.name}-"))
        try:
            ssl_context, binding = None, None
            if self.scheme == "https":
                self.certificate = SelfSignedCertificate(self.host.name, self._directory)
                ssl_context, binding = self.certificate.server_context(), self.certificate.channel_binding_data
            self.service = HostService(
                self.host, self.scheme, self.auth, self._directory, binding, receive_wait_cap=self._receive_wait_cap
            )
            self._listener = _Listener((self._address, self._requested_port), self.service, ssl_context)
        except BaseException:
            shutil.rmtree(self._directory, ignore_errors=True)
            raise
        self.service.endpoint = self.endpoint
        self._thread = threading.Thread(
            target=self._listener.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"wsman-{self.host.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, close open connections, abort running commands, remove private files."""
        if self._listener is None:
            return
        self._listener.shutdown()
        self._listener.server_close()
        self._listener.close_connections()
        if self.service is not None:
            self.service.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
        self._listener = None

    def __enter__(self) -> WSManServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
