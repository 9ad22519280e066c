# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin base class of the collection's modules: argument validation, then the shared task flow."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.winrds.sessions.plugins.module_utils.options import MUTUALLY_EXCLUSIVE, argument_spec
from ansible_collections.winrds.sessions.plugins.plugin_utils._runner import run_module


class SessionAction(ActionBase):
    """Runs one operation of ``OPERATION`` on the sessions of a Windows host (set by each subclass)."""

    OPERATION = ''
    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        self._supports_check_mode = True
        self._supports_async = False
        result = super().run(tmp, task_vars)
        del tmp

        _validation, params = self.validate_argument_spec(
            argument_spec=argument_spec(self.OPERATION), mutually_exclusive=MUTUALLY_EXCLUSIVE)

        shell = getattr(self._connection, '_shell', None)
        if not getattr(shell, '_IS_WINDOWS', False):
            result.update({'failed': True, 'changed': False,
                           'msg': 'this module manages Remote Desktop sessions of Windows hosts; the connection '
                                  'of this host is not to Windows (use ansible_connection winrm or psrp)'})
            return result
        return run_module(self, self.OPERATION, params, result)
