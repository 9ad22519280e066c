# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to tell a user when a host says no: Win32 errors turned into causes and next steps."""

from __future__ import annotations

ACCESS_DENIED = 5
BAD_NETPATH = 53
INVALID_NET_ADDRESS = 1707
RPC_UNAVAILABLE = 1722
RPC_CALL_FAILED = 1726
RPC_CALL_FAILED_DNE = 1727
ENDPOINT_NOT_REGISTERED = 1753
SESSION_NOT_FOUND = 7022
SESSION_ACCESS_DENIED = 7045
CONSOLE_DISCONNECT = 7041

KINDS = {
    ACCESS_DENIED: 'access_denied', SESSION_ACCESS_DENIED: 'access_denied',
    RPC_UNAVAILABLE: 'rpc_unavailable', ENDPOINT_NOT_REGISTERED: 'rpc_endpoint_not_registered',
    RPC_CALL_FAILED: 'rpc_call_failed', RPC_CALL_FAILED_DNE: 'rpc_call_failed',
    BAD_NETPATH: 'server_not_found', INVALID_NET_ADDRESS: 'server_not_found',
}
"""The kind of a whole-call failure by its Win32 code (Microsoft, System Error Codes 0-499 and 1700-3999): the wts
payload reports the code (kind ``win32``), the native tools print it; this table names it."""


def kind_of(kind, code):
    """The kind of a failure: the payload's own (``helper_unavailable``, ``bad_server``...), else by its code."""
    if kind in (None, '', 'exception', 'win32') and code in KINDS:
        return KINDS[code]
    return kind


_RDS_RPC = ('that Remote Desktop Services runs there, that its firewall allows Remote Desktop Services\' RPC, '
            'and that AllowRemoteRPC is 1 under HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server')

NO_SELECTOR = (
    'no session is selected: give session, session_id, session_name, username, state or idle_time. '
    'logoff.exe without an argument ends the current session, but over WinRM the current session is the '
    'network logon of this task in session 0, so this module never guesses; to act on every user session '
    "write username: '*' (and consider max_sessions)."
)

# Windows answers a second hop without delegated credentials with Access is denied: the server sees an anonymous
# caller (Microsoft, "Making the second hop in PowerShell Remoting"; jborean93/pypsrp#30, #57).
_DOUBLE_HOP = (
    ' From a WinRM session, reaching {server} is a second hop: the host can only pass on credentials your logon '
    'delegated to it, and NTLM, Basic and Kerberos without delegation delegate none. Use CredSSP '
    '(ansible_winrm_transport: credssp, or ansible_psrp_auth: credssp), Kerberos with delegation to a host '
    'trusted for delegation (ansible_winrm_kerberos_delegation: true with a forwardable ticket, or '
    'ansible_psrp_negotiate_delegate: true), or run the task against {server} directly.'
)

_RIGHTS = {'logoff': 'the Reset right (part of Full Control)', 'disconnect': 'the Disconnect right',
           'message': 'the Message right', 'info': 'the Query Information right'}
_VERBS = {'logoff': 'log off', 'disconnect': 'disconnect', 'message': 'send messages to', 'info': 'list'}


def explain(kind, code=0, message='', server=None, operation='logoff'):
    """A whole sentence for a failure of a whole call (not of one session): its cause, then the next step."""
    where = ' on %s' % server if server else ''
    kind = kind_of(kind, code)
    if kind == 'access_denied':
        text = ('Access is denied%s (Win32 error %d). Managing other users\' sessions needs Full Control on them '
                '(the Reset right to log off, Disconnect to disconnect, Message to send messages, Query '
                'Information to list them); members of the host\'s Administrators group have it.'
                % (where, code or ACCESS_DENIED))
        if server:
            text += _DOUBLE_HOP.format(server=server)
        return text
    if kind == 'rpc_unavailable':
        return ('The RPC server is unavailable%s (Win32 error 1722): the Remote Desktop Services of %s cannot be '
                'reached. Check the name, that the host is up, %s.' % (where, server or 'the host', _RDS_RPC))
    if kind == 'rpc_endpoint_not_registered':
        return ('No endpoint is registered for the call%s (Win32 error 1753, EPT_S_NOT_REGISTERED): %s answers RPC, '
                'but its Remote Desktop Services do not accept remote calls. Check %s.'
                % (where, server or 'the host', _RDS_RPC))
    if kind == 'rpc_call_failed':
        done = 'it did not run there' if code == RPC_CALL_FAILED_DNE else 'it may not have run there'
        return ('The remote procedure call failed%s (Win32 error %d): the connection to %s broke during the call, '
                'so %s. Run the task again: it only acts on what is still there; if it fails the same way, check '
                'the network between the hosts and the Remote Desktop Services of %s.'
                % (where, code or RPC_CALL_FAILED, server or 'the host', done, server or 'the host'))
    if kind == 'server_not_found':
        cause = ('the name is not a valid network address' if code == INVALID_NET_ADDRESS
                 else 'the name does not resolve from the managed host, or the host cannot be reached over the network')
        return ('The server %s was not found (Win32 error %d): %s. Check the name given in server, and that the '
                'managed host can reach it.' % (server, code, cause))
    if kind == 'helper_unavailable':
        return ('The WTS functions could not be loaded: %s Hosts in Constrained Language Mode need method: auto '
                '(falls back to the native tools) or method: logoff_exe.' % message)
    if kind == 'bad_server':
        return 'The server name was refused by the host: only letters, digits, dots, hyphens and underscores.'
    detail = ' (Win32 error %d)' % code if code else ''
    verb = _VERBS.get(operation, operation)
    return 'The host could not %s sessions%s%s: %s' % (verb, where, detail, message or kind)


def explain_session_failure(code, message, operation='logoff'):
    """The reason for one session that could not be acted on."""
    if code in (ACCESS_DENIED, SESSION_ACCESS_DENIED):
        return ('access denied (Win32 error %d): to %s another user\'s session you need %s on it; Full Control '
                'includes it' % (code, _VERBS.get(operation, operation), _RIGHTS.get(operation, 'Full Control')))
    if code == CONSOLE_DISCONNECT:
        return 'the console session cannot be disconnected (Win32 error 7041)'
    if code == SESSION_NOT_FOUND:
        return 'the session no longer exists (Win32 error 7022)'
    return '%s (Win32 error %d)' % (message or 'the host refused', code) if code else (message or 'the host refused')
