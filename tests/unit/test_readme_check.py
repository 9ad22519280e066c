"""The docs step's README check (tests/tooling/check_readme.py): it passes on the collection as it is, and it
refuses what a user would trip over — a placeholder address in galaxy.yml, a tarball of another version, a make
target the Makefile does not have, a link to a file the tarball leaves out or to a heading that is not there.
"""

from __future__ import annotations

import importlib.util

import yaml

from tests.conftest import REPO

_SPEC = importlib.util.spec_from_file_location('check_readme', REPO / 'tests' / 'tooling' / 'check_readme.py')
check_readme = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(check_readme)

GALAXY = yaml.safe_load((REPO / 'galaxy.yml').read_text(encoding='utf-8'))
README = (REPO / 'README.md').read_text(encoding='utf-8')
MAKEFILE = (REPO / 'Makefile').read_text(encoding='utf-8')


def problems(readme=README, galaxy=None):
    return check_readme.readme_problems(readme, galaxy or GALAXY, MAKEFILE, '2.19')


def test_the_collection_as_it_is_passes(capsys):
    assert check_readme.main() == 0, capsys.readouterr().err
    assert problems() == [] and check_readme.galaxy_problems(GALAXY) == []


def test_a_placeholder_address_or_author_in_galaxy_yml_is_refused():
    galaxy = dict(GALAXY, repository='https://example.invalid/winrds/sessions', issues='https://<your server>/issues',
                  homepage='https://git.contoso.com/winrds/sessions', authors=['Your Name <you@example.com>'])
    found = check_readme.galaxy_problems(galaxy)
    assert [problem.split(' ')[1] for problem in found] == ['repository', 'issues', 'author']


def test_the_tarball_and_requirements_must_be_of_galaxy_yml_s_version():
    galaxy = dict(GALAXY, version='0.2.0')
    found = problems(galaxy=galaxy)
    assert 'README.md installs winrds-sessions-%s.tar.gz, but ansible-galaxy collection build writes ' \
           'winrds-sessions-0.2.0.tar.gz' % GALAXY['version'] in found
    assert not any('requirements.yml asks' in problem for problem in found)  # '>=0.1.0' admits 0.2.0
    found = problems(readme=README.replace('">=%s"' % GALAXY['version'], '">=1.0.0"'))
    assert found == ['README.md requirements.yml asks for winrds.sessions >=1.0.0, which %s is not' % GALAXY['version']]


def test_a_make_target_the_makefile_lacks_and_a_missing_section_are_refused():
    readme = README.replace('make demo    #', 'make demos   #').replace('## Reporting problems', '## Bugs')
    assert problems(readme=readme) == ['README.md has no section "Reporting problems"',
                                       'README.md names "make demos", which the Makefile does not have']


def test_a_link_to_a_file_the_tarball_leaves_out_or_to_a_missing_heading_is_refused():
    page = REPO / 'README.md'
    assert check_readme.broken_links(page, GALAXY['build_ignore'], README) == []
    text = README + '\n[emulator](tests/emulator/ARCHITECTURE.md) [there](docs/getting-started.md#limits-to-know-from-the-start)' \
        ' [nowhere](docs/getting-started.md#no-such-heading) [here](#installation) [gone](docs/no-such-guide.md)' \
        ' [not here](#no-such-section)\n'
    assert check_readme.broken_links(page, GALAXY['build_ignore'], text) == [
        'README.md: tests/emulator/ARCHITECTURE.md names a file that galaxy.yml build_ignore leaves out of the tarball',
        'README.md: docs/getting-started.md#no-such-heading names no heading of docs/getting-started.md',
        'README.md: docs/no-such-guide.md leads nowhere',
        'README.md: #no-such-section names no heading of README.md']
    assert check_readme.broken_links(page, [], text)[0] == 'README.md: docs/getting-started.md#no-such-heading names no ' \
        'heading of docs/getting-started.md'


def test_requirement_versions_are_compared_as_numbers():
    assert check_readme.admits('>=0.1.0', '0.10.0') and check_readme.admits('*', '0.1.0')
    assert check_readme.admits('>=0.1.0,<1.0.0', '0.9.3') and not check_readme.admits('>=0.1.0,<1.0.0', '1.0.0')
    assert not check_readme.admits('0.1.1', '0.1.0') and check_readme.admits('==0.1.0', '0.1.0')
