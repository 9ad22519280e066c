"""Make the collection importable as ``ansible_collections.winrds.sessions`` for every test.

When the checkout does not already sit at ``.../ansible_collections/winrds/sessions``, a link to it is made in
``.build/collections`` (ignored by git) and that folder is put first on ``sys.path``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / 'shared'


def _collection_root():
    if REPO.parent.name == 'winrds' and REPO.parent.parent.name == 'ansible_collections' and REPO.name == 'sessions':
        return REPO.parent.parent.parent
    root = REPO / '.build' / 'collections'
    link = root / 'ansible_collections' / 'winrds' / 'sessions'
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(REPO, target_is_directory=True)
        except FileExistsError:
            pass
    return root


COLLECTIONS_ROOT = _collection_root()
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))
os.environ.setdefault('ANSIBLE_COLLECTIONS_PATH', str(COLLECTIONS_ROOT))
