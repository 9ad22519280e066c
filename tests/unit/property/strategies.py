"""Hypothesis strategies: session tables as hosts show them, and selector options as users write them.

Tables hold every state, the services session, listeners, a console, sessions without a user (blank or None
user names), users that hold several sessions, and non-ASCII, combining, right-to-left and punctuation-heavy
names. Selector options are drawn mostly from the names in the table (re-cased, with ``*`` and ``?`` put in)
so that they match something, and partly from free text so that they often match nothing.

Characters whose case folding changes their length (``ß`` -> ``ss``) are left out here on purpose: their
treatment is the subject of ``test_case_folding.py``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from hypothesis import strategies as st

from ansible_collections.winrds.sessions.plugins.module_utils.model import FIRST_LISTENER_ID, STATE_NAMES, Session

_CHARACTERS = (
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
    " #-_.$[](){}'\"`;|&%^!~,+=<>:/"
    'üÜéÉçÇñÑøØжЖдДяЯσΣςπΠ张伟田中'
    '\u0301\u0308'          # combining acute accent and diaeresis
    '\u202e\u200f\u05d0\u05d1\u0639\u0645'  # right-to-left override and mark, Hebrew and Arabic letters
)
NAME_CHARACTERS = ''.join(sorted(set(char for char in _CHARACTERS if len(char.casefold()) == 1)))
"""Characters of generated names: none of them is a wildcard or changes length when case-folded."""

USER_CHARACTERS = NAME_CHARACTERS.replace('\\', '').replace('@', '')
"""User names hold neither ``\\`` nor ``@``: those split a username pattern into user and domain."""

USER_POOL = ('alice', 'Alice', 'bob', 'carol smith', 'Administrator', 'Администратор', 'jürgen', 'JÜRGEN',
             'josé', 'jose\u0301', '张伟', 'o\'brien', 'svc-test-1', 'svc-test-2', '\u202eevil', 'عمر')
DOMAIN_POOL = ('CONTOSO', 'contoso', 'FABRIKAM', 'RDSH01', 'ÜBER')
SESSION_NAME_POOL = ('rdp-tcp#5', 'RDP-Tcp#7', 'rdp-tcp#55', 'ica-cgp#1', 'console', 'Console', 'services',
                     'rdp-tcp', '[x]', 'rdp tcp')

NOW = datetime(2026, 11, 22, 10, 0, 0)
"""The time every generated snapshot is taken at."""


def free_text(alphabet=NAME_CHARACTERS, max_size=10):
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size)


# Strategies are built once: building them inside every draw costs more than drawing from them.
_USERS = st.one_of(st.none(), st.just(''), st.sampled_from(USER_POOL), free_text(USER_CHARACTERS, 8))
_DOMAINS = st.one_of(st.none(), st.sampled_from(DOMAIN_POOL), free_text(USER_CHARACTERS.replace('.', ''), 6))
_NAMES = st.one_of(st.none(), st.just(''), st.sampled_from(SESSION_NAME_POOL), free_text())
_IDLE = st.one_of(st.none(), st.integers(0, 3000))
_STATES = st.sampled_from([name for name in STATE_NAMES if name != 'listen'])
_IDS = st.lists(st.one_of(st.integers(1, 30), st.integers(FIRST_LISTENER_ID, FIRST_LISTENER_ID + 3)),
                unique=True, max_size=10)
_REGULAR = st.tuples(_USERS, _DOMAINS, _NAMES, _STATES, _IDLE, st.integers(0, 10 ** 6))
_CONSOLE = st.tuples(st.one_of(st.none(), st.sampled_from(USER_POOL)), _DOMAINS,
                     st.sampled_from(('console', 'Console')), st.sampled_from(('active', 'connected')), _IDLE)
_LISTENER_NAMES = st.sampled_from(('rdp-tcp', 'RDP-Tcp', 'ica-tcp'))
_SEEDS = st.integers(0, 2 ** 32 - 1)


def _regular_session(ident, drawn):
    user, domain, name, state, idle, stamp = drawn
    if name and name.casefold() == 'console':
        name = 'rdp-%s' % name
    return Session(ident, name, user, domain if user else None, state, idle_minutes=idle if user else None,
                   logon_time='2026-11-%02dT%02d:%02d:00Z' % (10 + stamp % 12, stamp // 12 % 24, stamp // 288 % 60))


@st.composite
def sessions_tables(draw):
    """A list of :class:`Session` with distinct IDs, at most one console, in no particular order."""
    ids = draw(_IDS)
    if draw(st.booleans()):
        ids.append(0)
    regular = [ident for ident in ids if 0 < ident < FIRST_LISTENER_ID]
    console = regular[draw(st.integers(0, len(regular) - 1))] if regular and draw(st.booleans()) else None
    table = []
    for ident in ids:
        if ident == 0:
            table.append(Session(0, 'services', None, None, 'disconnected'))
        elif ident >= FIRST_LISTENER_ID:
            table.append(Session(ident, draw(_LISTENER_NAMES), None, None, 'listen'))
        elif ident == console:
            user, domain, name, state, idle = draw(_CONSOLE)
            table.append(Session(ident, name, user, domain if user else None, state,
                                 idle_minutes=idle if user else None, is_console=True))
        else:
            table.append(_regular_session(ident, draw(_REGULAR)))
    return table


def pattern_of(text, seed):
    """A pattern for ``text``: re-cased, some characters as ``?``, some runs as ``*``; now and then a near miss.

    One drawn seed decides every change, which keeps generation cheap (one draw instead of one per character).
    """
    chooser = random.Random(seed)
    out = []
    index = 0
    while index < len(text):
        action = chooser.choice(('keep', 'keep', 'keep', 'swapcase', 'question', 'star'))
        if action == 'keep':
            out.append(text[index])
        elif action == 'swapcase':
            swapped = text[index].swapcase()
            out.append(swapped if len(swapped) == 1 else text[index])
        elif action == 'question':
            out.append('?')
        else:
            out.append('*')
            index += chooser.randint(0, 2)
        index += 1
    if chooser.randint(0, 14) == 0:
        out.append(chooser.choice(('x', '*', '?')))  # a near miss or a wider pattern
    return ''.join(out) or '*'


def _table_names(table, attribute):
    return sorted(set(getattr(session, attribute) for session in table if getattr(session, attribute)))


_FREE_USER_PATTERNS = free_text(USER_CHARACTERS + '*?')
_FREE_NAME_PATTERNS = free_text(NAME_CHARACTERS + '*?')
_FREE_EXACT_NAMES = free_text().filter(lambda text: text.strip() and not text.strip().isdigit())
_USER_FORMS = st.sampled_from(('bare', 'bare', 'backslash', 'at', 'at_dns'))


def username_pattern(draw, table):
    """A username pattern: of a user of the table (maybe domain-qualified) or free text."""
    users = [session for session in table if session.username]
    if not users or draw(st.integers(0, 7)) == 0:
        return draw(_FREE_USER_PATTERNS)
    session = users[draw(st.integers(0, len(users) - 1))]
    seed = draw(_SEEDS)
    user = pattern_of(session.username, seed)
    form = draw(_USER_FORMS)
    domain = session.domain or DOMAIN_POOL[seed % len(DOMAIN_POOL)]
    if seed % 6 == 0:
        domain = DOMAIN_POOL[seed // 6 % len(DOMAIN_POOL)]
    domain = pattern_of(domain, seed // 7)
    if form == 'backslash':
        return '%s\\%s' % (domain, user)
    if form == 'at':
        return '%s@%s' % (user, domain)
    if form == 'at_dns':
        return '%s@%s.example.com' % (user, domain)
    return user


def name_pattern(draw, table):
    names = _table_names(table, 'name')
    if not names or draw(st.integers(0, 7)) == 0:
        return draw(_FREE_NAME_PATTERNS)
    return pattern_of(names[draw(st.integers(0, len(names) - 1))], draw(_SEEDS))


def exact_session_name(draw, table):
    """A value for ``session`` that is not a number and has no wildcard."""
    names = [name for name in _table_names(table, 'name') if name.strip() and not name.strip().isdigit()]
    if not names or draw(st.integers(0, 3)) == 0:
        return draw(_FREE_EXACT_NAMES)
    name = names[draw(st.integers(0, len(names) - 1))]
    chooser = random.Random(draw(_SEEDS))
    return ''.join(char.swapcase() if len(char.swapcase()) == 1 and chooser.random() < 0.5 else char
                   for char in name)


durations = st.one_of(
    st.integers(0, 120),
    st.integers(0, 3000).map(str),
    st.integers(0, 300).map(lambda minutes: '%dm' % minutes),
    st.integers(0, 50).map(lambda hours: '%dh' % hours),
    st.tuples(st.integers(0, 2), st.integers(0, 23), st.integers(0, 59)).map(
        lambda parts: '%dd%dh%dm' % parts),
)
_STATE_LISTS = st.lists(st.sampled_from(STATE_NAMES), min_size=1, max_size=3, unique=True)
_KINDS = st.integers(0, 2 ** 12 - 1)


@st.composite
def selector_options(draw, table, require=False):
    """Keyword arguments of a valid :class:`Selector` for ``table``; with ``require``, at least one is given."""
    ids = sorted(set(session.id for session in table)) or [1]
    kinds = draw(_KINDS)  # one draw decides which options are given and how many values each has
    options = {}
    if kinds % 5 == 0:
        if kinds & 32:
            options['session'] = str(ids[draw(st.integers(0, len(ids) - 1))])
        else:
            options['session'] = exact_session_name(draw, table)
    else:
        if kinds % 3 == 0:
            options['session_id'] = [ids[draw(st.integers(0, len(ids) - 1))] if kinds & 192 else
                                     draw(st.integers(0, 70000)) for _unused in range(1 + kinds // 7 % 3)]
        if kinds // 3 % 3 == 0:
            options['session_name'] = [name_pattern(draw, table) for _unused in range(1 + kinds // 11 % 3)]
    if kinds & 128 and (kinds & 4 or not options):
        options['username'] = [username_pattern(draw, table) for _unused in range(1 + kinds // 13 % 3)]
    if kinds & 256 and kinds & 512:
        if table and kinds & 16:
            options['state'] = sorted(set(table[draw(st.integers(0, len(table) - 1))].state
                                          for _unused in range(1 + kinds // 17 % 2)))
        else:
            options['state'] = draw(_STATE_LISTS)
    if kinds & 1024 and kinds & 2048:
        options['idle_time'] = draw(durations)
    if require and not options:
        options['username'] = [username_pattern(draw, table)]
    return options


DECOY_MINUTES = 4321
"""How much older than the real idle start the WTSINFO field that must not be read is (see wts_document)."""


def _stamp(minutes_ago):
    return (NOW - timedelta(minutes=minutes_ago)).strftime('%Y-%m-%dT%H:%M:%SZ')


def wts_document(table):
    """The wts payload's snapshot answer for a table (the shape of docs/architecture.md, "wts payload").

    WTSINFO holds both a last input and a disconnect time: a disconnected session's idle time counts from its
    disconnect (its last input is older), any other session's from its last input; an active session can carry the
    disconnect time of an earlier disconnection (its user reconnected), and has no last input when none was recorded.
    The field that must not be read is filled with an older time, so reading it gives another idle time.
    """
    console = next((session.id for session in table if session.is_console), 0xFFFFFFFF)
    records = []
    for session in table:
        has_user = bool(session.username)
        idle = session.idle_minutes
        last_input = disconnect = None
        if has_user and session.state == 'disconnected':
            disconnect = None if idle is None else _stamp(idle)
            last_input = _stamp((idle or 0) + DECOY_MINUTES)
        elif has_user:
            last_input = None if idle is None else _stamp(idle)
            disconnect = _stamp((idle or 0) + DECOY_MINUTES)
        records.append({
            'id': session.id, 'name': session.name or '', 'user': session.username or '',
            'domain': session.domain or '', 'state_code': STATE_NAMES.index(session.state),
            'client': '', 'logon_time': session.logon_time if has_user else None, 'disconnect_time': disconnect,
            'last_input_time': last_input, 'current_time': NOW.strftime('%Y-%m-%dT%H:%M:%SZ'),
        })
    return {'payload': 'wts', 'version': 2, 'computer': 'RDSH01', 'server': None, 'language_mode': 'FullLanguage',
            'console_session_id': None if console == 0xFFFFFFFF else console, 'error': None, 'sessions': records}
