# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin base class of the collection's modules: argument validation, then the shared task flow."""

from __future__ import annotations

import difflib

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
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

        params = self._validated_args()

        shell = getattr(self._connection, '_shell', None)
        if not getattr(shell, '_IS_WINDOWS', False):
            result.update({'failed': True, 'changed': False,
                           'msg': 'this module manages Remote Desktop sessions of Windows hosts; the connection '
                                  'of this host is not to Windows (use ansible_connection winrm or psrp)'})
            return result
        return run_module(self, self.OPERATION, params, result, host=(task_vars or {}).get('inventory_hostname'))

    @property
    def module_name(self):
        """The module's full name, as a task writes it (``winrds.sessions.win_rds_logoff``)."""
        parts = type(self).__module__.split('.')
        if len(parts) > 3 and parts[0] == 'ansible_collections':
            return '%s.%s.%s' % (parts[1], parts[2], parts[-1])
        return parts[-1]

    def _validated_args(self):
        """The task's arguments checked against the module's spec, coerced and with defaults.

        Like ``ActionBase.validate_argument_spec``, but an option the module does not have is reported with the
        module's name (ansible-core names an action plugin by its Python path) and the nearest option.

        :raises AnsibleActionFail: the arguments do not fit the spec; nothing has reached the host.
        """
        spec = argument_spec(self.OPERATION)
        validation = ArgumentSpecValidator(spec, mutually_exclusive=MUTUALLY_EXCLUSIVE).validate(dict(self._task.args))
        if validation.unsupported_parameters:
            names = []
            for name in sorted(str(item) for item in validation.unsupported_parameters):
                near = difflib.get_close_matches(name, list(spec), n=1, cutoff=0.75)
                names.append('%s (did you mean %s?)' % (name, near[0]) if near else name)
            raise AnsibleActionFail('Unsupported parameters for (%s) module: %s. Supported parameters include: %s.'
                                    % (self.module_name, ', '.join(names), ', '.join(sorted(spec))),
                                    obj=self._task.args)
        if validation.error_messages:
            raise AnsibleActionFail(validation.errors.msg, obj=self._task.args)
        params = dict(self._task.args)
        params.update(validation.validated_parameters)
        return params
