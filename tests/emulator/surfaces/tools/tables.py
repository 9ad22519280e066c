"""The text tables of ``query user`` and ``query session``, laid out by display width.

Columns are fixed-width fields, as a printf would write them: a value wider than its field pushes everything
after it to the right (the Russian state word ``Активно`` moves the idle time one column: corpus
ru-RU_quser_02). Widths are *display* widths: an East Asian wide character takes two columns (the Chinese
captures ids 13361787281 and 43787358635 line up only when counted so: docs/sources.md, "Table layout").

``query user`` (docs/sources.md, "Table layout"; measured on corpus en-US_quser_04, de-DE_quser_01, ru-RU_quser_0x)::

    col 0 marker | 1 USERNAME (22) | 23 SESSIONNAME (18) | ID right-aligned, ending at col 43 (3)
    | 2 spaces | 46 STATE (6) | IDLE TIME right-aligned in 11 | 2 spaces | LOGON TIME

The "no input recorded" word (``none``, ``Kein``, ``无``) is not right-aligned like a number: it starts
``lead`` columns after the STATE field, is padded to ``width``, and ``trail`` spaces follow (locale data
``idle_none_layout``; 6/4/3 fits the en, de, fr, es and zh captures, 3/0/1 the Russian one).

``query session`` (docs/sources.md, "Table layout"; corpus de-DE_qwinsta_01)::

    col 0 marker | 1 SESSIONNAME (18) | 19 USERNAME (22) | ID right-aligned, ending at col 45 (5)
    | 2 spaces | 48 STATE (8) | 56 TYPE (12) | 68 DEVICE (8)

Published captures show rows without trailing spaces (corpus de-DE_qwinsta_01, id 61031586118); one capture
of a Windows 11 host shows the header ending in a space and rows padded through DEVICE (id 62814943960):
``padded=True`` renders that form. Session names longer than 16 columns are cut to 13 and ``...``
(``31c5ce94259d4...``, id 59090109455). ``query user`` prints user names in lower case while ``query
session`` keeps their case (corpus de-DE_quser_02 ``leo`` against de-DE_qwinsta_01 ``Leo``; the zh captures
``administrator`` against ``Administrator``).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from tests.emulator.windows.locales import Locale
from tests.emulator.windows.sessions import Session

from .dates import format_datetime


NAME_LIMIT = 16
"""Longest session name printed whole; longer ones are cut to 13 columns plus ``...``."""


def display_width(text: str) -> int:
    """Columns ``text`` takes in a console: 2 for East Asian wide and full-width characters, else 1."""
    return sum(2 if unicodedata.east_asian_width(char) in ('W', 'F') else 1 for char in text)


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` columns (never cut)."""
    return text + ' ' * max(0, width - display_width(text))


def right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` columns (never cut)."""
    return ' ' * max(0, width - display_width(text)) + text


def cut_name(name: str) -> str:
    """A session name as the tables print it (long names cut with ``...``)."""
    if display_width(name) <= NAME_LIMIT:
        return name
    out = ''
    for char in name:
        if display_width(out + char) > NAME_LIMIT - 3:
            break
        out += char
    return out + '...'


def format_idle(minutes: int) -> str:
    """IDLE TIME for a number of minutes: ``.``, ``52``, ``1:39``, ``15+15:12``.

    See docs/sources.md, "Idle time and the none words".
    """
    if minutes < 1:
        return '.'
    if minutes < 60:
        return str(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f'{days}+{hours:02d}:{mins:02d}'
    return f'{hours}:{mins:02d}'


def format_logon(moment: datetime, locale: Locale, pattern: str | None = None) -> str:
    """LOGON TIME in the locale's short date and time (or ``pattern``, a user's regional customisation)."""
    return format_datetime(moment, pattern or str(locale.get('date_format')),
                           str(locale.get('am_designator')), str(locale.get('pm_designator')))


def query_user_lines(sessions: list[Session], locale: Locale, now: datetime, current_id: int | None,
                     date_format: str | None = None) -> list[str]:
    """Header and one row per session with a user, in ID order."""
    lines = [str(locale.get('quser_header'))]
    layout = locale.get('idle_none_layout')
    for session in sorted((s for s in sessions if s.has_user), key=lambda s: s.id):
        marker = '>' if session.id == current_id else ' '
        row = (marker + pad((session.user or '').lower(), 22) + pad(cut_name(session.display_name), 18)
               + right(str(session.id), 3) + '  ' + pad(locale.state_word(session.state), 6))
        idle = session.idle_minutes(now)
        if idle is None:
            word = str(locale.get('idle_none'))
            row += ' ' * int(layout['lead']) + pad(word, int(layout['width'])) + ' ' * int(layout['trail'])
        else:
            row += right(format_idle(idle), 11) + '  '
        if session.logon_time is not None:
            row += format_logon(session.logon_time, locale, date_format)
        lines.append(row.rstrip())
    return lines


def query_session_lines(sessions: list[Session], locale: Locale, current_id: int | None,
                        padded: bool = False) -> list[str]:
    """Header and one row per session (listeners included), in ID order."""
    header = str(locale.get('qwinsta_header'))
    lines = [header + ' ' if padded else header]
    for session in sorted(sessions, key=lambda s: s.id):
        marker = '>' if session.id == current_id else ' '
        row = (marker + pad(cut_name(session.display_name), 18) + pad(session.user or '', 22)
               + right(str(session.id), 5) + '  ' + pad(locale.state_word(session.state), 8)
               + pad(session.type or '', 12) + pad(session.device or '', 8))
        lines.append(row if padded else row.rstrip())
    return lines
