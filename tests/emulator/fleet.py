"""Start the emulator as a subprocess from tests, drive its control API, write Ansible inventories.

Example::

    with Fleet({"hosts": [...]}, tmp_path) as fleet:
        fleet.inventory(tmp_path / "inventory.yml", transport="ntlm")
        ...  # run ansible against it
        assert fleet.state("rdsh01")["requests"]["total"] > 0

Standard library and PyYAML only.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

SERVE = Path(__file__).resolve().parent / "serve.py"
TRANSPORTS = ("basic", "ntlm", "kerberos", "credssp")
REPO_ROOT = Path(__file__).resolve().parents[2]


class FleetError(RuntimeError):
    """The emulator did not start, or a control call failed."""


class Fleet:
    """The emulated hosts of one configuration, running in a child process.

    :param config: the hosts configuration (a dict is written to ``workdir/hosts.yml``) or a YAML path.
    :param workdir: where the configuration, the ready file and the emulator's log go.
    :param loader: passed to ``serve.py --loader`` (default: the Windows model's ``load_config``).
    :param start_timeout: seconds to wait for the ready file.
    :param stop_timeout: seconds to wait after SIGTERM before killing.
    :param env: variables added to the emulator's environment (a Kerberos realm's ``Realm.server_env()``).
    """

    def __init__(
        self,
        config: dict[str, Any] | str | Path,
        workdir: str | Path,
        *,
        loader: str | None = None,
        start_timeout: float = 30.0,
        stop_timeout: float = 10.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self._env = dict(env or {})
        self._config = config
        self._loader = loader
        self._start_timeout = start_timeout
        self._stop_timeout = stop_timeout
        self.config_path = self.workdir / "hosts.yml" if isinstance(config, dict) else Path(config)
        self.ready_path = self.workdir / "emulator-ready.json"
        self.log_path = self.workdir / "emulator.log"
        self.endpoints: dict[str, dict[str, Any]] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._log = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Fleet:
        """Start ``serve.py`` and wait (bounded) until every host listens."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if isinstance(self._config, dict):
            self.config_path.write_text(yaml.safe_dump(self._config, sort_keys=False), encoding="utf-8")
        self.ready_path.unlink(missing_ok=True)
        command = [sys.executable, str(SERVE), "--config", str(self.config_path), "--ready-file", str(self.ready_path)]
        if self._loader:
            command += ["--loader", self._loader]
        self._log = open(self.log_path, "wb")
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, **self._env}
        )
        deadline = time.monotonic() + self._start_timeout
        while not self.ready_path.exists():
            if self._process.poll() is not None:
                self._close_log()
                raise FleetError(f"the emulator exited with {self._process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise FleetError(f"the emulator was not ready after {self._start_timeout}s:\n{self.log()}")
            # Another process writes the file: poll it, briefly.
            time.sleep(0.02)
        self.endpoints = json.loads(self.ready_path.read_text(encoding="utf-8"))
        return self

    def stop(self) -> int | None:
        """SIGTERM, then kill after ``stop_timeout``; return the exit code."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=self._stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_log()
        return process.returncode

    def __enter__(self) -> Fleet:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def log(self) -> str:
        """What the emulator printed so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- control API -------------------------------------------------------------------------------

    def url(self, host: str, path: str) -> str:
        """The URL of ``path`` on ``host``'s port."""
        endpoint = self._endpoint(host)
        return f"{endpoint['scheme']}://{endpoint['host']}:{endpoint['port']}{path}"

    def state(self, host: str) -> dict[str, Any]:
        """``GET /emu/state``."""
        return self._call(host, "GET", "/emu/state")

    def reset(self, host: str | None = None) -> None:
        """``POST /emu/reset`` on one host, or on every host."""
        for name in [host] if host else list(self.endpoints):
            self._call(name, "POST", "/emu/reset")

    def faults(self, host: str, spec: dict[str, Any]) -> dict[str, Any]:
        """``POST /emu/faults``."""
        return self._call(host, "POST", "/emu/faults", spec)

    def _endpoint(self, host: str) -> dict[str, Any]:
        try:
            return self.endpoints[host]
        except KeyError:
            raise FleetError(f"unknown host {host!r}; known: {sorted(self.endpoints)}") from None

    def _call(self, host: str, method: str, path: str, document: Any = None) -> Any:
        data = json.dumps(document).encode("utf-8") if document is not None else b""
        request = urllib.request.Request(self.url(host, path), data=data if method == "POST" else None, method=method)
        request.add_header("Content-Type", "application/json")
        context = None
        if self._endpoint(host)["scheme"] == "https":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the emulator's certificate is self-signed
        try:
            with urllib.request.urlopen(request, timeout=30, context=context) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise FleetError(f"{method} {path} on {host}: {exc.code} {exc.read().decode('utf-8', 'replace')}") from exc

    # -- Ansible -----------------------------------------------------------------------------------

    def inventory(
        self,
        path: str | Path,
        transport: str = "ntlm",
        user: str | None = None,
        password: str | None = None,
        connection: str = "winrm",
        extra_vars: dict[str, Any] | None = None,
        configuration: str | dict[str, str] | None = None,
    ) -> Path:
        """Write an Ansible YAML inventory with every host of the fleet.

        ``user``/``password`` default to the first admin account of each host in the configuration.
        ``connection`` is ``winrm`` (ansible-core's winrm plugin and pywinrm: the cmd shell) or ``psrp`` (its psrp
        plugin and pypsrp: PowerShell remoting, served by hosts on the real engine), ``configuration`` the psrp
        session configuration (``ansible_psrp_configuration_name``, e.g. ``PowerShell.7``; a mapping names one per
        host, the others keep the default, ``Microsoft.PowerShell``). With ``kerberos`` every
        host is given its own name for the service principal (``HTTP/<name>``) through the connection's hostname
        override: all hosts listen on 127.0.0.1 (realm.py).
        """
        if connection not in ("winrm", "psrp"):
            raise ValueError(f"the emulated connections are winrm and psrp, not {connection!r}")
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
        hosts = {}
        for name, endpoint in self.endpoints.items():
            default_user, default_password = self._admin(name)
            hostvars = {
                "ansible_host": endpoint["host"],
                "ansible_port": endpoint["port"],
                "ansible_connection": connection,
                "ansible_user": user if user is not None else default_user,
                "ansible_password": password if password is not None else default_password,
            }
            if connection == "winrm":
                hostvars.update({
                    "ansible_winrm_transport": transport,
                    "ansible_winrm_scheme": endpoint["scheme"],
                    "ansible_winrm_server_cert_validation": "ignore",
                })
                if transport == "kerberos":
                    hostvars["ansible_winrm_kerberos_hostname_override"] = name
            else:
                hostvars.update({
                    "ansible_psrp_auth": transport,
                    "ansible_psrp_protocol": endpoint["scheme"],
                    "ansible_psrp_cert_validation": "ignore",
                })
                if transport == "kerberos":
                    hostvars["ansible_psrp_negotiate_hostname_override"] = name
                if transport == "basic" and endpoint["scheme"] == "http":
                    # pypsrp refuses Basic over http unless told that nothing is encrypted (Windows' listener too
                    # needs AllowUnencrypted for it).
                    hostvars["ansible_psrp_message_encryption"] = "never"
                chosen = configuration.get(name) if isinstance(configuration, dict) else configuration
                if chosen:
                    hostvars["ansible_psrp_configuration_name"] = chosen
            hostvars.update(extra_vars or {})
            hosts[name] = hostvars
        path = Path(path)
        path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}, sort_keys=False), encoding="utf-8")
        return path

    def _admin(self, host: str) -> tuple[str | None, str | None]:
        config = self._config if isinstance(self._config, dict) else _read_yaml(self.config_path)
        for entry in (config or {}).get("hosts", []):
            if entry.get("name") == host:
                for account in entry.get("users", []):
                    if account.get("admin"):
                        return account.get("name"), account.get("password")
        return None, None


def _read_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


__all__ = ["Fleet", "FleetError"]
