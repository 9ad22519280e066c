# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Durations as users write them: ``90`` or ``90m`` minutes, ``2h``, ``1d4h``, ``1d2h30m``."""

from __future__ import annotations

import re

_UNIT_MINUTES = {'d': 1440, 'h': 60, 'm': 1}
_DURATION = re.compile(r'^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$')


def parse_minutes(value):
    """Return a duration in whole minutes.

    :param value: an int (minutes) or a string of digits or of ``<n>d``, ``<n>h``, ``<n>m`` parts in that order.
    :raises ValueError: with a message naming the value when it is not a duration.
    """
    if isinstance(value, bool):
        raise ValueError('%r is not a duration' % (value,))
    if isinstance(value, int):
        if value < 0:
            raise ValueError('a duration cannot be negative: %d' % value)
        return value
    text = str(value).strip().lower().replace(' ', '')
    if text.isdigit():
        return int(text)
    match = _DURATION.match(text)
    if not text or not match or not any(match.groups()):
        raise ValueError("'%s' is not a duration: write minutes (90 or 90m), hours (2h), days (1d) or a "
                         "combination such as 1d4h30m" % value)
    days, hours, minutes = (int(part) if part else 0 for part in match.groups())
    return days * _UNIT_MINUTES['d'] + hours * _UNIT_MINUTES['h'] + minutes
