"""Fakes for the unit tests: a scripted Windows connection and builders of the payloads' answers.

The fake connection replays answers in order and records every command and its stdin, so tests can assert on
what the controller sent as well as on what it made of the answers.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from types import SimpleNamespace

FIXTURES = Path(__file__).parent / 'fixtures'


DEFLATE_MARK = b'#deflate '


def inflate(line):
    """The script of a packed stdin line (the mark, then strict base64 of raw DEFLATE), as ASCII text."""
    assert line.startswith(DEFLATE_MARK), line[:40]
    return zlib.decompress(base64.b64decode(line[len(DEFLATE_MARK):], validate=True), -15).decode('ascii')


class FakeConnection:
    """Stands in for a winrm/psrp connection: replays (rc, stdout, stderr) answers, or raises them."""

    def __init__(self, answers, windows=True):
        self.answers = list(answers)
        self.calls = []
        self._shell = SimpleNamespace(_IS_WINDOWS=windows, tmpdir=None)

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self.calls.append((cmd, in_data))
        if not self.answers:
            raise AssertionError('the controller ran a command the test did not expect: %r' % (in_data or b'')[:200])
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(cmd, in_data)
        return answer

    def data(self, index):
        """The JSON data the controller sent with command ``index``."""
        return json.loads(self.calls[index][1].split(b'\n', 1)[0])

    def script(self, index):
        """The payload script sent with command ``index``, inflated when it was sent packed."""
        sent = self.calls[index][1].split(b'\n', 1)[1]
        return inflate(sent) if sent.startswith(DEFLATE_MARK) else sent.decode('ascii')

    def payload(self, index):
        """The payload name of command ``index`` (from the script's first line)."""
        return self.script(index).split('\n', 1)[0].split(':', 1)[1].split()[0]


def wts_session(sid, name, user, domain, state_code, logon='2026-11-20T08:15:00Z', idle=0, client=None,
                disconnect=None):
    """One session record as the wts payload reports it (current time 2026-11-22T10:00:00Z)."""
    from datetime import datetime, timedelta
    now = datetime(2026, 11, 22, 10, 0, 0)
    return {'id': sid, 'name': name, 'user': user, 'domain': domain, 'state_code': state_code, 'client': client,
            'logon_time': logon if user else None, 'disconnect_time': disconnect,
            'last_input_time': (now - timedelta(minutes=idle)).strftime('%Y-%m-%dT%H:%M:%SZ') if user else None,
            'current_time': now.strftime('%Y-%m-%dT%H:%M:%SZ')}


STANDARD_WTS_SESSIONS = [
    wts_session(0, 'Services', '', '', 4),
    wts_session(1, 'Console', 'Administrator', 'RDSH01', 0, logon='2026-11-20T07:58:00Z'),
    wts_session(3, 'RDP-Tcp#5', 'alice', 'CONTOSO', 0, idle=12, client='PC042'),
    wts_session(4, '', 'bob', 'CONTOSO', 4, logon='2026-11-19T17:02:00Z', idle=190,
                disconnect='2026-11-22T06:50:00Z'),
    wts_session(5, 'RDP-Tcp#7', 'carol smith', 'CONTOSO', 0, idle=0),
    wts_session(65536, 'RDP-Tcp', '', '', 6),
]


def wts_answer(sessions=None, results=None, error=None, console=1, language_mode='FullLanguage', rc=0):
    """The wts payload's stdout for a snapshot (``sessions``) or an action (``results``)."""
    document = {'payload': 'wts', 'version': 3, 'computer': 'RDSH01', 'server': None,
                'language_mode': language_mode, 'console_session_id': console, 'error': error}
    if sessions is not None:
        document['sessions'] = sessions
    if results is not None:
        document['results'] = results
    return rc, json.dumps(document).encode('ascii'), b''


def unpack_refused(language_mode='ConstrainedLanguage'):
    """The bootstrap's stdout when it may not unpack a packed payload (bootstrap.ps1, outside FullLanguage)."""
    document = {'payload': 'bootstrap', 'computer': 'RDSH01', 'language_mode': language_mode,
                'error': {'kind': 'unpack_refused'}}
    return 0, json.dumps(document).encode('ascii'), b''


def frame(step, body, rc=0, ident=None, verdict=None, err=b''):
    """One frame of the native payload's stdout (native.ps1): the tool's output and error bytes in hexadecimal."""
    label = step if ident is None else '%s %d' % (step, ident)
    lines = ['##winrds:begin %s' % label]
    if body:
        lines.append('##winrds:out ' + ' '.join('%02X' % byte for byte in body))
    if err:
        lines.append('##winrds:err ' + ' '.join('%02X' % byte for byte in err))
    lines.append('##winrds:end %s rc=%d' % (label, rc) + (' verdict=%s' % verdict if verdict else ''))
    return ('\r\n'.join(lines) + '\r\n').encode('ascii')


def chcp_frame(code_page=437, oem=None):
    """The code page frames every answer starts with: the console's (chcp) and the OEM one (reg query)."""
    registry = ('\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage\r\n'
                '    OEMCP    REG_SZ    %d\r\n\r\n' % (oem or code_page))
    return (frame('chcp', ('Active code page: %d\r\n' % code_page).encode('ascii'))
            + frame('oemcp', registry.encode('ascii')))


def native_snapshot(locale='en-US', code_page=437, user_rc=0, user_text=None, session_text=None):
    """The native payload's stdout for a snapshot, from the fixture files of a locale, in its OEM code page."""
    codec = 'cp%d' % code_page
    if session_text is None:
        session_text = (FIXTURES / ('%s_query_session.txt' % locale)).read_text(encoding='utf-8')
    if user_text is None:
        user_text = (FIXTURES / ('%s_query_user.txt' % locale)).read_text(encoding='utf-8')
    body_s = session_text.replace('\r\n', '\n').rstrip('\n').replace('\n', '\r\n').encode(codec)
    body_u = user_text.replace('\r\n', '\n').rstrip('\n').replace('\n', '\r\n').encode(codec)
    return 0, chcp_frame(code_page) + frame('query-session', body_s) + frame('query-user', body_u, rc=user_rc), b''
