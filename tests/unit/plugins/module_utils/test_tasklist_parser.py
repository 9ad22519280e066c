"""tasklist's CSV rows: the accounts each session's processes run under."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.tasklist_parser import (
    TasklistParseError, parse_tasklist_accounts)

ROWS = '\r\n'.join([
    '"System Idle Process","0","Services","0","8 K","Unknown","NT AUTHORITY\\SYSTEM","1:02:03","N/A"',
    '"csrss.exe","612","RDP-Tcp#5","3","5,120 K","Unknown","NT AUTHORITY\\SYSTEM","0:00:01","N/A"',
    '"explorer.exe","4410","RDP-Tcp#5","3","80,112 K","Running","CONTOSO\\alice","0:00:12","Program Manager"',
    '"rdpclip.exe","4420","RDP-Tcp#5","3","9,000 K","Running","CONTOSO\\alice","0:00:00","N/A"',
    '"notepad.exe","5010","","4","9,000 K","Running","FABRIKAM\\bob, ""the"" admin","0:00:00","a, b"',
    '"svchost.exe","900","Services","0","9,000 K","Unknown","N/A","0:00:00","N/A"',
]) + '\r\n'


def test_accounts_per_session_in_the_order_seen():
    assert parse_tasklist_accounts(ROWS) == {0: ['NT AUTHORITY\\SYSTEM'], 3: ['NT AUTHORITY\\SYSTEM', 'CONTOSO\\alice'],
                                             4: ['FABRIKAM\\bob, "the" admin']}


def test_no_processes_is_no_accounts():
    assert parse_tasklist_accounts('') == {}


@pytest.mark.parametrize('text', ['INFO: No tasks are running which match the specified criteria.\r\n',
                                  '"a.exe","1","x","not a number","1 K","Running","D\\u","0:00:00","N/A"\r\n'])
def test_text_that_is_not_process_rows_is_an_error(text):
    with pytest.raises(TasklistParseError):
        parse_tasklist_accounts(text)
