"""The SOAP faults the emulated WinRM service answers with, one class per wire error.

Every fault is sent as HTTP 500 with an ``s:Fault`` body carrying a ``WSManFault`` detail
([MS-WSMV] 2.2.4.43 WSManFaultType), as Windows does (recorded responses in jborean93/pypsrp
``tests/responses/``). Reason and message texts are the Windows texts the clients and users see.

Tree::

    WSManFault
    +-- OperationTimedOut        Receive found nothing to return within OperationTimeout
    +-- InvalidSelectors
    |   +-- ShellNotFound        unknown ShellId (or a shell of another user)
    |   +-- CommandNotFound      unknown CommandId
    +-- SchemaValidationError    a required element or attribute is missing or wrong
    +-- InvalidXml               the body is not well-formed XML
    +-- InvalidHeader            a required header is missing or invalid (MessageID, OperationTimeout)
    +-- ActionNotSupported       an Action the service does not implement
    +-- ResourceNotFound         a ResourceURI other than the cmd shell
    +-- InvalidParameter         a value the operation does not accept (signal code, late stdin)
    +-- InternalError            an injected fault, or the Windows model failed
"""

from __future__ import annotations

from . import constants as c

SENDER = "s:Sender"
RECEIVER = "s:Receiver"


class WSManFault(Exception):  # noqa: N818 - the wire name of the thing
    """A SOAP fault to send back instead of a response.

    :param message: the ``f:Message`` text of the WSManFault detail (defaults to the reason).
    """

    code: str = RECEIVER
    subcode: str = "w:InternalError"
    wsman_code: int = c.CODE_INTERNAL_ERROR
    reason: str = "An internal error occurred."
    fault_detail: str | None = None
    http_status: int = 500

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.reason
        super().__init__(self.message)


class OperationTimedOut(WSManFault):
    """Receive had nothing to return within the request's OperationTimeout.

    wsmerror.h ERROR_WSMAN_OPERATION_TIMEDOUT: "wsman, code=Receiver, subcode=WS-Management Timedout";
    pywinrm turns code 2150858793 into ``WinRMOperationTimeoutError`` and polls again.
    """

    code = RECEIVER
    subcode = "w:TimedOut"
    wsman_code = c.CODE_OPERATION_TIMEDOUT
    reason = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout."


class InvalidSelectors(WSManFault):
    """A selector does not name an existing resource (pypsrp ``test_winrs_bad_cmd_id`` recording)."""

    code = SENDER
    subcode = "w:InvalidSelectors"
    wsman_code = c.CODE_UNEXPECTED_SELECTORS
    reason = (
        "The WS-Management service cannot process the request because the request contained "
        "invalid selectors for the resource."
    )
    fault_detail = "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors"


class ShellNotFound(InvalidSelectors):
    """The ShellId is unknown; message text as quoted in WinRb/WinRM#253."""

    def __init__(self, shell_id: str) -> None:
        super().__init__(
            f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was "
            "not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no "
            "longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation."
        )


class CommandNotFound(InvalidSelectors):
    """The CommandId is unknown; message text from the pypsrp recording against Windows."""

    def __init__(self, command_id: str) -> None:
        super().__init__(
            "The Windows Remote Shell received a request to perform an operation on a command identifier that "
            "does not exist. Either the command has completed execution or the client specified an invalid "
            "command identifier."
        )
        self.command_id = command_id


class SchemaValidationError(WSManFault):
    """A required element or attribute is missing (message form of jborean93/pypsrp#193)."""

    code = SENDER
    subcode = "w:SchemaValidationError"
    wsman_code = c.CODE_SCHEMA_VALIDATION
    reason = (
        "The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry."
    )

    def __init__(self, what: str) -> None:
        super().__init__(
            f"WinRM cannot process the request because the request is missing the element titled '{what}'."
        )


class InvalidXml(WSManFault):
    """The request body is not a well-formed SOAP envelope (wsmerror.h ERROR_WSMAN_INVALID_XML)."""

    code = SENDER
    subcode = "w:SchemaValidationError"
    wsman_code = c.CODE_INVALID_XML
    reason = "The WS-Management service cannot process the request because the XML is invalid."


class InvalidHeader(WSManFault):
    """A WS-Addressing or WS-Management header is missing or invalid.

    The code is the one Windows sent for an invalid OperationTimeout (test-kitchen/kitchen-dsc#17).
    """

    code = SENDER
    subcode = "a:InvalidMessageInformationHeader"
    wsman_code = c.CODE_INVALID_TIMEOUT
    reason = "The WS-Management service cannot process the request because a header in the request is invalid."


class ActionNotSupported(WSManFault):
    """wsmerror.h ERROR_WSMAN_ACTION_NOT_SUPPORTED: "wsa, code=Sender, subcode=ActionNotSupported"."""

    code = SENDER
    subcode = "a:ActionNotSupported"
    wsman_code = c.CODE_ACTION_NOT_SUPPORTED
    reason = "The WS-Management service does not support the action specified in the request."


class ResourceNotFound(WSManFault):
    """A ResourceURI the service does not serve (a:DestinationUnreachable, as in microsoft/omi#254)."""

    code = SENDER
    subcode = "a:DestinationUnreachable"
    wsman_code = c.CODE_RESOURCE_NOT_FOUND
    reason = (
        "The WS-Management service cannot process the request. The service cannot find the resource "
        "identified by the resource URI and selectors."
    )


class InvalidParameter(WSManFault):
    """A value the operation does not accept (w:InvalidParameter, code 87, masterzen/winrm#80 capture)."""

    code = SENDER
    subcode = "w:InvalidParameter"
    wsman_code = c.CODE_INVALID_PARAMETER
    reason = "The parameter is incorrect."


class InternalError(WSManFault):
    """A generic service failure: injected by ``http_500_on_requests`` or raised by the Windows model."""
