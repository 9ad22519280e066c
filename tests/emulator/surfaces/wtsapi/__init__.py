"""The stand-in WTS API: ``wtsapi32.dll`` and ``kernel32.dll`` built from the C files here with the C compiler.

``library_dir()`` returns a folder holding both shared objects, named as Windows names the DLLs, so that a
PowerShell whose ``LD_LIBRARY_PATH`` has the folder loads them for ``DllImport("wtsapi32.dll")`` and
``DllImport("kernel32.dll")``. They are built once per source version into ``.build/emulator/`` of the checkout
(a hash of the sources names the folder; a build in progress never replaces a finished one).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = {'wtsapi32.dll': 'wtsapi32.c', 'kernel32.dll': 'kernel32.c'}
HEADERS = ('channel.h',)
CACHE = HERE.parents[3] / '.build' / 'emulator'
CFLAGS = ['-std=c11', '-D_GNU_SOURCE', '-O2', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared']


class BuildError(RuntimeError):
    """The stand-in libraries could not be built (no C compiler, or the sources do not compile)."""


def compiler() -> str | None:
    """The C compiler to use (``CC``, else cc or gcc on PATH), or None."""
    for candidate in (os.environ.get('CC'), 'cc', 'gcc'):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def _version() -> str:
    digest = hashlib.sha256()
    for name in sorted(set(SOURCES.values()) | set(HEADERS)):
        digest.update(name.encode() + b'\0' + (HERE / name).read_bytes())
    digest.update(' '.join(CFLAGS).encode())
    return digest.hexdigest()[:16]


def library_dir(cache: Path = CACHE) -> Path:
    """The folder with the built libraries (built now when missing).

    :raises BuildError: no C compiler, or a source failed to compile (the message has the compiler's output).
    """
    target = Path(cache) / f'wtsapi-{_version()}'
    if all((target / name).is_file() for name in SOURCES):
        return target
    cc = compiler()
    if cc is None:
        raise BuildError('no C compiler (cc or gcc) to build the stand-in wtsapi32.dll: install gcc (bindep.txt)')
    Path(cache).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix='.wtsapi-', dir=cache))
    try:
        for output, source in SOURCES.items():
            done = subprocess.run([cc, *CFLAGS, '-o', str(work / output), str(HERE / source), '-lpthread'],
                                  capture_output=True, text=True, check=False)
            if done.returncode:
                raise BuildError(f'{source} does not compile:\n{done.stdout}{done.stderr}')
        try:
            work.rename(target)
        except OSError:
            if not all((target / name).is_file() for name in SOURCES):  # another process finished first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
