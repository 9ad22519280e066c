#!/usr/bin/python
# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: win_rds_disconnect
short_description: Disconnect Remote Desktop sessions, keeping them in memory
version_added: 0.1.0
description:
  - Disconnects the Remote Desktop sessions that the selector options match, like C(tsdiscon) - the session and
    its programs stay in memory and the user can reconnect to it later.
  - A session that is already disconnected is left as it is and reported V(already_disconnected), so the task
    is idempotent.
  - The console session cannot be disconnected - naming it explicitly is an error; a pattern that catches it
    skips it. Session 0 and listeners are never touched.
  - Runs on the controller (an action plugin), with one command to read the sessions and one more to act.
author:
  - winrds.sessions contributors (@winrds)
extends_documentation_fragment:
  - winrds.sessions.selectors
  - winrds.sessions.selectors.notice
options:
  max_sessions:
    description:
      - Fail before disconnecting anyone when more sessions than this would be disconnected.
    type: int
attributes:
  check_mode:
    support: full
    description: Reports what would be disconnected (V(would_disconnect)); changes nothing.
  diff_mode:
    support: full
    description: Shows the matched sessions before and after, one line each.
  platform:
    support: full
    platforms: windows
    description: Targets Windows hosts over C(winrm) or C(psrp); the module itself runs on the controller.
seealso:
  - module: winrds.sessions.win_rds_logoff
  - module: winrds.sessions.win_rds_session_info
  - name: tsdiscon (Windows Commands reference)
    description: The command this module does the work of.
    link: https://learn.microsoft.com/windows-server/administration/windows-commands/tsdiscon
notes:
  - Disconnecting another user's session needs the Disconnect permission on it (part of Full Control).
'''

EXAMPLES = r'''
- name: Disconnect every active session idle for more than two hours
  winrds.sessions.win_rds_disconnect:
    state: active
    idle_time: 2h

- name: Disconnect bob's sessions after a one-minute warning
  winrds.sessions.win_rds_disconnect:
    username: bob
    message: Your session will be disconnected in one minute. Your programs keep running.
    grace_period: 60
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
        - V(disconnected), V(would_disconnect) (check mode), V(already_disconnected), V(already_gone),
          V(skipped) (protected, or the ID now belongs to another logon), V(failed) or V(unknown).
      type: str
      sample: disconnected
    reason:
      description: Why a session was skipped or failed, null otherwise.
      type: str
      sample: null
'''
