"""The demo and the emulated fleet a user can keep running: examples/demo.yml against tests/demo/fleet.yml,
``make demo`` (tests/demo/run_demo.py) and ``make fleet`` (tests/demo/run_fleet.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.harness import NO_REALM_KRB5_CONF, ansible_env, run_playbook
from tests.e2e.safety.checks import touched
from tests.emulator.fleet import Fleet

REPO = Path(__file__).resolve().parents[2]
DEMO_FLEET = REPO / 'tests' / 'demo' / 'fleet.yml'
PLAYBOOK = (REPO / 'examples' / 'demo.yml').read_text(encoding='utf-8')
PASSWORD = 'Passw0rd!'  # the demo fleet's administrator password (tests/demo/fleet.yml)


@pytest.fixture(scope='module')
def demo_fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('demo-fleet')
    with Fleet(DEMO_FLEET, workdir, env={'KRB5_CONFIG': str(NO_REALM_KRB5_CONF)}) as fleet:
        plain = fleet.inventory(workdir / 'plain.yml', transport='ntlm')
        hosts = yaml.safe_load(plain.read_text(encoding='utf-8'))['all']['hosts']
        grouped = workdir / 'inventory.yml'
        grouped.write_text(yaml.safe_dump({'all': {'children': {'rdsh': {'hosts': hosts}}}}, allow_unicode=True),
                           encoding='utf-8')
        fleet.grouped_inventory = grouped
        yield fleet


@pytest.fixture
def demo(demo_fleet):
    demo_fleet.reset()
    return demo_fleet


def _said(run, label):
    """The line of the demo's summary that starts with ``label``, per host."""
    lines = {}
    for entry in run.results:
        if entry['task'] == 'Say what happened':
            lines[entry['host']] = [line for line in entry['result']['msg'] if line.startswith(label)]
    return lines


def test_the_demo_in_check_mode_does_not_read_like_an_idempotence_failure(demo, tmp_path):
    run = run_playbook(tmp_path, demo.grouped_inventory, PLAYBOOK, check=True, diff=True)
    assert run.rc == 0, run.stdout[-3000:]
    assert 'second run changed: True' not in run.stdout
    second = _said(run, 'second run')
    assert second and all(lines == ['second run: not run in check mode - nothing was logged off, so it would find '
                                    'the same sessions'] for lines in second.values()), second
    assert _said(run, 'stale sessions')['rdsh-london'] == ["stale sessions that would be logged off: ['bob']"]
    for name in demo.endpoints:
        assert touched(demo, name) == [] and demo.state(name)['messages'] == [], 'check mode changes nothing'


def test_a_real_run_of_the_demo_says_the_second_run_had_nothing_left(demo, tmp_path):
    run = run_playbook(tmp_path, demo.grouped_inventory, PLAYBOOK, extra_vars={'grace_seconds': 1})
    assert run.rc == 0, run.stdout[-3000:]
    assert set(map(tuple, _said(run, 'second run').values())) == {('second run: nothing left to do',)}
    assert _said(run, 'stale sessions')['rdsh-london'] == ["stale sessions logged off: ['bob']"]


def test_the_demo_reads_a_host_in_a_non_latin_script_with_the_native_tools(demo, tmp_path):
    # The documentation promises that the native tools' text is read in any display language (docs/languages-and-
    # code-pages.md): the demo shows it on the Japanese host, not only on the German one.
    run = run_playbook(tmp_path, demo.grouped_inventory, PLAYBOOK, check=True)
    listed = run.result('List the sessions of every host', 'rdsh-tokyo')['result']
    assert listed['method'] == 'logoff_exe', listed
    assert {'田中', '鈴木'} <= set(session['username'] for session in listed['sessions'])


def _free_of_password(folder):
    return [str(path) for path in Path(folder).rglob('*') if path.is_file()
            and PASSWORD.encode('utf-8') in path.read_bytes()]


def test_make_demo_names_its_folder_inside_the_checkout_and_leaves_no_password(tmp_path):
    from tests.demo import run_demo
    assert Path(run_demo.DEFAULT_WORKDIR).resolve() == (REPO / '.build' / 'demo').resolve()
    workdir = tmp_path / 'demo'
    env = ansible_env(tmp_path, tmp_path / 'results.jsonl', {'WINRDS_EMU_ENGINE': 'contract'})
    completed = subprocess.run([sys.executable, str(REPO / 'tests' / 'demo' / 'run_demo.py'), '--workdir',
                                str(workdir)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, timeout=600, check=False)
    output = completed.stdout.decode('utf-8', errors='replace')
    assert completed.returncode == 0, output[-3000:]
    assert str(workdir) in output
    assert _free_of_password(workdir) == []


def _free_port_is_closed(port):
    with socket.socket() as probe:
        return probe.connect_ex(('127.0.0.1', port)) != 0


def test_make_fleet_prints_an_inventory_that_works_and_stops_on_ctrl_c(tmp_path):
    workdir = tmp_path / 'fleet'
    env = dict(os.environ, KRB5_CONFIG=str(NO_REALM_KRB5_CONF))
    process = subprocess.Popen([sys.executable, str(REPO / 'tests' / 'demo' / 'run_fleet.py'), '--workdir',
                                str(workdir)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    try:
        printed = []
        for raw in process.stdout:
            printed.append(raw.decode('utf-8', errors='replace'))
            if 'Press Ctrl-C' in printed[-1]:
                break
        text = ''.join(printed)
        inventory = workdir / 'inventory.yml'
        assert str(inventory) in text, text
        assert inventory.read_text(encoding='utf-8').strip() in text, 'the content is printed too'
        ports = [host['ansible_port'] for host in
                 yaml.safe_load(inventory.read_text(encoding='utf-8'))['all']['children']['rdsh']['hosts'].values()]
        run = run_playbook(tmp_path / 'run', inventory, '''
        - hosts: rdsh
          gather_facts: false
          tasks:
            - name: act
              winrds.sessions.win_rds_session_info:
        ''')
        assert run.rc == 0 and len(run.results) == len(ports), run.stdout[-3000:]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert all(_free_port_is_closed(port) for port in ports)
        assert not inventory.exists(), 'the inventory (with the emulated hosts\' password) is removed at the end'
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
