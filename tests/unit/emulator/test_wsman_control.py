"""The control API of the protocol layer: state, counters, reset and the wire faults."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_wsman_standin import counters, protocol, run, running  # noqa: E402

requests = pytest.importorskip("requests")
from winrm.exceptions import WinRMOperationTimeoutError, WSManFaultError  # noqa: E402


def _control(server: Any, method: str, path: str, document: Any = None) -> requests.Response:
    url = server.endpoint.replace("/wsman", path)
    return requests.request(method, url, json=document, verify=False)


def test_state_is_the_host_state_plus_request_counters() -> None:
    with running() as server:
        run(protocol(server, "basic"), "hostname")
        state = _control(server, "GET", "/emu/state").json()
        assert state["name"] == "rdsh01"
        assert state["commands"][0]["command_line"] == "hostname"
        assert set(state["requests"]) >= {
            "total",
            "by_action",
            "bytes_in",
            "bytes_out",
            "auth_failures",
            "faults_served",
        }
        assert state["requests"]["total"] == 5
        assert state["open_shells"] == 0
        # Control calls are not WS-Man requests.
        assert _control(server, "GET", "/emu/state").json()["requests"]["total"] == 5


def test_reset_zeroes_counters_clears_faults_shells_and_the_host() -> None:
    with running() as server:
        client = protocol(server, "basic")
        run(client, "hostname")
        client.open_shell()  # left open
        assert (
            _control(server, "POST", "/emu/faults", {"http_500_on_requests": [5], "session_gone": 3}).status_code == 200
        )
        assert _control(server, "POST", "/emu/reset").json() == {"ok": True}
        state = _control(server, "GET", "/emu/state").json()
        assert state["requests"] == {
            "total": 0,
            "by_action": {},
            "bytes_in": 0,
            "bytes_out": 0,
            "auth_failures": 0,
            "faults_served": 0,
            "operation_timeouts": 0,
            "faults_injected": 0,
        }
        assert state["wire_faults"] == {
            "drop_connection_after_requests": None,
            "http_500_on_requests": [],
            "command_delay_seconds": 0.0,
        }
        assert (state["commands"], state["faults"], state["resets"], state["open_shells"]) == ([], {}, 1, 0)


def test_faults_document_goes_whole_to_the_host() -> None:
    with running() as server:
        spec = {"command_delay_seconds": 0, "rpc_unavailable": ["rdsh02"]}
        answer = _control(server, "POST", "/emu/faults", spec)
        assert answer.status_code == 200
        assert server.host.state()["faults"] == spec


@pytest.mark.parametrize(
    "spec",
    [
        {"drop_connection_after_requests": 0},
        {"http_500_on_requests": "2"},
        {"command_delay_seconds": -1},
        {"refuse": True},  # the stand-in host raises ValueError
    ],
)
def test_invalid_faults_are_refused_and_nothing_is_applied(spec: dict[str, Any]) -> None:
    with running() as server:
        answer = _control(server, "POST", "/emu/faults", spec)
        assert answer.status_code == 400
        assert "error" in answer.json()
        assert server.host.state()["faults"] == {}
        assert run(protocol(server, "basic"), "hostname")[2] == 0


def test_control_api_errors() -> None:
    with running() as server:
        assert _control(server, "GET", "/emu/nothing").status_code == 404
        assert _control(server, "GET", "/emu/reset").status_code == 405
        url = server.endpoint.replace("/wsman", "/emu/faults")
        assert requests.post(url, data=b"[1, 2]").status_code == 400
        assert requests.post(url, data=b"{nope").status_code == 400
        assert requests.get(server.endpoint).status_code == 405
        assert requests.get(server.endpoint.replace("/wsman", "/other")).status_code == 404


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_drop_connection_counts_operations_not_handshake_legs(transport: str) -> None:
    with running() as server:
        _control(server, "POST", "/emu/faults", {"drop_connection_after_requests": 2})
        client = protocol(server, transport)
        shell_id = client.open_shell()  # operation 1 (after the NTLM legs, if any)
        with pytest.raises(requests.exceptions.ConnectionError):
            client.run_command(shell_id, "hostname")  # operation 2: no answer, connection closed
        assert counters(server)["faults_injected"] == 1
        assert server.host.state()["commands"] == []
        # One-shot: a new connection works again.
        assert run(protocol(server, transport), "hostname")[0] == b"hostname\n"


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_http_500_on_chosen_requests(transport: str) -> None:
    with running() as server:
        _control(server, "POST", "/emu/faults", {"http_500_on_requests": [1, 3]})
        client = protocol(server, transport)
        with pytest.raises(WSManFaultError) as first:
            client.open_shell()
        assert (first.value.code, first.value.wsman_fault_code, first.value.fault_subcode) == (
            500,
            1359,
            "w:InternalError",
        )
        shell_id = client.open_shell()  # operation 2 is fine
        with pytest.raises(WSManFaultError):
            client.run_command(shell_id, "hostname")  # operation 3
        command_id = client.run_command(shell_id, "hostname")
        assert client.get_command_output(shell_id, command_id)[0] == b"hostname\n"
        requests_seen = counters(server)
        assert (requests_seen["faults_injected"], requests_seen["faults_served"]) == (2, 2)
        assert _control(server, "GET", "/emu/state").json()["wire_faults"]["http_500_on_requests"] == []


def test_faults_count_from_the_moment_they_are_set() -> None:
    with running() as server:
        run(protocol(server, "basic"), "hostname")  # 5 operations before
        answer = _control(server, "POST", "/emu/faults", {"http_500_on_requests": [2]}).json()
        assert answer["wire_faults"]["http_500_on_requests"] == [2]
        client = protocol(server, "basic")
        shell_id = client.open_shell()
        with pytest.raises(WSManFaultError):
            client.run_command(shell_id, "hostname")


def test_command_delay_makes_the_client_poll() -> None:
    with running() as server:
        _control(server, "POST", "/emu/faults", {"command_delay_seconds": 1.5})
        client = protocol(server, "basic", operation_timeout_sec=1, read_timeout_sec=3)
        shell_id = client.open_shell()
        command_id = client.run_command(shell_id, "hostname")
        # hostname answers at once, so only the delay can make the first Receive time out (OperationTimeout 1 s).
        with pytest.raises(WinRMOperationTimeoutError):
            client.get_command_output_raw(shell_id, command_id)
        stdout, _unused, rc = client.get_command_output(shell_id, command_id)
        assert (stdout, rc) == (b"hostname\n", 0)
        assert server.service.state()["requests"]["faults_served"] >= 1
        assert json.loads(json.dumps(server.service.state()))["wire_faults"]["command_delay_seconds"] == 1.5
