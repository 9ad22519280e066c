"""A throw-away MIT Kerberos realm on loopback: the domain controller of the emulated hosts, for tests.

The KDC is the real one (Debian's ``krb5-kdc``; ``kdb5_util``, ``kadmin.local``, ``kinit`` from ``krb5-kdc``,
``krb5-admin-server`` and ``krb5-user``), set up by the ``k5test`` package: a database, a ``krb5.conf`` and a
``kdc.conf`` in a new temporary folder (under ``TMPDIR``, inside the repository when run through make), and
``krb5kdc`` in the foreground. It listens on TCP only, on a free port of 127.0.0.1 (UDP disabled, and clients told
to use TCP): two realms on one machine never share a port, and a port taken between choosing and binding makes
``krb5kdc`` exit, which is retried with another port.

Names: the emulated hosts all listen on 127.0.0.1, each on its own port, and Kerberos names a service by host name
only (``HTTP/<host>``: RFC 4120 6.2.1), never by address or port. Each host therefore gets a principal
``HTTP/<its name>`` and the clients are told that name with ``ansible_winrm_kerberos_hostname_override`` (pywinrm's
``kerberos_hostname_override``), the setting a user needs too when reaching a host by address or through an alias.
``krb5.conf`` switches every DNS use off (``dns_canonicalize_hostname``, ``rdns``, ``dns_lookup_kdc``,
``dns_lookup_realm`` false, no short-name qualification), so the name is used as written and no name is ever
looked up: nothing needs to resolve, and ``/etc/hosts`` stays untouched. ``localhost`` would have served one host
only (every host would have been ``HTTP/localhost``).

Users get principals ``<account>@<REALM>`` with the passwords of the hosts' accounts, so the same credentials work
with ``kinit`` (a ticket the test obtains), with ansible's own ``kinit`` (``ansible_password``) and with NTLM. A
host marked ``trusted_for_delegation`` gets the ok-as-delegate flag on its key (``+ok_as_delegate``: what Active
Directory sets for a computer trusted for delegation, RFC 4120 2.8). Tickets are not forwardable unless asked for
(``kinit -f``; ansible adds ``-f`` when ``ansible_winrm_kerberos_delegation`` is true).

Environment: :meth:`Realm.server_env` for the emulator's process (``KRB5_CONFIG``, the keytab in ``KRB5_KTNAME``,
the replay cache in ``KRB5RCACHEDIR``), :meth:`Realm.client_env` for ansible-playbook and kinit (``KRB5_CONFIG``,
``KRB5CCNAME``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

# Commands and Python modules a realm and its clients need, with the Debian package or pip file that brings them.
TOOLS = {
    "krb5kdc": "krb5-kdc",
    "kdb5_util": "krb5-kdc",
    "kadmin.local": "krb5-admin-server",
    "kinit": "krb5-user",
    "krb5-config": "libkrb5-dev",
}
MODULES = {
    "k5test": "tests/requirements/common.txt",
    "gssapi": "tests/requirements/kerberos.txt",
    "kerberos": "tests/requirements/kerberos.txt",  # pykerberos, pywinrm's kerberos extra
}
DEFAULT_REALM = "WINRDS.TEST"
SERVICE = "HTTP"
START_ATTEMPTS = 5


class RealmError(RuntimeError):
    """The realm could not be set up."""


def missing_prerequisites() -> list[str]:
    """What this machine lacks for a realm: ``tool (package)`` and ``module (file)`` entries; empty when ready."""
    missing = [f"{tool} ({package})" for tool, package in TOOLS.items() if _which(tool) is None]
    missing += [f"python {module} ({source})" for module, source in MODULES.items()
                if importlib.util.find_spec(module) is None]
    return missing


def _which(tool: str) -> str | None:
    # The admin tools live in /usr/sbin, which is not on every user's PATH.
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _quote(value: str) -> str:
    """A value for kadmin's command line, which splits on blanks and honours double quotes."""
    if '"' in value or "\n" in value:
        raise RealmError(f"cannot pass {value!r} to kadmin.local")
    return f'"{value}"'


class Realm:
    """One MIT Kerberos realm with its KDC running.

    :param name: the realm name (upper case by convention).
    """

    def __init__(self, name: str = DEFAULT_REALM) -> None:
        self.name = name
        self._k5: Any = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Realm:
        """Create the database and start the KDC on a free port."""
        from k5test import K5Realm

        last_error: Exception | None = None
        for _attempt in range(START_ATTEMPTS):
            port = _free_port()
            realm = K5Realm(
                realm=self.name,
                portbase=port,
                create_user=False,
                create_host=False,
                get_creds=False,
                start_kdc=False,
                krb5_conf={
                    "libdefaults": {
                        "dns_lookup_kdc": "false",
                        "dns_lookup_realm": "false",
                        "dns_canonicalize_hostname": "false",
                        "rdns": "false",
                        "qualify_shortname": '""',
                        "udp_preference_limit": "1",
                        "forwardable": "false",
                    },
                    "realms": {"$realm": {"kdc": "127.0.0.1:$port0", "admin_server": "127.0.0.1:$port1"}},
                },
                kdc_conf={"realms": {"$realm": {"kdc_ports": '""', "kdc_tcp_ports": "127.0.0.1:$port0"}}},
            )
            try:
                realm.start_kdc()
            except Exception as error:  # k5test raises Exception when krb5kdc exits before it is ready
                last_error = error
                realm.stop()
                continue
            self._k5 = realm
            return self
        raise RealmError(f"the KDC did not start after {START_ATTEMPTS} attempts: {last_error}")

    def stop(self) -> None:
        """Stop the KDC and remove the realm's folder."""
        realm, self._k5 = self._k5, None
        if realm is not None:
            realm.stop()

    def __enter__(self) -> Realm:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def folder(self) -> Path:
        """Where the realm keeps its database, configuration, keytab and logs."""
        return Path(self._started().tmpdir)

    @property
    def krb5_conf(self) -> Path:
        """The client configuration (``KRB5_CONFIG``)."""
        return self.folder / "krb5.conf"

    @property
    def keytab(self) -> Path:
        """The service keys of the hosts (``KRB5_KTNAME`` of the emulator)."""
        return Path(self._started().keytab)

    def _started(self) -> Any:
        if self._k5 is None:
            raise RealmError("the realm is not started")
        return self._k5

    # -- principals --------------------------------------------------------------------------------

    def principal(self, user: str) -> str:
        """``user@REALM``."""
        return f"{user}@{self.name}"

    def add_user(self, user: str, password: str) -> str:
        """A user principal with this password; returns its name."""
        principal = self.principal(user)
        self._started().run_kadminl(f"addprinc -pw {_quote(password)} {principal}")
        return principal

    def add_host(self, host: str, trusted_for_delegation: bool = False) -> str:
        """``HTTP/<host>`` with a random key in the keytab; returns the principal."""
        principal = f"{SERVICE}/{host}@{self.name}"
        flags = "+ok_as_delegate " if trusted_for_delegation else ""
        realm = self._started()
        realm.run_kadminl(f"addprinc -randkey {flags}{principal}")
        realm.extract_keytab(principal, realm.keytab)
        return principal

    def add_fleet(self, config: dict) -> None:
        """Principals for a fleet configuration: every user, and every host that enables kerberos."""
        users: dict[str, str] = {}
        for host in config.get("hosts", []):
            for user in host.get("users") or []:
                users.setdefault(str(user["name"]).lower(), str(user["password"]))
            if "kerberos" in [str(a).lower() for a in host.get("auth", [])]:
                self.add_host(str(host["name"]), bool(host.get("trusted_for_delegation", False)))
        for user, password in users.items():
            self.add_user(user, password)

    # -- clients -----------------------------------------------------------------------------------

    def server_env(self) -> dict[str, str]:
        """Environment of the emulator's process: configuration, keytab, replay cache."""
        return {
            "KRB5_CONFIG": str(self.krb5_conf),
            "KRB5_KTNAME": f"FILE:{self.keytab}",
            "KRB5RCACHEDIR": str(self.folder),
        }

    def client_env(self, ccache: str | Path | None = None) -> dict[str, str]:
        """Environment of a client (kinit, ansible-playbook): the configuration and, if given, the ticket cache."""
        env = {"KRB5_CONFIG": str(self.krb5_conf)}
        if ccache is not None:
            env["KRB5CCNAME"] = f"FILE:{ccache}"
        return env

    def kinit(self, user: str, password: str, ccache: str | Path, forwardable: bool = False) -> str:
        """Get a TGT for ``user`` into ``ccache`` with the real ``kinit`` (``-f``: forwardable); return klist's text."""
        kinit, klist = _which("kinit"), _which("klist")
        if kinit is None or klist is None:
            raise RealmError("kinit and klist are needed (krb5-user)")
        env = {"PATH": os.environ.get("PATH", ""), **self.client_env(ccache)}
        command = [kinit] + (["-f"] if forwardable else []) + [self.principal(user)]
        done = subprocess.run(command, input=password + "\n", env=env, capture_output=True, text=True, check=False,
                              timeout=60)
        if done.returncode != 0:
            raise RealmError(f"kinit {self.principal(user)} failed: {done.stderr.strip()}")
        listed = subprocess.run([klist, "-f"], env=env, capture_output=True, text=True, check=True, timeout=60)
        return listed.stdout
