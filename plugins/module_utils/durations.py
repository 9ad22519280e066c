# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Durations as users write them: a number in the option's own unit, or parts with units in the order
``<n>d<n>h<n>m<n>s`` (``90``, ``90m``, ``2h``, ``1d4h``, ``1h30m``, ``30s``).

``idle_time`` counts whole minutes (Windows reports idle time in minutes): a plain number is minutes and seconds
are not accepted. ``grace_period`` and ``timeout`` count seconds: a plain number is seconds.
"""

from __future__ import annotations

import re

_SECONDS = {'d': 86400, 'h': 3600, 'm': 60, 's': 1}
_WITH_SECONDS = re.compile(r'^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$')
_WITHOUT_SECONDS = re.compile(r'^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$')


def _parse(value, pattern, units, hint):
    """A duration in the unit of a plain number (``units`` names the unit of each part, in seconds)."""
    if isinstance(value, bool):
        raise ValueError('%r is not a duration: %s' % (value, hint))
    if isinstance(value, int):
        if value < 0:
            raise ValueError('a duration cannot be negative: %d' % value)
        return value
    text = str(value).strip().lower().replace(' ', '')
    if text.isdigit():
        return int(text)
    match = pattern.match(text)
    if not text or not match or not any(match.groups()):
        raise ValueError("'%s' is not a duration: %s" % (value, hint))
    total = sum(int(part) * unit for part, unit in zip(match.groups(), units) if part)
    return total // units[-1]


def parse_minutes(value):
    """Return a duration in whole minutes (``idle_time``).

    :param value: an int (minutes) or a string of digits or of ``<n>d``, ``<n>h``, ``<n>m`` parts in that order.
    :raises ValueError: with a message naming the value when it is not a duration.
    """
    return _parse(value, _WITHOUT_SECONDS, (_SECONDS['d'], _SECONDS['h'], _SECONDS['m']),
                  'write minutes (90 or 90m), hours (2h), days (1d) or a combination such as 1d4h30m')


def parse_seconds(value):
    """Return a duration in seconds (``grace_period``, ``timeout``).

    :param value: an int (seconds) or a string of digits or of ``<n>d``, ``<n>h``, ``<n>m``, ``<n>s`` parts in that
        order.
    :raises ValueError: with a message naming the value when it is not a duration.
    """
    return _parse(value, _WITH_SECONDS, (_SECONDS['d'], _SECONDS['h'], _SECONDS['m'], _SECONDS['s']),
                  'write seconds (90 or 90s), minutes (5m), hours (1h), days (1d) or a combination such as 1h30m')


def format_seconds(seconds):
    """Seconds as ``parse_seconds`` reads them, in the largest units: ``150`` is ``2m30s``, ``0`` is ``0s``."""
    parts = []
    left = int(seconds)
    for unit in 'dhms':
        count, left = divmod(left, _SECONDS[unit])
        if count:
            parts.append('%d%s' % (count, unit))
    return ''.join(parts) or '0s'
