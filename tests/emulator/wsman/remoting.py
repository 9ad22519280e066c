"""PowerShell remoting over WS-Management: the shells of ``http://schemas.microsoft.com/powershell/<name>``.

A PSRP client (pypsrp, ansible's ``psrp`` connection) uses the WinRS actions on a PowerShell shell resource, each
carrying PSRP fragments as opaque bytes ([MS-PSRP] 3.1.5.3 "Sequencing Rules" and 3.2.5.3, [MS-WSMV] 3.1.4):

========  ==========================================================================================================
Create    ``rsp:Shell`` with the client's ``ShellId`` (the runspace pool id) and ``creationXml``: the fragments of
          SESSION_CAPABILITY and INIT_RUNSPACEPOOL, base64. The answer names the shell as for WinRS.
Receive   without ``CommandId``: the pool's messages (SESSION_CAPABILITY, APPLICATION_PRIVATE_DATA,
          RUNSPACEPOOL_STATE...); with one: a pipeline's, ending with ``CommandState`` Done once its final
          PIPELINE_STATE has gone out. Output goes in ``rsp:Stream Name="stdout"``, one element per packet.
Command   ``rsp:CommandLine`` with the client's ``CommandId`` (the pipeline id) and the CREATE_PIPELINE fragments
          in ``rsp:Arguments``.
Send      ``stdin`` (pool or pipeline data: PIPELINE_INPUT, END_OF_PIPELINE_INPUT, SET_MAX_RUNSPACES...) or ``pr``
          (host call responses), with or without ``CommandId``.
Signal    ``powershell/signal/crtl_c`` (MS-PSRP's spelling; pypsrp sends ``ctrl_c``) stops a pipeline; the WinRS
          terminate signal forgets it.
Delete    closes the pool.
========  ==========================================================================================================

The shapes of the answers are those of the Windows responses recorded in jborean93/pypsrp
``tests/responses/test_psrp_*.yml``. What runs the pool is the host's business (``host.open_runspace_pool``): this
module only moves bytes and never reads a PSRP message.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from . import constants as c
from . import envelope, faults
from .context import ExecContext

RESOURCE_PREFIX = "http://schemas.microsoft.com/powershell/"
NS_POWERSHELL = "http://schemas.microsoft.com/powershell"
_ENVELOPE_OVERHEAD = 4096
STOP_SIGNALS = ("powershell/signal/crtl_c", "powershell/signal/ctrl_c")
"""The PSRP stop signal, absolute or relative, in MS-PSRP's spelling and in pypsrp's."""


def serves(resource_uri: str | None) -> bool:
    """True for the resource URI of a PowerShell session configuration."""
    return bool(resource_uri) and resource_uri.lower().startswith(RESOURCE_PREFIX)


_q = envelope.qname


@dataclass
class Pool:
    """One runspace pool shell: its owner, the host's server for it and what the server sent, per target."""

    id: str
    owner: str
    resource_uri: str
    server: Any = None
    pipelines: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    output: dict[str | None, list[bytes]] = field(default_factory=dict)
    ended: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def deliver(self, target: str | None, data: bytes, done: bool) -> None:
        """What the host's server sends (``Deliver`` of surfaces/engine/remoting.py)."""
        with self.changed:
            if data:
                self.output.setdefault(target, []).append(data)
            if done:
                if target is None:
                    self.ended = True
                else:
                    self.finished.add(target)
            self.changed.notify_all()


class PowerShellRemoting:
    """The PowerShell shells of one host.

    :param host: the Windows model (``open_runspace_pool`` and ``name``).
    :param receive_wait_cap: the longest a Receive waits, whatever its OperationTimeout says.
    """

    def __init__(self, host: Any, receive_wait_cap: float) -> None:
        self._host = host
        self._receive_wait_cap = receive_wait_cap
        self._pools: dict[str, Pool] = {}
        self._lock = threading.Lock()
        self._handlers = {
            c.ACTION_CREATE: self.create,
            c.ACTION_COMMAND: self.command,
            c.ACTION_SEND: self.send,
            c.ACTION_RECEIVE: self.receive,
            c.ACTION_SIGNAL: self.signal,
            c.ACTION_DELETE: self.delete,
        }

    def handle(self, request: envelope.Request, caller: Any) -> bytes:
        """Run the handler of the request's action.

        :raises faults.WSManFault: what the request deserves instead.
        """
        handler = self._handlers.get(request.action)
        if handler is None:
            raise faults.ActionNotSupported(f"The action {request.action} is not supported by this service.")
        return handler(request, caller)

    # -- Create --------------------------------------------------------------------------------------------------

    def create(self, request: envelope.Request, caller: Any) -> bytes:
        """Open a runspace pool with the client's creation fragments."""
        shell = envelope.required(request.body, "Shell")
        creation = shell.find(_q(NS_POWERSHELL, "creationXml"))
        if creation is None:
            raise faults.SchemaValidationError("creationXml")
        data = _base64(creation.text)
        resource_uri = request.resource_uri or ""
        configuration = resource_uri[len(RESOURCE_PREFIX):]
        pool = Pool(id=(shell.get("ShellId") or _new_id()).upper(), owner=caller.account.name,
                    resource_uri=resource_uri)
        context = ExecContext(account=caller.account, auth=caller.auth, scheme=caller.scheme, shell_id=pool.id,
                              can_delegate=caller.can_delegate)
        try:
            pool.server = self._host.open_runspace_pool(configuration, context, pool.deliver)
        except LookupError:
            # Windows' text for a configuration that is not registered (PowerShell's own remoting tests; the
            # PowerShell 7 remoting guides quote it for PowerShell.7).
            raise faults.ResourceNotFound(
                f"The WS-Management service cannot process the request. Cannot find the {configuration} session "
                f"configuration in the WSMan: drive on the {self._host.name} computer."
            ) from None
        with self._lock:
            self._pools[pool.id] = pool
        self._to_server(pool, None, data)
        process_id = getattr(getattr(pool.server, "process", None), "pid", 0)
        body = (
            "<x:ResourceCreated>"
            f"<a:Address>{escape(caller.endpoint)}</a:Address>"
            "<a:ReferenceParameters>"
            f"<w:ResourceURI>{escape(resource_uri)}</w:ResourceURI>"
            f'<w:SelectorSet><w:Selector Name="ShellId">{pool.id}</w:Selector></w:SelectorSet>'
            "</a:ReferenceParameters>"
            "</x:ResourceCreated>"
            "<rsp:Shell>"
            f"<rsp:ShellId>{pool.id}</rsp:ShellId>"
            f"<rsp:ResourceUri>{escape(resource_uri)}</rsp:ResourceUri>"
            f"<rsp:Owner>{escape(caller.account.name)}</rsp:Owner>"
            f"<rsp:ClientIP>{escape(caller.client_ip)}</rsp:ClientIP>"
            f"<rsp:ProcessId>{process_id}</rsp:ProcessId>"
            "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>"
            "<rsp:InputStreams>stdin pr</rsp:InputStreams>"
            "<rsp:OutputStreams>stdout</rsp:OutputStreams>"
            "<rsp:MaxIdleTimeOut>PT2147483.647S</rsp:MaxIdleTimeOut>"
            "<rsp:Locale>en-US</rsp:Locale>"
            "<rsp:DataLocale>en-US</rsp:DataLocale>"
            "<rsp:CompressionMode>NoCompression</rsp:CompressionMode>"
            "<rsp:ProfileLoaded>Yes</rsp:ProfileLoaded>"
            "<rsp:Encoding>UTF8</rsp:Encoding>"
            "<rsp:BufferMode>Block</rsp:BufferMode>"
            "<rsp:State>Connected</rsp:State>"
            "<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
            "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity>"
            "</rsp:Shell>"
        )
        return envelope.build_response(c.response_action(request.action), request.message_id, body)

    # -- Command -------------------------------------------------------------------------------------------------

    def command(self, request: envelope.Request, caller: Any) -> bytes:
        """Create a pipeline with the client's id and its CREATE_PIPELINE fragments."""
        pool = self._pool(request, caller)
        command_line = envelope.required(request.body, "CommandLine")
        pid = (command_line.get("CommandId") or _new_id()).upper()
        data = b"".join(_base64(node.text) for node in command_line.iterfind(_q(c.NS_SHELL, "Arguments")))
        with pool.changed:
            pool.pipelines.add(pid)
        try:
            pool.server.create_pipeline(pid)
        except RuntimeError as error:
            raise faults.InternalError(f"The PowerShell remoting host of this shell failed: {error}") from None
        self._to_server(pool, pid, data)
        body = f"<rsp:CommandResponse><rsp:CommandId>{pid}</rsp:CommandId></rsp:CommandResponse>"
        return envelope.build_response(c.response_action(request.action), request.message_id, body)

    # -- Send ----------------------------------------------------------------------------------------------------

    def send(self, request: envelope.Request, caller: Any) -> bytes:
        """Pass the client's fragments to the pool or to a pipeline (``stdin``), or a host response (``pr``)."""
        pool = self._pool(request, caller)
        for stream in envelope.send_streams(request.body):
            name = stream.get("Name")
            if name not in ("stdin", "pr"):
                raise faults.InvalidParameter(f"The stream {name!r} is not an input stream of this shell.")
            pid = self._pipeline(pool, stream.get("CommandId"))
            self._to_server(pool, pid, _base64(stream.text), "Default" if name == "stdin" else "PromptResponse")
        return envelope.build_response(c.response_action(request.action), request.message_id, "<rsp:SendResponse/>")

    # -- Receive -------------------------------------------------------------------------------------------------

    def receive(self, request: envelope.Request, caller: Any) -> bytes:
        """The packets the server sent for the pool or a pipeline; waits for some up to OperationTimeout."""
        pool = self._pool(request, caller)
        desired = request.body.find(f"{_q(c.NS_SHELL, 'Receive')}/{_q(c.NS_SHELL, 'DesiredStream')}")
        if desired is None:
            raise faults.SchemaValidationError("DesiredStream")
        pid = self._pipeline(pool, desired.get("CommandId"))
        timeout = request.operation_timeout if request.operation_timeout is not None else self._receive_wait_cap
        budget = max((request.max_envelope_size - _ENVELOPE_OVERHEAD) * 3 // 4, 1024)
        with pool.changed:
            ready = pool.changed.wait_for(
                lambda: pool.output.get(pid) or (pid is not None and pid in pool.finished) or pool.ended,
                min(timeout, self._receive_wait_cap))
            if not ready:
                raise faults.OperationTimedOut()
            queue = pool.output.get(pid) or []
            packets, size = [], 0
            while queue and (not packets or size + len(queue[0]) <= budget):
                size += len(queue[0])
                packets.append(queue.pop(0))
            done = pid is not None and pid in pool.finished and not queue
            ended = pool.ended and not packets
        if ended and not done:
            raise faults.InternalError("The PowerShell remoting host process of this shell has ended.")
        command = f" CommandId={quoteattr(pid)}" if pid else ""
        parts = ["<rsp:ReceiveResponse>"]
        parts += [f'<rsp:Stream Name="stdout"{command}>{base64.b64encode(packet).decode("ascii")}</rsp:Stream>'
                  for packet in packets]
        if done:
            parts.append(f'<rsp:CommandState{command} State="{c.COMMAND_STATE_DONE}">'
                         "<rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>")
        parts.append("</rsp:ReceiveResponse>")
        return envelope.build_response(c.response_action(request.action), request.message_id, "".join(parts))

    # -- Signal --------------------------------------------------------------------------------------------------

    def signal(self, request: envelope.Request, caller: Any) -> bytes:
        """Stop a pipeline (PSRP's ctrl_c) or forget it (terminate)."""
        pool = self._pool(request, caller)
        signal = envelope.required(request.body, "Signal")
        code_node = signal.find(_q(c.NS_SHELL, "Code"))
        code = (code_node.text or "").strip() if code_node is not None else ""
        if not code:
            raise faults.SchemaValidationError("Code")
        pid = self._pipeline(pool, signal.get("CommandId"))
        if pid is None:
            raise faults.SchemaValidationError("CommandId")
        try:
            if code.lower().endswith(STOP_SIGNALS):
                pool.server.stop_pipeline(pid)
            elif code.lower() == c.SIGNAL_TERMINATE.lower():
                pool.server.close_pipeline(pid)
                with pool.changed:
                    pool.pipelines.discard(pid)
                    pool.finished.discard(pid)
                    pool.output.pop(pid, None)
            else:
                raise faults.InvalidParameter(f"The signal code {code} is not supported.")
        except RuntimeError as error:
            raise faults.InternalError(f"The PowerShell remoting host of this shell failed: {error}") from None
        return envelope.build_response(c.response_action(request.action), request.message_id, "<rsp:SignalResponse/>")

    # -- Delete --------------------------------------------------------------------------------------------------

    def delete(self, request: envelope.Request, caller: Any) -> bytes:
        """Close the runspace pool."""
        pool = self._pool(request, caller)
        with self._lock:
            self._pools.pop(pool.id, None)
        pool.server.close()
        return envelope.build_response(c.response_action(request.action), request.message_id, "")

    # -- the table -----------------------------------------------------------------------------------------------

    def count(self) -> int:
        """Open runspace pools."""
        with self._lock:
            return len(self._pools)

    def clear(self) -> None:
        """Close every pool (reset, shutdown)."""
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.server.close()

    # -- helpers -------------------------------------------------------------------------------------------------

    def _pool(self, request: envelope.Request, caller: Any) -> Pool:
        shell_id = request.selectors.get("ShellId")
        if not shell_id:
            raise faults.InvalidSelectors(
                "The Windows Remote Shell cannot process the request because it requires the following "
                "selector: ShellId. Retry with the correct selector."
            )
        with self._lock:
            pool = self._pools.get(shell_id.upper())
        if pool is None or pool.owner.lower() != caller.account.name.lower():
            raise faults.ShellNotFound(shell_id)
        return pool

    @staticmethod
    def _pipeline(pool: Pool, command_id: str | None) -> str | None:
        if not command_id:
            return None
        pid = command_id.upper()
        with pool.changed:
            if pid not in pool.pipelines:
                raise faults.CommandNotFound(command_id)
        return pid

    @staticmethod
    def _to_server(pool: Pool, pid: str | None, data: bytes, stream: str = "Default") -> None:
        if not data:
            return
        try:
            pool.server.send(pid, data, stream)
        except RuntimeError as error:
            raise faults.InternalError(f"The PowerShell remoting host of this shell failed: {error}") from None


def _base64(text: str | None) -> bytes:
    try:
        return base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raise faults.InvalidParameter("The stream data is not valid base64.") from None


def _new_id() -> str:
    from .shells import new_id

    return new_id()
