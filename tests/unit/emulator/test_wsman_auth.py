"""CredSSP and Kerberos in the protocol layer, against the real pywinrm client (requests-credssp, pykerberos).

The Kerberos tests start a throw-away realm (tests/emulator/realm.py) and are skipped where the machine lacks the
KDC tools or the compiled Kerberos libraries; the e2e suite notes that skip once in make test's summary.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_wsman_standin import ADMIN, Account, CommandResult, StandInHost, counters, protocol, run, running  # noqa: E402

winrm = pytest.importorskip("winrm")
requests = pytest.importorskip("requests")

from tests.emulator import realm as realm_module  # noqa: E402
from tests.emulator.wsman import encryption, kerberos  # noqa: E402
from tests.emulator.wsman import service as service_module  # noqa: E402

NO_REALM = Path(__file__).resolve().parents[2] / "e2e" / "krb5-no-realm.conf"


class RecordingHost(StandInHost):
    """The stand-in, which also records whether the logon delegated, and knows ``user@REALM`` names."""

    def account(self, user: str) -> Account | None:
        return super().account(user.partition("@")[0])

    def execute(self, command_line: str, stdin: bytes, ctx: Any) -> CommandResult:
        result = super().execute(command_line, stdin, ctx)
        with self._lock:
            self.commands[-1]["can_delegate"] = ctx.can_delegate
        return result


@pytest.fixture
def no_realm(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests-credssp tries Kerberos first (pyspnego's Negotiate): make it fail at once, without any network."""
    monkeypatch.setenv("KRB5_CONFIG", str(NO_REALM))
    monkeypatch.delenv("KRB5CCNAME", raising=False)


def _sealed_content_types(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real_wrap = encryption.wrap

    def wrap(context: Any, message: bytes, protocol: str = encryption.c.SPNEGO_ENCRYPTED) -> tuple[bytes, str]:
        body, content_type = real_wrap(context, message, protocol)
        seen.append(content_type)
        return body, content_type

    monkeypatch.setattr(service_module.encryption, "wrap", wrap)
    return seen


# -- CredSSP ------------------------------------------------------------------------------------------------------


def test_credssp_over_http_seals_every_body_and_splits_long_ones(monkeypatch: pytest.MonkeyPatch, no_realm: None) -> None:
    sealed = _sealed_content_types(monkeypatch)
    with running(RecordingHost(), auth=["credssp"]) as server:
        client = protocol(server, "credssp")
        # 60 KB of stdin goes out in 16 KiB parts; 40,000 bytes of output (base64 in the envelope) come back so.
        stdout, _unused, rc = run(client, "emu-big", ("40000",), stdin=[b"x" * 60000])
        assert (len(stdout), rc) == (40000, 0)
        assert client.transport.encryption is not None  # pywinrm negotiated message encryption
        assert len(sealed) == 6  # Create, Command, Send, Receive, Signal, Delete: every answer sealed
        assert set(sealed) >= {
            'multipart/encrypted;protocol="application/HTTP-CredSSP-session-encrypted";boundary="Encrypted Boundary"',
            'multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted";'
            'boundary="Encrypted Boundary"',
        }
        (recorded,) = server.host.state()["commands"]
        assert (recorded["user"], recorded["auth"], recorded["can_delegate"]) == ("administrator", "credssp", True)
        assert recorded["stdin"] == "x" * 60000
        # Six handshake legs (TLS, NTLM inside it, the public key, the credentials on the empty POST), as
        # tests/emulator/ARCHITECTURE.md counts them; then Create, Command, Send, Receive, Signal, Delete.
        assert counters(server)["by_action"]["Authenticate"] == 6 and counters(server)["total"] == 12


def test_credssp_over_https_is_not_sealed_again(monkeypatch: pytest.MonkeyPatch, no_realm: None) -> None:
    sealed = _sealed_content_types(monkeypatch)
    with running(RecordingHost(), scheme="https", auth=["credssp"]) as server:
        client = protocol(server, "credssp")
        assert run(client, "hostname")[2] == 0
        assert client.transport.encryption is None and sealed == []
        assert server.host.state()["commands"][0]["can_delegate"] is True
        assert counters(server)["by_action"]["Authenticate"] == 5 and counters(server)["total"] == 10


def test_credssp_refuses_a_wrong_password_and_a_disabled_scheme(no_realm: None) -> None:
    from requests_credssp.exceptions import NTStatusException

    with running(RecordingHost(), auth=["credssp", "ntlm"]) as server:
        # The refusal travels inside CredSSP as the TSRequest errorCode ([MS-CSSP] 2.2.1): SEC_E_LOGON_DENIED.
        with pytest.raises(NTStatusException) as refused:
            run(protocol(server, "credssp", password="wrong"), "hostname")
        assert refused.value.args[0] == 0x8009030C
        assert counters(server)["auth_failures"] == 1
    with running(RecordingHost(), auth=["ntlm"]) as server:
        with pytest.raises(Exception, match="CredSSP"):  # no CredSSP offer: requests-credssp gives up
            run(protocol(server, "credssp"), "hostname")
        assert server.host.state()["commands"] == []


class DelegationRefusingHost(RecordingHost):
    """A host whose password check refuses the delegated credentials (NTLM, from the user file, still works)."""

    def authenticate_basic(self, user: str, password: str) -> Account | None:
        return None


def test_credssp_logon_needs_delegated_credentials_that_log_on(no_realm: None) -> None:
    from requests_credssp.exceptions import AuthenticationException

    with running(DelegationRefusingHost(), auth=["credssp"]) as server:
        # NTLM inside succeeded; the logon with the delegated password did not: a plain 401 after the last leg.
        with pytest.raises(AuthenticationException, match="Credential exchange"):
            run(protocol(server, "credssp"), "hostname")
        assert counters(server)["auth_failures"] == 1
        assert server.host.state()["commands"] == []


def test_401_offers_every_enabled_scheme_in_windows_order() -> None:
    # jborean93/omi#29: Negotiate, Kerberos, Basic realm="WSMAN", CredSSP.
    methods = ["credssp", "basic", "ntlm"] + (["kerberos"] if kerberos.available() else [])
    with running(auth=methods) as server:
        response = requests.post(server.endpoint, data=b"<x/>")
        expected = ["Negotiate", "Kerberos", 'Basic realm="WSMAN"', "CredSSP"]
        if not kerberos.available():
            expected.remove("Kerberos")
        assert response.raw.headers.getlist("WWW-Authenticate") == expected


# -- Kerberos -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def realm() -> Any:
    missing = realm_module.missing_prerequisites()
    if missing:
        pytest.skip("Kerberos needs %s" % ", ".join(missing))
    with realm_module.Realm() as running_realm:
        running_realm.add_user("administrator", ADMIN[1])
        for host in ("rdsh01", "rdsh02"):
            running_realm.add_host(host)
        yield running_realm


@pytest.fixture
def kerberos_env(realm: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Client and acceptor share this process: the realm's configuration, keytab and a forwardable ticket."""
    ccache = tmp_path / "ccache"
    realm.kinit("administrator", ADMIN[1], ccache, forwardable=True)
    for name, value in {**realm.server_env(), **realm.client_env(ccache)}.items():
        monkeypatch.setenv(name, value)
    return realm


def _kerberos_client(server: Any, realm: Any, host: str = "rdsh01", **options: Any) -> Any:
    return protocol(server, "kerberos", realm.principal("administrator"), "", kerberos_hostname_override=host,
                    **options)


@pytest.mark.parametrize("delegate", [False, True])
def test_kerberos_over_http_seals_and_reports_delegation(
    monkeypatch: pytest.MonkeyPatch, kerberos_env: Any, delegate: bool
) -> None:
    sealed = _sealed_content_types(monkeypatch)
    with running(RecordingHost(), auth=["kerberos"]) as server:
        client = _kerberos_client(server, kerberos_env, kerberos_delegation=delegate)
        assert run(client, "hostname")[2] == 0
        assert client.transport.encryption is not None
        assert set(sealed) == {encryption.c.ENCRYPTED_CONTENT_TYPE}  # the SPNEGO protocol string, as with NTLM
        (recorded,) = server.host.state()["commands"]
        assert (recorded["user"], recorded["auth"], recorded["can_delegate"]) == ("administrator", "kerberos", delegate)
        # One handshake leg (the preemptive AP-REQ on the empty POST), then the five operations.
        assert counters(server)["by_action"]["Authenticate"] == 1


def test_kerberos_over_https_is_not_sealed_again(monkeypatch: pytest.MonkeyPatch, kerberos_env: Any) -> None:
    # pywinrm sends its AP-REQ preemptively, before it has seen the certificate, so the token carries no channel
    # binding; the acceptor is given the binding and, like Windows' default (relaxed) hardening, accepts a client
    # that sent none.
    sealed = _sealed_content_types(monkeypatch)
    with running(RecordingHost(), scheme="https", auth=["kerberos"]) as server:
        client = _kerberos_client(server, kerberos_env)
        assert run(client, "hostname")[2] == 0
        assert client.transport.encryption is None and sealed == []
        assert "Authenticate" not in counters(server)["by_action"]  # the AP-REQ rode on Create itself


def test_kerberos_accepts_only_the_hosts_own_service_key(kerberos_env: Any) -> None:
    # A ticket for HTTP/rdsh02 sent to rdsh01: its key is in the keytab, but not rdsh01's to use.
    with running(RecordingHost("rdsh01"), auth=["kerberos"]) as server:
        with pytest.raises(Exception, match="401|rejected|Unable to authenticate|Kerberos"):
            run(_kerberos_client(server, kerberos_env, host="rdsh02"), "hostname")
        assert counters(server)["auth_failures"] >= 1 and server.host.state()["commands"] == []


def test_negotiate_tokens_go_to_the_enabled_mechanism_only(kerberos_env: Any) -> None:
    with running(RecordingHost(), auth=["ntlm"]) as server:
        with pytest.raises(Exception, match="401|rejected|Unable to authenticate|Kerberos"):
            run(_kerberos_client(server, kerberos_env), "hostname")
    with running(RecordingHost(), auth=["kerberos"]) as server:
        with pytest.raises(PermissionError, match="NTLM challenge"):  # requests_ntlm: no challenge came back
            run(protocol(server, "ntlm"), "hostname")
        # An SPNEGO-wrapped token (OID 1.3.6.1.5.5.2) is no Kerberos token here: refused, not misread.
        spnego_token = bytes.fromhex("6006062b0601050502a000")
        assert not kerberos.is_kerberos_token(spnego_token)
        response = requests.post(server.endpoint, data=b"",
                                 headers={"Authorization": "Negotiate " + base64.b64encode(spnego_token).decode()})
        assert response.status_code == 401
