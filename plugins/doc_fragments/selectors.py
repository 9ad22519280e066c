# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by the modules of winrds.sessions: the selector options, the target host, notices."""

from __future__ import annotations


class ModuleDocFragment:
    """The selector options and the target options, written once."""

    DOCUMENTATION = r'''
options:
  session:
    description:
      - One session, named exactly like the argument of C(logoff.exe) - digits are a session ID, anything else a
        session name such as V(rdp-tcp#5), compared without regard to case.
      - Wildcards are not allowed here; use O(session_name) for patterns.
      - Cannot be combined with O(session_id) or O(session_name).
    type: str
  session_id:
    description:
      - Session IDs to select.
      - O(session_id) and O(session_name) widen each other - a session named either way is selected.
    type: list
    elements: int
  session_name:
    description:
      - Session names to select, without regard to case, with V(*) and V(?) as wildcards.
      - Disconnected sessions usually have no name; select them by O(username) or O(state) instead.
    type: list
    elements: str
  username:
    description:
      - Users whose sessions to select, as V(user), V(DOMAIN\\user) or V(user@domain), without regard to case,
        with V(*) and V(?) as wildcards in each part.
      - A bare user name matches in any domain. V(user@contoso.com) also matches the NetBIOS domain V(CONTOSO).
      - With O(method=logoff_exe), whose session tools do not show domains, a pattern with a domain reads each
        session's domain from the accounts of its processes (C(tasklist)); when no process shows the domain of a
        session the user part matches, the task fails before anything is changed and names that session.
    type: list
    elements: str
  state:
    description:
      - Session states to select (the states of C(WTS_CONNECTSTATE_CLASS)).
      - V(disconnected) sessions keep running programs in memory with no client attached.
      - A state selects the sessions users connect to, listeners and the console included, never session 0
        (services), which Windows reports as disconnected although it has no client to lose. Select session 0 by
        its ID or name.
    type: list
    elements: str
    choices: [active, connected, connect_query, shadow, disconnected, idle, listen, reset, down, init]
  idle_time:
    description:
      - Select only sessions idle for at least this long, as minutes (V(90)) or with units, V(90m), V(2h),
        V(1d4h30m).
      - Sessions whose idle time the host does not report (for example a console showing C(none)) are not
        selected by this option.
    type: raw
  server:
    description:
      - Manage the sessions of this Remote Desktop Session Host instead of the managed host itself, like the
        C(/server:) argument of the native tools. The managed host reaches it over RPC.
      - From a WinRM connection this is a second hop. NTLM, Basic and Kerberos without delegation cannot pass
        credentials on, so use CredSSP, Kerberos delegation to a host trusted for delegation, or target the
        server directly.
      - The server must allow remote RPC (C(AllowRemoteRPC=1)).
    type: str
  method:
    description:
      - How the host is asked.
      - V(wts) uses the WTS API through a small C# helper compiled with C(Add-Type); exact times, domains and
        client names, Unicode throughout.
      - V(logoff_exe) uses the native tools (C(query), C(logoff), C(tsdiscon), C(msg)) and reads their text in
        the host's OEM code page and display language; works in Constrained Language Mode.
      - V(auto) uses V(wts) and falls back to V(logoff_exe) when the host cannot load the helper; the result says
        which method ran and why it fell back.
    type: str
    choices: [auto, wts, logoff_exe]
    default: auto
notes:
  - Session 0 (services) and listener sessions (IDs from 65536, state V(listen)) are never acted on; naming one
    explicitly is an error.
  - Every option value is passed to the host as data on standard input, never as command or script text.
  - The controller makes one command to read the sessions and, when there is something to do, one more to act,
    whatever the number of sessions.
'''

    NOTICE = r'''
options:
  message:
    description:
      - Warn the selected users with this message before acting, then wait O(grace_period) seconds so that they
        can save their work.
      - Right before acting the host checks again that each session still belongs to the same logon.
    type: str
  message_title:
    description:
      - The title of the warning message box (the same default as the title of O(message) in
        M(winrds.sessions.win_rds_message)).
    type: str
    default: Message from your administrator
  grace_period:
    description:
      - How long to wait between the warning O(message) and acting, as seconds (V(90)) or with units, V(90s),
        V(5m), V(1h30m) (the units of O(idle_time), and V(s)). Requires O(message).
    type: raw
    default: 0
'''
