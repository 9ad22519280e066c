# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse the text of ``query user`` (quser) and ``query session`` (qwinsta), whatever the display language.

The tools print fixed columns padded by *display width*: an East-Asian wide character takes two columns
(docs/sources.md, "Table layout": the Chinese and Japanese captures cited in locales.py line up only when
counted that way). Header words are localized and some contain single spaces (French
``TEMPS INACT``, Spanish ``TIEMPO IN.``), so the header is never split into columns. Instead each row is
anchored on its ID cell, the only cell that is always a number:

- left of the ID are the two name cells, told apart by the display column where the second one starts;
- right of the ID come the state word, then (``query user``) the idle time and the logon time, each the next
  word; the logon time is the rest of the line, kept as printed.

Measured 0-based display columns of real output (docs/sources.md, "Table layout"; checked against the corpus):

========================  ===========================================================================
query user                ``>`` 0; USERNAME 1; SESSIONNAME 23; ID ends at 43; STATE 46; IDLE ends near
                          62 (a "none" word starts at 58 and may overflow); LOGON TIME 65 or pushed right
query session             ``>`` 0; SESSIONNAME 1; USERNAME 19; ID ends at 45; STATE 48; TYPE 56; DEVICE 68
========================  ===========================================================================

Tolerance: all rows of a table are expected to end their ID in one column. When they do so anywhere else
than the measured column (text whose widths were edited, like the corpus file en-US_quser_03), the whole
geometry is shifted with it; a single row whose ID is elsewhere (a name wider than its field pushes the
rest of its row right) is read relative to its own ID.
"""

from __future__ import annotations

import re
import unicodedata

from .locales import is_header_title, is_idle_none_word, is_no_session_message, state_from_word
from .model import FIRST_LISTENER_ID, UNKNOWN_STATE

__all__ = ('QueryParseError', 'display_width', 'parse_query_session', 'parse_query_user')


class QueryParseError(ValueError):
    """The text is neither a session table nor a "no session" message, or a cell holds an unknown word.

    :ivar line: the offending line, as it was in the text (None when the error is not about one line).
    :ivar word: the unknown state or idle word, when that is the problem.
    """

    def __init__(self, message, line=None, word=None):
        self.line = line
        self.word = word
        super().__init__(message if line is None else '%s: %r' % (message, line))


def _char_width(char):
    return 2 if unicodedata.east_asian_width(char) in ('W', 'F') else 1


def display_width(text):
    """Return the number of console columns ``text`` takes: East-Asian wide and fullwidth characters take 2."""
    return sum(_char_width(char) for char in text)


class _Layout:
    """Where the cells of one command's table are, relative to the column where the ID cell ends."""

    def __init__(self, command, id_end, second_name_column, first_key, second_key, has_times):
        self.command = command
        self.id_end = id_end
        self.second_name_offset = id_end - second_name_column
        self.first_key = first_key
        self.second_key = second_key
        self.has_times = has_times


# docs/sources.md, "Table layout"; corpus de-DE_quser_01 (ID at 43, SESSIONNAME at 23) and de-DE_qwinsta_01
# (ID at 45, 65536 from 41, USERNAME at 19).
_QUERY_USER = _Layout('query user', 43, 23, 'username', 'session_name', True)
_QUERY_SESSION = _Layout('query session', 45, 19, 'session_name', 'username', False)

_NUMBER = re.compile(r'[0-9]+')
_HOURS = re.compile(r'([0-9]+):([0-9]{1,2})')
_DAYS = re.compile(r'([0-9]+)\+([0-9]{1,2}):([0-9]{1,2})')
# A cell that is a date: what a LOGON TIME starts with in every regional format seen (7/13/2018,
# 28.04.2025, 2021-05-13, 2026/11/20; corpus and locales.py sources).
_DATE = re.compile(r'[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}')
_LINE_BREAK = re.compile(r'\r\n|\r|\n')


class _Word:
    """A run of non-blank characters of a line, with its character and display-column extent."""

    __slots__ = ('text', 'first', 'last', 'column', 'end_column')

    def __init__(self, text, first, last, column, end_column):
        self.text = text
        self.first = first            # index of the first character in the line
        self.last = last              # index after the last character
        self.column = column          # display column of the first character
        self.end_column = end_column  # display column of the last character's last cell

    def is_number(self):
        return _NUMBER.fullmatch(self.text) is not None


def _words(line):
    words = []
    start = None
    start_column = column = 0
    for index, char in enumerate(line):
        if char.isspace():
            if start is not None:
                words.append(_Word(line[start:index], start, index, start_column, column - 1))
                start = None
        elif start is None:
            start, start_column = index, column
        column += _char_width(char)
    if start is not None:
        words.append(_Word(line[start:], start, len(line), start_column, column - 1))
    return words


class _Row:
    """One line of a table, split into words, with the positions its ID cell could be at."""

    def __init__(self, line):
        self.line = line
        self.current = line.startswith('>')
        # The marker takes column 0 of the row; blank it so that it never sticks to a name.
        self.words = _words(' ' + line[1:] if self.current else line)
        # An ID is a number followed by a word that does not start with a digit (the state). Names may hold
        # numbers too, and idle times and dates are followed by digits, so this keeps only real candidates.
        self.candidates = [
            index for index, word in enumerate(self.words[:-1])
            if word.is_number() and not _NUMBER.match(self.words[index + 1].text)
        ]


def _split_lines(text):
    if text.startswith('\ufeff'):
        text = text[1:]
    return [line.rstrip() for line in _LINE_BREAK.split(text)]


def _looks_like_header(line):
    """Tell whether a line is a header even with no row under it.

    Every header seen is in capitals (or in a script without case) and has an ``ID`` title; an error or
    message line has lower-case letters. Known titles of other columns are accepted in place of ``ID``.
    """
    if any(char.islower() for char in line):
        return False
    words = line.split()
    return 'ID' in words or 'ID.' in words or sum(1 for word in words if is_header_title(word)) >= 2


def _table_id_column(rows, layout):
    """Return the display column where the ID cells of this table end."""
    ends = [set(row.words[index].end_column for index in row.candidates) for row in rows]
    if all(layout.id_end in row_ends for row_ends in ends):
        return layout.id_end
    counts = {}
    for row_ends in ends:
        for column in row_ends:
            counts[column] = counts.get(column, 0) + 1
    if not counts:
        return layout.id_end
    return min(counts, key=lambda column: (-counts[column], abs(column - layout.id_end), -column))


def _minutes(cell, line):
    text = cell.text
    if text == '.':
        return 0
    if _NUMBER.fullmatch(text):
        return int(text)
    match = _HOURS.fullmatch(text)
    if match:
        return int(match.group(1)) * 60 + int(match.group(2))
    match = _DAYS.fullmatch(text)
    if match:
        return (int(match.group(1)) * 24 + int(match.group(2))) * 60 + int(match.group(3))
    if is_idle_none_word(text):
        return None
    raise QueryParseError('unknown idle time %r (not ".", minutes, H:MM, D+HH:MM or a known "none" word)'
                          % (text,), line, text)


def _parse_row(row, id_column, layout):
    line = row.line
    if not row.candidates:
        raise QueryParseError('%s row without a session ID' % layout.command, line)
    index = min(row.candidates, key=lambda item: (abs(row.words[item].end_column - id_column), -item))
    id_word = row.words[index]
    # The second name cell starts a fixed distance left of the end of the ID cell (the row's own ID: a row
    # pushed right by a wide name keeps its cells together).
    split_column = id_word.end_column - layout.second_name_offset
    first = [word for word in row.words[:index] if word.column < split_column]
    second = [word for word in row.words[:index] if word.column >= split_column]
    record = {
        'id': int(id_word.text),
        layout.first_key: line[first[0].first:first[-1].last] if first else None,
        layout.second_key: line[second[0].first:second[-1].last] if second else None,
    }
    after = row.words[index + 1:]
    state = state_from_word(after[0].text)
    if state is None and record['id'] >= FIRST_LISTENER_ID and not layout.has_times:
        # A listener's ID is 65536 or more (MS-TSTS 2.2.2.13), whatever word the display language gives its
        # state; listeners are never acted on, so an unsourced word there must not stop the whole snapshot.
        state = 'listen'
    if state is None:
        # A word no public source lists: not guessed. The row is still read (its cells are located by layout,
        # not by the word); what needs the state refuses to go on (planner.py).
        state = UNKNOWN_STATE
    idle_minutes = logon_time = None
    if layout.has_times:
        if not record['username']:
            raise QueryParseError('query user row without a user name', line)
        times = after[1:]
        if times and _DATE.match(times[0].text):
            times = [None] + times  # a blank IDLE TIME cell: the date of the LOGON TIME comes next
        if times and times[0] is not None:
            idle_minutes = _minutes(times[0], line)
        if len(times) > 1:
            logon_time = line[times[1].first:].rstrip()
    return {
        'id': record['id'],
        'session_name': record['session_name'],
        'username': record['username'],
        'state': state,
        'state_word': after[0].text,
        'current': row.current,
        'idle_minutes': idle_minutes,
        'logon_time': logon_time,
    }


def _parse(text, layout):
    if not isinstance(text, str):
        raise TypeError('%s output must be decoded text (str), not %s' % (layout.command, type(text).__name__))
    lines = [line for line in _split_lines(text) if line.strip()]
    if not lines:
        return []
    header, rest = lines[0], lines[1:]
    if _Row(header).candidates:
        raise QueryParseError('%s output has a session row before any header line' % layout.command, header)
    if not rest:
        if _looks_like_header(header) or is_no_session_message(header):
            return []
        raise QueryParseError('%s output is neither a session table nor a "no session" message'
                              % layout.command, header)
    rows = [_Row(line) for line in rest]
    if not rows[0].candidates and not _looks_like_header(header):
        # Not a table: several lines of messages, or of something else.
        for line in lines:
            if not is_no_session_message(line):
                raise QueryParseError('%s output is neither a session table nor a "no session" message'
                                      % layout.command, line)
        return []
    rows = _without_counters(rows, layout)
    for row in rows:
        if not row.candidates:
            raise QueryParseError('%s output has a line that is not a session row' % layout.command, row.line)
    id_column = _table_id_column(rows, layout)
    return [_parse_row(row, id_column, layout) for row in rows]


_COUNTER = re.compile(r'^\s*[^\d\s][^:：]*[:：]\s*\d+\s*$')
"""A counter line of ``query session /counter``: a label, a colon, a number (Microsoft's reference says the option
shows the numbers of sessions created, disconnected and reconnected; no capture shows the wording)."""


def _without_counters(rows, layout):
    """The rows without the counter lines that ``query session /counter`` prints after the table: only a run of
    such lines at the very end, and only for query session, so that a malformed row inside the table still fails."""
    if layout.has_times:
        return rows
    end = len(rows)
    while end > 1 and not rows[end - 1].candidates and _COUNTER.match(rows[end - 1].line):
        end -= 1
    return rows[:end]


def parse_query_user(text):
    """Parse the output of ``query user`` (quser).

    :param text: the tool's output, already decoded; CRLF or LF line ends.
    :returns: one dict per session row, with keys ``id`` (int), ``session_name`` (str or None when the cell is
        blank), ``username`` (str), ``state`` (a canonical name of ``locales.STATE_NAMES``, or ``unknown`` for a
        word no source lists), ``state_word`` (the word as printed), ``current`` (the ``>`` marker),
        ``idle_minutes`` (int, or None for a "none" word or a blank cell) and ``logon_time`` (the cell as printed,
        or None). A "no user" message (or no text at all) gives an empty list.
    :raises QueryParseError: for text that is not such output, or an unknown idle word.
    """
    return _parse(text, _QUERY_USER)


def parse_query_session(text):
    """Parse the output of ``query session`` (qwinsta).

    :param text: the tool's output, already decoded; CRLF or LF line ends.
    :returns: one dict per session row, with the keys of :func:`parse_query_user`; ``username`` is None for
        rows without a user (services, listeners), ``idle_minutes`` and ``logon_time`` are always None. The
        TYPE and DEVICE cells are not returned.
        Counter lines after the table (``/counter``) are left out.
    :raises QueryParseError: for text that is not such output.
    """
    return _parse(text, _QUERY_SESSION)
