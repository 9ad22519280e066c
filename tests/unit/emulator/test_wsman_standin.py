"""A stand-in Windows model for testing the protocol layer, and helpers shared by the wsman tests.

The stand-in implements the ``Host`` interface the protocol layer codes against. Its ``execute``
echoes: stdout is ``<command line>\\n<stdin>``. A few command lines steer it:

- ``emu-sleep <seconds>``: work that long first;
- ``emu-exit <code>``: return that exit code;
- ``emu-stderr <text>``: write the text to stderr;
- ``emu-big <bytes>``: print that many bytes;
- ``emu-raise``: fail inside the model.

``load_config`` reads the hosts YAML (keys name, port, scheme, auth, users) so ``serve.py`` can run the
stand-in with ``--loader tests/unit/emulator/test_wsman_standin.py:load_config``.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.emulator.wsman import WSManServer  # noqa: E402

ADMIN = ("administrator", "Passw0rd!")
HELPDESK = ("helpdesk", "Helpdesk1!")


@dataclass(frozen=True)
class Account:
    """A local account."""

    name: str
    password: str
    admin: bool


@dataclass(frozen=True)
class CommandResult:
    """What a command returned."""

    rc: int
    stdout: bytes
    stderr: bytes


@dataclass(frozen=True)
class HostSpec:
    """One host of the configuration and how it listens."""

    host: Any
    port: int
    scheme: str
    auth: list[str]


class StandInHost:
    """A Windows machine that only echoes, records what it ran and remembers faults."""

    def __init__(self, name: str = "rdsh01", accounts: list[Account] | None = None) -> None:
        self.name = name
        self._accounts = accounts or [Account(*ADMIN, admin=True), Account(*HELPDESK, admin=False)]
        self._lock = threading.Lock()
        self.commands: list[dict[str, Any]] = []
        self.faults: dict[str, Any] = {}
        self.resets = 0

    def accounts(self) -> list[Account]:
        return list(self._accounts)

    def account(self, user: str) -> Account | None:
        name = user.rpartition("\\")[2].lower()
        return next((a for a in self._accounts if a.name.lower() == name), None)

    def authenticate_basic(self, user: str, password: str) -> Account | None:
        account = self.account(user)
        return account if account is not None and account.password == password else None

    def execute(self, command_line: str, stdin: bytes, ctx: Any) -> CommandResult:
        with self._lock:
            self.commands.append(
                {
                    "command_line": command_line,
                    "stdin": stdin.decode("latin-1"),
                    "user": ctx.account.name,
                    "auth": ctx.auth,
                    "scheme": ctx.scheme,
                    "codepage": ctx.codepage,
                }
            )
        verb, _unused, argument = command_line.partition(" ")
        rc, stderr = 0, b""
        stdout = command_line.encode("utf-8") + b"\n" + stdin
        if verb == "emu-sleep":
            time.sleep(float(argument))  # emulated work, not synchronisation
        elif verb == "emu-exit":
            rc = int(argument)
        elif verb == "emu-stderr":
            stderr = argument.encode("utf-8")
        elif verb == "emu-big":
            stdout = bytes(i % 251 for i in range(int(argument)))
        elif verb == "emu-raise":
            raise RuntimeError("the stand-in model broke")
        return CommandResult(rc=rc, stdout=stdout, stderr=stderr)

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "name": self.name,
                "commands": list(self.commands),
                "faults": dict(self.faults),
                "resets": self.resets,
            }

    def reset(self) -> None:
        with self._lock:
            self.commands.clear()
            self.faults.clear()
            self.resets += 1

    def set_faults(self, spec: dict[str, Any]) -> None:
        if "refuse" in spec:
            raise ValueError("the stand-in refuses this fault")
        with self._lock:
            self.faults.update(spec)


def load_config(path: str) -> list[HostSpec]:
    """Read the hosts YAML into stand-in hosts."""
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    specs = []
    for entry in document["hosts"]:
        accounts = [Account(u["name"], u["password"], bool(u.get("admin"))) for u in entry.get("users", [])]
        specs.append(
            HostSpec(
                host=StandInHost(entry["name"], accounts or None),
                port=int(entry.get("port", 0)),
                scheme=entry.get("scheme", "http"),
                auth=list(entry.get("auth", ["basic", "ntlm"])),
            )
        )
    return specs


@contextlib.contextmanager
def running(host: StandInHost | None = None, **options: Any) -> Iterator[WSManServer]:
    """A started server for a (new) stand-in host."""
    server = WSManServer(host or StandInHost(), **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def protocol(
    server: WSManServer, transport: str, user: str = ADMIN[0], password: str = ADMIN[1], **options: Any
) -> Any:
    """A real pywinrm Protocol for the server."""
    import winrm

    options.setdefault("server_cert_validation", "ignore")
    return winrm.Protocol(server.endpoint, transport=transport, username=user, password=password, **options)


def run(
    client: Any, command: str, args: tuple[str, ...] = (), stdin: list[bytes] | None = None
) -> tuple[bytes, bytes, int]:
    """Run one command the way pywinrm's session does (shell, command, stdin, output, signal, delete)."""
    shell_id = client.open_shell()
    try:
        command_id = client.run_command(shell_id, command, args)
        for number, chunk in enumerate(stdin or []):
            client.send_command_input(shell_id, command_id, chunk, end=number == len(stdin) - 1)
        stdout, stderr, rc = client.get_command_output(shell_id, command_id)
        client.cleanup_command(shell_id, command_id)
    finally:
        client.close_shell(shell_id)
    return stdout, stderr, rc


def counters(server: WSManServer) -> dict[str, Any]:
    """The ``requests`` counters of the server's state."""
    return server.service.state()["requests"]


# -- tests of the stand-in itself ------------------------------------------------------------------


def test_load_config_reads_the_hosts_keys(tmp_path: Path) -> None:
    config = tmp_path / "hosts.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "hosts": [
                    {
                        "name": "rdsh02",
                        "port": 0,
                        "scheme": "https",
                        "auth": ["ntlm"],
                        "users": [{"name": "ops", "password": "x", "admin": True}],
                        "locale": "de-DE",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    (spec,) = load_config(str(config))
    assert (spec.host.name, spec.port, spec.scheme, spec.auth) == ("rdsh02", 0, "https", ["ntlm"])
    assert spec.host.authenticate_basic("RDSH02\\ops", "x").admin is True
    assert spec.host.authenticate_basic("ops", "wrong") is None


def test_stand_in_echoes_and_records() -> None:
    host = StandInHost()

    class Ctx:
        account, auth, scheme, codepage = host.account("administrator"), "basic", "http", 437

    result = host.execute("hostname", b"in", Ctx())
    assert (result.rc, result.stdout) == (0, b"hostname\nin")
    assert host.state()["commands"][0]["user"] == "administrator"
    with pytest.raises(RuntimeError):
        host.execute("emu-raise", b"", Ctx())
