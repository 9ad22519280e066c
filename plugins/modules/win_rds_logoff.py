#!/usr/bin/python
# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: win_rds_logoff
short_description: Log users off Windows Remote Desktop Session Hosts
version_added: 0.1.0
description:
  - Logs off the Remote Desktop sessions that the selector options match, like C(logoff.exe) does for one
    session, across any number of hosts - by session name or ID, by user, state or idle time, on the managed
    host or on another one (O(server), like C(/server:)).
  - Idempotent - a session that is gone is not matched again, so a second run reports no change.
  - Logging off ends every program of the session; unsaved work is lost. Warn users first with O(message) and
    O(grace_period).
  - The module runs on the controller (an action plugin). It reads the sessions with one command, matches and
    plans in Python, and acts with a second command only when something matched, whatever the number of
    sessions. Per-session detail (what C(logoff /v) prints) is in RV(sessions).
  - The console session is never logged off - naming it explicitly is an error, and a pattern that catches it
    skips it with the reason in the result.
author:
  - winrds.sessions contributors (@winrds)
extends_documentation_fragment:
  - winrds.sessions.selectors
  - winrds.sessions.selectors.notice
options:
  wait:
    description:
      - Wait until each logged-off session has left the host, checking every second (WTS API) or so.
      - With V(false) the module returns once the logoff is requested.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each session to leave when O(wait=true). A session still present then is reported
        as failed, and the task fails after reporting every session.
    type: int
    default: 120
  max_sessions:
    description:
      - Fail before logging anyone off when more sessions than this would be logged off.
      - A guard against selectors that match more than intended across a fleet.
    type: int
attributes:
  check_mode:
    support: full
    description: Reads the sessions and reports what would be logged off (V(would_log_off)); changes nothing.
  diff_mode:
    support: full
    description: Shows the matched sessions before and after, one line each.
  platform:
    support: full
    platforms: windows
    description: Targets Windows hosts over C(winrm) or C(psrp); the module itself runs on the controller.
seealso:
  - module: winrds.sessions.win_rds_session_info
  - module: winrds.sessions.win_rds_disconnect
  - module: winrds.sessions.win_rds_message
  - name: logoff (Windows Commands reference)
    description: The command this module does the work of.
    link: https://learn.microsoft.com/windows-server/administration/windows-commands/logoff
notes:
  - Logging off another user's session needs Full Control on it (the Reset right); your own you may always log
    off.
  - With O(method=logoff_exe) a session is found again by the USERNAME and LOGON TIME that C(query user)
    printed; with O(method=wts) by user, domain and logon time.
'''

EXAMPLES = r'''
- name: Log off every disconnected session idle for more than an hour
  winrds.sessions.win_rds_logoff:
    state: disconnected
    idle_time: 1h

- name: Log off one session by ID, like "logoff 3"
  winrds.sessions.win_rds_logoff:
    session: '3'

- name: Warn alice, give her five minutes, then log her off
  winrds.sessions.win_rds_logoff:
    username: CONTOSO\alice
    message: Maintenance starts in 5 minutes. Please save your work and log off.
    message_title: Planned maintenance
    grace_period: 300

- name: Log off a session on another host through this one, like "logoff rdp-tcp#5 /server:rdsh02"
  winrds.sessions.win_rds_logoff:
    session: rdp-tcp#5
    server: rdsh02

- name: Log off all test accounts, but never more than 20 sessions per host
  winrds.sessions.win_rds_logoff:
    username: 'svc-test-*'
    max_sessions: 20
  register: logoff

- name: Show what was done per session
  ansible.builtin.debug:
    msg: "{{ logoff.sessions | map(attribute='outcome') | list }}"
'''

RETURN = r'''
method:
  description: The method the task used to read the sessions (and to act on them), V(wts) or V(logoff_exe).
  returned: when the host was reached
  type: str
  sample: wts
fallback_reason:
  description: Why O(method=auto) fell back from the WTS API to the native tools.
  returned: when it fell back
  type: str
  sample: "PowerShell runs in ConstrainedLanguage mode: the wts payload needs FullLanguage (it is sent packed and defines the WTS functions with .NET)"
server:
  description: The value of O(server), or null for the managed host itself.
  returned: always
  type: str
  sample: null
computer:
  description: >-
    The computer name of the managed host as the WTS payload reports it, also after a fallback; null with
    O(method=logoff_exe), whose tools do not report it.
  returned: when the host was reached
  type: str
  sample: RDSH01
matched:
  description: How many sessions the selectors matched, protected and skipped ones included.
  returned: when the host was reached
  type: int
  sample: 2
commands:
  description: >-
    How many commands the task ran on the host: 1 to read the sessions, 1 more to act when something is to be
    done, and 1 more to read them again with the native tools after a fallback.
  returned: always
  type: int
  sample: 2
sessions:
  description: One entry per matched session, with what was done to it.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The session ID.
      type: int
      sample: 3
    name:
      description: The session name (WinStation name), null when the session has none (often when disconnected).
      type: str
      sample: rdp-tcp#5
    username:
      description: The user of the session, null for services, listeners and sessions at the logon screen.
      type: str
      sample: alice
    domain:
      description: >-
        The user's domain. With method V(logoff_exe) it is read from the accounts of the session's processes
        (C(tasklist)) only when O(username) names a domain; otherwise it is null there.
      type: str
      sample: CONTOSO
    state:
      description: >-
        The session state when it was read, or V(unknown) when the native tools printed a state word this collection
        does not know yet (see RV(sessions[].state_word)).
      type: str
      sample: active
    idle_minutes:
      description: >-
        Minutes since the last input (since the disconnection for a disconnected session), null when the host does
        not report it.
      type: int
      sample: 12
    logon_time:
      description: >-
        When the user logged on - UTC ISO 8601 with method V(wts), the text C(query user) printed (in the host's
        regional format) with method V(logoff_exe).
      type: str
      sample: "2026-11-20T08:15:00Z"
    disconnect_time:
      description: When the session was disconnected (method V(wts) only).
      type: str
      sample: null
    client_name:
      description: The name of the client computer (method V(wts) only).
      type: str
      sample: PC042
    is_console:
      description: Whether this is the console session.
      type: bool
      sample: false
    state_word:
      description: >-
        The state word the native tools printed, when it is a word this collection does not know yet (RV(sessions[].state)
        is then V(unknown)): such a session can be listed and selected by ID, name or user, but not by its state.
      returned: when the state is unknown
      type: str
      sample: Actief
    outcome:
      description:
        - V(logged_off) - done (and gone, when O(wait=true)).
        - V(would_log_off) - check mode; nothing was done.
        - V(already_gone) - the session ended before the logoff; nothing to do.
        - V(skipped) - left untouched, see RV(sessions[].reason) (protected, or the ID now belongs to another logon).
        - V(failed) - the host refused or the session outlived O(timeout).
        - V(unknown) - the connection failed while acting; run the task again.
      type: str
      sample: logged_off
    reason:
      description: Why a session was skipped or failed, null otherwise.
      type: str
      sample: the console session cannot be logged off or disconnected
    output:
      description: What the native tools printed for this session (C(logoff /v), C(msg /v)), method V(logoff_exe) only.
      type: list
      elements: str
      sample: []
'''
