"""The WinRM protocol layer against the real pywinrm client: auth, encryption, every WinRS action, faults."""

from __future__ import annotations

import os
import sys
import uuid
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_wsman_standin import ADMIN, HELPDESK, Account, StandInHost, counters, protocol, run, running  # noqa: E402

winrm = pytest.importorskip("winrm")
requests = pytest.importorskip("requests")
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WSManFaultError  # noqa: E402

from tests.emulator.wsman import service as service_module  # noqa: E402

FAULT_NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
}
CMD = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
SHELL_NOT_FOUND = 2150858843  # wsmerror.h ERROR_WSMAN_UNEXPECTED_SELECTORS, as Windows sends it


# -- authentication and transport -------------------------------------------------------------------


def test_basic_over_http_runs_a_command_in_five_requests() -> None:
    with running(auth=["basic", "ntlm"]) as server:
        stdout, stderr, rc = run(protocol(server, "basic"), "hostname", ("/a", "b"))
        assert (stdout, stderr, rc) == (b"hostname /a b\n", b"", 0)
        requests_seen = counters(server)
        # docs/sources.md, "One command on the wire": Create, Command, Receive, Signal, Delete.
        assert requests_seen["total"] == 5
        assert requests_seen["by_action"] == {"Create": 1, "Command": 1, "Receive": 1, "Signal": 1, "Delete": 1}
        assert requests_seen["bytes_in"] > 0 and requests_seen["bytes_out"] > 0
        (recorded,) = server.host.state()["commands"]
        assert recorded["user"] == "administrator"
        assert (recorded["auth"], recorded["scheme"], recorded["codepage"]) == ("basic", "http", 437)


def test_ntlm_over_http_encrypts_every_body(monkeypatch: pytest.MonkeyPatch) -> None:
    sealed = []
    real_wrap = service_module.encryption.wrap
    monkeypatch.setattr(
        service_module.encryption, "wrap", lambda ctx, msg, *protocol: sealed.append(msg) or real_wrap(ctx, msg, *protocol)
    )
    with running(auth=["ntlm"]) as server:
        client = protocol(server, "ntlm")
        stdout, _unused, rc = run(client, "hostname")
        assert (stdout, rc) == (b"hostname\n", 0)
        assert client.transport.encryption is not None  # pywinrm negotiated message encryption
        requests_seen = counters(server)
        # Three NTLM legs first (the last one the empty POST of pywinrm's setup_encryption), then 5 operations.
        assert requests_seen["total"] == 8
        assert requests_seen["by_action"]["Authenticate"] == 3
        assert len(sealed) == 5  # every response body went out sealed
        assert server.host.state()["commands"][0]["auth"] == "ntlm"


def test_ntlm_over_https_checks_channel_binding(monkeypatch: pytest.MonkeyPatch) -> None:
    from requests_ntlm import requests_ntlm

    sent_hashes = []
    real_hash = requests_ntlm._get_certificate_hash
    monkeypatch.setattr(
        requests_ntlm, "_get_certificate_hash", lambda der: sent_hashes.append(real_hash(der)) or sent_hashes[-1]
    )
    with running(scheme="https", auth=["ntlm"]) as server:
        stdout, _unused, rc = run(protocol(server, "ntlm"), "hostname")
        assert (stdout, rc) == (b"hostname\n", 0)
        assert sent_hashes == [server.certificate.end_point_hash]  # the client bound to our certificate
        assert counters(server)["total"] == 7  # two 401 legs, the third carries Create; no encryption over TLS

        monkeypatch.setattr(requests_ntlm, "_get_certificate_hash", lambda der: b"\x01" * 32)
        with pytest.raises(InvalidCredentialsError):
            run(protocol(server, "ntlm"), "hostname")
        assert counters(server)["auth_failures"] == 1
        assert len(server.host.state()["commands"]) == 1


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_wrong_password_is_refused(transport: str) -> None:
    with running(auth=["basic", "ntlm"]) as server:
        with pytest.raises(InvalidCredentialsError):
            run(protocol(server, transport, password="wrong"), "hostname")
        assert counters(server)["auth_failures"] == 1
        assert server.host.state()["commands"] == []


def test_401_offers_the_enabled_schemes_as_windows_does() -> None:
    with running(auth=["basic", "ntlm"]) as server:
        response = requests.post(server.endpoint, data=b"<x/>")
        assert response.status_code == 401
        assert response.raw.headers.getlist("WWW-Authenticate") == ["Negotiate", 'Basic realm="WSMAN"']
        assert response.content == b""
    with running(auth=["ntlm"]) as server:
        response = requests.post(server.endpoint, data=b"<x/>", auth=ADMIN)
        assert response.status_code == 401  # Basic is not enabled on this host
        assert response.raw.headers.getlist("WWW-Authenticate") == ["Negotiate"]


def test_each_host_accepts_only_its_own_ntlm_accounts() -> None:
    alice = StandInHost("hosta", [Account("alice", "Alice-pw1", True)])
    bob = StandInHost("hostb", [Account("bob", "Bob-pw1", True)])
    user_file_before = os.environ.get("NTLM_USER_FILE")
    with running(alice, auth=["ntlm"]) as server_a, running(bob, auth=["ntlm"]) as server_b:
        assert run(protocol(server_a, "ntlm", "alice", "Alice-pw1"), "whoami")[2] == 0
        assert run(protocol(server_b, "ntlm", "HOSTB\\bob", "Bob-pw1"), "whoami")[2] == 0
        with pytest.raises(InvalidCredentialsError):
            run(protocol(server_a, "ntlm", "bob", "Bob-pw1"), "whoami")
        assert bob.state()["commands"][0]["user"] == "bob"
        assert os.environ.get("NTLM_USER_FILE") == user_file_before  # each handshake restores the variable


def test_concurrent_ntlm_clients_each_get_their_own_context() -> None:
    with running(auth=["ntlm"]) as server:
        with ThreadPoolExecutor(max_workers=6) as pool:
            outputs = list(pool.map(lambda n: run(protocol(server, "ntlm"), f"echo {n}"), range(12)))
        assert [stdout for stdout, _unused, _unused in outputs] == [f"echo {n}\n".encode() for n in range(12)]
        assert counters(server)["total"] == 12 * 8
        assert counters(server)["auth_failures"] == 0


def test_encrypted_body_without_a_security_context_is_a_bad_request() -> None:
    # ansible-core's winrm plugin documents Windows answering 400 to a sealed body on a fresh socket.
    with running(auth=["basic", "ntlm"]) as server:
        response = requests.post(
            server.endpoint,
            data=b"--Encrypted Boundary\r\n",
            auth=ADMIN,
            headers={"Content-Type": 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"'},
        )
        assert response.status_code == 400


# -- WinRS actions ----------------------------------------------------------------------------------


def test_stdin_in_several_send_chunks_starts_the_command_at_end() -> None:
    with running() as server:
        client = protocol(server, "basic", operation_timeout_sec=1, read_timeout_sec=3)
        shell_id = client.open_shell()
        command_id = client.run_command(shell_id, "type", ["con"])
        client.send_command_input(shell_id, command_id, b"line one\n")
        client.send_command_input(shell_id, command_id, b"line two\n")
        with pytest.raises(WinRMOperationTimeoutError):  # stdin still open: nothing runs yet
            client.get_command_output_raw(shell_id, command_id)
        assert server.host.state()["commands"] == []
        client.send_command_input(shell_id, command_id, b"end", end=True)
        stdout, _unused, rc = client.get_command_output(shell_id, command_id)
        client.cleanup_command(shell_id, command_id)
        client.close_shell(shell_id)
        assert (stdout, rc) == (b"type con\nline one\nline two\nend", 0)
        assert counters(server)["by_action"]["Send"] == 3


def test_slow_command_is_polled_through_operation_timeouts() -> None:
    with running() as server:
        client = protocol(server, "basic", operation_timeout_sec=1, read_timeout_sec=3)
        shell_id = client.open_shell()
        command_id = client.run_command(shell_id, "emu-sleep 2.5")
        with pytest.raises(WinRMOperationTimeoutError):  # WSManFault 2150858793 after ~OperationTimeout
            client.get_command_output_raw(shell_id, command_id)
        stdout, _unused, rc = client.get_command_output(shell_id, command_id)
        client.cleanup_command(shell_id, command_id)
        client.close_shell(shell_id)
        assert (stdout, rc) == (b"emu-sleep 2.5\n", 0)
        requests_seen = counters(server)
        assert requests_seen["by_action"]["Receive"] >= 3
        assert requests_seen["faults_served"] == requests_seen["by_action"]["Receive"] - 1
        assert requests_seen["operation_timeouts"] == requests_seen["faults_served"]  # polls, no other fault


def test_receive_wait_is_capped_whatever_the_client_asks() -> None:
    with running(receive_wait_cap=0.3) as server:
        client = protocol(server, "basic", operation_timeout_sec=20, read_timeout_sec=30)
        shell_id = client.open_shell()
        command_id = client.run_command(shell_id, "emu-sleep 2")
        # Without the cap the first Receive would wait up to the asked 20 s and return the output of this 2 s
        # command; with it the host answers OperationTimeout first.
        with pytest.raises(WinRMOperationTimeoutError):
            client.get_command_output_raw(shell_id, command_id)
        assert counters(server)["faults_served"] >= 1


def test_exit_code_and_stderr_reach_the_client() -> None:
    with running() as server:
        client = protocol(server, "basic")
        assert run(client, "emu-exit 3")[2] == 3
        assert run(client, "emu-stderr oops")[1] == b"oops"


def test_large_output_comes_in_several_receives() -> None:
    with running() as server:
        stdout, _unused, rc = run(protocol(server, "basic"), "emu-big 300000")
        assert stdout == bytes(i % 251 for i in range(300000))
        # pywinrm announces MaxEnvelopeSize 153600: base64 output must fit, so 3 Receive responses.
        assert counters(server)["by_action"]["Receive"] == 3


def test_signal_and_delete_echo_the_message_id_and_forget() -> None:
    with running() as server:
        client = protocol(server, "basic")
        shell_id = client.open_shell()
        command_id = client.run_command(shell_id, "hostname")
        client.get_command_output(shell_id, command_id)
        client.cleanup_command(shell_id, command_id)  # pywinrm asserts RelatesTo == its MessageID
        with pytest.raises(WSManFaultError) as receive_after_signal:
            client.get_command_output_raw(shell_id, command_id)
        assert receive_after_signal.value.wsman_fault_code == SHELL_NOT_FOUND
        assert "command identifier that does not exist" in receive_after_signal.value.response
        client.close_shell(shell_id)  # asserts RelatesTo as well
        with pytest.raises(WSManFaultError) as command_after_delete:
            client.run_command(shell_id, "hostname")
        assert command_after_delete.value.wsman_fault_code == SHELL_NOT_FOUND
        assert f"ShellId {shell_id}" in command_after_delete.value.response
        assert server.service.shells.count() == 0


def test_ctrl_c_forgets_a_running_command() -> None:
    with running() as server:
        client = protocol(server, "basic", operation_timeout_sec=1, read_timeout_sec=3)
        shell_id = client.open_shell()
        command_id = client.run_command(shell_id, "emu-sleep 3")
        with pytest.raises(WinRMOperationTimeoutError):  # the first Receive started it; it still runs
            client.get_command_output_raw(shell_id, command_id)
        message_id = uuid.uuid4()
        request = {
            "env:Envelope": client.build_wsman_header(
                "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal", CMD, shell_id, message_id
            )
        }
        request["env:Envelope"]["env:Body"] = {
            "rsp:Signal": {
                "@CommandId": command_id,
                "rsp:Code": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c",
            }
        }
        import xmltodict

        answer = ET.fromstring(client.send_message(xmltodict.unparse(request)))
        assert answer.find("s:Header/a:RelatesTo", FAULT_NS).text == f"uuid:{message_id}"
        with pytest.raises(WSManFaultError) as fault:
            client.get_command_output_raw(shell_id, command_id)
        assert fault.value.wsman_fault_code == SHELL_NOT_FOUND
        client.close_shell(shell_id)


def test_a_shell_of_another_user_is_not_found() -> None:
    with running() as server:
        shell_id = protocol(server, "basic").open_shell()
        with pytest.raises(WSManFaultError) as fault:
            protocol(server, "basic", *HELPDESK).run_command(shell_id, "hostname")
        assert fault.value.wsman_fault_code == SHELL_NOT_FOUND


def test_a_failing_model_is_reported_as_a_fault() -> None:
    with running() as server:
        with pytest.raises(WSManFaultError) as fault:
            run(protocol(server, "basic"), "emu-raise")
        assert "the stand-in model broke" in fault.value.reason + fault.value.response


# -- malformed requests -------------------------------------------------------------------------------


def _envelope(
    action: str,
    body: str,
    *,
    shell_id: str | None = None,
    resource: str = CMD,
    timeout: str = "PT5S",
    message_id: str | None = "uuid:0F0E0D0C-0000-4000-8000-000000000001",
) -> bytes:
    selector = f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>' if shell_id else ""
    message = f"<a:MessageID>{message_id}</a:MessageID>" if message_id else ""
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
        'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">'
        f"<s:Header><a:Action>{action}</a:Action>{message}"
        f"<w:ResourceURI>{resource}</w:ResourceURI><w:OperationTimeout>{timeout}</w:OperationTimeout>{selector}"
        f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def _fault(response: requests.Response) -> tuple[int, str, str | None]:
    assert response.status_code == 500
    root = ET.fromstring(response.content)
    code = int(root.find(".//f:WSManFault", FAULT_NS).get("Code"))
    subcode = root.find("s:Body/s:Fault/s:Code/s:Subcode/s:Value", FAULT_NS).text
    relates = root.find("s:Header/a:RelatesTo", FAULT_NS)
    return code, subcode, relates.text if relates is not None else None


@pytest.mark.parametrize(
    ("data", "code", "subcode"),
    [
        (b"this is not xml", 2150858819, "w:SchemaValidationError"),
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", 2150858819, "w:SchemaValidationError"),
        (_envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", ""), 2150858771, "a:ActionNotSupported"),
        (
            _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", "<rsp:Shell/>", resource="http://x/y"),
            2150858752,
            "a:DestinationUnreachable",
        ),
        (
            _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", "<rsp:Shell/>", message_id=None),
            2150858767,
            "a:InvalidMessageInformationHeader",
        ),
        (
            _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", "<rsp:Shell/>", timeout="soon"),
            2150858767,
            "a:InvalidMessageInformationHeader",
        ),
        (_envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", ""), 2150858817, "w:SchemaValidationError"),
        (
            _envelope("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command", "<rsp:CommandLine/>"),
            2150858843,
            "w:InvalidSelectors",
        ),
        (
            _envelope(
                "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive",
                "<rsp:Receive/>",
                shell_id="00000000-0000-0000-0000-000000000000",
            ),
            2150858843,
            "w:InvalidSelectors",
        ),
    ],
)
def test_malformed_requests_get_soap_faults(data: bytes, code: int, subcode: str) -> None:
    with running() as server:
        response = requests.post(server.endpoint, data=data, auth=ADMIN)
        assert _fault(response)[:2] == (code, subcode)
        assert counters(server)["faults_served"] == 1


def test_a_fault_relates_to_the_request() -> None:
    with running() as server:
        response = requests.post(server.endpoint, data=_envelope("urn:nothing", ""), auth=ADMIN)
        assert _fault(response)[2] == "uuid:0F0E0D0C-0000-4000-8000-000000000001"


def test_stdin_after_end_and_bad_base64_are_invalid_parameters() -> None:
    with running() as server:
        client = protocol(server, "basic")
        shell_id = client.open_shell()
        command_id = client.run_command(shell_id, "hostname")
        client.send_command_input(shell_id, command_id, b"x", end=True)
        with pytest.raises(WSManFaultError) as late:
            client.send_command_input(shell_id, command_id, b"y")
        assert late.value.wsman_fault_code == 87
        body = f'<rsp:Send><rsp:Stream Name="stdin" CommandId="{command_id}">%%%</rsp:Stream></rsp:Send>'
        response = requests.post(
            server.endpoint,
            data=_envelope("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send", body, shell_id=shell_id),
            auth=ADMIN,
        )
        assert _fault(response)[:2] == (87, "w:InvalidParameter")
