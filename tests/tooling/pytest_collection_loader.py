# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest plugin: make ``ansible_collections.winrds.sessions`` importable in tests.

Load it with ``-p pytest_collection_loader`` and this folder on ``PYTHONPATH``
(the Makefile does both).  It installs ansible-core's collection finder over
the folders in ``ANSIBLE_COLLECTIONS_PATH`` when pytest imports the plugin,
which is before any ``conftest.py`` or test module is imported.  Importing the
collection through that finder, rather than as a plain namespace package,
means a test that imports a plugin directly and a test that asks
``ansible.plugins.loader`` for it get the same module objects.
"""

from __future__ import annotations

import os

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

COLLECTION = "winrds.sessions"


def _collection_paths() -> list[str]:
    """Return the folders of ``ANSIBLE_COLLECTIONS_PATH`` that exist."""
    raw = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")
    paths = [path for path in raw.split(os.pathsep) if path and os.path.isdir(path)]
    if not paths:
        raise RuntimeError("ANSIBLE_COLLECTIONS_PATH must name the folder that holds ansible_collections/")
    return paths


def _install() -> None:
    """Install the collection finder once per process."""
    if getattr(_install, "done", False):
        return
    _AnsibleCollectionFinder(paths=_collection_paths())._install()  # pylint: disable=protected-access
    _install.done = True  # type: ignore[attr-defined]


_install()


def pytest_report_header() -> str:
    """Say in the pytest header where the collection is imported from."""
    import importlib  # pylint: disable=import-outside-toplevel

    namespace, name = COLLECTION.split(".")
    package = importlib.import_module(f"ansible_collections.{namespace}.{name}")
    return f"{COLLECTION}: {os.path.dirname(package.__file__ or '') or list(package.__path__)[0]}"
