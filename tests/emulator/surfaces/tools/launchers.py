"""The native tools a real PowerShell starts: launchers in the host's ``System32`` folder (``stub.py`` says how)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


STUB = Path(__file__).resolve().with_name('stub.py')

FILES = {
    'chcp.com': 'chcp', 'query.exe': 'query', 'quser.exe': 'quser', 'qwinsta.exe': 'qwinsta',
    'logoff.exe': 'logoff', 'tsdiscon.exe': 'tsdiscon', 'msg.exe': 'msg', 'hostname.exe': 'hostname',
    'whoami.exe': 'whoami', 'tasklist.exe': 'tasklist', 'reg.exe': 'reg',
}
"""File names in System32 and the tool each one is. Windows finds ``query`` as ``query.exe`` through PATHEXT;
PowerShell on Linux looks for the exact name, so every tool is also installed without its extension."""


def install(system32: Path, python: str | None = None, missing: frozenset = frozenset()) -> list[Path]:
    """Write a launcher for every tool but the ``missing`` ones into ``system32``; return their paths."""
    system32.mkdir(parents=True, exist_ok=True)
    python = python or sys.executable
    written = []
    for file_name, tool in FILES.items():
        if tool in missing or (tool in ('quser', 'qwinsta') and 'query' in missing):
            continue
        text = '#!/bin/sh\nexec %s -I -S %s %s "$@"\n' % (shlex.quote(python), shlex.quote(str(STUB)), tool)
        for path in (system32 / file_name, system32 / file_name.rsplit('.', 1)[0]):
            path.write_text(text, encoding='ascii')
            path.chmod(0o755)
            written.append(path)
    return written
