# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Localized words of ``query user`` and ``query session`` output: data and one resolver.

The parser locates cells by layout; this module only says what a localized word *means*. Every word is listed
with the public source that shows it. A word that is not listed is unknown: the resolver returns None and the
parser reports it instead of guessing.

Sources named "id NNN" are public GitHub files whose repository was not recorded, and "corpus <file>" is a capture
kept in ``tests/fixtures/captures/`` (docs/sources.md, "How to read this page"); the others are repositories and
issues by name.
"""

from __future__ import annotations

import re
import unicodedata

from .model import STATE_NAMES

__all__ = (
    'STATE_NAMES', 'STATE_WORDS', 'IDLE_NONE_WORDS', 'HEADER_TITLES', 'NO_SESSION_MESSAGES',
    'normalize_word', 'state_from_word', 'is_idle_none_word', 'is_header_title', 'is_no_session_message',
)

# (word as printed, canonical state, language, source)
_STATE_WORD_TABLE = (
    # English; Japanese hosts print these too under a Japanese header (capture ja-JP_qwinsta_01, id 481557477:
    # " セッション名 ユーザー名 ID 状態 種類 デバイス" over Disc/Active/Listen rows). Short forms: docs/sources.md, "State words"
    # (Disc, Active, Conn, Listen, idle in real captures; the other five in none); the ten states are
    # WTS_CONNECTSTATE_CLASS (MS-RSMC 3.6.4.1.3.3).
    ('Active', 'active', 'en', 'corpus en-US_quser_02/04; Server 2022 query session, id 61031586118'),
    ('Conn', 'connected', 'en', 'id 61031586118 (console 2 Conn); makezine capture'),
    ('ConnQ', 'connect_query', 'en', 'no capture: the state name (docs/sources.md, "State words")'),
    ('Shadow', 'shadow', 'en', 'no capture: the state name (docs/sources.md, "State words")'),
    ('Disc', 'disconnected', 'en', 'corpus en-US_quser_03; id 61031586118'),
    ('Idle', 'idle', 'en', 'bare "6 idle" rows, JSI Tip 5428 (docs/sources.md, "State words")'),
    ('Listen', 'listen', 'en', 'id 61031586118 (rdp-tcp 65536 Listen)'),
    ('Reset', 'reset', 'en', 'no capture: the state name (docs/sources.md, "State words")'),
    ('Down', 'down', 'en', 'no capture: the state name (docs/sources.md, "State words")'),
    ('Init', 'init', 'en', 'no capture: the state name (docs/sources.md, "State words")'),
    # German
    ('Aktiv', 'active', 'de', 'corpus de-DE_quser_01, de-DE_qwinsta_01; centreon/centreon-plugins '
                              'src/os/windows/local/mode/sessions.pm (language "de")'),
    ('Getr.', 'disconnected', 'de', 'corpus de-DE_qwinsta_01; centreon-plugins sessions.pm ("Getr\\.")'),
    ('Verb.', 'connected', 'de', 'no capture recorded (docs/sources.md, "State words")'),
    ('Abhör.', 'listen', 'de', 'corpus de-DE_qwinsta_01 (rdp-tcp 65536 Abhör.)'),
    # French
    ('Actif', 'active', 'fr', 'centreon-plugins sessions.pm (language "fr"); centreon/centreon-plugins#1603; '
                              'French quser captures id 27198537975, id 53853671012'),
    ('Déco', 'disconnected', 'fr', 'centreon/centreon-plugins#1603 (services 0 Déco); sessions.pm "D.*?co"'),
    # Spanish
    ('Activo', 'active', 'es', 'corpus es-EC_quser_01; VertigoRay/PSQuser#3'),
    ('Desc', 'disconnected', 'es', 'corpus es-EC_quser_02; VertigoRay/PSQuser#3'),
    # Italian
    ('Attivo', 'active', 'it', 'centreon-plugins sessions.pm (language "it")'),
    # 'Disc' is Italian too (sessions.pm, language "it"): the English entry covers it.
    # Russian
    ('Активно', 'active', 'ru', 'corpus ru-RU_quser_01/02; qwinsta transcript id 59090109455'),
    ('Диск', 'disconnected', 'ru', 'qwinsta transcript id 59090109455 (services 0 Диск); test data id 55468471937'),
    ('Подключено', 'connected', 'ru', 'qwinsta transcript id 59090109455 (console 1 Подключено)'),
    ('Прием', 'listen', 'ru', 'qwinsta transcript id 59090109455 (rdp-tcp 65537 Прием)'),
    # Chinese (Simplified)
    ('运行中', 'active', 'zh', 'quser/qwinsta transcripts id 19401283120, id 43787358635'),
    ('断开', 'disconnected', 'zh', 'qwinsta transcripts id 19401283120, id 43787358635 (services 0 断开)'),
    ('已连接', 'connected', 'zh', 'qwinsta transcript id 43787358635 (console 1 已连接)'),
    ('侦听', 'listen', 'zh', 'qwinsta transcript id 43787358635 (rdp-tcp 65536 侦听)'),
    # Portuguese (Brazil). One quser table in a source comment of a Brazilian project (capture
    # pt-BR_quser_01_anonymized, id 20285065284; the same lines in ids 11681433246 and 20386632929): names
    # anonymised and an English header, but the rows sit at the measured columns. "Disco" is what that host
    # printed for a disconnected session (a user name, no session name); "Ativo" is also the state of a
    # console row in another Brazilian project's test data (id 69392790056).
    ('Ativo', 'active', 'pt', 'capture pt-BR_quser_01_anonymized (id 20285065284); test data id 69392790056'),
    ('Disco', 'disconnected', 'pt', 'capture pt-BR_quser_01_anonymized (id 20285065284)'),
)
# Searched for and not found in any public capture or document (so not listed; such rows are read with state
# "unknown" and the printed word): the state words of Korean, Traditional Chinese (zh-TW, zh-HK), European
# Portuguese, Polish, Turkish, Czech, Dutch, Swedish, Norwegian, Danish and Finnish hosts, the Brazilian
# words for connected and listen, and any Japanese state word other than the English ones above.

# (word, language, source): the IDLE TIME cell of a session that has never been idle.
_IDLE_NONE_TABLE = (
    ('none', 'en', 'corpus en-US_quser_02'),
    ('Kein', 'de', 'corpus de-DE_quser_01/02'),
    ('aucun', 'fr', 'French quser captures id 27198537975, id 53853671012'),
    ('ninguno', 'es', 'corpus es-EC_quser_01; VertigoRay/PSQuser#3'),
    ('отсутствует', 'ru', 'corpus ru-RU_quser_01'),
    ('无', 'zh', 'quser transcripts id 19401283120, id 60311109607'),
)
# Not found in any public source, so not listed: the Italian, Japanese, Korean, Chinese (Traditional),
# Portuguese, Polish, Turkish, Czech, Dutch and Nordic words (a guess such as "nessuno" or "なし" would be
# reported as unknown by the parser, which is the intended behaviour until a capture shows it).

# Column titles seen in real headers. They are used only to recognise a header that has no row under it;
# the parser never locates cells by them (French and Spanish titles contain single spaces).
HEADER_TITLES = frozenset((
    # query user / query session, en (docs/sources.md, "Header lines"; corpus)
    'USERNAME', 'SESSIONNAME', 'ID', 'STATE', 'IDLE', 'TIME', 'LOGON', 'TYPE', 'DEVICE',
    # de (corpus de-DE_*)
    'BENUTZERNAME', 'SITZUNGSNAME', 'STATUS', 'LEERLAUF', 'ANMELDEZEIT', 'TYP', 'GERÄT',
    # fr (quser through PsExec, id 53853671012; centreon/centreon-plugins#1603)
    'UTILISATEUR', 'SESSION', 'ÉTAT', 'TEMPS', 'INACT', 'PÉRIPHÉRIQUE',
    # es (corpus es-EC_*)
    'NOMBRE', 'USUARIO', 'SESIÓN', 'ID.', 'ESTADO', 'TIEMPO', 'IN.',
    # it (centreon-plugins sessions.pm, language "it")
    'NOMESESSIONE', 'STATO',
    # ru (corpus ru-RU_*; qwinsta transcript id 59090109455)
    'ПОЛЬЗОВАТЕЛЬ', 'СЕАНС', 'СТАТУС', 'БЕЗДЕЙСТВ.', 'ВРЕМЯ', 'ВХОДА', 'ТИП', 'УСТР-ВО',
    # zh (transcripts id 19401283120, id 43787358635)
    '用户名', '会话名', '状态', '空闲时间', '登录时间', '类型', '设备',
    # ja (capture ja-JP_qwinsta_01, id 481557477)
    'セッション名', 'ユーザー名', '状態', '種類', 'デバイス',
    # ko: quser's titles "사용자 이름", "세션 이름", "상태", "유휴 시간", "로그온 시간", as a PowerShell script renames
    # them in real quser output (id 11187759207); each title is two words but for 상태
    '사용자', '이름', '세션', '상태', '유휴', '시간', '로그온',
))

# Messages printed instead of a table when nothing matches (docs/sources.md, "Nothing to list"). The argument
# takes the place of "*" ("No User exists for console"). Localized forms were not found in any source.
NO_SESSION_MESSAGES = (
    re.compile(r'^No User exists for .+$', re.IGNORECASE),
    re.compile(r'^No session exists for .+$', re.IGNORECASE),
)


def normalize_word(word):
    """Return the form under which a printed word is looked up.

    Composed (NFC), case-folded, without surrounding blanks or trailing periods, so that ``Getr.``, ``GETR``
    and ``getr`` are one word.
    """
    return unicodedata.normalize('NFC', word).strip().casefold().rstrip('.')


def _state_words(table):
    words = {}
    for word, state, language, source in table:
        if state not in STATE_NAMES:
            raise ValueError('%s word %r maps to unknown state %r (%s)' % (language, word, state, source))
        key = normalize_word(word)
        if words.get(key, state) != state:
            raise ValueError('%s word %r maps to both %r and %r' % (language, word, words[key], state))
        words[key] = state
    return words


STATE_WORDS = _state_words(_STATE_WORD_TABLE)
"""Normalized state word -> canonical state name (one of :data:`STATE_NAMES`)."""

IDLE_NONE_WORDS = frozenset(normalize_word(word) for word, _language, _source in _IDLE_NONE_TABLE)
"""Normalized localized "none" words of the IDLE TIME column."""

_HEADER_KEYS = frozenset(normalize_word(title) for title in HEADER_TITLES)


def state_from_word(word):
    """Return the canonical state name of a printed state word, or None when the word is unknown."""
    return STATE_WORDS.get(normalize_word(word))


def is_idle_none_word(word):
    """Tell whether a printed IDLE TIME cell is a known localized "none"."""
    return normalize_word(word) in IDLE_NONE_WORDS


def is_header_title(word):
    """Tell whether a word is a known column title of a header line (exact case: titles are upper case)."""
    return word == word.upper() and normalize_word(word) in _HEADER_KEYS


def is_no_session_message(line):
    """Tell whether a line says that nothing matched instead of printing a table.

    The known English messages match exactly. Localized forms are unknown, but every form carries the
    queried argument, which is ``*`` when nothing was named; a line holding ``*`` as a word of its own is
    taken for such a message (no error text of the tools contains one: see
    docs/sources.md, "The session tools' error lines" and docs/sources.md, "Errors of query").
    """
    text = line.strip()
    if any(pattern.match(text) for pattern in NO_SESSION_MESSAGES):
        return True
    return '*' in text.split()
