"""The inventory of an emulated fleet as the demo playbook wants it: every host in the group ``rdsh``."""

from __future__ import annotations

from pathlib import Path

import yaml

GROUP = 'rdsh'
"""The group examples/demo.yml targets."""


def write_inventory(fleet, path, transport='ntlm'):
    """Write a YAML inventory of every host of a running ``Fleet`` into ``path``, in the group ``rdsh``; return
    the path. It holds the emulated hosts' administrator password (from the fleet's configuration)."""
    path = Path(path)
    plain = fleet.inventory(path, transport=transport)
    hosts = yaml.safe_load(plain.read_text(encoding='utf-8'))['all']['hosts']
    path.write_text(yaml.safe_dump({'all': {'children': {GROUP: {'hosts': hosts}}}}, allow_unicode=True,
                                   sort_keys=False), encoding='utf-8')
    return path
