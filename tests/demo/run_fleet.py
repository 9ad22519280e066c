"""An emulated fleet to try the collection by hand: start it, print a ready-to-use inventory, stop on Ctrl-C.

Run through ``make fleet`` (``FLEET=tests/e2e/fleet.yml`` for the end-to-end tests' hosts). The inventory puts every
host in the group ``rdsh``, which examples/demo.yml targets; it holds the emulated hosts' password and is removed
when the fleet stops. Ctrl-C (SIGINT) or SIGTERM stops the fleet.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.conftest import COLLECTIONS_ROOT  # noqa: E402  (needs the path above)
from tests.demo.inventory import GROUP, write_inventory  # noqa: E402
from tests.emulator.fleet import Fleet  # noqa: E402

DEFAULT_CONFIG = REPO / 'tests' / 'demo' / 'fleet.yml'
DEFAULT_WORKDIR = REPO / '.build' / 'fleet'
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _shown(path):
    """A path relative to the checkout when it is inside it (what a user types from the checkout's root)."""
    for candidate in (Path(path), Path(path).resolve()):
        try:
            return str(candidate.relative_to(REPO))
        except ValueError:
            continue
    return str(path)


def describe(fleet, config, inventory):
    """What the user needs: the hosts, the inventory's path and content, commands that work as printed."""
    lines = ['Started %d emulated Remote Desktop Session Hosts (%s):' % (len(fleet.endpoints), _shown(config))]
    for name, endpoint in fleet.endpoints.items():
        state = fleet.state(name)
        lines.append('  %-16s %-34s %s, %s' % (name, endpoint['endpoint'], state.get('locale'),
                                               state.get('language_mode')))
    ansible_bin = Path(sys.executable).parent
    prefix = 'ANSIBLE_COLLECTIONS_PATH=%s' % _shown(COLLECTIONS_ROOT)
    lines += ['', 'Inventory: %s' % inventory, '', inventory.read_text(encoding='utf-8').rstrip(), '',
              'Try, from %s:' % REPO,
              '  %s %s -i %s %s -m winrds.sessions.win_rds_session_info'
              % (prefix, _shown(ansible_bin / 'ansible'), _shown(inventory), GROUP),
              '  %s %s -i %s examples/demo.yml --check --diff'
              % (prefix, _shown(ansible_bin / 'ansible-playbook'), _shown(inventory)),
              '', 'Press Ctrl-C to stop the fleet.']
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=str(DEFAULT_CONFIG), help='the hosts YAML file (default: %(default)s)')
    parser.add_argument('--workdir', default=str(DEFAULT_WORKDIR),
                        help='where the inventory and the emulator\'s log go (default: %(default)s)')
    parser.add_argument('--transport', default='ntlm', choices=('ntlm', 'basic', 'credssp'),
                        help='ansible_winrm_transport of the inventory; the hosts must accept it (auth in the '
                             'configuration) (default: %(default)s)')
    args = parser.parse_args(argv)
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    inventory = workdir / 'inventory.yml'
    fleet = Fleet(Path(args.config).resolve(), workdir)
    try:
        fleet.start()
        write_inventory(fleet, inventory, transport=args.transport)
        # Blocked only now, so that the emulator (a child process) keeps the default handlers: Ctrl-C in a terminal
        # reaches it as well, and it stops by itself.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        print(describe(fleet, args.config, inventory), flush=True)
        received = signal.sigwait(STOP_SIGNALS)
        print('\n%s: stopping the fleet.' % signal.Signals(received).name, flush=True)
    finally:
        fleet.stop()
        inventory.unlink(missing_ok=True)  # it holds the emulated hosts' password
    print('Stopped. The emulator\'s log is in %s.' % (workdir / 'emulator.log'), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
