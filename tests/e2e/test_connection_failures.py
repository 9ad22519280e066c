"""A host that cannot be reached: the message says the cause once, then the next step that fits it.

Real ansible-playbook, pywinrm and requests meet each failure for real: the emulated host refuses a wrong
password (HTTP 401, which ansible's winrm plugin words as "the specified credentials were rejected by the server")
and serves HTTPS with a throw-away self-signed certificate (tests/emulator/ARCHITECTURE.md); a port nobody listens
on and a name under ``.invalid`` need no emulator (RFC 6761 reserves ``.invalid``: it never resolves).
"""

from __future__ import annotations

import socket

import pytest
import yaml

from tests.e2e.harness import commands_of, one_task, run_playbook

RERUN = 'run the task again'


def _inventory(path, name, hostvars):
    base = {'ansible_connection': 'winrm', 'ansible_winrm_transport': 'ntlm', 'ansible_user': 'administrator',
            'ansible_password': 'Passw0rd!', 'ansible_winrm_server_cert_validation': 'ignore',
            'ansible_winrm_scheme': 'http', 'ansible_host': '127.0.0.1'}
    base.update(hostvars)
    path.write_text(yaml.safe_dump({'all': {'hosts': {name: base}}}), encoding='utf-8')
    return path


def _unreachable(tmp_path, name, hostvars):
    """Run a logoff against one host that cannot be reached; return (message, output)."""
    inventory = _inventory(tmp_path / 'inventory.yml', name, hostvars)
    run = run_playbook(tmp_path / 'run', inventory, one_task('win_rds_logoff', {'username': 'bob'}, hosts=name))
    entry = run.result('act', name)
    assert entry['status'] == 'unreachable', run.stdout[-3000:]
    return entry['result']['msg'], run.stdout


def _endpoint(fleet, host):
    return fleet.endpoints[host]['port']


@pytest.fixture
def closed_port():
    """A port bound on the loopback address but not listening: connecting to it is refused, and no other test can
    take it while it is held."""
    held = socket.socket()
    held.bind(('127.0.0.1', 0))
    yield held.getsockname()[1]
    held.close()


def test_a_wrong_password_says_so_once_and_not_to_run_again(hosts, tmp_path):
    message, _output = _unreachable(tmp_path, 'rdsh-en', {'ansible_port': _endpoint(hosts, 'rdsh-en'),
                                                          'ansible_password': 'not-the-password'})
    assert message.count('the specified credentials were rejected by the server') == 1, message
    assert 'ansible_user' in message and 'ansible_password' in message
    assert RERUN not in message.lower()
    assert 'nothing was changed' in message.lower()
    assert commands_of(hosts, 'rdsh-en') == []


def test_an_untrusted_certificate_names_the_trust_options(hosts, tmp_path):
    message, _output = _unreachable(tmp_path, 'rdsh-tls', {
        'ansible_port': _endpoint(hosts, 'rdsh-tls'), 'ansible_winrm_scheme': 'https',
        'ansible_winrm_server_cert_validation': 'validate'})
    assert message.count('certificate verify failed') == 1, message
    assert 'ansible_winrm_ca_trust_path' in message and 'ansible_winrm_server_cert_validation' in message
    assert RERUN not in message.lower()
    assert commands_of(hosts, 'rdsh-tls') == []


def test_a_refused_connection_names_the_port_and_the_listener(tmp_path, closed_port):
    message, _output = _unreachable(tmp_path, 'rdsh-closed', {'ansible_port': closed_port})
    assert message.count('Connection refused') == 1, message
    assert 'port %d' % closed_port in message and 'ansible_port' in message and 'listener' in message
    assert RERUN in message.lower()


def test_an_unknown_host_name_says_the_name_does_not_resolve(tmp_path):
    message, _output = _unreachable(tmp_path, 'rdsh-nowhere', {'ansible_host': 'rdsh-nowhere.invalid',
                                                               'ansible_port': 5985})
    assert message.count("Failed to resolve 'rdsh-nowhere.invalid'") == 1, message
    assert 'rdsh-nowhere.invalid does not resolve' in message and 'ansible_host' in message
    assert RERUN not in message.lower()


def test_http_against_an_https_port_says_to_use_https(hosts, tmp_path):
    message, _output = _unreachable(tmp_path, 'rdsh-tls', {'ansible_port': _endpoint(hosts, 'rdsh-tls'),
                                                           'ansible_winrm_scheme': 'http'})
    assert message.count('Connection reset by peer') == 1, message
    assert 'ansible_winrm_scheme: https' in message
    assert commands_of(hosts, 'rdsh-tls') == []


def test_https_against_an_http_port_says_to_use_http(hosts, tmp_path):
    message, _output = _unreachable(tmp_path, 'rdsh-en', {'ansible_port': _endpoint(hosts, 'rdsh-en'),
                                                          'ansible_winrm_scheme': 'https'})
    assert message.count('wrong version number') == 1, message
    assert 'ansible_winrm_scheme: http' in message and 'ansible_winrm_scheme: https' not in message
    assert RERUN not in message.lower()
