"""The emulated fleet of the benchmark: N hosts, K sessions to log off on each, and sessions that must stay.

Every host has the same table:

- session 1, the console, ``Administrator`` (active): never matched;
- K sessions ``kiosk001`` ... of domain CONTOSO, disconnected and idle for 120 minutes: the ones to log off;
- ``kioskadmin`` (active): its name matches the pattern, its state does not;
- ``bob`` (disconnected, idle 120): its state matches, its name does not.

Both the collection's task (``username: kiosk*``, ``state: disconnected``) and the status-quo playbook (a
regular expression on ``query user``) must log off exactly the K kiosk sessions and leave the three others.
"""

from __future__ import annotations

ADMIN = {'name': 'administrator', 'password': 'Passw0rd!', 'admin': True}
FIRST_ID = 2
"""Session IDs of the matched sessions start here (1 is the console)."""
KEEP = ('Administrator', 'kioskadmin', 'bob')
"""The users whose sessions must survive every variant."""


def matched_users(sessions):
    """The user names of the K sessions to log off on every host."""
    return ['kiosk%03d' % number for number in range(1, sessions + 1)]


def host_entry(name, sessions, time_scale=0.0, engine='auto'):
    """One host of the benchmark fleet with ``sessions`` sessions to log off (see the module docstring).

    :param engine: what runs its PowerShell command lines: ``pwsh`` (a real PowerShell process per command),
        ``contract`` (the payloads reproduced by contract, at once) or ``auto`` (pwsh when it is found).
    """
    table = [{'id': 1, 'name': 'console', 'user': 'Administrator', 'domain': name.upper(), 'state': 'active',
              'idle_minutes': 0, 'logon_time': '2026-11-20T07:58:00'}]
    for offset, user in enumerate(matched_users(sessions)):
        table.append({'id': FIRST_ID + offset, 'name': None, 'user': user, 'domain': 'CONTOSO',
                      'state': 'disconnected', 'idle_minutes': 120, 'logon_time': '2026-11-22T07:00:00'})
    next_id = FIRST_ID + sessions
    table.append({'id': next_id, 'name': 'rdp-tcp#%d' % next_id, 'user': 'kioskadmin', 'domain': 'CONTOSO',
                  'state': 'active', 'idle_minutes': 3, 'logon_time': '2026-11-22T08:30:00', 'client': 'PC001'})
    table.append({'id': next_id + 1, 'name': None, 'user': 'bob', 'domain': 'CONTOSO', 'state': 'disconnected',
                  'idle_minutes': 120, 'logon_time': '2026-11-22T07:00:00'})
    return {
        'name': name,
        'port': 0,
        'scheme': 'http',
        'auth': ['basic', 'ntlm'],
        'users': [dict(ADMIN)],
        'locale': 'en-US',
        'language_mode': 'FullLanguage',
        'engine': engine,
        # 0: the emulated host never waits in real time (there is no grace period or latency to wait for here).
        'time_scale': time_scale,
        'sessions': table,
    }


def host_names(count):
    """``rdsh0001`` ... in inventory order."""
    return ['rdsh%04d' % number for number in range(1, count + 1)]


def fleet_config(hosts, sessions, time_scale=0.0, engine='auto'):
    """The emulator configuration of ``hosts`` hosts with ``sessions`` sessions to log off on each."""
    return {'hosts': [host_entry(name, sessions, time_scale, engine) for name in host_names(hosts)]}


def check_survivors(state, sessions):
    """Problems with a host's session table after a logoff variant ran (an empty list when it is right).

    :param state: the host's ``/emu/state`` document.
    :param sessions: K, the number of sessions that had to go.
    """
    users = [entry['user'].lower() for entry in state['sessions'] if entry.get('user')]
    problems = []
    left = sorted(set(users) & set(matched_users(sessions)))
    if left:
        problems.append('%s: %d matched sessions are still there (%s)'
                        % (state['name'], len(left), ', '.join(left[:3])))
    for keep in KEEP:
        if keep.lower() not in users:
            problems.append('%s: the session of %s, which must not match, is gone' % (state['name'], keep))
    if len(users) != len(KEEP):
        problems.append('%s: %d user sessions remain, expected %d (%s)' % (state['name'], len(users), len(KEEP),
                                                                           ', '.join(users)))
    return problems
