"""The PowerShell engine of an emulated host: what runs a ``powershell``/``pwsh`` command line.

Both engines have the same small interface, which ``Host`` uses::

    engine.name                  'pwsh' or 'contract'
    engine.version               the PowerShell version that runs the commands
    engine.run(command_line, invocation, stdin, env, entry) -> (rc, stdout, stderr)
    engine.close()

``invocation`` is ``windows.powershell.parse_command_line(command_line)``; ``entry`` is the command's record in the
host's state document, which the engine completes (``engine``, and ``payload``/``op`` or ``calls``).
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

ENGINE_VARIABLE = 'WINRDS_EMU_ENGINE'
"""Replaces ``engine: auto`` for every host that does not set ``engine`` (pwsh or contract)."""


def choose_engine(host, setting: str):
    """The engine a host's ``engine`` setting names; ``auto`` is pwsh when it can run here, else contract.

    :raises EngineUnavailable: ``pwsh`` was asked for and cannot run (no PowerShell, no C compiler).
    """
    from .contract import ContractEngine
    from .pwsh import EngineUnavailable, PwshEngine, find_pwsh

    if setting == 'auto':
        setting = os.environ.get(ENGINE_VARIABLE) or ('pwsh' if find_pwsh() else 'contract')
    if setting == 'contract':
        return ContractEngine(host)
    if setting != 'pwsh':
        raise ValueError(f'{ENGINE_VARIABLE} must be pwsh or contract, not {setting!r}')
    from tests.emulator.surfaces.broker import Broker

    host.broker = host.broker or Broker(host)
    try:
        return PwshEngine(host)
    except EngineUnavailable:
        host.broker.close()
        host.broker = None
        raise
