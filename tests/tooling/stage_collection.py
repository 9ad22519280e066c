# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy the collection's files into ``<dest>/ansible_collections/<namespace>/<name>``.

    python tests/tooling/stage_collection.py <repo> <dest>

It prints the path of the staged collection folder on stdout.

ansible-test must run from a real ``ansible_collections/<namespace>/<name>``
folder: it reads ``os.getcwd()``, which resolves symlinks, so a symlink to the
repository is not enough.  This makes a fresh copy of the files git knows
about: tracked files plus new files not ignored by ``.gitignore`` (so work not
yet committed is checked too).  Files deleted from the work tree are left
out.  Without git (an unpacked source tree) every file is copied except
``.git``, the environments and build outputs.  The copy is rebuilt from
scratch on every run, so no stale file survives in it.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import yaml

SKIP_WITHOUT_GIT = {".git", ".venv", ".build", "tests/output", "__pycache__", ".pytest_cache"}


def listed_files(repo: pathlib.Path) -> list[str]:
    """Return the repository-relative paths of the files to copy.

    :param repo: the repository root.
    """
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return walked_files(repo)
    names = sorted({name for name in out.decode("utf-8").split("\0") if name})
    return [name for name in names if os.path.lexists(repo / name)]


def walked_files(repo: pathlib.Path) -> list[str]:
    """Return every file under ``repo`` outside the folders that are never copied."""
    found = []
    for root, dirs, files in os.walk(repo):
        rel_root = pathlib.Path(root).relative_to(repo)
        dirs[:] = [d for d in dirs if (rel_root / d).as_posix() not in SKIP_WITHOUT_GIT and d not in SKIP_WITHOUT_GIT]
        found.extend((rel_root / name).as_posix() for name in files)
    return sorted(found)


def collection_name(repo: pathlib.Path) -> tuple[str, str]:
    """Return (namespace, name) from ``galaxy.yml``."""
    galaxy = yaml.safe_load((repo / "galaxy.yml").read_text(encoding="utf-8"))
    return galaxy["namespace"], galaxy["name"]


def stage(repo: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """Copy the files and return the staged collection folder.

    :param repo: the repository root.
    :param dest: the folder that receives ``ansible_collections/``.
    """
    namespace, name = collection_name(repo)
    target = dest / "ansible_collections" / namespace / name
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    for rel in listed_files(repo):
        source = repo / rel
        copy = target / rel
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), copy)
        else:
            shutil.copy2(source, copy)
    return target


def main() -> None:
    """Stage the collection named by the command line."""
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    repo = pathlib.Path(sys.argv[1]).resolve()
    target = stage(repo, pathlib.Path(sys.argv[2]).resolve())
    count = sum(1 for path in target.rglob("*") if path.is_file())
    print(f"staged {count} files in {target}", file=sys.stderr)
    print(target)


if __name__ == "__main__":
    main()
