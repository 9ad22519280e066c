"""Configuration of the emulated hosts: ``load_config(path_or_dict) -> list[HostSpec]``.

A YAML file (or the same structure as a dict)::

    hosts:
      - name: rdsh01                  # hostname.exe prints this; $env:COMPUTERNAME is computer_name
        port: 0                       # 0: the server picks a free port
        scheme: http                  # http | https
        auth: [basic, ntlm]           # any of basic, ntlm, kerberos, credssp
        users:
          - {name: administrator, password: "Passw0rd!", admin: true}
          - {name: helpdesk, password: "Helpdesk1!", admin: false}
        locale: en-US                 # a file in locales/: en-US de-DE fr-FR es-ES it-IT ru-RU zh-CN ja-JP
        language_mode: FullLanguage   # or ConstrainedLanguage (Add-Type refused: ansible#53571, #41534)
        sessions:
          - {id: 1, name: console, user: Administrator, domain: RDSH01, state: active, idle_minutes: 0,
             logon_time: "2026-11-20T07:58:00"}
          - {id: 3, name: "rdp-tcp#5", user: alice, domain: CONTOSO, state: active, idle_minutes: 12,
             logon_time: "2026-11-20T08:15:00", client: PC042}
          - {id: 4, name: null, user: bob, domain: CONTOSO, state: disconnected, idle_minutes: 190,
             logon_time: "2026-11-19T17:02:00"}
        servers:                      # reachable from this host with /server: (and WTSOpenServer)
          - {name: rdsh02, locale: en-US, sessions: []}

Optional host keys (defaults in brackets):

- ``services`` [true]: add session 0 (``services``, disconnected) unless the list has an ID 0.
- ``listener`` [true]: add the ``rdp-tcp`` listener (ID 65536, state listen); a mapping or a list of mappings
  (``{id, name}``) configures other listeners, false none.
- ``computer_name`` [name in upper case]: ``$env:COMPUTERNAME``, the ``computer`` of the wts answer and the
  domain whoami prints for a local account.
- ``clock`` ["2026-11-22T10:00:00"], ``time_scale`` [1.0]: see clock.py. Session times are host-local.
- ``utc_offset_minutes`` [0]: the host's time zone, used to turn session times into the UTC the WTS API gives.
- ``date_format`` [the locale's]: a short date/time pattern (``yyyy-MM-dd H:mm``: a user's regional setting,
  as in corpus en_quser_01).
- ``current_session_id`` [0]: the session the WinRM shell runs in (the ``>`` marker:
  docs/sources.md, "Session names and the current-session marker").
- ``console_respawn`` [true]: a new console session (state connected, new ID) appears when the console's user
  is logged off (assumed Windows behaviour).
- ``logoff_latency_seconds`` [0]: host time a logged-off session stays listed before it leaves.
- ``qwinsta_padding`` [false]: query session rows padded through DEVICE, header ending in a space (tables.py).
- ``message_block_seconds`` [300]: how long WTSSendMessage with timeout 0 and bWait blocks here (Windows: for
  ever).
- ``powershell_exit_code`` [status]: ``status`` (0/1, as powershell.exe does) or ``lastexitcode``.
- ``add_type_blocked`` [false], ``add_type_error``: Add-Type fails in FullLanguage too (an application-control
  policy), with this message.
- ``engine`` [auto]: what runs PowerShell command lines (``surfaces/engine``): ``pwsh``, a real PowerShell
  process (``PWSH`` or ``pwsh`` on PATH, and a C compiler for the stand-in WTS library); ``contract``, the
  payloads reproduced by their contract; ``auto``, pwsh when it is found, else contract. The environment variable
  ``WINRDS_EMU_ENGINE`` (pwsh or contract) replaces ``auto`` for every host that does not set ``engine``.
- ``culture`` [the locale's tag]: the format culture of the logon that runs commands (``fi-FI`` writes times with
  ``.``, ``th-TH`` counts Buddhist years); the real engine runs PowerShell with it.
- ``native_output_encoding`` [console]: how the native tools encode what they write to a pipe. ``console``: the
  console's code page (the WinRS shell's, which ``chcp`` shows; ansible asks for 65001); ``oem``: the OEM code
  page of the system locale whatever the console's. No public source says which the tools do
  (docs/sources.md, "Which code page the tools write").
- ``missing_tools`` [none]: native tools this host does not have (``query`` on a client edition that lacks the
  Remote Desktop tools): starting them fails as Windows fails to find a program.
- ``wts_open_server_failure`` [null]: what WTSOpenServerW returns for a server it cannot reach. Microsoft's
  reference says only "a handle that is not valid; test it by using it in another call": ``null`` (NULL, which is
  also WTS_CURRENT_SERVER_HANDLE, with the error as last error) or ``deferred`` (a handle whose every call fails
  with the error).
- ``unknowns``: texts and codes no source shows (options.py).
- ``trusted_for_delegation`` [false]: the host's computer account is trusted for (unconstrained Kerberos)
  delegation, so a Kerberos logon that forwarded the user's TGT can make a second hop (delegation.py). In a test
  realm the host's ``HTTP/<name>`` key also carries the ok-as-delegate flag then (tests/emulator/realm.py). A
  server entry needs no such key: the model has no third hop.
- ``remoting_configurations`` [[Microsoft.PowerShell]]: the PowerShell session configurations registered for
  remoting (``Get-PSSessionConfiguration``): ``Microsoft.PowerShell`` is Windows PowerShell's, ``PowerShell.7``
  the one ``Enable-PSRemoting`` registers from PowerShell 7. A client names one in the shell's resource URI
  (``http://schemas.microsoft.com/powershell/<name>``, ansible's ``ansible_psrp_configuration_name``); only the
  real engine serves them (surfaces/engine/remoting.py), so a host on the contract engine has none.
- ``remoting_console_encoding`` [ansi]: what ``[Console]::OutputEncoding`` is in a remoting session, whose host
  process has no console: ``ansi``, the ANSI code page .NET falls back to (PowerShell/PowerShell#15128), or ``oem``.
- ``basic_logon`` [network]: the logon type WinRM's Basic authentication makes, ``network`` (cannot make a second
  hop, as the delegation columns of Ansible's WinRM guide and PSWSMan say) or ``network_cleartext`` (can, as
  IIS's Basic logons can); no public source tells which (delegation.py).

Authentication (``auth``): ``basic`` per request; ``ntlm``, ``kerberos`` (``Negotiate`` with a Kerberos ticket
for ``HTTP/<name>``: the emulator's process needs a realm's ``KRB5_CONFIG`` and ``KRB5_KTNAME``, see realm.py)
and ``credssp`` (NTLM inside TLS, then the delegated password) per connection. The account of a logon is the
user part of the client's name (``DOMAIN\\user``, ``user@REALM``).

Session keys: ``id`` (required), ``name`` (null: blank), ``user``, ``domain``, ``state`` (active, connected,
connectquery, shadow, disconnected, idle, listen, reset, down, init; ``disc``/``conn`` accepted),
``idle_minutes`` (null: no input recorded, printed as the locale's "none" word; default 0 with a user),
``last_input_time`` (ISO, or null for no input recorded: what WTSINFO's LastInputTime holds; replaces
``idle_minutes``), ``logon_time`` (default one hour before the clock), ``disconnect_time`` (ISO or null; default:
when input stopped, for a disconnected session),
``client``, ``type`` and ``device`` (query session columns), ``processes`` [true] (false: the user's own
processes are not running, as at the start or end of a logon, so tasklist shows none under the account), ``answers`` (the button a user clicks on a
message box, 1 = OK; default: nobody answers), ``answer_delay_seconds`` [0].

Server keys: ``name`` (required), ``locale``, ``sessions``, ``services``, ``listener``, ``computer_name``,
``utc_offset_minutes``, ``reachable`` [true] (false: the RPC error ``unreachable_error`` [1722]; others a remote
server commonly gives: 1753 no endpoint (Remote Desktop Services not listening for RPC, AllowRemoteRPC 0), 1726
and 1727 the call failed, 53 the network path was not found, 1707 the network address is invalid, 5 access
denied), ``double_hop`` [delegation]: a ``/server:`` hop from a shell whose logon cannot delegate (NTLM, plain
Kerberos, Basic by default: delegation.py) is refused with Access denied (5); ``allowed`` lets every logon reach
the server, for tests about ``/server:`` itself rather than about the hop. ``ntlm_denied``, the old name of
``delegation``, is still accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import locales
from .accounts import Account
from .delegation import BASIC_LOGONS
from .clock import DEFAULT_START
from .options import UNKNOWN_DEFAULTS, HostOptions
from .sessions import STATES, Session

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .host import Host

LANGUAGE_MODES = ('FullLanguage', 'ConstrainedLanguage', 'RestrictedLanguage', 'NoLanguage')
AUTH_SCHEMES = ('basic', 'ntlm', 'kerberos', 'credssp')
DOUBLE_HOP = ('delegation', 'allowed')
ENGINES = ('auto', 'pwsh', 'contract')
_STATE_ALIASES = {'disc': 'disconnected', 'conn': 'connected', 'connq': 'connectquery'}


class ConfigError(ValueError):
    """The configuration is not valid; the message names the host and the key."""


@dataclass
class HostSpec:
    """A configured host and where to serve it."""

    host: Host
    port: int
    scheme: str
    auth: list[str]


@dataclass
class ComputerConfig:
    """What is needed to (re)build a computer's session table."""

    name: str
    locale: str
    sessions: list[dict]
    computer_name: str
    utc_offset_minutes: int = 0
    services: object = True
    listener: object = True
    reachable: bool = True
    double_hop: str = 'delegation'
    unreachable_error: int = 1722


@dataclass
class HostConfig:
    """One validated host entry."""

    computer: ComputerConfig
    port: int
    scheme: str
    auth: list[str]
    accounts: list[Account]
    language_mode: str
    engine: str
    culture: str | None
    clock: datetime
    time_scale: float
    console_respawn: bool
    logoff_latency_seconds: float
    options: HostOptions
    servers: list[ComputerConfig] = field(default_factory=list)
    trusted_for_delegation: bool = False
    basic_logon: str = 'network'
    remoting_configurations: list[str] = field(default_factory=lambda: ['Microsoft.PowerShell'])
    remoting_console_encoding: str = 'ansi'

    @property
    def name(self) -> str:
        return self.computer.name


def _time(value, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as error:
        raise ConfigError(f'{where}: not an ISO date and time: {value!r}') from error


def build_sessions(config: ComputerConfig, start: datetime) -> list[Session]:
    """The session table a computer starts with (services and listeners added as configured)."""
    sessions = []
    for index, raw in enumerate(config.sessions):
        where = f'{config.name}: sessions[{index}]'
        if not isinstance(raw, dict) or 'id' not in raw:
            raise ConfigError(f'{where}: a session needs an id')
        state = str(raw.get('state', 'active')).lower()
        state = _STATE_ALIASES.get(state, state)
        if state not in STATES:
            raise ConfigError(f'{where}: unknown state {raw.get("state")!r} (one of {", ".join(STATES)})')
        user = raw.get('user')
        if 'last_input_time' in raw:
            last_input = _time(raw['last_input_time'], where)
        else:
            idle = raw.get('idle_minutes', 0 if user else None)
            last_input = None if idle is None else start - timedelta(minutes=int(idle))
        logon = _time(raw.get('logon_time'), where) or (start - timedelta(hours=1) if user else None)
        disconnect = _time(raw.get('disconnect_time'), where)
        if 'disconnect_time' not in raw and state == 'disconnected' and user:
            disconnect = last_input or logon
        sessions.append(Session(
            id=int(raw['id']), name=raw.get('name'), user=user, domain=raw.get('domain'), state=state,
            logon_time=logon, last_input=last_input, disconnect_time=disconnect, client=raw.get('client'),
            type=raw.get('type'), device=raw.get('device'), processes=bool(raw.get('processes', True)),
            answers=None if raw.get('answers') is None else int(raw['answers']),
            answer_delay_seconds=float(raw.get('answer_delay_seconds', 0))))
    ids = {s.id for s in sessions}
    if config.services and 0 not in ids:
        sessions.append(Session(id=0, name='services', state='disconnected'))
    listeners = config.listener
    if listeners is True:
        listeners = [{'id': 65536, 'name': 'rdp-tcp'}]
    elif isinstance(listeners, dict):
        listeners = [listeners]
    elif not listeners:
        listeners = []
    for raw in listeners:
        if int(raw.get('id', 65536)) not in ids:
            sessions.append(Session(id=int(raw.get('id', 65536)), name=raw.get('name', 'rdp-tcp'), state='listen',
                                    type=raw.get('type')))
    return sorted(sessions, key=lambda s: s.id)


def _computer(raw: dict, where: str) -> ComputerConfig:
    if not isinstance(raw, dict) or not raw.get('name'):
        raise ConfigError(f'{where}: needs a name')
    name = str(raw['name'])
    tag = str(raw.get('locale', 'en-US'))
    if tag not in locales.available():
        raise ConfigError(f'{name}: locale {tag!r} has no data (have: {", ".join(locales.available())})')
    double_hop = str(raw.get('double_hop', 'delegation')).replace('ntlm_denied', 'delegation')
    if double_hop not in DOUBLE_HOP:
        raise ConfigError(f'{name}: double_hop must be one of {", ".join(DOUBLE_HOP)}')
    sessions = raw.get('sessions') or []
    if not isinstance(sessions, list):
        raise ConfigError(f'{name}: sessions must be a list')
    return ComputerConfig(name=name, locale=tag, sessions=sessions,
                          computer_name=str(raw.get('computer_name') or name.upper()),
                          utc_offset_minutes=int(raw.get('utc_offset_minutes', 0)),
                          services=raw.get('services', True), listener=raw.get('listener', True),
                          reachable=bool(raw.get('reachable', True)), double_hop=double_hop,
                          unreachable_error=int(raw.get('unreachable_error', 1722)))


def parse_host(raw: dict) -> HostConfig:
    """Validate one ``hosts`` entry."""
    computer = _computer(raw, 'hosts[]')
    name = computer.name
    scheme = str(raw.get('scheme', 'http'))
    if scheme not in ('http', 'https'):
        raise ConfigError(f'{name}: scheme must be http or https')
    auth = [str(a).lower() for a in raw.get('auth', ['basic', 'ntlm'])]
    if not auth or set(auth) - set(AUTH_SCHEMES):
        raise ConfigError(f'{name}: auth must be a non-empty list of {", ".join(AUTH_SCHEMES)}')
    basic_logon = str(raw.get('basic_logon', 'network'))
    if basic_logon not in BASIC_LOGONS:
        raise ConfigError(f'{name}: basic_logon must be one of {", ".join(BASIC_LOGONS)}')
    users = raw.get('users') or []
    accounts = []
    for user in users:
        if not isinstance(user, dict) or not user.get('name') or user.get('password') is None:
            raise ConfigError(f'{name}: every user needs a name and a password')
        accounts.append(Account(str(user['name']), str(user['password']), bool(user.get('admin', False))))
    language_mode = str(raw.get('language_mode', 'FullLanguage'))
    if language_mode not in LANGUAGE_MODES:
        raise ConfigError(f'{name}: language_mode must be one of {", ".join(LANGUAGE_MODES)}')
    unknowns = dict(UNKNOWN_DEFAULTS)
    extra = raw.get('unknowns') or {}
    bad = set(extra) - set(UNKNOWN_DEFAULTS)
    if bad:
        raise ConfigError(f'{name}: unknowns has keys no tool uses: {", ".join(sorted(bad))}')
    unknowns.update(extra)
    exit_mode = str(raw.get('powershell_exit_code', 'status'))
    if exit_mode not in ('status', 'lastexitcode'):
        raise ConfigError(f'{name}: powershell_exit_code must be status or lastexitcode')
    engine = str(raw.get('engine', 'auto'))
    if engine not in ENGINES:
        raise ConfigError(f'{name}: engine must be one of {", ".join(ENGINES)}')
    output_encoding = str(raw.get('native_output_encoding', 'console'))
    if output_encoding not in ('console', 'oem'):
        raise ConfigError(f'{name}: native_output_encoding must be console or oem')
    open_failure = str(raw.get('wts_open_server_failure', 'null'))
    if open_failure not in ('null', 'deferred'):
        raise ConfigError(f'{name}: wts_open_server_failure must be null or deferred')
    options = HostOptions(
        current_session_id=raw.get('current_session_id', 0), date_format=raw.get('date_format'),
        qwinsta_padding=bool(raw.get('qwinsta_padding', False)),
        message_block_seconds=float(raw.get('message_block_seconds', 300)), powershell_exit_code=exit_mode,
        add_type_blocked=bool(raw.get('add_type_blocked', False)),
        add_type_error=str(raw.get('add_type_error', HostOptions.add_type_error)), unknowns=unknowns,
        native_output_encoding=output_encoding, wts_open_server_failure=open_failure,
        missing_tools=frozenset(str(tool).lower() for tool in raw.get('missing_tools') or ()))
    servers = [_computer(s, f'{name}: servers[{i}]') for i, s in enumerate(raw.get('servers') or [])]
    configurations = raw.get('remoting_configurations', ['Microsoft.PowerShell'])
    if not isinstance(configurations, list) or not all(isinstance(c, str) and c for c in configurations):
        raise ConfigError(f'{name}: remoting_configurations must be a list of session configuration names')
    console_encoding = str(raw.get('remoting_console_encoding', 'ansi'))
    if console_encoding not in ('ansi', 'oem'):
        raise ConfigError(f'{name}: remoting_console_encoding must be ansi or oem')
    return HostConfig(computer=computer, port=int(raw.get('port', 0)), scheme=scheme, auth=auth, accounts=accounts,
                      language_mode=language_mode, engine=engine,
                      culture=str(raw['culture']) if raw.get('culture') else None, clock=_time(raw.get('clock', DEFAULT_START), name),
                      time_scale=float(raw.get('time_scale', 1.0)),
                      console_respawn=bool(raw.get('console_respawn', True)),
                      logoff_latency_seconds=float(raw.get('logoff_latency_seconds', 0)), options=options,
                      servers=servers, trusted_for_delegation=bool(raw.get('trusted_for_delegation', False)),
                      basic_logon=basic_logon, remoting_configurations=list(configurations),
                      remoting_console_encoding=console_encoding)


def load_config(path_or_dict) -> list[HostSpec]:
    """Hosts from a YAML file (path) or an already-parsed mapping."""
    from .host import Host  # the host module imports this one

    if isinstance(path_or_dict, str | Path):
        document = yaml.safe_load(Path(path_or_dict).read_text(encoding='utf-8'))
    else:
        document = path_or_dict
    if not isinstance(document, dict) or not isinstance(document.get('hosts'), list):
        raise ConfigError('the configuration needs a list under "hosts"')
    specs = []
    seen = set()
    for raw in document['hosts']:
        config = parse_host(raw)
        if config.name.lower() in seen:
            raise ConfigError(f'host {config.name} is configured twice')
        seen.add(config.name.lower())
        specs.append(HostSpec(Host(config), config.port, config.scheme, list(config.auth)))
    return specs
