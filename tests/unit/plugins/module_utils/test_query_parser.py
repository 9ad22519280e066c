# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the ``query user`` / ``query session`` parser: real captures, generated layouts, properties."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.winrds.sessions.plugins.module_utils.query_parser import (
    QueryParseError,
    display_width,
    parse_query_session,
    parse_query_user,
)

API_KEYS = ('id', 'session_name', 'username', 'state', 'current', 'idle_minutes', 'logon_time')

from tests.fixtures import CAPTURES, capture_files, capture_lines

CORPUS_FILES = capture_files()


# --------------------------------------------------------------------------------------------------------------
# Real captures
# --------------------------------------------------------------------------------------------------------------

def test_corpus_is_present():
    assert CORPUS_FILES, 'the captures at %s hold no *.txt file' % CAPTURES


@pytest.mark.parametrize('capture', CORPUS_FILES, ids=[path.name for path in CORPUS_FILES])
def test_corpus_capture(capture):
    expected_path = capture.with_name(capture.name[:-len('.txt')] + '.expected.json')
    assert expected_path.is_file(), 'no expected parse for %s' % capture.name
    expected = json.loads(expected_path.read_text(encoding='utf-8'))
    parse = {'query user': parse_query_user, 'query session': parse_query_session}[expected['command']]
    rows = parse(capture.read_bytes().decode('utf-8'))
    compared = [key for key in API_KEYS if expected['rows'] and key in expected['rows'][0]]
    assert compared, 'the expected rows of %s share no key with the API' % capture.name
    assert [dict((key, row[key]) for key in compared) for row in rows] == \
        [dict((key, row[key]) for key in compared) for row in expected['rows']]


# --------------------------------------------------------------------------------------------------------------
# A generator of layouts: cells at the measured display columns (docs/sources.md, "Table layout")
# --------------------------------------------------------------------------------------------------------------

def _width(text):
    """Console columns of text, counted independently of the module under test (W and F take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in 'WF' else 1 for char in text)


def _put(line, column, text, gap=1):
    """Append text at a display column, or after ``gap`` blanks when the line already reaches it."""
    width = _width(line)
    return line + (' ' * (column - width) if width < column else ' ' * gap) + text


# Per display language: headers as printed, the state words and "none" idle word that public captures show
# (see plugins/module_utils/locales.py for the sources), a built-in administrator name and logon times in the
# regional format. Headers marked "illustrative" were not found in any capture; the parser never reads header
# words, so they only need to look like a header.
LANGUAGES = {
    'en-US': dict(
        user_header=' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME',
        session_header=' SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE ',
        states={'active': 'Active', 'connected': 'Conn', 'connect_query': 'ConnQ', 'shadow': 'Shadow',
                'disconnected': 'Disc', 'idle': 'Idle', 'listen': 'Listen', 'reset': 'Reset', 'down': 'Down',
                'init': 'Init'},
        none='none', admin='Administrator', dates=('7/13/2018 11:26 AM', '8/9/2017 4:40 PM')),
    'de-DE': dict(
        user_header=' BENUTZERNAME          SITZUNGSNAME       ID  STATUS  LEERLAUF   ANMELDEZEIT',
        session_header=' SITZUNGSNAME      BENUTZERNAME             ID  STATUS  TYP         GERÄT',
        states={'active': 'Aktiv', 'disconnected': 'Getr.', 'connected': 'Verb.', 'listen': 'Abhör.'},
        none='Kein', admin='Administrator', dates=('28.04.2025 12:03', '03.05.2025 18:26')),
    'fr-FR': dict(
        user_header=' UTILISATEUR           SESSION            ID  ÉTAT    TEMPS INACT TEMPS SESSION',
        session_header=' SESSION           UTILISATEUR              ID  ÉTAT    TYPE        PÉRIPHÉRIQUE',
        states={'active': 'Actif', 'disconnected': 'Déco', 'connected': 'Conn'},
        none='aucun', admin='Administrateur', dates=('23/10/2025 08:42', '12/02/2023 07:11')),
    'es-ES': dict(
        user_header=' NOMBRE USUARIO        NOMBRE SESIÓN      ID. ESTADO  TIEMPO IN. TIEMPO SESIÓN',
        # illustrative
        session_header=' NOMBRE SESIÓN     NOMBRE USUARIO           ID. ESTADO  TIPO        DISPOSITIVO',
        states={'active': 'Activo', 'disconnected': 'Desc'},
        none='ninguno', admin='Administrador', dates=('25/7/2018 7:46', '25/7/2018 10:51')),
    'it-IT': dict(
        # illustrative (centreon-plugins shows only NOMESESSIONE and STATO)
        user_header=' NOMEUTENTE            NOMESESSIONE       ID  STATO   INATTIVITÀ ORA ACCESSO',
        session_header=' NOMESESSIONE      NOMEUTENTE               ID  STATO   TIPO        PERIFERICA',
        states={'active': 'Attivo', 'disconnected': 'Disc'},
        none=None, admin='Administrator', dates=('13/07/2018 11:26', '01/02/2024 09:05')),
    'ru-RU': dict(
        user_header=' ПОЛЬЗОВАТЕЛЬ          СЕАНС              ID  СТАТУС  БЕЗДЕЙСТВ. ВРЕМЯ ВХОДА',
        session_header=' СЕАНС             ПОЛЬЗОВАТЕЛЬ             ID  СТАТУС  ТИП         УСТР-ВО',
        states={'active': 'Активно', 'disconnected': 'Диск', 'connected': 'Подключено', 'listen': 'Прием'},
        none='отсутствует', admin='Администратор', dates=('14.05.2021 15:54', '02.11.2025 9:03')),
    'zh-CN': dict(
        user_header=' 用户名                会话名             ID  状态    空闲时间   登录时间',
        session_header=' 会话名            用户名                   ID  状态    类型        设备',
        states={'active': '运行中', 'disconnected': '断开', 'connected': '已连接', 'listen': '侦听'},
        none='无', admin='Administrator', dates=('2022/7/13 16:38', '2026/6/2 19:19')),
    'ja-JP': dict(
        # illustrative; query session's header is from a capture (ja-JP_qwinsta_01), whose states are English
        user_header=' ユーザー名            セッション名       ID  状態    アイドル時間   ログオン時刻',
        session_header=' セッション名      ユーザー名               ID  状態    種類        デバイス',
        states={'active': 'Active', 'connected': 'Conn', 'disconnected': 'Disc', 'listen': 'Listen'},
        none=None, admin='Administrator', dates=('2026/11/20 8:15', '2026/11/21 17:40')),
    'pt-BR': dict(
        # quser's header as the only capture prints it (pt-BR_quser_01_anonymized, English); query session's is
        # illustrative
        user_header=' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME',
        session_header=' SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE ',
        states={'active': 'Ativo', 'disconnected': 'Disco'},
        none=None, admin='Administrador', dates=('09/01/2024 08:22', '09/01/2024 13:24')),
}


@dataclass
class Row:
    """A session row to render, and what parsing it must give back."""

    id: int
    username: str | None
    session_name: str | None
    state: str
    current: bool = False
    idle: str | None = None          # the IDLE TIME cell (query user)
    idle_minutes: int | None = None  # what that cell means
    logon_time: str | None = None    # the LOGON TIME cell (query user)
    type: str | None = None          # TYPE and DEVICE cells (query session), ignored by the parser
    device: str | None = None
    state_word: str | None = None    # the word the last render printed for the state

    def expected(self, command):
        timed = command == 'query user'
        return {
            'id': self.id, 'session_name': self.session_name, 'username': self.username, 'state': self.state,
            'state_word': self.state_word, 'current': self.current,
            'idle_minutes': self.idle_minutes if timed else None, 'logon_time': self.logon_time if timed else None,
        }


def render_user_row(row, language, logon_gap=2):
    """One ``query user`` row: USERNAME 1, SESSIONNAME 23, ID ending at 43, STATE 46, IDLE, LOGON TIME 65."""
    state_word = row.state_word = LANGUAGES[language]['states'][row.state]
    line = ('>' if row.current else ' ') + row.username  # the marker column, then USERNAME at 1
    if row.session_name:
        line = _put(line, 23, row.session_name)
    line = _put(line, 44 - len(str(row.id)), str(row.id))
    line = _put(line, 46, state_word, gap=2)
    # A state word longer than "Active" pushes the idle cell right (corpus ru-RU_quser_02: "Активно", "." at 63).
    shift = max(0, _width(state_word) - 6)
    if row.idle is not None:
        if row.idle_minutes is None:  # a "none" word starts at 58 and may overflow (corpus es-EC, ru-RU)
            line = _put(line, 58 + shift, row.idle)
        else:                         # numbers are right-aligned to end at 62
            line = _put(line, 63 + shift - _width(row.idle), row.idle)
    if row.logon_time is not None:
        line = _put(line, 65 + shift, row.logon_time, gap=logon_gap)
    return line


def render_session_row(row, language):
    """One ``query session`` row: SESSIONNAME 1, USERNAME 19, ID ending at 45, STATE 48, TYPE 56, DEVICE 68."""
    line = ('>' if row.current else ' ') + (row.session_name or '')  # the marker, then SESSIONNAME at 1
    if row.username:
        line = _put(line, 19, row.username)
    line = _put(line, 46 - len(str(row.id)), str(row.id))
    row.state_word = LANGUAGES[language]['states'][row.state]
    line = _put(line, 48, row.state_word, gap=2)
    if row.type:
        line = _put(line, 56, row.type)
    if row.device:
        line = _put(line, 68, row.device)
    return line


def render(command, rows, language, newline='\n', header_space=True, trailing=''):
    """The whole output of a command: header then rows, with the given line end and trailing blanks."""
    key, render_row = {'query user': ('user_header', render_user_row),
                       'query session': ('session_header', render_session_row)}[command]
    header = LANGUAGES[language][key]
    lines = [header if header_space else header[1:]] + [render_row(row, language) + trailing for row in rows]
    return newline.join(lines) + newline


def parse(command, text):
    return {'query user': parse_query_user, 'query session': parse_query_session}[command](text)


# --------------------------------------------------------------------------------------------------------------
# Hand-made layouts, every language, both commands
# --------------------------------------------------------------------------------------------------------------

def user_rows(language):
    """Names with spaces, wide and Cyrillic characters, a blank session name, a truncated session name, one
    user with two sessions, the localized administrator, every idle format and the language's "none"."""
    data = LANGUAGES[language]
    first, second = data['dates']
    none_idle = (data['none'], None) if data['none'] else ('52', 52)
    return [
        Row(2, 'Jane Doe', None, 'disconnected', idle='1+06:20', idle_minutes=1820, logon_time=first),
        Row(3, '山田太郎', 'rdp-tcp#12', 'active', current=True, idle='.', idle_minutes=0, logon_time=second),
        Row(4, '山田太郎', '31c5ce94259d4...', 'active', idle='3:11', idle_minutes=191, logon_time=second),
        Row(5, data['admin'], 'console', 'active', idle=none_idle[0], idle_minutes=none_idle[1], logon_time=first),
        Row(17, 'Пётр Иванов', None, 'disconnected', idle='15+15:12', idle_minutes=22512, logon_time=first),
        Row(120, 'svc.backup', 'rdp-tcp#9', 'active', idle='7', idle_minutes=7, logon_time=second),
    ]


def session_rows(language):
    """services with the marker (as seen from WinRM), console, user rows with and without a session name,
    TYPE/DEVICE filled or empty, and the listeners when the language's listener word is known."""
    states = LANGUAGES[language]['states']
    rows = [
        Row(0, None, 'services', 'disconnected', current=True),
        Row(1, LANGUAGES[language]['admin'], 'console', 'active', type='wdcon'),
        Row(2, 'Jane Doe', 'rdp-tcp#0', 'active', type='rdpwd', device='Console'),
        Row(3, '山田太郎', None, 'disconnected'),
        Row(4, 'Пётр Иванов', '31c5ce94259d4...', 'disconnected', type='rdpwd'),
    ]
    if 'connected' in states:
        rows.append(Row(5, None, 'rdp-tcp#5', 'connected'))
    if 'idle' in states:  # old output: a bare "6  Idle" row without any name
        rows.append(Row(6, None, None, 'idle'))
    if 'listen' in states:
        rows.append(Row(65536, None, 'rdp-tcp', 'listen', type='rdpwd'))
        rows.append(Row(65537, None, '31c5ce94259d4...', 'listen'))
    return rows


LAYOUT_CASES = [
    pytest.param(command, language, newline, header_space,
                 id='%s-%s-%s-%s' % (command.split()[1], language, 'crlf' if newline == '\r\n' else 'lf',
                                     'header' if header_space else 'header-unindented'))
    for command in ('query user', 'query session')
    for language in LANGUAGES
    for newline, header_space in (('\n', True), ('\r\n', False))
]


@pytest.mark.parametrize('command, language, newline, header_space', LAYOUT_CASES)
def test_generated_layout(command, language, newline, header_space):
    rows = user_rows(language) if command == 'query user' else session_rows(language)
    text = render(command, rows, language, newline=newline, header_space=header_space, trailing='   ')
    assert parse(command, '\n' + text + '\n\n') == [row.expected(command) for row in rows]


def test_generator_places_cells_at_measured_columns():
    """The generator itself matches the corpus geometry, so the layout tests test the documented layout."""
    line = render_user_row(Row(4, 'manfred', 'console', 'active', idle='Kein', logon_time='28.04.2025 12:03'),
                           'de-DE')
    assert line == capture_lines('de-DE_quser_01.txt')[1]
    wide = render_user_row(Row(3, '山田太郎', 'rdp-tcp#12', 'active', idle='.', idle_minutes=0, logon_time='x'),
                           'zh-CN')
    assert _width(wide[:wide.index('rdp')]) == 23 and len(wide[:wide.index('rdp')]) == 19
    listener = render_session_row(Row(65536, None, 'rdp-tcp', 'listen'), 'de-DE')
    assert listener == capture_lines('de-DE_qwinsta_01.txt')[3]


def test_overflowing_none_words_and_long_state_word():
    """``ninguno`` and ``отсутствует`` run past the idle column and push the logon time right."""
    for language, word in (('es-ES', 'ninguno'), ('ru-RU', 'отсутствует')):
        row = Row(1, 'user1', 'console', 'active', current=True, idle=word, logon_time='14.05.2021 15:54')
        line = render_user_row(row, language, logon_gap=1)
        assert _width(line[:line.index('14.05')]) > 65
        assert parse_query_user(render('query user', [row], language)) == [row.expected('query user')]


def test_name_wider_than_its_field_pushes_its_row():
    """A user name wider than 20 columns shifts the rest of its row; the row is read from its own ID."""
    wide = Row(7, '山田太郎山田太郎山田太郎', 'rdp-tcp#3', 'active', idle='5', idle_minutes=5, logon_time='2026/1/2 3:04',
               state_word='运行中')
    plain = Row(8, 'bob', 'console', 'disconnected', idle='.', idle_minutes=0, logon_time='2026/1/2 3:04')
    header = LANGUAGES['zh-CN']['user_header']
    pushed = ' ' + wide.username + '  ' + wide.session_name + '        7  运行中         5  2026/1/2 3:04'
    text = '\n'.join((header, pushed, render_user_row(plain, 'zh-CN')))
    assert parse_query_user(text) == [wide.expected('query user'), plain.expected('query user')]


def test_row_that_lost_its_marker_column():
    """A pasted row stripped of its leading blank is read from its own ID, one column left of the others."""
    rows = user_rows('en-US')[:3]
    lines = render('query user', rows, 'en-US').splitlines()
    lines[2] = lines[2].lstrip('>')  # the current row, pasted without its "> "
    expected = [row.expected('query user') for row in rows]
    expected[1]['current'] = False
    assert parse_query_user('\n'.join(lines)) == expected


# Widths edited by hand, as in the corpus file en-US_quser_03 (USERNAME 1, SESSIONNAME ~18, ID ending at 31).
EDITED_HEADER = 'USERNAME         SESSIONNAME  ID  STATE   IDLE TIME  LOGON TIME'


def test_edited_widths_single_row_with_numeric_idle():
    """The idle minutes are a number too; a number followed by a date is never taken for the ID."""
    line = ' admin.xxxxx      rdp-tcp#54   3  Active         12  7/21/2017 5:35 AM'
    assert parse_query_user(EDITED_HEADER + '\n' + line) == [{
        'id': 3, 'session_name': 'rdp-tcp#54', 'username': 'admin.xxxxx', 'state': 'active', 'state_word': 'Active',
        'current': False, 'idle_minutes': 12, 'logon_time': '7/21/2017 5:35 AM'}]


def test_edited_widths_follow_the_column_all_rows_share():
    """With a custom date format a row has a second "number then word" ("20 Jul"); the ID column that every
    row shares wins over the one nearer to the measured column."""
    lines = [
        ' admin.xxxxxxxx                2  Disc     15+15:12  20 Jul 2017 1:19 PM',
        ' admin.xxxxx      rdp-tcp#54   3  Active       1:39  21 Jul 2017 5:35 AM',
        '>vertigoray          console   5  Active          .  9 Aug 2017 4:40 PM',
    ]
    rows = parse_query_user('\n'.join([EDITED_HEADER] + lines))
    assert [(row['id'], row['username'], row['session_name'], row['logon_time']) for row in rows] == [
        (2, 'admin.xxxxxxxx', None, '20 Jul 2017 1:19 PM'),
        (3, 'admin.xxxxx', 'rdp-tcp#54', '21 Jul 2017 5:35 AM'),
        (5, 'vertigoray', 'console', '9 Aug 2017 4:40 PM'),
    ]


def test_blank_idle_cell_keeps_logon_time():
    text = render('query user', [Row(3, 'ann', 'console', 'active', logon_time='7/13/2018 11:26 AM')], 'en-US')
    assert parse_query_user(text)[0]['idle_minutes'] is None
    assert parse_query_user(text)[0]['logon_time'] == '7/13/2018 11:26 AM'


def test_cells_keep_their_inner_spacing():
    row = Row(9, 'Jane  Doe', 'console', 'active', idle='.', idle_minutes=0, logon_time='7/13/2018  11:26 AM')
    assert parse_query_user(render('query user', [row], 'en-US')) == [row.expected('query user')]


def test_state_words_match_without_case_or_trailing_period():
    rows = [Row(1, 'a', 'console', 'disconnected', idle='.', idle_minutes=0, logon_time='1.1.2025 1:00')]
    text = render('query user', rows, 'de-DE').replace('Getr.', 'GETR')
    assert parse_query_user(text)[0]['state'] == 'disconnected'


# --------------------------------------------------------------------------------------------------------------
# Messages instead of a table
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text', [
    'No User exists for *\r\n',                # docs/sources.md, "Nothing to list"
    'No User exists for console\n',            # the argument takes the place of "*"
    '\n  No session exists for *  \n',         # docs/sources.md, "Nothing to list"
    # A localized form: none was found in any source; this hypothetical one carries the "*" argument.
    'Für * ist kein Benutzer vorhanden.\n',
    '',
    '\r\n \r\n',
])
def test_no_session_messages_give_no_rows(text):
    assert parse_query_user(text) == []
    assert parse_query_session(text) == []


def test_header_without_rows_gives_no_rows():
    assert parse_query_user(LANGUAGES['fr-FR']['user_header'] + '\r\n') == []
    assert parse_query_session(LANGUAGES['zh-CN']['session_header']) == []


# --------------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, line', [
    ('Error [5]:Access is denied.\r\n', 'Error [5]:Access is denied.'),
    ('Error 0x000006BA enumerating sessionnames\r\nError [1722]:The RPC server is unavailable.\r\n',
     'Error 0x000006BA enumerating sessionnames'),
    ('hello world\n', 'hello world'),
    ('Error: invalid session ID\n', 'Error: invalid session ID'),
])
def test_garbage_raises_with_the_line(text, line):
    for parser in (parse_query_user, parse_query_session):
        with pytest.raises(QueryParseError) as caught:
            parser(text)
        assert caught.value.line == line
        assert repr(line) in str(caught.value)
        assert isinstance(caught.value, ValueError)


def test_line_that_is_not_a_row_raises():
    text = LANGUAGES['en-US']['user_header'] + '\n' + \
        render_user_row(Row(1, 'a', 'console', 'active', idle='.', logon_time='1/1/2025 1:00 AM'), 'en-US') + \
        '\nsomething else entirely\n'
    with pytest.raises(QueryParseError) as caught:
        parse_query_user(text)
    assert caught.value.line == 'something else entirely'


def test_row_before_any_header_raises():
    line = render_user_row(Row(1, 'a', 'console', 'active', idle='.', logon_time='1/1/2025 1:00 AM'), 'en-US')
    with pytest.raises(QueryParseError) as caught:
        parse_query_user(line + '\n')
    assert caught.value.line == line


def test_an_unknown_state_word_gives_state_unknown_and_keeps_the_word():
    """A state word no public source lists is not guessed: the row is read (ID, names, times) with state
    ``unknown`` and the printed word, so listing and selecting by ID, name or user still work."""
    header = LANGUAGES['fr-FR']['session_header']
    line = ' rdp-tcp#3         marie                     3  Écoute'
    rows = parse_query_session(header + '\n' + line + '\n')
    assert [(row['id'], row['username'], row['state'], row['state_word']) for row in rows] == [
        (3, 'marie', 'unknown', 'Écoute')]
    user = render('query user', [Row(5, 'jan', 'rdp-tcp#2', 'active', idle='4', idle_minutes=4,
                                     logon_time='20-11-2026 08:15')], 'en-US').replace('Active', 'Actief')
    rows = parse_query_user(user)
    assert [(row['id'], row['state'], row['state_word'], row['idle_minutes'], row['logon_time']) for row in rows] == [
        (5, 'unknown', 'Actief', 4, '20-11-2026 08:15')]


# One row per language added from public sources, printed with that language's words: each parses to its state.
@pytest.mark.parametrize('language, command, word, state', [
    ('pt-BR', 'query user', 'Ativo', 'active'),         # capture pt-BR_quser_01_anonymized
    ('pt-BR', 'query user', 'Disco', 'disconnected'),   # same capture: not "disk" but a disconnected session
    ('pt-BR', 'query session', 'ATIVO', 'active'),      # case does not matter
    ('ja-JP', 'query session', 'Disc', 'disconnected'),  # capture ja-JP_qwinsta_01: English words
    ('ja-JP', 'query session', 'Listen', 'listen'),
])
def test_a_row_printed_with_the_words_of_a_new_language_parses_to_its_state(language, command, word, state):
    data = LANGUAGES[language]
    if command == 'query user':
        row = Row(4, 'maria.silva', 'rdp-tcp#2', state, idle='1:06', idle_minutes=66, logon_time=data['dates'][0])
        line = render_user_row(row, language)
        header = data['user_header']
    else:
        row = Row(65536 if state == 'listen' else 4, None if state == 'listen' else '山田太郎',
                  'rdp-tcp' if state == 'listen' else None, state)
        line = render_session_row(row, language)
        header = data['session_header']
    line = line.replace(row.state_word, word)
    parsed = parse(command, header + '\r\n' + line + '\r\n')
    assert [(item['id'], item['state'], item['state_word']) for item in parsed] == [(row.id, state, word)]


def test_portuguese_words_in_the_capture_are_the_only_portuguese_words():
    """Only the two words a capture shows are known: a Brazilian listener or connected session is reported with
    state unknown and its printed word (the word here is invented), never guessed."""
    text = LANGUAGES['pt-BR']['session_header'] + '\n' + render_session_row(
        Row(3, 'ana', 'rdp-tcp#1', 'active'), 'pt-BR').replace('Ativo', 'Conectado') + '\n'
    assert [(row['state'], row['state_word']) for row in parse_query_session(text)] == [('unknown', 'Conectado')]


def test_korean_header_is_read_and_an_unlisted_state_word_is_kept():
    """No public source shows a Korean state word. quser's Korean column titles are known (a script that renames
    them in real output, id 11187759207): a header alone gives no rows, and a row under it is read with state
    unknown and the printed word (an invented one here), so listing and selection by ID, name or user work."""
    header = ' 사용자 이름           세션 이름          ID  상태    유휴 시간   로그온 시간'
    assert parse_query_user(header + '\r\n') == []
    line = render_user_row(Row(2, '김민수', 'rdp-tcp#0', 'active', idle='5', idle_minutes=5,
                               logon_time='2026-11-20 8:15'), 'en-US').replace('Active', '미상')
    rows = parse_query_user(header + '\n' + line + '\n')
    assert [(row['id'], row['username'], row['session_name'], row['state'], row['state_word'], row['idle_minutes'])
            for row in rows] == [(2, '김민수', 'rdp-tcp#0', 'unknown', '미상', 5)]


def test_the_printed_state_word_is_kept_for_known_words_too():
    text = render('query session', [Row(4, 'bob', None, 'disconnected')], 'de-DE')
    assert [(row['state'], row['state_word']) for row in parse_query_session(text)] == [('disconnected', 'Getr.')]


def test_counter_lines_after_the_table_are_accepted():
    """qwinsta /COUNTER adds the number of sessions created, disconnected and reconnected after the table
    (Microsoft's query session reference). No capture shows their wording, so any "label: number" lines after
    the last row are accepted; a line that is neither a row nor such a line still fails."""
    table = render('query session', [Row(2, 'alice', 'rdp-tcp#1', 'active')], 'en-US')
    for trailer in ('\nTotal sessions created: 7\nTotal sessions disconnected: 2\nTotal sessions reconnected: 1\n',
                    'Total sessions created: 7\nTotal sessions disconnected: 2\n',
                    '\nSitzungen insgesamt erstellt: 7\nSitzungen insgesamt getrennt: 2\n'):
        assert [row['id'] for row in parse_query_session(table + trailer)] == [2]
    with pytest.raises(QueryParseError):
        parse_query_session(table + 'Total sessions created: 7\nthis is not a row\n')
    two = render('query session', [Row(2, 'alice', 'rdp-tcp#1', 'active'), Row(4, 'bob', None, 'disconnected')],
                 'en-US').split('\n')
    with pytest.raises(QueryParseError):  # a counter-like line between rows is not a counter
        parse_query_session('\n'.join(two[:2] + ['Total sessions created: 7'] + two[2:]))


def test_unknown_idle_word_raises_and_names_it():
    text = render('query user', [Row(2, 'mario', 'console', 'active', idle='nessuno', logon_time='1/2/2024 9:05')],
                  'it-IT')
    with pytest.raises(QueryParseError) as caught:
        parse_query_user(text)
    assert caught.value.word == 'nessuno'


def test_query_user_row_must_have_a_user():
    """quser lists user sessions only: a row with no name at all is not quser output."""
    line = _put(' ', 43, '4') + '  Disc            .  7/13/2018 11:26 AM'
    with pytest.raises(QueryParseError) as caught:
        parse_query_user(LANGUAGES['en-US']['user_header'] + '\n' + line)
    assert caught.value.line == line


def test_bytes_are_refused():
    with pytest.raises(TypeError):
        parse_query_user(b'No User exists for *')


# --------------------------------------------------------------------------------------------------------------
# display_width
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, width', [
    ('', 0), ('console', 7), ('用户名', 6), ('Ａ', 2), ('Администратор', 13), ('セッション名', 12), ('山田 a', 6),
])
def test_display_width(text, width):
    assert display_width(text) == width


# --------------------------------------------------------------------------------------------------------------
# Property: parse(render(rows)) == rows
# --------------------------------------------------------------------------------------------------------------

NAME_CHARACTERS = ('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-$#'
                   '山田太郎用户管理员测试王李张' 'セッションユーザー'
                   'абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЁЖЗИЙ' 'ÄÖÜäöüßéèçñ')


@st.composite
def names(draw, max_width, spaces):
    """Names of at most ``max_width`` columns; with ``spaces``, words joined by single spaces."""
    words = draw(st.lists(st.text(NAME_CHARACTERS, min_size=1, max_size=8), min_size=1, max_size=3 if spaces else 1))
    name = ' '.join(words)
    while _width(name) > max_width:
        name = name[:-1]
    return name.rstrip()


@st.composite
def idle_cells(draw, none_word):
    """An IDLE TIME cell in one of its formats, with the minutes it means."""
    kind = draw(st.sampled_from(('dot', 'minutes', 'hours', 'days') + (('none',) if none_word else ())))
    if kind == 'dot':
        return '.', 0
    if kind == 'none':
        return none_word, None
    if kind == 'minutes':
        minutes = draw(st.integers(1, 59))
        return str(minutes), minutes
    hours, minutes = draw(st.integers(0 if kind == 'days' else 1, 23)), draw(st.integers(0, 59))
    if kind == 'hours':
        return '%d:%02d' % (hours, minutes), hours * 60 + minutes
    days = draw(st.integers(1, 99))
    return '%d+%02d:%02d' % (days, hours, minutes), (days * 24 + hours) * 60 + minutes


@st.composite
def session_names(draw):
    name = draw(names(16, spaces=False))
    if draw(st.booleans()) and _width(name) > 13:
        name = name[:len(name) - 3] + '...'  # long names are cut with "..."
        while _width(name) > 16:
            name = name[:-4] + '...'
    return name


@st.composite
def tables(draw, command):
    language = draw(st.sampled_from(sorted(LANGUAGES)))
    data = LANGUAGES[language]
    count = draw(st.integers(1, 6))
    # quser IDs kept to three digits: its SESSIONNAME field ends three columns before the ID's end
    ids = draw(st.lists(st.integers(0, 999 if command == 'query user' else 65540), min_size=count,
                        max_size=count, unique=True))
    rows = []
    for session_id in ids:
        state = draw(st.sampled_from(sorted(data['states'])))
        session_name = draw(st.none() | session_names())
        if command == 'query user':
            idle, minutes = draw(idle_cells(data['none']))
            day, month, hour, minute = (draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(0, 23)),
                                        draw(st.integers(0, 59)))
            logon = draw(st.sampled_from(('%d/%d/2025 %d:%02d %s' % (month, day, hour % 12 + 1, minute,
                                                                     'AM' if hour < 12 else 'PM'),
                                          '%02d.%02d.2025 %02d:%02d' % (day, month, hour, minute),
                                          '2025/%d/%d %d:%02d' % (month, day, hour, minute),
                                          '2025-%02d-%02d %d:%02d' % (month, day, hour, minute))))
            rows.append(Row(session_id, draw(names(20, spaces=True)), session_name, state,
                            current=draw(st.booleans()), idle=idle, idle_minutes=minutes, logon_time=logon))
        else:
            rows.append(Row(session_id, draw(st.none() | names(20, spaces=True)), session_name, state,
                            current=draw(st.booleans()), type=draw(st.sampled_from((None, 'rdpwd', 'wdcon'))),
                            device=draw(st.sampled_from((None, 'Console')))))
    rows = [row for row in rows if row.username or command == 'query session']
    newline = draw(st.sampled_from(('\n', '\r\n')))
    return language, rows, newline


CASES = st.sampled_from(('query user', 'query session')).flatmap(
    lambda command: st.tuples(st.just(command), tables(command)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CASES)
def test_parse_inverts_render(case):
    command, (language, rows, newline) = case
    text = render(command, rows, language, newline=newline)
    assert parse(command, text) == [row.expected(command) for row in rows]


def test_listener_with_an_unsourced_state_word_is_still_a_listener():
    text = (' SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE\n'
            ' rdp-tcp                                 65536  Ecoute\n')
    assert parse_query_session(text)[0]['state'] == 'listen'
    assert parse_query_session(text.replace('65536', '    7'))[0]['state'] == 'unknown'
