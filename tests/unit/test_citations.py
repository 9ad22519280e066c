"""The repository cites public sources and its own ``docs/sources.md``, never notes a clone does not have.

Every fact about Windows that the code, the tests and the emulator rely on is recorded in ``docs/sources.md``
with its public source; comments and locale files cite that page by heading (``docs/sources.md, "msg"``, or
``sources.md: msg`` in YAML). These tests read every file git knows about (tracked and new, not ignored) and
fail on a reference to research notes kept outside the repository, and on a citation of a heading that
``docs/sources.md`` does not have.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

SOURCES = REPO / 'docs' / 'sources.md'

# The names of notes that live outside the repository. Spelled in pieces so that this file does not name them.
_OUTSIDE_NOTES = re.compile('|'.join((
    'windows' + '-tools',
    'field' + '[- ]notes',
    'shared' + '/docs',
    'shared' + ' corpus',
    r'\.\./' + 'shared/',
)), re.IGNORECASE)

# A citation of a heading of the sources page (docs/sources.md) is the page's name, a comma and the heading in
# double quotes; or, in YAML, the page's name, a colon and the heading, which runs to a parenthesis, a semicolon,
# a comma, a quote, a backquote or the end of the line.
_QUOTED_CITATION = re.compile(r'sources\.md, "([^"\n]+)"')
_YAML_CITATION = re.compile(r'sources\.md: ([^(;,"`\n]+)')
# A citation broken over two lines, which neither form above can check.
_SPLIT_CITATION = re.compile(r'sources\.md,(?: "[^"\n]*)?[ \t]*$', re.MULTILINE)

_NOT_LISTED = {'.git', '.venv', '.build', '__pycache__', '.pytest_cache', '.hypothesis', '.benchmarks', '.ansible'}


def repository_files(repo):
    """The repository-relative paths of the files git knows about, or of every file without git."""
    try:
        out = subprocess.run(['git', '-C', str(repo), 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                             check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        found = []
        for root, dirs, files in os.walk(repo):
            dirs[:] = [name for name in dirs if name not in _NOT_LISTED and not (Path(root) / name).is_symlink()]
            found.extend(str((Path(root) / name).relative_to(repo)) for name in files)
        return sorted(found)
    return sorted(name for name in out.decode('utf-8').split('\0') if name)


def text_files(repo):
    """``(path, text)`` of every listed regular file that is UTF-8 text."""
    for name in repository_files(repo):
        path = repo / name
        if path.is_symlink() or not path.is_file():
            continue
        try:
            yield name, path.read_text(encoding='utf-8')
        except UnicodeDecodeError:
            continue


def outside_references(text):
    """``(line number, line)`` of each line that names notes kept outside the repository."""
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if _OUTSIDE_NOTES.search(line)]


def cited_headings(text):
    """The headings of docs/sources.md that a text cites, as written."""
    cited = [match.group(1).strip() for match in _QUOTED_CITATION.finditer(text)]
    return cited + [match.group(1).strip() for match in _YAML_CITATION.finditer(text)]


def split_citations(text):
    """The line numbers of citations whose heading does not sit on the same line as ``sources.md``."""
    return [text.count('\n', 0, match.start()) + 1 for match in _SPLIT_CITATION.finditer(text)]


def headings(markdown):
    """The headings of a Markdown text, lower case."""
    return {line.lstrip('#').strip().lower() for line in markdown.splitlines() if re.match(r'#{1,6} ', line)}


@pytest.mark.parametrize('line', [
    'see ' + 'windows' + '-tools §7',
    '(' + 'field' + '-notes.md section 2)',
    '# ' + 'Field' + ' notes section 4: Create, Command',
    'the ' + 'shared' + '/docs/ folder',
    'repositories, issues and the ' + 'shared' + ' corpus by name',
    'tools at ../' + 'shared/tools/pwsh',
])
def test_a_reference_to_outside_notes_is_found(line):
    assert outside_references('first line\n' + line + '\n') == [(2, line)]


def test_citations_are_read_in_both_forms():
    text = ('# see docs/sources.md, "Table layout" and docs/sources.md, "msg"\n'
            'x: {value: 1, source: "sources.md: code pages by locale (tats-u/locale-name-code-page)"}\n'
            'y: {value: 2, source: "sources.md: state words; corpus de-DE_qwinsta_01.txt"}\n')
    assert cited_headings(text) == ['Table layout', 'msg', 'code pages by locale', 'state words']


def test_a_citation_split_over_two_lines_is_found():
    page = 'docs/sources' + '.md'  # so that this file holds no broken citation itself
    text = '# as measured (%s, "Table\n# layout") and\n# (%s,\n# "msg")\n' % (page, page)
    assert split_citations(text) == [1, 3]
    assert split_citations('# docs/sources.md, "Table layout" and docs/sources.md, "msg"\n') == []


def test_no_file_names_notes_kept_outside_the_repository():
    found = {name: hits for name, text in text_files(REPO) for hits in [outside_references(text)] if hits}
    assert len(repository_files(REPO)) > 100  # the listing really covers the repository
    assert not found, '\n'.join('%s:%d: %s' % (name, number, line)
                                for name, hits in sorted(found.items()) for number, line in hits)


def test_every_cited_heading_of_sources_md_exists():
    assert SOURCES.is_file(), 'docs/sources.md is missing'
    known = headings(SOURCES.read_text(encoding='utf-8'))
    citing = {}
    for name, text in text_files(REPO):
        for heading in cited_headings(text):
            citing.setdefault(heading, set()).add(name)
    assert citing, 'no file cites docs/sources.md'
    split = {name: lines for name, text in text_files(REPO) for lines in [split_citations(text)] if lines}
    assert not split, 'citations of docs/sources.md broken over two lines: %s' % split
    missing = {heading: sorted(names) for heading, names in citing.items() if heading.lower() not in known}
    assert not missing, missing


def test_the_docs_index_lists_sources_md():
    assert '(sources.md)' in (REPO / 'docs' / 'index.md').read_text(encoding='utf-8')
