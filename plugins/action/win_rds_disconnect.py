# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of winrds.sessions.win_rds_disconnect: the whole module runs on the controller."""

from __future__ import annotations

from ansible_collections.winrds.sessions.plugins.plugin_utils._action import SessionAction


class ActionModule(SessionAction):
    OPERATION = 'disconnect'
