# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CHANGELOG.rst for the version galaxy.yml names, rendered by antsibull-changelog, fragments kept.

    python tests/tooling/render_changelog.py check     fail when CHANGELOG.rst is not what the changelog renders
    python tests/tooling/render_changelog.py update    write CHANGELOG.rst

Until a version is released, its changes live as fragments in changelogs/fragments/, and
``antsibull-changelog release`` is what folds them into changelogs/changelog.yaml (removing them) and renders the
changelog. To ship a rendered changelog before that, the release is rehearsed on a copy of the collection (its
galaxy.yml, meta/, plugins/ and changelogs/) in a temporary folder, and only the rendered CHANGELOG.rst is taken
back: the repository keeps its fragments until the real release. A version that is already released renders as
changelog.yaml has it. Run with the Python of an environment that has antsibull-changelog (make docs does).
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
COPIED = ('galaxy.yml', 'meta', 'plugins', 'changelogs')
REHEARSAL_DATE = '2026-12-01'
"""The release date of the rehearsal; the rst changelog does not print it, so any fixed date renders the same."""


def render():
    """The text of CHANGELOG.rst as a release of galaxy.yml's version would write it."""
    version = yaml.safe_load((REPO / 'galaxy.yml').read_text(encoding='utf-8'))['version']
    with tempfile.TemporaryDirectory(prefix='changelog-') as scratch:
        for name in COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(source, Path(scratch) / name, ignore=shutil.ignore_patterns(
                    '__pycache__', '.plugin-cache.yaml'))
            else:
                shutil.copy2(source, Path(scratch) / name)
        config_path = Path(scratch) / 'changelogs' / 'config.yaml'
        config = yaml.safe_load(config_path.read_text(encoding='utf-8'))
        # The copy is no git checkout (it may sit in an ignored folder of one): read its files as they are.
        config['vcs'] = 'none'
        config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding='utf-8')
        tool = str(Path(sys.executable).parent / 'antsibull-changelog')
        completed = subprocess.run([tool, 'release', '--version', version, '--date', REHEARSAL_DATE],
                                   cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                                   env=dict(os.environ))
        if completed.returncode != 0:
            raise SystemExit('antsibull-changelog release failed:\n%s' % completed.stdout.decode('utf-8', 'replace'))
        outputs = [entry['file'] for entry in config.get('output') or [] if entry.get('format') == 'rst']
        if outputs != ['CHANGELOG.rst']:
            raise SystemExit('changelogs/config.yaml must write CHANGELOG.rst (format rst), not %r' % outputs)
        return (Path(scratch) / 'CHANGELOG.rst').read_text(encoding='utf-8'), version


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else 'check'
    rendered, version = render()
    target = REPO / 'CHANGELOG.rst'
    if mode == 'update':
        target.write_text(rendered, encoding='utf-8')
        print('CHANGELOG.rst rendered for %s' % version)
        return 0
    current = target.read_text(encoding='utf-8') if target.exists() else ''
    if current != rendered:
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), rendered.splitlines(True),
                                                   'CHANGELOG.rst', 'rendered'))
        print('FAILED: CHANGELOG.rst is not what the changelog renders for %s: run \'make docs-update\'' % version,
              file=sys.stderr)
        return 1
    print('CHANGELOG.rst is up to date (%s)' % version)
    return 0


if __name__ == '__main__':
    sys.exit(main())
