"""The query user / query session renderer against real captures, in every language, by display width."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.emulator.windows import locales, tables
from tests.emulator.windows.sessions import Session
from tests.fixtures import capture_lines

NOW = datetime(2026, 11, 22, 10, 0)


def corpus_lines(name: str) -> list[str]:
    return capture_lines(name)


def columns(text: str, start: int, end: int | None = None) -> str:
    """The part of ``text`` between two display columns (a wide character counts two)."""
    out, col = [], 0
    for char in text:
        width = tables.display_width(char)
        if col >= start and (end is None or col + width <= end):
            out.append(char)
        col += width
    return ''.join(out)


def user_session(**fields) -> Session:
    fields.setdefault('state', 'active')
    return Session(**fields)


# -- real captures, byte for byte -----------------------------------------------------------------------------

def test_de_quser_console_capture_is_reproduced_exactly():
    # corpus de-DE_quser_01 (REAL): idle "Kein" at column 58, the row not marked (quser run from elsewhere).
    session = user_session(id=4, name='console', user='manfred', logon_time=datetime(2025, 4, 28, 12, 3))
    lines = tables.query_user_lines([session], locales.load('de-DE'), NOW, current_id=0)
    assert lines == corpus_lines('de-DE_quser_01.txt')


def test_de_quser_remote_capture_is_reproduced_exactly():
    session = user_session(id=3, name='console', user='leo', logon_time=datetime(2025, 5, 3, 18, 26))
    lines = tables.query_user_lines([session], locales.load('de-DE'), NOW, current_id=None)
    assert lines == corpus_lines('de-DE_quser_02.txt')


def test_de_qwinsta_remote_capture_is_reproduced_exactly():
    sessions = [Session(id=0, name='services', state='disconnected'), user_session(id=3, name='console', user='Leo'),
                Session(id=65536, name='rdp-tcp', state='listen')]
    lines = tables.query_session_lines(sessions, locales.load('de-DE'), current_id=None)
    assert lines == corpus_lines('de-DE_qwinsta_01.txt')


def test_en_quser_capture_with_idle_hours_is_reproduced_exactly():
    # corpus en-US_quser_04 (REAL): "3:11" right-aligned ending at column 62, 12-hour time with PM.
    session = user_session(id=1, name='console', user='vertigoray', logon_time=datetime(2018, 7, 26, 19, 29),
                           last_input=NOW - timedelta(minutes=191))
    lines = tables.query_user_lines([session], locales.load('en-US'), NOW, current_id=1)
    assert lines == corpus_lines('en-US_quser_04.txt')


def test_en_quser_capture_with_none_word_matches_after_its_lost_leading_space():
    # corpus en-US_quser_02: the header was stored without its leading space; the row is genuine.
    session = user_session(id=1, name='console', user='vertigoray', logon_time=datetime(2018, 7, 13, 11, 26))
    header, row = tables.query_user_lines([session], locales.load('en-US'), NOW, current_id=1)
    expected = corpus_lines('en-US_quser_02.txt')
    assert header == ' ' + expected[0]
    assert row == expected[1]


def test_custom_regional_date_format_capture_is_reproduced():
    # corpus en_quser_01: a user's short date yyyy-MM-dd and hour without zero, idle "1+06:20".
    session = user_session(id=1, name='console', user='corta', logon_time=datetime(2021, 5, 13, 0, 15),
                           last_input=NOW - timedelta(minutes=1820))
    header, row = tables.query_user_lines([session], locales.load('en-US'), NOW, current_id=1,
                                          date_format='yyyy-MM-dd H:mm')
    expected = corpus_lines('en_quser_01.txt')
    assert (header, row) == (' ' + expected[0], expected[1])


@pytest.mark.parametrize('capture, name, idle', [
    ('ru-RU_quser_01.txt', 'console', None),   # "отсутствует" overflows: one space before LOGON TIME
    ('ru-RU_quser_02.txt', 'rdp-tcp#1', 0),     # "Активно" is 7 wide: the "." moves one column right
])
def test_ru_quser_captures_are_reproduced_exactly(capture, name, idle):
    last_input = None if idle is None else NOW - timedelta(minutes=idle)
    session = user_session(id=1, name=name, user='user1', logon_time=datetime(2021, 5, 14, 15, 54),
                           last_input=last_input)
    header, row = tables.query_user_lines([session], locales.load('ru-RU'), NOW, current_id=1)
    expected = corpus_lines(capture)
    assert header == ' ' + expected[0]  # the paste lost the header's leading space (corpus INDEX)
    assert row == expected[1]


def test_es_fixture_rows_line_up_with_the_spanish_header():
    # corpus es-EC fixtures are EDITED (dates rewritten) but keep the layout: "ninguno" at 58, LOGON TIME at 68.
    locale = locales.load('es-ES')
    rows = [user_session(id=1, name='console', user='mabe-b3', logon_time=datetime(2018, 7, 25, 7, 46)),
            user_session(id=2, name=None, user='otro00', state='disconnected', logon_time=datetime(2018, 7, 25, 10, 51),
                         last_input=NOW - timedelta(minutes=2))]
    lines = tables.query_user_lines(rows, locale, NOW, current_id=1, date_format='M/d/yyyy h:mm tt')
    expected = corpus_lines('es-EC_quser_02_fixture_datechanged.txt')
    assert lines == expected


# -- every language -------------------------------------------------------------------------------------------

SAMPLE = [
    Session(id=0, name='services', state='disconnected'),
    user_session(id=1, name='console', user='Administrator', logon_time=datetime(2026, 11, 20, 7, 58)),
    user_session(id=3, name='rdp-tcp#5', user='alice', logon_time=datetime(2026, 11, 20, 8, 15),
                 last_input=NOW - timedelta(minutes=12)),
    user_session(id=4, name=None, user='bob', state='disconnected', logon_time=datetime(2026, 11, 19, 17, 2),
                 last_input=NOW - timedelta(minutes=190)),
    Session(id=65536, name='rdp-tcp', state='listen'),
]


@pytest.mark.parametrize('tag', locales.available())
def test_quser_columns_sit_at_the_measured_display_columns(tag):
    locale = locales.load(tag)
    lines = tables.query_user_lines(SAMPLE, locale, NOW, current_id=0)
    assert lines[0] == locale.get('quser_header')
    rows = lines[1:]
    assert [row.split()[0] for row in rows] == ['administrator', 'alice', 'bob']  # lower case, services skipped
    for row, session_id in zip(rows, ('1', '3', '4'), strict=True):
        assert columns(row, 0, 44).endswith(' ' + session_id)  # ID right-aligned, ending at column 43
        assert columns(row, 23, 41).strip() in ('console', 'rdp-tcp#5', '')
        assert columns(row, 46).startswith(locale.state_word('active' if 'bob' not in row else 'disconnected'))
    # a number of idle minutes is right-aligned in 11 columns after a STATE field of at least 6
    state_end = 46 + max(6, tables.display_width(locale.state_word('active')))
    assert columns(rows[1], state_end, state_end + 13) == tables.right('12', 11) + '  '


@pytest.mark.parametrize('tag', locales.available())
def test_qwinsta_lists_listeners_and_marks_services_when_local(tag):
    locale = locales.load(tag)
    lines = tables.query_session_lines(SAMPLE, locale, current_id=0)
    assert lines[0] == locale.get('qwinsta_header')
    assert lines[1].startswith('>services')
    assert lines[-1].startswith(' rdp-tcp') and lines[-1][41:46] == '65536'
    assert lines[-1][48:].rstrip() == locale.state_word('listen')
    assert 'Administrator' in lines[2]  # query session keeps the user name's case
    assert all(line == line.rstrip() for line in lines)


def test_qwinsta_without_marker_for_another_server_and_padded_form():
    lines = tables.query_session_lines(SAMPLE, locales.load('en-US'), current_id=None, padded=True)
    assert not any(line.startswith('>') for line in lines)
    assert lines[0].endswith('DEVICE ')
    assert lines[1] == ' services' + ' ' * 36 + '0  Disc' + ' ' * 24  # id 62814943960: padded through DEVICE


def test_chinese_rows_are_laid_out_by_display_width():
    # ids 19401283120 / 43787358635: 运行中 takes six columns; 无 starts at column 58.
    locale = locales.load('zh-CN')
    session = user_session(id=1, name='console', user='testuser', logon_time=datetime(2022, 7, 13, 16, 38))
    row = tables.query_user_lines([session], locale, NOW, current_id=1)[1]
    assert row == '>testuser              console             1  运行中      无     2022/7/13 16:38'
    qwinsta = tables.query_session_lines([Session(id=0, name='services', state='disconnected'),
                                          user_session(id=1, name='console', user='testuser')], locale, current_id=1)
    assert qwinsta[1:] == [' services                                    0  断开',
                           '>console           testuser                  1  运行中']


def test_japanese_query_session_header_and_english_states():
    # id 481557477: Japanese header, English state words.
    locale = locales.load('ja-JP')
    lines = tables.query_session_lines([Session(id=0, name='services', state='disconnected'),
                                        user_session(id=2, name='console', user='user1'),
                                        Session(id=65536, name='rdp-tcp', state='listen')], locale, current_id=2)
    assert lines == [' セッション名      ユーザー名               ID  状態    種類        デバイス',
                     ' services                                    0  Disc',
                     '>console           user1                     2  Active',
                     ' rdp-tcp                                 65536  Listen']


def test_long_session_names_are_cut_with_dots():
    # id 59090109455: "31c5ce94259d4..." in a Russian query session listing.
    listener = Session(id=65536, name='31c5ce94259d4a0b9c1f2e3d4c5b6a79', state='listen')
    row = tables.query_session_lines([listener], locales.load('ru-RU'), current_id=None)[1]
    assert row == ' 31c5ce94259d4...                        65536  Прием'


@pytest.mark.parametrize('minutes, text', [(0, '.'), (1, '1'), (52, '52'), (99, '1:39'), (60, '1:00'),
                                           (22512, '15+15:12'), (8890, '6+04:10'), (1820, '1+06:20')])
def test_idle_time_format(minutes, text):
    assert tables.format_idle(minutes) == text


@given(st.text(alphabet=st.characters(codec='utf-8', categories=('L', 'N')), max_size=30))
def test_display_width_counts_wide_characters_twice(text):
    expected = sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in text)
    assert tables.display_width(text) == expected
    assert tables.display_width(tables.pad(text, 40)) == max(40, expected)


@given(st.integers(min_value=0, max_value=60 * 24 * 400))
def test_idle_format_round_trips_to_minutes(minutes):
    text = tables.format_idle(minutes)
    if text == '.':
        assert minutes == 0
        return
    days, _unused, clock = text.rpartition('+')
    hours, _unused, mins = clock.rpartition(':')
    assert int(days or 0) * 1440 + int(hours or 0) * 60 + int(mins) == minutes


def test_german_remote_captures_byte_for_byte_through_the_host():
    # The whole path: a de-DE host queried with /server:, its bytes in cp850 with CRLF line ends.
    from tests.emulator.windows.testing import run_raw, sample_host

    host = sample_host(locale='de-DE', native_output_encoding='oem', servers=[{'name': 'acer-w11-leo', 'double_hop': 'allowed', 'sessions': [
        {'id': 3, 'name': 'console', 'user': 'Leo', 'domain': 'ACER-W11-LEO', 'idle_minutes': None,
         'logon_time': '2025-05-03T18:26:00'}]}])
    for command, capture in (('query session /server:acer-w11-leo', 'de-DE_qwinsta_01.txt'),
                             ('query user /server:acer-w11-leo', 'de-DE_quser_02.txt')):
        expected = ('\r\n'.join(corpus_lines(capture)) + '\r\n').encode('cp850')
        assert run_raw(host, command, auth='ntlm').stdout == expected
