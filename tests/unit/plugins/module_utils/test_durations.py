"""Durations as users write them."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.durations import parse_minutes


@pytest.mark.parametrize('value,minutes', [
    (0, 0), (90, 90), ('90', 90), ('90m', 90), ('2h', 120), ('1d', 1440), ('1d4h', 1680), ('1d2h30m', 1590),
    (' 2H ', 120), ('1d 4h', 1680),
])
def test_parse(value, minutes):
    assert parse_minutes(value) == minutes


@pytest.mark.parametrize('value', ['', 'h', '2x', '4h1d', '1.5h', '-3', True, 'm', '2h-1m', -1])
def test_rejects(value):
    with pytest.raises(ValueError):
        parse_minutes(value)
