"""One handler per WinRS action: Create, Command, Send, Receive, Signal, Delete.

Each handler takes the parsed request and the caller, works on the shell table, and returns the
response envelope; failures are raised as :mod:`faults`. The Windows model is reached only through
``host.execute`` (in the command's worker thread).
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from . import constants as c
from . import envelope, faults
from .context import ExecContext
from .shells import Command, Outcome, Shell, ShellTable

# When the request has no OperationTimeout: WinRM's default MaxTimeoutms is 60000
# (https://learn.microsoft.com/en-us/windows/win32/winrm/installation-and-configuration-for-windows-remote-management).
DEFAULT_OPERATION_TIMEOUT = 60.0
# Room kept in a Receive response for everything but the base64 stream text.
_ENVELOPE_OVERHEAD = 4096
_MIN_OUTPUT_PIECE = 1024


@dataclass(frozen=True)
class Caller:
    """The authenticated client of one request."""

    account: Any
    auth: str
    scheme: str
    endpoint: str
    client_ip: str
    can_delegate: bool = False


_q = envelope.qname


class WinRS:
    """The WinRS service of one host: dispatches requests to the action handlers.

    :param host: the Windows model (``execute`` is all this class uses).
    :param command_delay: returns the seconds each command waits before it runs (a wire fault).
    :param receive_wait_cap: the longest a Receive waits for output, whatever OperationTimeout says.
    """

    def __init__(
        self,
        host: Any,
        shells: ShellTable,
        command_delay: Callable[[], float],
        receive_wait_cap: float = DEFAULT_OPERATION_TIMEOUT,
    ) -> None:
        self._host = host
        self._shells = shells
        self._command_delay = command_delay
        self._receive_wait_cap = receive_wait_cap
        self._handlers: dict[str, Callable[[envelope.Request, Caller], bytes]] = {
            c.ACTION_CREATE: self.create,
            c.ACTION_COMMAND: self.command,
            c.ACTION_SEND: self.send,
            c.ACTION_RECEIVE: self.receive,
            c.ACTION_SIGNAL: self.signal,
            c.ACTION_DELETE: self.delete,
        }

    def handle(self, request: envelope.Request, caller: Caller) -> bytes:
        """Run the handler of the request's action.

        :raises faults.WSManFault: whatever the request deserves instead of a response.
        """
        handler = self._handlers.get(request.action)
        if handler is None:
            raise faults.ActionNotSupported(f"The action {request.action} is not supported by this service.")
        if request.resource_uri != c.RESOURCE_CMD:
            raise faults.ResourceNotFound(f"The resource URI {request.resource_uri} is not served here.")
        return handler(request, caller)

    # -- Create ([MS-WSMV] 3.1.4.5) ----------------------------------------------------------------

    def create(self, request: envelope.Request, caller: Caller) -> bytes:
        """Open a shell; the response names it in a ``Selector Name="ShellId"``."""
        if request.body.find(_q(c.NS_SHELL, "Shell")) is None:
            raise faults.SchemaValidationError("Shell")
        codepage_text = request.options.get(c.OPTION_CODEPAGE, str(c.DEFAULT_CODEPAGE))
        try:
            codepage = int(codepage_text)
        except ValueError:
            raise faults.InvalidParameter(f"The WINRS_CODEPAGE option is not a number: {codepage_text}.") from None
        shell = self._shells.create(owner=caller.account.name, codepage=codepage)
        body = (
            "<x:ResourceCreated>"
            f"<a:Address>{escape(caller.endpoint)}</a:Address>"
            "<a:ReferenceParameters>"
            f"<w:ResourceURI>{c.RESOURCE_CMD}</w:ResourceURI>"
            f'<w:SelectorSet><w:Selector Name="ShellId">{shell.id}</w:Selector></w:SelectorSet>'
            "</a:ReferenceParameters>"
            "</x:ResourceCreated>"
            "<rsp:Shell>"
            f"<rsp:ShellId>{shell.id}</rsp:ShellId>"
            f"<rsp:ResourceUri>{c.RESOURCE_CMD}</rsp:ResourceUri>"
            f"<rsp:Owner>{escape(caller.account.name)}</rsp:Owner>"
            f"<rsp:ClientIP>{escape(caller.client_ip)}</rsp:ClientIP>"
            "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>"
            "<rsp:InputStreams>stdin</rsp:InputStreams>"
            "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
            "<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
            "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity>"
            "</rsp:Shell>"
        )
        return envelope.build_response(c.response_action(request.action), request.message_id, body)

    # -- Command ([MS-WSMV] 3.1.4.11) --------------------------------------------------------------

    def command(self, request: envelope.Request, caller: Caller) -> bytes:
        """Create a command; its line is ``rsp:Command`` plus every ``rsp:Arguments``, joined by spaces."""
        shell = self._shell(request, caller)
        command_line = envelope.required(request.body, "CommandLine")
        executable = command_line.find(_q(c.NS_SHELL, "Command"))
        if executable is None or not (executable.text or "").strip():
            raise faults.SchemaValidationError("Command")
        parts = [(executable.text or "").strip()]
        parts += [node.text or "" for node in command_line.iterfind(_q(c.NS_SHELL, "Arguments"))]
        command = self._shells.add_command(shell, " ".join(part for part in parts if part))
        body = f"<rsp:CommandResponse><rsp:CommandId>{command.id}</rsp:CommandId></rsp:CommandResponse>"
        return envelope.build_response(c.response_action(request.action), request.message_id, body)

    # -- Send ([MS-WSMV] 3.1.4.13) -----------------------------------------------------------------

    def send(self, request: envelope.Request, caller: Caller) -> bytes:
        """Append stdin to a command; ``End="true"`` closes stdin and starts the command."""
        shell = self._shell(request, caller)
        for stream in envelope.send_streams(request.body):
            command_id = stream.get("CommandId")
            if not command_id:
                raise faults.SchemaValidationError("CommandId")
            if stream.get("Name") != "stdin":
                raise faults.InvalidParameter(
                    f"The stream {stream.get('Name')!r} is not an input stream of this shell."
                )
            try:
                data = base64.b64decode((stream.text or "").strip(), validate=True)
            except (binascii.Error, ValueError):
                raise faults.InvalidParameter("The stream data is not valid base64.") from None
            command = self._shells.command(shell, command_id)
            end = (stream.get("End") or "").lower() in ("true", "1")
            command.add_stdin(data, end, self._runner(caller, shell))
        return envelope.build_response(c.response_action(request.action), request.message_id, "<rsp:SendResponse/>")

    # -- Receive ([MS-WSMV] 3.1.4.14, response 2.2.4.27) -------------------------------------------

    def receive(self, request: envelope.Request, caller: Caller) -> bytes:
        """Return output, exactly one CommandState, and ``Done`` with an ExitCode once all output is out.

        A command that has had no Send starts here. While it runs, the request waits up to its
        OperationTimeout (capped) and then answers the OperationTimedOut fault, so the client polls again.
        """
        shell = self._shell(request, caller)
        desired = request.body.find(f"{_q(c.NS_SHELL, 'Receive')}/{_q(c.NS_SHELL, 'DesiredStream')}")
        if desired is None:
            raise faults.SchemaValidationError("DesiredStream")
        command_id = desired.get("CommandId")
        if not command_id:
            raise faults.SchemaValidationError("CommandId")
        command = self._shells.command(shell, command_id)
        if not command.stdin_sent:
            command.start(self._runner(caller, shell))

        timeout = request.operation_timeout if request.operation_timeout is not None else DEFAULT_OPERATION_TIMEOUT
        if not command.finished.wait(min(timeout, self._receive_wait_cap)):
            raise faults.OperationTimedOut()
        if command.state == "aborted":
            raise faults.CommandNotFound(command.id)
        if command.error:
            raise faults.InternalError(command.error)

        budget = max((request.max_envelope_size - _ENVELOPE_OVERHEAD) * 3 // 4, _MIN_OUTPUT_PIECE)
        stdout, stderr, complete = command.take_output(budget)
        return envelope.build_response(
            c.response_action(request.action), request.message_id, _receive_body(command, stdout, stderr, complete)
        )

    # -- Signal ([MS-WSMV] 3.1.4.12) ---------------------------------------------------------------

    def signal(self, request: envelope.Request, caller: Caller) -> bytes:
        """Terminate, ctrl_c or ctrl_break: the command is over and forgotten (a late outcome is dropped)."""
        shell = self._shell(request, caller)
        signal = envelope.required(request.body, "Signal")
        code = signal.find(_q(c.NS_SHELL, "Code"))
        if code is None or not (code.text or "").strip():
            raise faults.SchemaValidationError("Code")
        if code.text.strip() not in c.SIGNALS:
            raise faults.InvalidParameter(f"The signal code {code.text.strip()} is not supported.")
        command_id = signal.get("CommandId")
        if command_id:
            self._shells.remove_command(shell, command_id)
        return envelope.build_response(c.response_action(request.action), request.message_id, "<rsp:SignalResponse/>")

    # -- Delete ([MS-WSMV] 3.1.4.4) ----------------------------------------------------------------

    def delete(self, request: envelope.Request, caller: Caller) -> bytes:
        """Close the shell and every command in it."""
        self._shells.delete(self._shell_id(request), caller.account.name)
        return envelope.build_response(c.response_action(request.action), request.message_id, "")

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _shell_id(request: envelope.Request) -> str:
        shell_id = request.selectors.get("ShellId")
        if not shell_id:
            # Windows' text for a missing ShellId selector (Openwsman/openwsman#83).
            raise faults.InvalidSelectors(
                "The Windows Remote Shell cannot process the request because it requires the following "
                "selector: ShellId. Retry with the correct selector."
            )
        return shell_id

    def _shell(self, request: envelope.Request, caller: Caller) -> Shell:
        return self._shells.get(self._shell_id(request), caller.account.name)

    def _runner(self, caller: Caller, shell: Shell) -> Callable[[str, bytes, threading.Event], Outcome]:
        context = ExecContext(
            account=caller.account,
            auth=caller.auth,
            scheme=caller.scheme,
            codepage=shell.codepage,
            shell_id=shell.id,
            can_delegate=caller.can_delegate,
        )
        delay = self._command_delay()

        def run(command_line: str, stdin: bytes, cancelled: threading.Event) -> Outcome:
            if delay > 0:
                time.sleep(delay)  # the injected latency itself, not a synchronisation
            result = self._host.execute(command_line, stdin, replace(context, cancelled=cancelled))
            return Outcome(rc=int(result.rc), stdout=bytes(result.stdout), stderr=bytes(result.stderr))

        return run


def _receive_body(command: Command, stdout: bytes, stderr: bytes, complete: bool) -> str:
    cid = quoteattr(command.id)
    parts = ["<rsp:ReceiveResponse>"]
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        if data:
            parts.append(
                f'<rsp:Stream Name="{name}" CommandId={cid}>{base64.b64encode(data).decode("ascii")}</rsp:Stream>'
            )
    if complete:
        # Windows closes each stream with an empty End="true" element before the final state.
        parts.append(f'<rsp:Stream Name="stdout" CommandId={cid} End="true"></rsp:Stream>')
        parts.append(f'<rsp:Stream Name="stderr" CommandId={cid} End="true"></rsp:Stream>')
        parts.append(
            f'<rsp:CommandState CommandId={cid} State="{c.COMMAND_STATE_DONE}">'
            f"<rsp:ExitCode>{command.exit_code}</rsp:ExitCode></rsp:CommandState>"
        )
    else:
        parts.append(f'<rsp:CommandState CommandId={cid} State="{c.COMMAND_STATE_RUNNING}"/>')
    parts.append("</rsp:ReceiveResponse>")
    return "".join(parts)
