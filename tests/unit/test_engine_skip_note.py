"""Without PowerShell the real-engine suite is skipped, and ``make test``'s summary says so in one line.

The suite runs under pytest-xdist there: each worker also ends with a terminal summary, and only the run as a whole
knows how many tests were skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize('workers', ['0', '2'])
def test_a_run_without_powershell_leaves_one_note(tmp_path, workers):
    notes = tmp_path / 'engine.notes'
    env = dict(os.environ, PWSH=str(tmp_path / 'no-pwsh-here'), TEST_STEP_NOTES=str(notes))
    done = subprocess.run([sys.executable, '-m', 'pytest', 'tests/engine', '-q', '-n', workers, '-p', 'no:cacheprovider',
                           '--basetemp', str(tmp_path / 'run')],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = notes.read_text(encoding='utf-8').splitlines()
    assert len(lines) == 1, lines
    collected = done.stdout.strip().splitlines()[-1]
    assert lines[0].startswith('note: %s real-engine tests skipped: no PowerShell' % collected.split()[0]), (lines, collected)
