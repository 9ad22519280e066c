"""Build the collection's action plugins around a mocked task, as ansible.windows' unit tests do."""

from __future__ import annotations

import importlib
from unittest.mock import MagicMock

import pytest
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task


def _run(module, args, connection, check_mode=False, diff=False, inventory_hostname='rdsh01', display=None):
    plugin = importlib.import_module('ansible_collections.winrds.sessions.plugins.action.%s' % module)
    task = MagicMock(Task)
    task.args = dict(args)
    task.check_mode = check_mode
    task.diff = diff
    task.async_val = 0
    task.action = 'winrds.sessions.%s' % module
    play_context = PlayContext()
    play_context.remote_addr = 'rdsh01'
    action = plugin.ActionModule(task, connection, play_context, loader=MagicMock(), templar=MagicMock(),
                                 shared_loader_obj=None)
    if display is not None:
        action._display = display
    return action.run(task_vars={'inventory_hostname': inventory_hostname})


@pytest.fixture
def run_action():
    """``run_action(module, args, connection, check_mode=False, diff=False, inventory_hostname='rdsh01',
    display=None) -> result`` (``display`` replaces the plugin's Display)."""
    return _run
