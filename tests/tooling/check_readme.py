# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check what the README and the guides promise a user that a file of the collection can contradict.

    python tests/tooling/check_readme.py

- every relative link in README.md and docs/*.md leads to a file or folder of the repository, and every link to a
  heading (#anchor) to a heading of the file it names; README.md's only to files the tarball carries (galaxy.yml's
  build_ignore does not leave them out);
- README.md has the sections a user of a collection looks for (requirements, installation, reporting problems,
  changelog, licence) and the developer commands under a heading of their own;
- the tarball README.md installs is the one `ansible-galaxy collection build` writes for galaxy.yml's namespace,
  name and version, and its requirements.yml names the collection with a version that admits that version;
- every `make TARGET` README.md names is a target of the Makefile;
- README.md names the oldest ansible-core that meta/runtime.yml requires ("ansible-core X.Y or later") and the
  licence galaxy.yml declares; galaxy.yml points no address at a placeholder domain;
- every YAML block of README.md parses.
Run from anywhere with a Python that has PyYAML (make docs does).
"""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r'\]\(([^)\s]+)\)')
YAML_BLOCK = re.compile(r'```yaml\n(.*?)```', re.DOTALL)
HEADING = re.compile(r'^#{1,6}\s+(.*?)\s*$', re.MULTILINE)
TARBALL = re.compile(r'[\w.-]+-\d+\.\d+\.\d+[\w.+-]*\.tar\.gz')
MAKE = re.compile(r'(?:^|`)make ([a-z][\w-]*)', re.MULTILINE)
"""A make command as README.md writes one: in code, at the start of a line of a block or in backticks."""
TARGET = re.compile(r'^([a-z][\w-]*):', re.MULTILINE)
SECTIONS = ('Two commands', 'Requirements', 'Installation', 'Reporting problems', 'Changelog', 'Licence',
            'Developing and testing')
"""The README's own headings a user looks for; the developer commands are under 'Two commands' and the last."""
LICENCES = {'GPL-3.0-or-later': 'GNU General Public License v3.0 or later'}
"""How README.md names each SPDX licence galaxy.yml may declare."""
PLACEHOLDER = re.compile(r'example\.(invalid|com|org|net)\b|\.example\b|<[^>]*>')
"""Addresses that lead nowhere: the reserved example domains (RFC 2606, RFC 6761) and <fill me in> templates."""


def slug(heading):
    """The anchor a Markdown renderer such as GitHub's gives a heading."""
    text = re.sub(r'[`*]', '', heading).strip().lower()
    return re.sub(r'\s', '-', re.sub(r'[^\w\s-]', '', text))


def anchors(path):
    """The #anchors of a Markdown file's headings."""
    text = re.sub(r'```.*?```', '', path.read_text(encoding='utf-8'), flags=re.DOTALL)
    return set(slug(heading) for heading in HEADING.findall(text))


def ignored_by_build(relative, patterns):
    """Whether `ansible-galaxy collection build` leaves this path out (build_ignore matches any leading part)."""
    parts = Path(relative).parts
    return any(fnmatch.fnmatch('/'.join(parts[:count]), pattern)
               for count in range(1, len(parts) + 1) for pattern in patterns)


def broken_links(path, build_ignore, text=None):
    """Links of a Markdown file (its text, or the text given) that lead nowhere or to a file the tarball lacks."""
    broken = []
    for target in LINK.findall(path.read_text(encoding='utf-8') if text is None else text):
        if re.match(r'^[a-z]+:', target):
            continue
        relative, dummy, anchor = target.partition('#')
        where = (path.parent / relative).resolve() if relative else path
        name = '%s: %s' % (path.relative_to(REPO), target)
        if not where.exists():
            broken.append('%s leads nowhere' % name)
            continue
        if REPO not in where.parents and where != REPO:
            broken.append('%s leads out of the collection' % name)
            continue
        if where != REPO and ignored_by_build(where.relative_to(REPO).as_posix(), build_ignore):
            broken.append('%s names a file that galaxy.yml build_ignore leaves out of the tarball' % name)
        if anchor and where.suffix == '.md' and anchor not in anchors(where):
            broken.append('%s names no heading of %s' % (name, where.relative_to(REPO)))
    return broken


def readme_problems(readme, galaxy, makefile, oldest):
    """What README.md says that galaxy.yml, the Makefile or meta/runtime.yml contradicts."""
    problems = []
    headings = set(HEADING.findall(re.sub(r'```.*?```', '', readme, flags=re.DOTALL)))
    problems += ['README.md has no section "%s"' % section for section in SECTIONS if section not in headings]
    tarball = '%s-%s-%s.tar.gz' % (galaxy['namespace'], galaxy['name'], galaxy['version'])
    for named in sorted(set(TARBALL.findall(readme))):
        if named.lstrip('./') != tarball:
            problems.append('README.md installs %s, but ansible-galaxy collection build writes %s' % (named, tarball))
    if tarball not in readme:
        problems.append('README.md does not say how to install the tarball %s' % tarball)
    if 'ansible-galaxy collection install git+' not in readme and "ansible-galaxy collection install 'git+" not in readme:
        problems.append('README.md does not say how to install from git (ansible-galaxy collection install git+...)')
    fqcn = '%s.%s' % (galaxy['namespace'], galaxy['name'])
    requirements = [yaml.safe_load(block) for block in YAML_BLOCK.findall(readme) if 'collections:' in block]
    entries = [entry for document in requirements for entry in (document or {}).get('collections') or []]
    if not any(entry.get('name') == fqcn for entry in entries):
        problems.append('README.md has no requirements.yml that names %s' % fqcn)
    for entry in entries:
        if entry.get('name') == fqcn and not admits(str(entry.get('version', '*')), galaxy['version']):
            problems.append('README.md requirements.yml asks for %s %s, which %s is not'
                            % (fqcn, entry['version'], galaxy['version']))
    targets = set(TARGET.findall(makefile))
    for target in sorted(set(MAKE.findall(readme)) - targets):
        problems.append('README.md names "make %s", which the Makefile does not have' % target)
    if 'ansible-core %s or later' % oldest not in readme:
        problems.append('README.md does not say "ansible-core %s or later", which meta/runtime.yml requires' % oldest)
    for licence in galaxy.get('license') or []:
        if LICENCES.get(licence, licence) not in readme:
            problems.append('README.md does not name the licence galaxy.yml declares (%s)' % licence)
    for index, block in enumerate(YAML_BLOCK.findall(readme)):
        try:
            yaml.safe_load(block)
        except yaml.YAMLError as error:
            problems.append('README.md: YAML block %d does not parse: %s' % (index + 1, error))
    return problems


def admits(spec, version):
    """Whether a requirements.yml version ('*', '1.2.3', '>=1.0.0', '>=1,<2') admits a version (numeric parts)."""
    def key(text):
        return tuple(int(part) for part in re.findall(r'\d+', text)[:3])
    for clause in spec.split(','):
        match = re.match(r'\s*(==|!=|>=|<=|>|<|=)?\s*(\S+)\s*$', clause)
        operator, bound = (match.group(1) or '=='), match.group(2)
        if bound == '*':
            continue
        if not {'==': key(version) == key(bound), '=': key(version) == key(bound), '!=': key(version) != key(bound),
                '>=': key(version) >= key(bound), '<=': key(version) <= key(bound),
                '>': key(version) > key(bound), '<': key(version) < key(bound)}[operator]:
            return False
    return True


def galaxy_problems(galaxy):
    """Addresses of galaxy.yml that lead nowhere."""
    return ['galaxy.yml: %s is a placeholder (%s): give a real address or leave the field out' % (field, galaxy[field])
            for field in ('repository', 'documentation', 'homepage', 'issues')
            if galaxy.get(field) and PLACEHOLDER.search(str(galaxy[field]))] + \
        ['galaxy.yml: author "%s" is a placeholder' % author for author in galaxy.get('authors') or []
         if PLACEHOLDER.search(str(author)) or re.search(r'\byour name\b', str(author), re.IGNORECASE)]


def main():
    galaxy = yaml.safe_load((REPO / 'galaxy.yml').read_text(encoding='utf-8'))
    problems = []
    # README.md is what Galaxy and Automation Hub show, and the tarball carries everything it links to. The guides
    # about developing and testing the collection may point into tests/, which only a checkout has.
    problems += broken_links(REPO / 'README.md', galaxy.get('build_ignore') or [])
    for path in sorted((REPO / 'docs').glob('*.md')):
        problems += broken_links(path, [])
    readme = (REPO / 'README.md').read_text(encoding='utf-8')
    makefile = (REPO / 'Makefile').read_text(encoding='utf-8')
    runtime = yaml.safe_load((REPO / 'meta' / 'runtime.yml').read_text(encoding='utf-8'))
    oldest = re.match(r'>=\s*(\d+\.\d+)', runtime['requires_ansible']).group(1)
    problems += readme_problems(readme, galaxy, makefile, oldest)
    problems += galaxy_problems(galaxy)
    for problem in problems:
        print('FAILED: %s' % problem, file=sys.stderr)
    if not problems:
        print('README.md and docs/: links lead to shipped files and headings; install commands, make targets, '
              'versions and licence agree with galaxy.yml, the Makefile and meta/runtime.yml')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
