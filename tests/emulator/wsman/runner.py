"""Run every host of a configuration until SIGTERM or SIGINT (what ``serve.py`` calls)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .server import WSManServer

DEFAULT_LOADER = "tests.emulator.windows:load_config"


def resolve_loader(spec: str) -> Callable[[str], list[Any]]:
    """Return the ``load_config`` function named by ``module:function`` or ``path/to/file.py:function``."""
    target, sep, attribute = spec.rpartition(":")
    if not sep or not target or not attribute:
        raise ValueError(f"loader must be 'module:function' or 'file.py:function', got {spec!r}")
    if target.endswith(".py"):
        name = f"_emulator_loader_{Path(target).stem}"
        module_spec = importlib.util.spec_from_file_location(name, target)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot load {target}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module  # dataclasses and pickling look their module up by name
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    return getattr(module, attribute)


def write_ready_file(path: Path, servers: Iterable[WSManServer]) -> None:
    """Write ``{host: {host, port, scheme, auth, endpoint}}`` atomically (temporary file + rename)."""
    document = {
        server.name: {
            "host": "127.0.0.1",
            "port": server.port,
            "scheme": server.scheme,
            "auth": server.auth,
            "endpoint": server.endpoint,
        }
        for server in servers
    }
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run(config: str, ready_file: str, loader: str = DEFAULT_LOADER) -> int:
    """Start every host of ``config``, announce them in ``ready_file``, serve until SIGTERM/SIGINT.

    :returns: the process exit code (0 after a signal).
    """
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    # Block the signals before any thread starts (threads inherit the mask), then wait for one.
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    specs = resolve_loader(loader)(config)
    servers = [WSManServer(spec.host, port=spec.port, scheme=spec.scheme, auth=spec.auth) for spec in specs]
    try:
        for server in servers:
            server.start()
        write_ready_file(Path(ready_file), servers)
        signal.sigwait(stop_signals)
    finally:
        for server in servers:
            server.stop()
    return 0
