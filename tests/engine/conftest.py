"""The real-engine suite: the collection's PowerShell and C# run in a real PowerShell against an emulated host.

Every test here starts real ``pwsh`` processes (about a second each; the wts payload compiles its C# helper).
Without PowerShell (``PWSH`` or ``pwsh`` on PATH) or a C compiler the tests are skipped, and the run says so in
one line (also in ``make test``'s summary).
"""

from __future__ import annotations

import copy
import os

import pytest

from tests.emulator.surfaces import wtsapi
from tests.emulator.surfaces.engine.pwsh import find_pwsh
from tests.emulator.windows import load_config, testing
from tests.engine.payloads import HowToGetPwsh

PWSH = find_pwsh()
CC = wtsapi.compiler()
MISSING = None if PWSH and CC else ('no PowerShell (set PWSH to a pwsh executable or put pwsh on PATH)' if not PWSH
                                    else 'no C compiler for the stand-in WTS library (install gcc)')


def pytest_collection_modifyitems(config, items):
    del config
    if MISSING:
        marker = pytest.mark.skip(reason=f'real engine: {MISSING}')
        for item in items:
            item.add_marker(marker)


def pytest_terminal_summary(terminalreporter):
    if not MISSING:
        return
    skipped = len(terminalreporter.stats.get('skipped', []))
    line = f'note: {skipped} real-engine tests skipped: {MISSING}. {HowToGetPwsh}'
    terminalreporter.write_line(line)
    notes = os.environ.get('TEST_STEP_NOTES')
    if notes:
        with open(notes, 'a', encoding='utf-8') as handle:
            handle.write(line + '\n')


@pytest.fixture
def make_host():
    """Build in-process hosts whose engine is the real one (``testing.SAMPLE_HOST`` with overrides)."""
    built = []

    def make(**overrides):
        config = copy.deepcopy(testing.SAMPLE_HOST)
        config.update({'engine': 'pwsh', **overrides})
        host = load_config({'hosts': [config]})[0].host
        built.append(host)
        return host

    yield make
    for host in built:
        host.close()
