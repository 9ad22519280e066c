"""Win32 error codes the emulated host returns, with their English FormatMessage texts.

Sources: Microsoft "System Error Codes (0-499)", "(1700-3999)" and "(6000-8199)"
(docs/sources.md, "The session tools' error lines"; docs/sources.md, "WTS error codes"). Localized texts live in
the locale files (``error_<code>``); this table is the English fallback for codes no locale names.
"""

from __future__ import annotations

ERROR_FILE_NOT_FOUND = 2
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_PARAMETER = 87
RPC_S_SERVER_UNAVAILABLE = 1722
ERROR_CTX_WINSTATION_NOT_FOUND = 7022
ERROR_CTX_CONSOLE_DISCONNECT = 7041
ERROR_CTX_WINSTATION_ACCESS_DENIED = 7045
CO_E_RUNAS_LOGON_FAILURE = 2147500058
"""0x8000401A, what msg.exe prints for a missing session 1 (community.windows#533; docs/sources.md, "msg")."""

_ENGLISH = {
    ERROR_FILE_NOT_FOUND: 'The system cannot find the file specified.',
    ERROR_ACCESS_DENIED: 'Access is denied.',
    ERROR_INVALID_PARAMETER: 'The parameter is incorrect.',
    RPC_S_SERVER_UNAVAILABLE: 'The RPC server is unavailable.',
    ERROR_CTX_WINSTATION_NOT_FOUND: 'The specified session cannot be found.',
    ERROR_CTX_CONSOLE_DISCONNECT: 'Disconnecting the console session is not supported.',
    ERROR_CTX_WINSTATION_ACCESS_DENIED: 'The requested session access is denied.',
}


def english_text(code: int) -> str:
    """The English FormatMessage text of ``code`` (a placeholder naming the code when the table lacks it)."""
    return _ENGLISH.get(code, f'Unknown error (0x{code & 0xFFFFFFFF:x})')


def dotnet_message(text: str) -> str:
    """What ``Win32Exception(code).Message`` shows for a FormatMessage text: no trailing period.

    Public stack traces read ``System.ComponentModel.Win32Exception (0x80004005): Access is denied`` (for
    example the SendKeys failure quoted in public code, id 71606253616).
    """
    text = text.strip()
    return text[:-1] if text.endswith('.') else text
