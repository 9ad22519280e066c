# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs of the modules, written once. The action plugins validate with them; the module files carry
the documentation only (the modules never run on a host), and a unit test compares the two so that they cannot
drift apart."""

from __future__ import annotations

import copy

from .model import STATE_NAMES

METHODS = ('auto', 'wts', 'logoff_exe')

SELECTOR_SPEC = {
    'session': {'type': 'str'},
    'session_id': {'type': 'list', 'elements': 'int'},
    'session_name': {'type': 'list', 'elements': 'str'},
    'username': {'type': 'list', 'elements': 'str'},
    'state': {'type': 'list', 'elements': 'str', 'choices': list(STATE_NAMES)},
    'idle_time': {'type': 'raw'},
}

TARGET_SPEC = {
    'server': {'type': 'str'},
    'method': {'type': 'str', 'default': 'auto', 'choices': list(METHODS)},
}

MESSAGE_TITLE = 'Message from your administrator'
"""The default title of every message box the modules show (a warning before acting, or a message)."""

NOTICE_SPEC = {
    'message': {'type': 'str'},
    'message_title': {'type': 'str', 'default': MESSAGE_TITLE},
    'grace_period': {'type': 'raw', 'default': 0},
}

_LOGOFF = {
    'wait': {'type': 'bool', 'default': True},
    'timeout': {'type': 'raw', 'default': 120},
    'max_sessions': {'type': 'int'},
}

_DISCONNECT = {
    'max_sessions': {'type': 'int'},
}

_MESSAGE = {
    'message': {'type': 'str', 'required': True},
    'message_title': {'type': 'str', 'default': MESSAGE_TITLE},
    'wait': {'type': 'bool', 'default': False},
    'timeout': {'type': 'raw', 'default': 60},
    'max_sessions': {'type': 'int'},
}

SECONDS_OPTIONS = ('grace_period', 'timeout')
"""Options that are durations in seconds (``durations.parse_seconds``): their spec type is raw, so that ``5m`` passes
the argument check, and the task turns them into seconds before anything else."""

MUTUALLY_EXCLUSIVE = [['session', 'session_id'], ['session', 'session_name']]


def _merge(*parts):
    spec = {}
    for part in parts:
        spec.update(copy.deepcopy(part))
    return spec


ARGUMENT_SPECS = {
    'logoff': _merge(SELECTOR_SPEC, TARGET_SPEC, NOTICE_SPEC, _LOGOFF),
    'disconnect': _merge(SELECTOR_SPEC, TARGET_SPEC, NOTICE_SPEC, _DISCONNECT),
    'message': _merge(SELECTOR_SPEC, TARGET_SPEC, _MESSAGE),
    'info': _merge(SELECTOR_SPEC, TARGET_SPEC),
}


def argument_spec(operation):
    """A fresh copy of the argument spec of an operation (``logoff``, ``disconnect``, ``message``, ``info``)."""
    return copy.deepcopy(ARGUMENT_SPECS[operation])
