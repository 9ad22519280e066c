"""The C# helper compiles where Windows PowerShell 5.1 compiles it: C# 5, warnings as errors.

Windows PowerShell 5.1's Add-Type compiles with csc.exe at C# 5 against .NET Framework and fails on warnings.
Roslyn in the real engine checks the same language version; with the .NET Framework 4.6.2 reference assemblies
(NETFX_REFERENCE_ASSEMBLIES, the framework of Windows Server 2016) it also checks the APIs. Only a real host shows
what csc.exe itself reports beyond Roslyn.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import payload_script
from tests.emulator.surfaces.engine.pwsh import find_pwsh

CHECK = Path(__file__).with_name('csharp5.ps1')
FRAMEWORK = os.environ.get('NETFX_REFERENCE_ASSEMBLIES') or ''


def diagnostics(source, tmp_path):
    path = tmp_path / 'source.cs'
    path.write_text(source, encoding='utf-8')
    done = subprocess.run([find_pwsh(), '-NoProfile', '-NonInteractive', '-File', str(CHECK), '-Source', str(path),
                           '-Framework', FRAMEWORK], capture_output=True, text=True, timeout=300, check=False,
                          env=dict(os.environ, TERM='dumb'), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line.strip()]


def helper_source():
    return re.search(r"\$helper = @'\n(.*?)\n'@", payload_script('wts'), re.DOTALL).group(1)


def test_the_helper_compiles_as_csharp_5_with_warnings_as_errors(tmp_path):
    assert diagnostics(helper_source(), tmp_path) == []


def test_the_check_sees_a_newer_feature_and_a_warning(tmp_path):
    newer = diagnostics('public class Probe { public int Value => 1; }', tmp_path)
    assert len(newer) == 1 and 'CS8026' in newer[0]
    warned = diagnostics('public class Probe { public void Run() { int unused = 1; } }', tmp_path)
    assert len(warned) == 1 and 'CS0219' in warned[0] and 'error' in warned[0]


@pytest.mark.skipif(not FRAMEWORK, reason='NETFX_REFERENCE_ASSEMBLIES is not set: the framework APIs are not checked')
def test_the_check_knows_the_framework_apis(tmp_path):
    # String.Create exists in .NET, not in .NET Framework 4.6.2.
    missing = diagnostics('public class Probe { public string Run() { return string.Create(1, 0, null); } }',
                          tmp_path)
    assert len(missing) == 1 and 'CS0117' in missing[0]
