"""The real-engine suite: the collection's PowerShell runs in a real PowerShell against an emulated host.

Every test here starts real ``pwsh`` processes (about a second each).
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
    # Under pytest-xdist every worker ends with a summary of its share too: only the run as a whole speaks.
    if not MISSING or hasattr(terminalreporter.config, 'workerinput'):
        return
    skipped = len(terminalreporter.stats.get('skipped', []))
    line = f'note: {skipped} real-engine tests skipped: {MISSING}. {HowToGetPwsh}'
    terminalreporter.write_line(line)
    notes = os.environ.get('TEST_STEP_NOTES')
    if notes:
        with open(notes, 'a', encoding='utf-8') as handle:
            handle.write(line + '\n')


def make_pwsh_host(**overrides):
    """An in-process host whose engine is the real one (``testing.SAMPLE_HOST`` with top-level overrides)."""
    config = copy.deepcopy(testing.SAMPLE_HOST)
    config.update({'engine': 'pwsh', **overrides})
    return load_config({'hosts': [config]})[0].host


@pytest.fixture
def make_host():
    """Build in-process hosts whose engine is the real one; they are closed after the test."""
    built = []

    def make(**overrides):
        host = make_pwsh_host(**overrides)
        built.append(host)
        return host

    yield make
    for host in built:
        host.close()
