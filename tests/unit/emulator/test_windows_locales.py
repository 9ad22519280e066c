"""Locale data: complete files, every value sourced or marked, English fallback, OEM code pages."""

from __future__ import annotations

import codecs

import pytest

from tests.emulator.windows import locales

REQUIRED = ('en-US', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'ru-RU', 'zh-CN', 'ja-JP')


def test_the_required_languages_have_data():
    assert set(REQUIRED) <= set(locales.available())


@pytest.mark.parametrize('tag', locales.available())
def test_every_file_names_every_key_with_a_source_or_the_unsourced_mark(tag):
    locale = locales.load(tag)
    assert locale.missing_keys() == []
    for key in locale.keys():
        entry = locale.entry(key)
        assert entry.unsourced or (entry.source and entry.value is not None), key


@pytest.mark.parametrize('tag', locales.available())
def test_every_text_can_be_written_in_the_oem_code_page(tag):
    locale = locales.load(tag)
    codecs.lookup(locale.codec)
    for key in locale.keys():
        value = locale.get(key)
        if isinstance(value, str):
            value.encode(locale.codec)  # raises when the host could not print its own string


@pytest.mark.parametrize('tag, page', [('en-US', 437), ('de-DE', 850), ('fr-FR', 850), ('es-ES', 850),
                                       ('it-IT', 850), ('ru-RU', 866), ('zh-CN', 936), ('ja-JP', 932),
                                       ('pt-BR', 850)])
def test_oem_code_pages_follow_the_nls_table(tag, page):
    # docs/sources.md, "Code pages by locale" (tats-u/locale-name-code-page nls_info.json).
    assert locales.load(tag).oem_codepage == page


@pytest.mark.parametrize('tag, text', [
    ('en-US', 'Active code page: 437'),
    ('de-DE', 'Aktive Codepage: 850.'),
    ('ru-RU', 'Текущая кодовая страница: 866'),
    ('ja-JP', '現在のコード ページ: 932'),
    ('zh-CN', '活动代码页: 936'),
    ('fr-FR', 'Page de codes active : 850'),
    ('es-ES', 'Página de códigos activa: 850'),
    ('it-IT', 'Active code page: 850'),  # not found for Italian: English
])
def test_chcp_display_line_per_language(tag, text):
    locale = locales.load(tag)
    assert locale.text('chcp', cp=locale.oem_codepage) == text


def test_unsourced_strings_fall_back_to_english_and_say_so():
    japanese = locales.load('ja-JP')
    assert not japanese.is_sourced('quser_header')
    assert japanese.get('quser_header') == locales.load('en-US').get('quser_header')
    assert japanese.is_sourced('qwinsta_header')
    assert japanese.state_word('active') == 'Active'  # sourced: Japanese hosts print English states
    italian = locales.load('it-IT')
    assert italian.state_word('active') == 'Attivo' and italian.state_word('listen') == 'Listen'


def test_brazilian_host_prints_the_two_sourced_state_words_and_english_for_the_rest():
    # corpus pt-BR_quser_01_anonymized: Ativo and Disco; nothing else of the Brazilian text was found.
    brazilian = locales.load('pt-BR')
    assert (brazilian.state_word('active'), brazilian.state_word('disconnected')) == ('Ativo', 'Disco')
    assert brazilian.state_word('listen') == 'Listen' and not brazilian.is_sourced('state_listen')
    assert brazilian.get('quser_header') == locales.load('en-US').get('quser_header')


def test_error_texts_are_localized_where_known_and_english_otherwise():
    assert locales.load('de-DE').error_text(5) == 'Zugriff verweigert'
    assert locales.load('ru-RU').text('error_line', code=5, text=locales.load('ru-RU').error_text(5)) == \
        'Ошибка [5]:Отказано в доступе'
    assert locales.load('de-DE').error_text(1722) == 'The RPC server is unavailable.'
    assert locales.load('en-US').error_text(87) == 'The parameter is incorrect.'


def test_a_locale_file_with_an_unknown_key_or_no_source_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(locales, 'LOCALE_DIR', tmp_path)
    (tmp_path / 'en-US.yml').write_text('tag: en-US\nentries:\n  chcp: {value: "x {cp}", source: s}\n',
                                        encoding='utf-8')
    (tmp_path / 'xx-XX.yml').write_text('tag: xx-XX\nentries:\n  bogus: {value: 1, source: s}\n', encoding='utf-8')
    (tmp_path / 'yy-YY.yml').write_text('tag: yy-YY\nentries:\n  chcp: {value: "y"}\n', encoding='utf-8')
    with pytest.raises(locales.LocaleError, match='bogus'):
        locales.Locale('xx-XX')
    with pytest.raises(locales.LocaleError, match='source'):
        locales.Locale('yy-YY')
    with pytest.raises(locales.LocaleError, match='no locale data'):
        locales.Locale('zz-ZZ')
