# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to tell a user when a host says no: Win32 errors turned into causes and next steps."""

from __future__ import annotations

ACCESS_DENIED = 5
RPC_UNAVAILABLE = 1722
SESSION_NOT_FOUND = 7022
SESSION_ACCESS_DENIED = 7045
CONSOLE_DISCONNECT = 7041

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
    """A whole sentence for a failure of a whole call (not of one session)."""
    where = ' on %s' % server if server else ''
    if kind == 'access_denied' or code in (ACCESS_DENIED, SESSION_ACCESS_DENIED):
        text = ('Access is denied%s (Win32 error %d). Managing other users\' sessions needs Full Control on them '
                '(the Reset right to log off, Disconnect to disconnect, Message to send messages, Query '
                'Information to list them); members of the host\'s Administrators group have it.'
                % (where, code or ACCESS_DENIED))
        if server:
            text += _DOUBLE_HOP.format(server=server)
        return text
    if kind == 'rpc_unavailable' or code == RPC_UNAVAILABLE:
        return ('The RPC server is unavailable%s (Win32 error 1722): the Remote Desktop Services of %s cannot be '
                'reached. Check the name, that the host is up, that its firewall allows Remote Desktop Services '
                'RPC, and that AllowRemoteRPC is 1 under HKLM\\SYSTEM\\CurrentControlSet\\Control\\Terminal '
                'Server.' % (where, server or 'the host'))
    if kind == 'server_not_found':
        return 'The server %s was not found (Win32 error %d): check the name.' % (server, code)
    if kind == 'helper_unavailable':
        return ('The WTS helper could not be loaded: %s Hosts in Constrained Language Mode or with Add-Type '
                'blocked need method: auto (falls back to the native tools) or method: logoff_exe.' % message)
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
