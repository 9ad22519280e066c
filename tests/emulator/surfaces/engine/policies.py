"""The scripts with which the emulated host makes every PowerShell it starts behave as on Windows.

``host_policy.ps1`` wraps a WinRS command, ``remoting_policy.ps1`` is the initial command of a PowerShell remoting
session. Both put in ``windows_cmdlets.ps1`` (Add-Type and Start-Process as on Windows) at their line
``# windows cmdlets``, so that a payload meets the same cmdlets over winrm and psrp.
"""

from __future__ import annotations

import base64
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = '# windows cmdlets\n'


def policy_script(name: str) -> str:
    """The text of the policy script ``name`` (``host_policy.ps1``...) with the Windows cmdlets in it."""
    text = (HERE / name).read_text(encoding='utf-8')
    if text.count(MARK) != 1:
        raise ValueError('%s must have the line %r once' % (name, MARK.strip()))
    return text.replace(MARK, (HERE / 'windows_cmdlets.ps1').read_text(encoding='utf-8'))


def encoded(script: str) -> str:
    """A script as ``-EncodedCommand`` carries it: base64 of its UTF-16LE text."""
    return base64.b64encode(script.encode('utf-16-le')).decode('ascii')
