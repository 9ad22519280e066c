"""serve.py and Fleet end to end, and the real ansible winrm connection plugin against them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_wsman_standin import REPO  # noqa: E402

from tests.emulator.fleet import Fleet, FleetError  # noqa: E402

STAND_IN = f"{(HERE / 'test_wsman_standin.py').relative_to(REPO)}:load_config"
USERS = [
    {"name": "administrator", "password": "Passw0rd!", "admin": True},
    {"name": "helpdesk", "password": "Helpdesk1!", "admin": False},
]
CONFIG = {
    "hosts": [
        {
            "name": "rdsh01",
            "port": 0,
            "scheme": "http",
            "auth": ["basic", "ntlm"],
            "users": USERS,
            "locale": "en-US",
            "language_mode": "FullLanguage",
            "sessions": [],
            "servers": [],
        },
        {
            "name": "rdsh02",
            "port": 0,
            "scheme": "https",
            "auth": ["ntlm"],
            "users": USERS[:1],
            "locale": "de-DE",
            "language_mode": "FullLanguage",
            "sessions": [],
            "servers": [],
        },
    ]
}


def _wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else "serve.py exited"
        assert time.monotonic() < deadline, "serve.py did not write its ready file"
        time.sleep(0.02)  # another process writes the file


def test_serve_py_runs_from_the_repository_root_until_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "HOSTS.yml"
    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    ready = tmp_path / "READY.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "tests/emulator/serve.py",
            "--config",
            str(config),
            "--ready-file",
            str(ready),
            "--loader",
            STAND_IN,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(ready, process)
        endpoints = json.loads(ready.read_text(encoding="utf-8"))
        assert set(endpoints) == {"rdsh01", "rdsh02"}
        assert endpoints["rdsh01"]["host"] == "127.0.0.1" and endpoints["rdsh01"]["scheme"] == "http"
        assert endpoints["rdsh02"]["scheme"] == "https"
        assert endpoints["rdsh01"]["port"] != endpoints["rdsh02"]["port"] > 0
        port = endpoints["rdsh01"]["port"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/emu/state", timeout=10) as response:
            state = json.loads(response.read())
        assert state["name"] == "rdsh01" and state["requests"]["total"] == 0
        assert not list(tmp_path.glob("*.tmp")), "the ready file is written through a renamed temporary file"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()


def test_serve_py_reports_a_bad_loader(tmp_path: Path) -> None:
    config = tmp_path / "HOSTS.yml"
    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "tests/emulator/serve.py",
            "--config",
            str(config),
            "--ready-file",
            str(tmp_path / "r.json"),
            "--loader",
            "no_such_module_here:load_config",
        ],
        cwd=REPO,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert b"no_such_module_here" in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_fleet_starts_drives_and_stops(tmp_path: Path) -> None:
    fleet = Fleet(CONFIG, tmp_path, loader=STAND_IN)
    with fleet:
        assert (tmp_path / "hosts.yml").exists()
        assert set(fleet.endpoints) == {"rdsh01", "rdsh02"}
        assert fleet.state("rdsh02")["name"] == "rdsh02"  # over https
        assert fleet.faults("rdsh01", {"http_500_on_requests": [1]})["wire_faults"]["http_500_on_requests"] == [1]
        fleet.reset("rdsh01")
        assert fleet.state("rdsh01")["wire_faults"]["http_500_on_requests"] == []
        with pytest.raises(FleetError):
            fleet.faults("rdsh01", {"command_delay_seconds": "slow"})
        inventory = yaml.safe_load(fleet.inventory(tmp_path / "inventory.yml", transport="basic").read_text())
        hostvars = inventory["all"]["hosts"]["rdsh02"]
        assert hostvars == {
            "ansible_host": "127.0.0.1",
            "ansible_port": fleet.endpoints["rdsh02"]["port"],
            "ansible_connection": "winrm",
            "ansible_winrm_transport": "basic",
            "ansible_winrm_scheme": "https",
            "ansible_winrm_server_cert_validation": "ignore",
            "ansible_user": "administrator",
            "ansible_password": "Passw0rd!",
        }
        process = fleet._process
    assert process.returncode == 0


def test_fleet_reports_an_emulator_that_cannot_start(tmp_path: Path) -> None:
    with pytest.raises(FleetError, match="exited"):
        Fleet(CONFIG, tmp_path, loader="no_such_module_here:load_config").start()


def _ansible() -> Path:
    ansible = Path(sys.executable).parent / "ansible"
    if not ansible.exists():
        pytest.skip(f"ansible-core is not installed next to {sys.executable}; the Makefile's venv provides it")
    return ansible


@pytest.mark.parametrize(("host", "transport"), [("rdsh01", "basic"), ("rdsh01", "ntlm"), ("rdsh02", "ntlm")])
def test_real_ansible_winrm_plugin_runs_raw(tmp_path: Path, host: str, transport: str) -> None:
    ansible = _ansible()
    with Fleet(CONFIG, tmp_path / "fleet", loader=STAND_IN) as fleet:
        inventory = fleet.inventory(tmp_path / "inventory.yml", transport=transport)
        env = _ansible_env(tmp_path)
        result = subprocess.run(
            [str(ansible), "-i", str(inventory), host, "-m", "raw", "-a", "hostname"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        (command,) = fleet.state(host)["commands"]
        # raw wraps the command in an encoded PowerShell call (docs/sources.md, "What ansible-core sends"); 2.19 spells it
        # "PowerShell", 2.21 "powershell".
        assert command["command_line"].lower().startswith("powershell -noprofile -noninteractive")
        assert command["auth"] == transport and command["codepage"] == 65001
        assert "CHANGED | rc=0" in result.stdout and "-EncodedCommand" in result.stdout
        requests_seen = fleet.state(host)["requests"]
        assert requests_seen["by_action"]["Create"] == 1 and requests_seen["auth_failures"] == 0


def _ansible_env(tmp_path: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        {
            "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_CONFIG": str(tmp_path / "none.cfg"),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        }
    )
    return env
