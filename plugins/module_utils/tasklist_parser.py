# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The accounts each session's processes run under, from ``tasklist /v /fo csv /nh``.

The native tools print no domain; tasklist prints the account of every process as ``DOMAIN\\user``. With
``/fo csv /nh`` each line is one process as nine quoted, comma-separated fields in a fixed order (image name, PID,
session name, session number, memory usage, status, user name, CPU time, window title): the headers, the status
words and the names of system accounts are localized, the order and the quoting are not (Microsoft's tasklist
reference; docs/sources.md).
"""

from __future__ import annotations

import csv

SESSION_FIELD = 3
USER_FIELD = 6


class TasklistParseError(ValueError):
    """The text is not tasklist's CSV output."""


def parse_tasklist_accounts(text):
    """``{session_id: [account, ...]}``: the distinct ``DOMAIN\\user`` accounts of each session's processes, in
    the order first seen. Processes whose account is not shown (``N/A``, blank) are left out.

    :raises TasklistParseError: a non-blank line is not a nine-field CSV row with a session number.
    """
    accounts = {}
    for number, row in enumerate(csv.reader(line for line in text.splitlines() if line.strip()), 1):
        if len(row) < USER_FIELD + 1 or not row[SESSION_FIELD].strip().isdigit():
            raise TasklistParseError('line %d of tasklist is not a process row: %r' % (number, ','.join(row)[:120]))
        account = row[USER_FIELD].strip()
        if '\\' not in account:
            continue
        found = accounts.setdefault(int(row[SESSION_FIELD].strip()), [])
        if account not in found:
            found.append(account)
    return accounts
