"""Durations as users write them."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.durations import format_seconds, parse_minutes, parse_seconds


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


@pytest.mark.parametrize('value,seconds', [
    (0, 0), (90, 90), ('90', 90), ('90s', 90), ('5m', 300), ('2h', 7200), ('1d', 86400), ('1h30m', 5400),
    ('1m30s', 90), ('1d2h3m4s', 93784), (' 5M ', 300), ('2m 30s', 150),
])
def test_parse_seconds_takes_the_units_idle_time_takes_and_seconds(value, seconds):
    assert parse_seconds(value) == seconds


@pytest.mark.parametrize('value', ['', 's', '2x', '30s5m', '1.5m', '-3', True, '2h-1m', -1, 'soon'])
def test_parse_seconds_rejects(value):
    with pytest.raises(ValueError) as caught:
        parse_seconds(value)
    assert 'second' in str(caught.value) or 'negative' in str(caught.value)


def test_idle_time_counts_whole_minutes_and_refuses_seconds():
    with pytest.raises(ValueError):
        parse_minutes('90s')


@pytest.mark.parametrize('seconds,text', [(0, '0s'), (20, '20s'), (60, '1m'), (120, '2m'), (150, '2m30s'),
                                          (3600, '1h'), (5400, '1h30m'), (90061, '1d1h1m1s')])
def test_format_seconds_writes_what_parse_seconds_reads(seconds, text):
    assert format_seconds(seconds) == text
    assert parse_seconds(text) == seconds
