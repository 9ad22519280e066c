# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Place ``offline_get_pip.py`` where ansible-test looks for its cached pip bootstrap.

Run it with the Python of the environment that holds ansible-test, after
setting ``HOME`` to the folder ansible-test will use:

    HOME=<ansible-test home> python tests/tooling/seed_pip_bootstrap.py

ansible-test (2.19 and 2.21) reads ``~/.ansible/test/cache/get_pip_<version>.py``
and downloads it only when it is missing; ``<version>`` is the pip release it
pins for sanity environments (24.2 for 2.19, 25.2 for 2.21).  The script asks
the installed ansible-test for that version and checks that the cache path it
uses is still the one written here, so a future ansible-test that changes
either fails this step loudly instead of trying the download.
"""

from __future__ import annotations

import pathlib
import shutil
import sys
import types

CACHE_TEMPLATE = "~/.ansible/test/cache/get_pip_%s.py"


def ansible_test_root() -> pathlib.Path:
    """Return the folder of the installed ``ansible_test`` package."""
    import ansible_test  # pylint: disable=import-outside-toplevel

    return pathlib.Path(ansible_test.__file__).parent


def pinned_pip_version(python_version: str) -> str:
    """Return the pip version ansible-test bootstraps into a sanity environment.

    :param python_version: ``major.minor`` of the Python the environment uses.
    """
    # pylint: disable-next=import-outside-toplevel
    from ansible_test._internal.python_requirements import get_venv_packages

    return get_venv_packages(types.SimpleNamespace(version=python_version))["pip"]


def check_cache_layout(root: pathlib.Path) -> None:
    """Stop when the installed ansible-test no longer reads the cache path used here."""
    setup = root / "_util" / "target" / "setup" / "requirements.py"
    if CACHE_TEMPLATE not in setup.read_text(encoding="utf-8"):
        raise SystemExit(f"{setup} no longer reads {CACHE_TEMPLATE!r}: update {pathlib.Path(__file__).name}")


def main() -> None:
    """Copy the stand-in bootstrap into the ansible-test cache."""
    python_version = "%d.%d" % sys.version_info[:2]
    check_cache_layout(ansible_test_root())
    pip_version = pinned_pip_version(python_version)
    target = pathlib.Path((CACHE_TEMPLATE % pip_version.replace(".", "_"))).expanduser()
    source = pathlib.Path(__file__).with_name("offline_get_pip.py")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    print(f"pip {pip_version} bootstrap for ansible-test: {target}")


if __name__ == "__main__":
    main()
