"""Every capture kept as test data has its expected parse and its source in the index."""

from __future__ import annotations

import json

from tests.fixtures import CAPTURES, capture_files


def test_every_capture_has_an_expected_parse_and_an_index_row():
    index = (CAPTURES / 'INDEX.md').read_text(encoding='utf-8')
    files = capture_files()
    assert len(files) >= 11
    for path in files:
        expected = json.loads(path.with_name(path.name[:-len('.txt')] + '.expected.json').read_text(encoding='utf-8'))
        assert expected['command'] in ('query user', 'query session'), path.name
        assert expected['rows'], path.name
        assert '| %s |' % path.name in index, '%s has no row in captures/INDEX.md' % path.name


def test_no_expected_parse_without_its_capture():
    for path in sorted(CAPTURES.glob('*.expected.json')):
        assert path.with_name(path.name[:-len('.expected.json')] + '.txt').is_file(), path.name
