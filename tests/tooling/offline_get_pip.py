# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the pip bootstrap script that ansible-test downloads.

ansible-test creates each sanity test environment with ``python -m venv
--without-pip`` and then runs a ``get-pip.py`` that it downloads from a host
outside the package index, or takes from its cache when a file is already
there.  This script is placed in that cache by ``seed_pip_bootstrap.py``.  It
does the same job with what every CPython ships plus the package index:

1. ``python -m ensurepip`` puts the pip bundled with the interpreter into the
   empty environment (no network);
2. ``python -m pip install <the arguments ansible-test passed>`` brings pip
   to the exact version ansible-test asked for (for example ``pip==24.2``);
3. setuptools and wheel are removed again when ansible-test asked for an
   environment without them (``--no-setuptools`` / ``--no-wheel``), as the
   real bootstrap would not have installed them.

It is run by ansible-test with ``runpy`` as ``__main__``; ``sys.argv[1:]``
holds pip options and requirement specifiers.
"""

from __future__ import annotations

import subprocess
import sys

_BOOTSTRAP_ONLY = {
    "--no-setuptools": "setuptools",
    "--no-wheel": "wheel",
}


def split_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """Return the pip install arguments and the packages to leave out.

    :param argv: the arguments given to the bootstrap script.
    :returns: (arguments for ``pip install``, names of packages not wanted).
    """
    install_args: list[str] = []
    unwanted: list[str] = []
    for arg in argv:
        if arg in _BOOTSTRAP_ONLY:
            unwanted.append(_BOOTSTRAP_ONLY[arg])
        elif arg == "--no-pip":
            raise SystemExit("offline pip bootstrap: --no-pip is not supported")
        else:
            install_args.append(arg)
    return install_args, unwanted


def is_installed(name: str) -> bool:
    """Tell whether the distribution ``name`` is installed in this environment."""
    probe = "import importlib.metadata as m, sys; m.distribution(sys.argv[1])"
    return subprocess.run([sys.executable, "-c", probe, name], capture_output=True, check=False).returncode == 0


def run(command: list[str]) -> None:
    """Run ``command`` and stop with its exit code when it fails."""
    completed = subprocess.run(command, check=False)
    if completed.returncode:
        raise SystemExit(completed.returncode)


def main() -> None:
    """Install pip into the running (empty) environment."""
    install_args, unwanted = split_arguments(sys.argv[1:])
    run([sys.executable, "-m", "ensurepip", "--default-pip"])
    if any(not arg.startswith("-") for arg in install_args):
        run([sys.executable, "-m", "pip", "install", *install_args])
    requested = " ".join(install_args).lower()
    removable = [name for name in unwanted if name not in requested and is_installed(name)]
    if removable:
        run([sys.executable, "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check", *removable])


if __name__ == "__main__":
    main()
