# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the localized words of query user / query session."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils import locales


def test_state_names_are_the_ten_wts_states_in_order():
    assert locales.STATE_NAMES == ('active', 'connected', 'connect_query', 'shadow', 'disconnected', 'idle',
                                   'listen', 'reset', 'down', 'init')


def test_every_word_maps_to_a_canonical_state():
    assert set(locales.STATE_WORDS.values()) <= set(locales.STATE_NAMES)
    # English alone names all ten states (Japanese hosts print the same words).
    english = ('Active', 'Conn', 'ConnQ', 'Shadow', 'Disc', 'Idle', 'Listen', 'Reset', 'Down', 'Init')
    assert [locales.state_from_word(word) for word in english] == list(locales.STATE_NAMES)


@pytest.mark.parametrize('word, state', [
    ('Aktiv', 'active'), ('Getr.', 'disconnected'), ('GETR', 'disconnected'), ('getr', 'disconnected'),
    ('Verb.', 'connected'), ('Abhör.', 'listen'), ('Abho\u0308r.', 'listen'),  # decomposed ö
    ('Actif', 'active'), ('Déco', 'disconnected'), ('Activo', 'active'), ('Desc', 'disconnected'),
    ('Attivo', 'active'), ('Активно', 'active'), ('Диск', 'disconnected'), ('Подключено', 'connected'),
    ('Прием', 'listen'), ('运行中', 'active'), ('断开', 'disconnected'), ('已连接', 'connected'), ('侦听', 'listen'),
])
def test_localized_state_words(word, state):
    assert locales.state_from_word(word) == state


@pytest.mark.parametrize('word', ['Écoute', 'Aktive', 'Activ', 'nessuno', '', 'Disconnected'])
def test_unknown_words_are_not_guessed(word):
    assert locales.state_from_word(word) is None


def test_a_word_with_two_meanings_is_refused():
    table = (('Disc', 'disconnected', 'en', 'a'), ('disc.', 'connected', 'xx', 'b'))
    with pytest.raises(ValueError):
        locales._state_words(table)


@pytest.mark.parametrize('word, known', [
    ('none', True), ('None', True), ('Kein', True), ('aucun', True), ('ninguno', True), ('отсутствует', True),
    ('无', True), ('nessuno', False), ('なし', False), ('.', False),
])
def test_idle_none_words(word, known):
    assert locales.is_idle_none_word(word) is known


@pytest.mark.parametrize('line, message', [
    ('No User exists for *', True), ('no user exists for rdp-tcp#3', True), ('No session exists for *', True),
    ('Für * ist kein Benutzer vorhanden.', True),
    ('Error [5]:Access is denied.', False), ('Error 0x000006BA enumerating sessionnames', False),
    ('5*3', False),
])
def test_no_session_messages(line, message):
    assert locales.is_no_session_message(line) is message


def test_header_titles_are_upper_case_words():
    assert locales.is_header_title('USERNAME') and locales.is_header_title('GERÄT')
    assert locales.is_header_title('会话名')
    assert not locales.is_header_title('Username')
