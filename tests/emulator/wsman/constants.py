"""Protocol constants of WS-Management and WinRS, each defined once.

Sources: [MS-WSMV] (Web Services Management Protocol Extensions for Windows Vista,
https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/), the DMTF WS-Management
specification (DSP0226) for the ``w:`` fault subcodes, and ``wsmerror.h`` of the Windows SDK for the
WSManFault codes.
"""

# XML namespaces, with the prefixes Windows uses in its responses
# ([MS-WSMV] 2.2 "Message Syntax", namespaces table; prefixes as in the recorded Windows responses of
# jborean93/pypsrp tests/responses/test_winrs_standard.yml).
NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
NS_WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
NS_WSMAN_MS = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
NS_SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
NS_WSMAN_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"

RESPONSE_PREFIXES = {
    "s": NS_SOAP,
    "a": NS_ADDRESSING,
    "x": NS_TRANSFER,
    "w": NS_WSMAN,
    "rsp": NS_SHELL,
    "p": NS_WSMAN_MS,
}

ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

# The only resource the emulator serves: the text-based command shell ([MS-WSMV] 3.1.4.5 table,
# "Text-based Command Shell" scenario of 3.1.4.14).
RESOURCE_CMD = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"

# Action URIs: request -> response ([MS-WSMV] 3.1.4.5 Create, 3.1.4.4 Delete (both WS-Transfer,
# DSP0226 7.6); 3.1.4.11 Command, 3.1.4.12 Signal, 3.1.4.13 Send, 3.1.4.14 Receive).
ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
ACTION_COMMAND = NS_SHELL + "/Command"
ACTION_SIGNAL = NS_SHELL + "/Signal"
ACTION_SEND = NS_SHELL + "/Send"
ACTION_RECEIVE = NS_SHELL + "/Receive"
ACTION_FAULT = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"


def response_action(action: str) -> str:
    """Return the response Action URI of a request Action URI ([MS-WSMV] 3.1.4.x tables)."""
    return action + "Response"


def action_name(action: str) -> str:
    """Return the short name of an Action URI (``.../Receive`` -> ``Receive``)."""
    return action.rstrip("/").rsplit("/", 1)[-1]


# CommandState values ([MS-WSMV] 2.2.4.27 ReceiveResponse, CommandStateType).
COMMAND_STATE_DONE = NS_SHELL + "/CommandState/Done"
COMMAND_STATE_RUNNING = NS_SHELL + "/CommandState/Running"

# Signal codes ([MS-WSMV] 3.1.4.12 Signal; WSManSignalShell docs: terminate, ctrl_c, ctrl_break).
SIGNAL_TERMINATE = NS_SHELL + "/signal/terminate"
SIGNAL_CTRL_C = NS_SHELL + "/signal/ctrl_c"
SIGNAL_CTRL_BREAK = NS_SHELL + "/signal/ctrl_break"
SIGNALS = frozenset({SIGNAL_TERMINATE, SIGNAL_CTRL_C, SIGNAL_CTRL_BREAK})

# Shell options sent in w:OptionSet of Create ([MS-WSMV] 3.1.4.5: WINRS_CODEPAGE, WINRS_NOPROFILE).
OPTION_CODEPAGE = "WINRS_CODEPAGE"
DEFAULT_CODEPAGE = 437  # pywinrm's open_shell() default; ansible sends 65001

# Envelope size: the client announces it in w:MaxEnvelopeSize (DSP0226 6.2);
# 153600 is what pywinrm sends and Windows' default MaxEnvelopeSizekb (150).
DEFAULT_MAX_ENVELOPE_SIZE = 153600

# Message encryption over HTTP ([MS-WSMV] 2.2.9.1 Encrypted Message Types, 2.2.9.1.1 SPNEGO, 2.2.9.1.3 CredSSP).
# A Negotiate logon (NTLM or Kerberos under the Negotiate scheme) seals with the SPNEGO protocol string; CredSSP
# with its own, and splits a message longer than 16 KiB into several encrypted parts under the
# multipart/x-multi-encrypted type (pywinrm's encryption.py does the same on the client side).
ENCRYPTED_BOUNDARY = b"--Encrypted Boundary"
SPNEGO_ENCRYPTED = "application/HTTP-SPNEGO-session-encrypted"
CREDSSP_ENCRYPTED = "application/HTTP-CredSSP-session-encrypted"
ENCRYPTED_MULTIPART = "multipart/encrypted"
MULTI_ENCRYPTED_MULTIPART = "multipart/x-multi-encrypted"
CREDSSP_CHUNK = 16384
ENCRYPTED_CONTENT_TYPE = (
    'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'
)
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"

# WSManFault codes (wsmerror.h, Windows SDK; decimal as Windows prints them).
CODE_OPERATION_TIMEDOUT = 0x80338029  # 2150858793 ERROR_WSMAN_OPERATION_TIMEDOUT, Receiver / w:TimedOut
CODE_UNEXPECTED_SELECTORS = 0x8033805B  # 2150858843: unknown ShellId or CommandId (pypsrp test_winrs_bad_cmd_id)
CODE_SCHEMA_VALIDATION = 0x80338041  # 2150858817 ERROR_WSMAN_SCHEMA_VALIDATION_ERROR (pypsrp#193)
CODE_INVALID_XML = 0x80338043  # 2150858819 ERROR_WSMAN_INVALID_XML
CODE_INVALID_SOAP_BODY = 0x80338027  # 2150858791 ERROR_WSMAN_INVALID_SOAP_BODY
CODE_ACTION_NOT_SUPPORTED = 0x80338013  # 2150858771 ERROR_WSMAN_ACTION_NOT_SUPPORTED
CODE_INVALID_TIMEOUT = 0x8033800F  # 2150858767 "invalid timeout field" (test-kitchen/kitchen-dsc#17)
CODE_INVALID_PARAMETER = 87  # ERROR_INVALID_PARAMETER, w:InvalidParameter (masterzen/winrm#80 capture)
CODE_INTERNAL_ERROR = 1359  # ERROR_INTERNAL_ERROR (winerror.h), used for injected generic faults
CODE_RESOURCE_NOT_FOUND = 0x80338000  # 2150858752 ERROR_WSMAN_RESOURCE_NOT_FOUND
