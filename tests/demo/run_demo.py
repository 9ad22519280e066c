"""The demo: start an emulated fleet, run examples/demo.yml against it, print each host before and after.

Run through ``make demo``, which creates the virtual environment first. Its files (the fleet's inventory, the
emulator's log, Ansible's temporary files) go into ``--workdir``, ``.build/demo`` of the checkout by default; the
inventory, which holds the emulated hosts' password, is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.conftest import COLLECTIONS_ROOT  # noqa: E402  (needs the path above)
from tests.demo.inventory import write_inventory  # noqa: E402
from tests.emulator.fleet import Fleet  # noqa: E402

FLEET = Path(__file__).with_name('fleet.yml')
PLAYBOOK = REPO / 'examples' / 'demo.yml'
DEFAULT_WORKDIR = REPO / '.build' / 'demo'


def pad(text, width):
    """Pad to a display width (East-Asian wide characters take two columns)."""
    used = sum(2 if unicodedata.east_asian_width(char) in 'WF' else 1 for char in text)
    return text + ' ' * max(1, width - used)


def describe(session):
    who = session.get('user') or '-'
    if session.get('domain') and session.get('user'):
        who = '%s\\%s' % (session['domain'], session['user'])
    idle = session.get('idle_minutes')
    return (pad(str(session['id']), 5) + pad(who, 28) + pad(session['state'], 14)
            + pad('' if idle is None else '%s min' % idle, 10))


def print_host(name, state, before):
    now = dict((session['id'], session) for session in state['sessions'])
    print('\n== %s (%s, %s) - %d commands ran on it' % (
        name, state.get('locale'), state.get('language_mode'), len(state.get('commands', []))))
    print('   ' + pad('ID', 5) + pad('USER', 28) + pad('STATE', 14) + pad('IDLE', 10) + 'AFTER THE PLAYBOOK')
    for session in before:
        if session['id'] == 0 or session['id'] >= 65536:
            continue
        verdict = 'still there' if session['id'] in now else 'LOGGED OFF'
        print('   %s%s' % (describe(session), verdict))
    for message in state.get('messages', []):
        print('   message to session %s: %r' % (message.get('session_id'), message.get('text')))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workdir', default=str(DEFAULT_WORKDIR),
                        help='where the demo keeps its files, emptied first (default: %(default)s)')
    workdir = Path(parser.parse_args(argv).workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    print('The demo keeps its files in %s' % workdir)
    print('Starting an emulated fleet of three Remote Desktop Session Hosts (en-US, de-DE, ja-JP)...')
    inventory = workdir / 'inventory.yml'
    try:
        with Fleet(FLEET, workdir) as fleet:
            write_inventory(fleet, inventory, transport='ntlm')
            before = dict((name, fleet.state(name)['sessions']) for name in fleet.endpoints)
            env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_ROOT), ANSIBLE_HOST_KEY_CHECKING='false',
                       ANSIBLE_LOCAL_TEMP=str(workdir / 'tmp'), ANSIBLE_RETRY_FILES_ENABLED='false')
            playbook = str(Path(sys.executable).parent / 'ansible-playbook')
            print('Running examples/demo.yml over WinRM (NTLM, encrypted)...\n', flush=True)
            rc = subprocess.call([playbook, '-i', str(inventory), str(PLAYBOOK)], env=env, stdin=subprocess.DEVNULL)
            print('\nWhat the hosts themselves report (the emulator\'s own session tables):')
            for name in fleet.endpoints:
                print_host(name, fleet.state(name), before[name])
    finally:
        inventory.unlink(missing_ok=True)  # it holds the emulated hosts' password, and the fleet is gone
    print('\nThe playbook %s. The emulator\'s log is in %s.'
          % ('succeeded' if rc == 0 else 'FAILED (exit code %d)' % rc, workdir / 'emulator.log'))
    return rc


if __name__ == '__main__':
    sys.exit(main())
