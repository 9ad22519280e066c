"""Short date and time the way Windows formats LOGON TIME: a .NET-style pattern per locale.

Tokens: ``yyyy``, ``yy``, ``MM``, ``M``, ``dd``, ``d``, ``HH``, ``H``, ``hh``, ``h``, ``mm``, ``tt``; any other
character is literal. The patterns themselves are in the locale files (``date_format``).
"""

from __future__ import annotations

import re
from datetime import datetime


_TOKEN = re.compile(r'yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|tt|.', re.DOTALL)


def format_datetime(moment: datetime, pattern: str, am: str = 'AM', pm: str = 'PM') -> str:
    """``moment`` written with ``pattern``."""
    hour12 = moment.hour % 12 or 12
    values = {
        'yyyy': f'{moment.year:04d}', 'yy': f'{moment.year % 100:02d}',
        'MM': f'{moment.month:02d}', 'M': str(moment.month),
        'dd': f'{moment.day:02d}', 'd': str(moment.day),
        'HH': f'{moment.hour:02d}', 'H': str(moment.hour),
        'hh': f'{hour12:02d}', 'h': str(hour12),
        'mm': f'{moment.minute:02d}',
        'tt': am if moment.hour < 12 else pm,
    }
    return ''.join(values.get(token, token) for token in _TOKEN.findall(pattern))
