"""Helpers for tests that drive a :class:`Host` in-process (no HTTP): command lines and a sample host."""

from __future__ import annotations

import base64
import copy
import json

from tests.emulator.surfaces.engine.bootstrap import BOOTSTRAP_FILE, PAYLOAD_DIR

from .config import load_config
from .host import ExecContext, Host

POWERSHELL = 'PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand '
"""The command line prefix of the wire contract (docs/architecture.md) and of ansible's raw.

See docs/sources.md, "What ansible-core sends".
"""

SAMPLE_HOST = {
    'name': 'rdsh01',
    'port': 0,
    'scheme': 'http',
    'auth': ['basic', 'ntlm'],
    'time_scale': 0,
    'engine': 'contract',  # in-process tests of the model and the contract engine; tests/engine runs pwsh
    'users': [
        {'name': 'administrator', 'password': 'Passw0rd!', 'admin': True},
        {'name': 'helpdesk', 'password': 'Helpdesk1!', 'admin': False},
        {'name': 'alice', 'password': 'Alice1!', 'admin': False},
    ],
    'locale': 'en-US',
    'language_mode': 'FullLanguage',
    'sessions': [
        {'id': 1, 'name': 'console', 'user': 'Administrator', 'domain': 'RDSH01', 'state': 'active',
         'idle_minutes': 0, 'logon_time': '2026-11-20T07:58:00'},
        {'id': 3, 'name': 'rdp-tcp#5', 'user': 'alice', 'domain': 'CONTOSO', 'state': 'active', 'idle_minutes': 12,
         'logon_time': '2026-11-20T08:15:00', 'client': 'PC042'},
        {'id': 4, 'name': None, 'user': 'bob', 'domain': 'CONTOSO', 'state': 'disconnected', 'idle_minutes': 190,
         'logon_time': '2026-11-19T17:02:00'},
    ],
    'servers': [
        {'name': 'rdsh02', 'locale': 'en-US', 'sessions': [
            {'id': 2, 'name': 'rdp-tcp#1', 'user': 'carol', 'domain': 'CONTOSO', 'idle_minutes': 5,
             'logon_time': '2026-11-22T09:00:00'}]},
        {'name': 'rdsh03', 'reachable': False},
        {'name': 'rdsh04', 'double_hop': 'allowed', 'sessions': []},
    ],
}


def sample_host(**changes) -> Host:
    """A host built from :data:`SAMPLE_HOST` with top-level keys replaced by ``changes``."""
    raw = copy.deepcopy(SAMPLE_HOST)
    raw.update(changes)
    return load_config({'hosts': [raw]})[0].host


REUSABLE_CREDENTIALS = ('basic', 'credssp')
"""Logons whose credentials reach the host whatever the client asks (wsman/logon.py); Kerberos only delegates
when asked (``can_delegate``)."""


def context(host: Host, user: str = 'administrator', auth: str = 'basic', codepage: int = 65001,
            can_delegate: bool | None = None) -> ExecContext:
    """An ExecContext for one of the host's accounts, in a WinRS shell of ``codepage`` (ansible's 65001), with
    ``can_delegate`` as the protocol layer would set it."""
    account = host.account(user)
    if account is None:
        raise KeyError(user)
    if can_delegate is None:
        can_delegate = auth in REUSABLE_CREDENTIALS
    return ExecContext(account=account, auth=auth, scheme='http', codepage=codepage, can_delegate=can_delegate)


def powershell_command(script: str) -> str:
    """``PowerShell ... -EncodedCommand <base64 of UTF-16-LE script>``."""
    return POWERSHELL + base64.b64encode(script.encode('utf-16-le')).decode('ascii')


def bootstrap_command() -> str:
    """The fixed command line: the checkout's bootstrap.ps1, encoded."""
    return powershell_command(BOOTSTRAP_FILE.read_text(encoding='utf-8'))


def payload_stdin(name: str, data: dict) -> bytes:
    """stdin of the wire contract: the JSON data (ASCII-escaped) on line 1, the payload script after it."""
    script = (PAYLOAD_DIR / f'{name}.ps1').read_text(encoding='utf-8')
    return (json.dumps(data, ensure_ascii=True) + '\n' + script).encode('ascii')


def run_payload(host: Host, name: str, data: dict, user: str = 'administrator', auth: str = 'basic',
                codepage: int = 65001):
    """Run a payload through the bootstrap; returns the CommandResult."""
    return host.execute(bootstrap_command(), payload_stdin(name, data), context(host, user, auth, codepage))


def run_wts(host: Host, data: dict, user: str = 'administrator', auth: str = 'basic') -> dict:
    """Run the wts payload and parse its JSON answer."""
    result = run_payload(host, 'wts', data, user, auth)
    assert result.rc == 0, result.stderr
    return json.loads(result.stdout.decode('ascii'))


def run_raw(host: Host, script: str, user: str = 'administrator', auth: str = 'basic', stdin: bytes = b'',
            codepage: int = 65001):
    """Run a short PowerShell command as ``raw`` sends it, in a shell of ``codepage``."""
    return host.execute(powershell_command(script), stdin, context(host, user, auth, codepage))
