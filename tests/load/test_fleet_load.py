"""Load: one emulator process serves many concurrent task runs (ansible-playbook forks) without losing or
mixing up a session.

One emulated host holds a session per inventory host plus some that nobody targets. Every inventory host points
at that same emulated host and has its own ``target_session``; ``ansible-playbook -f <forks>`` runs
``win_rds_session_info`` and then ``win_rds_logoff`` of its own session on all of them at once. Afterwards every
targeted session is gone, each by the logoff of the inventory host it belongs to, the others are untouched, every
task is ok, and the emulator's counters give the requests served and the errors.

The number of inventory hosts (and forks) is ``WINRDS_LOAD_FORKS``, 50 by default so that the suite stays quick on
two cores (``WINRDS_LOAD_ENGINE_FORKS``, 16, when the emulated host runs a real PowerShell); docs/reliability.md
records a run with 200.
"""

from __future__ import annotations

import json
import os
import time

import yaml

from tests.e2e.harness import run_playbook
from tests.emulator.fleet import Fleet
from tests.emulator.surfaces.engine import default_engine

FORKS = int(os.environ.get('WINRDS_LOAD_FORKS', '50'))
ENGINE_FORKS = int(os.environ.get('WINRDS_LOAD_ENGINE_FORKS', '16'))
"""On the real PowerShell engine every task starts a PowerShell (a CPU-second each): fewer forks, same checks."""
UNTARGETED = 10
HOST = 'rdsh-load'
PLAYBOOK = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: list
      winrds.sessions.win_rds_session_info:
        username: 'user*'
    - name: logoff
      winrds.sessions.win_rds_logoff:
        session_id: ['{{ target_session }}']
'''


def user_of(session_id):
    return 'user%03d' % session_id


def fleet_config(targets):
    ids = list(range(2, 2 + targets + UNTARGETED))
    return {'hosts': [{
        'name': HOST, 'port': 0, 'scheme': 'http', 'auth': ['basic', 'ntlm'], 'locale': 'en-US',
        'users': [{'name': 'administrator', 'password': 'Passw0rd!', 'admin': True}], 'time_scale': 0.02,
        'sessions': [{'id': 1, 'name': 'console', 'user': 'Administrator', 'domain': 'RDSH-LOAD', 'state': 'active'}]
        + [{'id': ident, 'name': 'rdp-tcp#%d' % ident, 'user': user_of(ident), 'domain': 'CONTOSO',
            'state': 'active' if ident % 2 else 'disconnected', 'idle_minutes': ident} for ident in ids],
    }]}


def write_inventory(path, endpoint, targets):
    hosts = {}
    for index in range(targets):
        hosts['load-%03d' % index] = {
            'ansible_host': endpoint['host'], 'ansible_port': endpoint['port'], 'ansible_connection': 'winrm',
            'ansible_winrm_transport': 'ntlm', 'ansible_winrm_scheme': 'http', 'ansible_user': 'administrator',
            'ansible_password': 'Passw0rd!', 'target_session': 2 + index}
    path.write_text(yaml.safe_dump({'all': {'hosts': hosts}}), encoding='utf-8')
    return path


def test_concurrent_task_runs_neither_lose_nor_mix_up_sessions(tmp_path, monkeypatch):
    forks = ENGINE_FORKS if default_engine() == 'pwsh' else FORKS
    with Fleet(fleet_config(forks), tmp_path / 'fleet') as fleet:
        inventory = write_inventory(tmp_path / 'inventory.yml', fleet.endpoints[HOST], forks)
        before = dict((item['id'], item) for item in fleet.state(HOST)['sessions'])
        monkeypatch.setenv('ANSIBLE_FORKS', str(forks))  # ansible-playbook -f forks
        started = time.monotonic()
        run = run_playbook(tmp_path / 'run', inventory, PLAYBOOK, timeout=1800)
        seconds = time.monotonic() - started
        state = fleet.state(HOST)

    statuses = dict(((entry['task'], entry['host']), entry['status']) for entry in run.results)
    assert len(statuses) == 2 * forks, run.stdout[-3000:]
    bad = dict((key, status) for key, status in statuses.items()
               if status != {'list': 'ok', 'logoff': 'changed'}[key[0]])
    assert bad == {}, run.stdout[-3000:]
    for index in range(forks):
        host, target = 'load-%03d' % index, 2 + index
        listed = run.result('list', host)['result']
        assert listed['matched'] == forks + UNTARGETED
        logged_off = run.result('logoff', host)['result']['sessions']
        assert [(item['id'], item['username'], item['outcome']) for item in logged_off] == [
            (target, user_of(target), 'logged_off')]

    events = [event for event in state['events'] if event['event'] == 'logoff']
    assert sorted((event['session_id'], event['user']) for event in events) == [
        (ident, user_of(ident)) for ident in range(2, 2 + forks)]
    after = dict((item['id'], item) for item in state['sessions'])
    assert set(before) - set(after) == set(range(2, 2 + forks))
    for ident, item in after.items():
        assert (item['user'], item['state'], item['name']) == (
            before[ident]['user'], before[ident]['state'], before[ident]['name'])

    requests = state['requests']
    # An OperationTimeout answer only makes the client poll again (a command that takes longer than it on a
    # busy host); any other fault is an error.
    errors = {'failed or unreachable tasks': len(bad), 'auth_failures': requests['auth_failures'],
              'faults_served': requests['faults_served'] - requests['operation_timeouts'], 'emulator internal errors':
              sum(1 for command in state['commands'] if command.get('internal_error'))}
    print('\nload: %s' % json.dumps({
        'forks': forks, 'task runs': len(statuses), 'commands': len(state['commands']),
        'requests': requests['total'], 'by_action': requests['by_action'], 'errors': errors,
        'wall_seconds': round(seconds, 1)}))
    assert errors == {'failed or unreachable tasks': 0, 'auth_failures': 0, 'faults_served': 0,
                      'emulator internal errors': 0}
