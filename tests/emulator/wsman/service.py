"""Everything one emulated host answers on its port, independent of sockets.

``/wsman``: authenticate (Basic per request; NTLM, Kerberos and CredSSP per connection), unseal an encrypted
body, apply wire faults, parse the envelope, run the action handler, seal the answer. ``/emu/*``: the control
API (state, reset, faults). The HTTP server in :mod:`server` turns bytes into :class:`HttpRequest`
and writes :class:`HttpResponse` back in a single write.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from . import auth, control, encryption, envelope, faults, remoting
from . import constants as c
from .actions import DEFAULT_OPERATION_TIMEOUT, Caller, WinRS
from .logon import Handshake
from .shells import ShellTable

log = logging.getLogger(__name__)

WSMAN_PATH = "/wsman"
SERVER_HEADER = ("Server", "Microsoft-HTTPAPI/2.0")  # as in the 401 captured in jborean93/omi#29


@dataclass
class HttpRequest:
    """One HTTP request as the service needs it."""

    method: str
    path: str
    headers: Message
    body: bytes
    client_ip: str = "127.0.0.1"


@dataclass
class HttpResponse:
    """One HTTP answer; ``drop`` means: close the connection without answering."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    drop: bool = False


@dataclass
class ConnectionState:
    """What one TCP connection remembers: its handshake (NTLM, Kerberos, CredSSP) and the account it proved."""

    handshake: Handshake | None = None
    account: Any = None


class HostService:
    """The WinRM listener of one host plus its control API.

    :param host: the Windows model (``execute``, ``accounts``, ``authenticate_basic``, ``account``,
        ``state``, ``reset``, ``set_faults``, ``name``).
    :param directory: a private folder for the NTLM user file.
    :param channel_binding_data: the TLS channel binding NTLM and Kerberos clients must present (https only).
    """

    def __init__(
        self,
        host: Any,
        scheme: str,
        auth_methods: list[str],
        directory: Path,
        channel_binding_data: bytes | None = None,
        receive_wait_cap: float = DEFAULT_OPERATION_TIMEOUT,
    ) -> None:
        self.host = host
        self.scheme = scheme
        self.endpoint = ""
        self.counters = control.RequestCounters()
        self.wire_faults = control.WireFaults()
        self.shells = ShellTable()
        self.authenticator = auth.Authenticator(host, auth_methods, directory, channel_binding_data)
        self.winrs = WinRS(host, self.shells, self.wire_faults.command_delay, receive_wait_cap)
        self.remoting = remoting.PowerShellRemoting(host, receive_wait_cap)

    # -- routing -----------------------------------------------------------------------------------

    def handle(self, request: HttpRequest, connection: ConnectionState) -> HttpResponse:
        """Answer one HTTP request."""
        path = request.path.split("?", 1)[0]
        if path.lower() == WSMAN_PATH:
            if request.method != "POST":
                return HttpResponse(405, [SERVER_HEADER, ("Allow", "POST")])
            return self.wsman(request, connection)
        if path.startswith("/emu/"):
            return self.control(request.method, path, request.body)
        return HttpResponse(404, [SERVER_HEADER])

    # -- /wsman ------------------------------------------------------------------------------------

    def wsman(self, request: HttpRequest, connection: ConnectionState) -> HttpResponse:
        """Authenticate, unseal, fault-inject, dispatch and seal one WS-Man request."""
        self.counters.request(len(request.body))
        authorization = request.headers.get("Authorization")
        reply: tuple[str, bytes] | None = None  # the last token of a handshake, sent with the answer
        handshake = None
        if authorization:
            scheme_word, _unused, value = authorization.strip().partition(" ")
            method = scheme_word.lower()
            if method == "basic":
                try:
                    account = self.authenticator.basic(value)
                except auth.AuthError as exc:
                    return self._refused(exc)
                # Basic hands the password itself to the host (logon.py).
                caller_auth, delegated = auth.BASIC, True
            elif method in ("negotiate", "ntlm", "credssp"):
                answer, reply = self._handshake_leg(scheme_word, value, connection)
                if answer is not None:
                    return answer
                handshake = connection.handshake
            else:
                return self._refused(auth.AuthError(f"unsupported scheme {scheme_word}"))
        elif connection.account is not None:
            handshake = connection.handshake
        else:
            self.counters.action("Authenticate")
            return self._unauthorized()
        if handshake is not None:
            account, caller_auth, delegated = connection.account, handshake.auth, handshake.delegated

        response = self._operation(request, handshake, Caller(
            account=account,
            auth=caller_auth,
            scheme=self.scheme,
            endpoint=self.endpoint,
            client_ip=request.client_ip,
            can_delegate=delegated,
        ))
        if reply is not None and not response.drop:
            response.headers.append(("WWW-Authenticate", f"{reply[0]} {base64.b64encode(reply[1]).decode('ascii')}"))
        return response

    def _operation(self, request: HttpRequest, handshake: Handshake | None, caller: Caller) -> HttpResponse:
        """Unseal, fault-inject, dispatch and seal the request of an authenticated caller."""
        seal = None
        body = request.body
        protocol = encryption.protocol_of(request.headers.get("Content-Type"))
        if protocol is not None:
            if handshake is None or handshake.protocol != protocol:
                # An encrypted body on a connection without its security context: Windows answers 400
                # (ansible-core's winrm plugin, comment in _winrm_exec about cleanup over a new socket).
                self.counters.action("Unknown")
                return self._bad_request()
            try:
                body = encryption.unwrap(handshake.context, body, protocol)
            except encryption.EncryptionError as exc:
                log.info("refusing encrypted body: %s", exc)
                self.counters.action("Unknown")
                return self._bad_request()
            seal = handshake

        if not body.strip():
            # The empty POST that completes a handshake (pywinrm's setup_encryption) and nothing else.
            self.counters.action("Authenticate")
            return self._answer(200, b"", seal, fault=False)

        decision = self.wire_faults.next_operation()
        parse_fault: faults.WSManFault | None = None
        try:
            soap = envelope.parse_request(body)
            self.counters.action(soap.name)
        except faults.WSManFault as fault:
            soap, parse_fault = None, fault
            self.counters.action("Unknown")

        if decision == control.DROP:
            self.counters.injected()
            return HttpResponse(0, drop=True)
        relates_to = soap.message_id if soap else envelope.peek_message_id(body)
        if decision == control.HTTP_500:
            self.counters.injected()
            fault = faults.InternalError("The request failed with an injected generic fault.")
            return self._answer(500, envelope.build_fault(fault, relates_to, self.host.name), seal, fault=True)
        if parse_fault is not None:
            return self._answer(500, envelope.build_fault(parse_fault, relates_to, self.host.name), seal, fault=True)

        try:
            # PowerShell session configurations (PSRP) and the cmd shell (WinRS) share the actions.
            handler = self.remoting if remoting.serves(soap.resource_uri) else self.winrs
            answer = handler.handle(soap, caller)
        except faults.WSManFault as fault:
            kind = "timeout" if isinstance(fault, faults.OperationTimedOut) else True
            return self._answer(
                fault.http_status, envelope.build_fault(fault, relates_to, self.host.name), seal, fault=kind
            )
        return self._answer(200, answer, seal, fault=False)

    def _handshake_leg(
        self, scheme_word: str, value: str, connection: ConnectionState
    ) -> tuple[HttpResponse | None, tuple[str, bytes] | None]:
        """Run one leg of a connection's handshake.

        :returns: ``(the 401 to send, None)`` while the handshake goes on or was refused; ``(None, last token)``
            once the connection is authenticated (the last token, if any, goes out with the answer: Kerberos'
            AP-REP).
        """
        try:
            token = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return self._refused(auth.AuthError("malformed token"), connection), None
        try:
            if connection.handshake is None or connection.handshake.complete:
                if scheme_word.lower() == "credssp":
                    connection.handshake = self.authenticator.credssp()
                else:
                    connection.handshake = self.authenticator.negotiate(scheme_word, token)
                connection.account = None
            handshake = connection.handshake
            out_token = handshake.step(token)
            if not handshake.complete:
                self.counters.action("Authenticate")
                challenge = f"{handshake.reply_scheme} {base64.b64encode(out_token or b'').decode('ascii')}"
                return HttpResponse(401, [SERVER_HEADER, ("WWW-Authenticate", challenge)]), None
            connection.account = self.authenticator.account_of(handshake)
        except auth.AuthError as exc:
            return self._refused(exc, connection), None
        return None, ((handshake.reply_scheme, out_token) if out_token else None)

    def _refused(self, reason: Exception, connection: ConnectionState | None = None) -> HttpResponse:
        log.info("authentication refused: %s", reason)
        if connection is not None:
            connection.handshake, connection.account = None, None
        self.counters.auth_failure()
        self.counters.action("Authenticate")
        reply = getattr(reason, "reply", None)
        if reply is not None:
            scheme, token = reply
            return HttpResponse(401, [SERVER_HEADER, ("WWW-Authenticate", f"{scheme} {base64.b64encode(token).decode()}")])
        return self._unauthorized()

    def _unauthorized(self) -> HttpResponse:
        headers = [SERVER_HEADER] + [("WWW-Authenticate", offer) for offer in self.authenticator.offers()]
        return HttpResponse(401, headers)

    def _bad_request(self) -> HttpResponse:
        return HttpResponse(400, [SERVER_HEADER])

    def _answer(self, status: int, body: bytes, seal: Handshake | None, fault: bool | str) -> HttpResponse:
        content_type = c.SOAP_CONTENT_TYPE
        if seal is not None and body:
            body, content_type = encryption.wrap(seal.context, body, seal.protocol)
        self.counters.response(len(body), fault=fault)
        headers = [SERVER_HEADER]
        if body:
            headers.append(("Content-Type", content_type))
        return HttpResponse(status, headers, body)

    # -- /emu/* ------------------------------------------------------------------------------------

    def control(self, method: str, path: str, body: bytes) -> HttpResponse:
        """The control API: ``GET /emu/state``, ``POST /emu/reset``, ``POST /emu/faults``."""
        routes = {"/emu/state": "GET", "/emu/reset": "POST", "/emu/faults": "POST"}
        if path not in routes:
            return _json(404, {"error": f"unknown control path {path}"})
        if method != routes[path]:
            return _json(405, {"error": f"{path} takes {routes[path]}"})
        if path == "/emu/state":
            return _json(200, self.state())
        if path == "/emu/reset":
            self.reset()
            return _json(200, {"ok": True})
        try:
            spec = json.loads(body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _json(400, {"error": f"faults must be a JSON object: {exc}"})
        if not isinstance(spec, dict):
            return _json(400, {"error": "faults must be a JSON object"})
        try:
            self.wire_faults.validate(spec)
            self.host.set_faults(spec)
            self.wire_faults.set(spec)
        except (ValueError, TypeError, KeyError) as exc:
            return _json(400, {"error": str(exc)})
        return _json(200, {"ok": True, "wire_faults": self.wire_faults.snapshot()})

    def state(self) -> dict[str, Any]:
        """``host.state()`` plus the protocol's counters, pending wire faults and open shells."""
        document = dict(self.host.state())
        document["requests"] = self.counters.snapshot()
        document["wire_faults"] = self.wire_faults.snapshot()
        document["open_shells"] = self.shells.count() + self.remoting.count()
        return document

    def reset(self) -> None:
        """Back to the start: the host's state, no shells, zero counters, no wire faults."""
        self.shells.clear()
        self.remoting.clear()
        self.host.reset()
        self.counters.reset()
        self.wire_faults.clear()

    def close(self) -> None:
        """Abort every running command (server shutdown); the host stops what it runs outside this process."""
        self.shells.clear()
        self.remoting.clear()
        close_host = getattr(self.host, "close", None)
        if close_host is not None:
            close_host()


def _json(status: int, document: Any) -> HttpResponse:
    body = json.dumps(document, default=str, ensure_ascii=False).encode("utf-8")
    return HttpResponse(status, [("Content-Type", "application/json; charset=utf-8")], body)
