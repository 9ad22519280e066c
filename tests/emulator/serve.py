"""Run the emulated hosts of a configuration until SIGTERM or SIGINT.

Usage (from the repository root)::

    python3 tests/emulator/serve.py --config HOSTS.yml --ready-file READY.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repository root importable so ``tests.emulator`` resolves.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.emulator.wsman.runner import DEFAULT_LOADER, run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="the hosts YAML file")
    parser.add_argument("--ready-file", required=True, help="where to write the listening endpoints as JSON")
    parser.add_argument(
        "--loader",
        default=DEFAULT_LOADER,
        help="'module:function' or 'file.py:function' that turns the YAML into host specs (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    return run(args.config, args.ready_file, args.loader)


if __name__ == "__main__":
    sys.exit(main())
