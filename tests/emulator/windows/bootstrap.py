"""Recognise the collection's fixed bootstrap and take a payload off stdin (docs/architecture.md, wire contract).

The bootstrap text is read from ``plugins/plugin_utils/payloads/bootstrap.ps1`` when this module is imported,
so a change to that file changes what the emulated host recognises: it cannot diverge silently. The payload
scripts are emulated by name and version (``payload_wts.py``, ``payload_native.py``); a payload whose version
differs from the emulated one is refused loudly, and a unit test compares these versions with the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PAYLOAD_DIR = REPO / 'plugins' / 'plugin_utils' / 'payloads'
BOOTSTRAP_FILE = PAYLOAD_DIR / 'bootstrap.ps1'
EMULATED_VERSIONS = {'wts': 1, 'native': 1}
"""The payload versions whose behaviour payload_wts.py and payload_native.py reproduce."""

_HEADER = re.compile(r'^#\s*winrds payload:\s*(?P<name>[A-Za-z0-9_-]+)\s+v(?P<version>\d+)\s*$')


def _normalise(text: str) -> str:
    return text.replace('\r\n', '\n').strip()


def _read_bootstrap() -> str | None:
    try:
        return _normalise(BOOTSTRAP_FILE.read_text(encoding='utf-8-sig'))
    except FileNotFoundError:
        return None


BOOTSTRAP = _read_bootstrap()
"""The bootstrap script (line ends normalised), or None when the checkout has no bootstrap.ps1."""


def is_bootstrap(script: str) -> bool:
    """True when an encoded command is the collection's bootstrap."""
    return BOOTSTRAP is not None and _normalise(script) == BOOTSTRAP


@dataclass
class Payload:
    """A payload as the bootstrap receives it: the JSON line and the script."""

    data_text: str
    script: str
    name: str | None
    version: int | None


def read_stdin(stdin: bytes) -> Payload | None:
    """Split stdin as the bootstrap does (``$input`` lines: line 1 the data, the rest the script)."""
    text = stdin.decode('utf-8', errors='replace')
    lines = text.replace('\r\n', '\n').split('\n')
    if text.endswith('\n'):
        lines = lines[:-1]
    if len(lines) < 2:
        return None
    script = '\n'.join(lines[1:])
    match = _HEADER.match(lines[1].strip())
    if not match:
        return Payload(lines[0], script, None, None)
    return Payload(lines[0], script, match.group('name'), int(match.group('version')))


def payload_file_versions() -> dict[str, int]:
    """The ``vN`` in the first line of each payload script of the checkout (for the consistency test)."""
    versions = {}
    for path in sorted(PAYLOAD_DIR.glob('*.ps1')):
        first = path.read_text(encoding='utf-8-sig').splitlines()[0] if path.stat().st_size else ''
        match = _HEADER.match(first.strip())
        if match:
            versions[match.group('name')] = int(match.group('version'))
    return versions
