"""Per-host behaviour switches, and the texts and codes no public source shows (``unknowns``).

Every ``unknowns`` default below is a guess, kept configurable (config key ``unknowns``, a mapping merged over
these defaults). Fields in braces are filled by the tool: ``{target}`` the ID or name the caller gave,
``{id}``/``{name}`` the session's, ``{open_error}`` the localized ``Error opening Terminal server X`` line and
``{error}`` the localized ``Error [n]:text`` line.

===========================  =====================================================================================
``logoff_not_found``         logoff of an unknown ID or name (not found in any source: docs/sources.md, "logoff")
``tsdiscon_not_found``       the same for tsdiscon
``logoff_verbose``           logoff ``/v`` success line (unknown: docs/sources.md, "logoff"; empty prints nothing)
``remote_open_failed``       logoff/tsdiscon whose ``/server:`` cannot be opened (patterned on query session)
``msg_not_found``            msg to an ID or name that does not exist (unknown: docs/sources.md, "msg"; patterned on the
                             ``Error 2147500058`` line msg prints for a missing session 1, community.windows#533)
``msg_wait_answered``        msg ``/v /w`` line when the user clicked OK (unknown: docs/sources.md, "msg")
``msg_wait_timeout``         msg ``/v /w`` line when nobody answered in time (unknown)
``msg_wait_timeout_rc``      msg's exit code for that timeout (unknown)
``failure_rc``               exit code of logoff, tsdiscon, msg and query session when they fail (undocumented,
                             docs/sources.md, "Not found in any source"; quser's 1 is reported by a code comment)
``wts_listener_error``       what WTSLogoffSession/WTSDisconnectSession return for session 0 or a listener
===========================  =====================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

UNKNOWN_DEFAULTS: dict[str, object] = {
    'logoff_not_found': 'Could not logoff session ID {target}, Error code 7022\n'
                        'Error [7022]:The specified session cannot be found.',
    'tsdiscon_not_found': 'Could not disconnect sessionID {target}, Error code 7022\n'
                          'Error [7022]:The specified session cannot be found.',
    'logoff_verbose': '',
    'remote_open_failed': '{open_error}\n\n{error}',
    'msg_not_found': 'Error sending message to session {target} : Error 2147500058',
    'msg_wait_answered': 'Message to session {name} responded to by user',
    'msg_wait_timeout': 'Message to session {name} timed out',
    'msg_wait_timeout_rc': 0,
    'failure_rc': 1,
    'wts_listener_error': 5,
}


@dataclass
class HostOptions:
    """Switches of one host (config keys of the same names; see ``config.py``)."""

    current_session_id: int | None = 0
    date_format: str | None = None
    qwinsta_padding: bool = False
    message_block_seconds: float = 300.0
    powershell_exit_code: str = 'status'
    add_type_blocked: bool = False
    add_type_error: str = 'Cannot add type. Compilation errors occurred.'
    native_output_encoding: str = 'console'
    wts_open_server_failure: str = 'null'
    missing_tools: frozenset = frozenset()
    unknowns: dict[str, object] = field(default_factory=lambda: dict(UNKNOWN_DEFAULTS))

    def unknown(self, key: str):
        """The configured value of an unknown."""
        return self.unknowns[key]
