"""The module documentation and the argument specs the action plugins validate with say the same thing.

The module files hold documentation only (like ansible.windows' win_reboot): the modules run on the controller, so
ansible-test cannot compare their docs with an AnsibleModule argument spec. This test does it instead, with the
documentation as ansible-doc sees it (doc fragments merged)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.winrds.sessions.plugins.module_utils.options import ARGUMENT_SPECS

MODULES = {'win_rds_logoff': 'logoff', 'win_rds_disconnect': 'disconnect', 'win_rds_message': 'message',
           'win_rds_session_info': 'info'}


@pytest.fixture(scope='module')
def docs():
    ansible_doc = Path(sys.executable).parent / 'ansible-doc'
    command = [str(ansible_doc), '--json'] + ['winrds.sessions.%s' % name for name in MODULES]
    output = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True,
                            env=dict(os.environ)).stdout
    return json.loads(output)


@pytest.mark.parametrize('module', sorted(MODULES))
def test_documented_options_match_the_argument_spec(docs, module):
    documented = docs['winrds.sessions.%s' % module]['doc']['options']
    spec = ARGUMENT_SPECS[MODULES[module]]
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc.get('type', 'str') == option['type'], name
        assert doc.get('default') == option.get('default'), name
        assert bool(doc.get('required', False)) == bool(option.get('required', False)), name
        assert doc.get('choices') == option.get('choices'), name
        assert doc.get('elements') == option.get('elements'), name


@pytest.mark.parametrize('module', sorted(MODULES))
def test_examples_use_only_documented_options(docs, module):
    examples = yaml.safe_load(docs['winrds.sessions.%s' % module]['examples'])
    documented = set(docs['winrds.sessions.%s' % module]['doc']['options'])
    used = [task for task in examples if 'winrds.sessions.%s' % module in task]
    assert used
    for task in used:
        assert set(task['winrds.sessions.%s' % module] or {}) <= documented


SHARED_RETURN = ('method', 'fallback_reason', 'server', 'computer', 'matched', 'commands')
SHARED_SESSION_FIELDS = ('id', 'name', 'username', 'domain', 'state', 'idle_minutes', 'logon_time',
                         'disconnect_time', 'client_name', 'is_console', 'state_word')


def test_the_return_values_every_module_shares_are_documented_alike(docs):
    """ansible-core 2.19 cannot merge RETURN doc fragments (2.21 can), so each module carries a copy of the return
    values they all have: the copies must not drift apart."""
    returned = dict((module, docs['winrds.sessions.%s' % module]['return']) for module in MODULES)
    reference = returned['win_rds_logoff']
    for module, values in returned.items():
        for key in SHARED_RETURN:
            assert values[key] == reference[key], (module, key)
        fields = values['sessions']['contains']
        for key in SHARED_SESSION_FIELDS:
            assert fields[key] == reference['sessions']['contains'][key], (module, 'sessions', key)


def test_the_results_hold_what_the_shared_documentation_promises():
    from ansible_collections.winrds.sessions.plugins.module_utils.model import Session

    entry = Session(3, 'rdp-tcp#5', 'alice', 'CONTOSO', 'active', idle_minutes=1).to_result()
    assert sorted(entry) == sorted(set(SHARED_SESSION_FIELDS) - {'state_word'})
    unknown = Session(3, 'rdp-tcp#5', 'alice', 'CONTOSO', 'unknown', state_word='Actief').to_result()
    assert sorted(unknown) == sorted(SHARED_SESSION_FIELDS)
