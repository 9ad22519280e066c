"""A host that cannot be reached: the error an action raises says its cause once (ansible-core 2.19 and later
append the text of a chained exception to the message), then the next step that fits the cause.

The causes are the texts ansible-core's winrm plugin raised against the emulated host (tests/e2e proves each one
end to end); here the plugin's own error class carries them, and the message is read as ansible-core renders it
(``str()`` of the exception)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleConnectionFailure
from requests.exceptions import ConnectionError as RequestsConnectionError

from tests.unit.fakes import FakeConnection, STANDARD_WTS_SESSIONS, wts_answer

MODULE = 'win_rds_logoff'
RERUN = 'run the task again'

CREDENTIALS = 'ntlm: the specified credentials were rejected by the server'
CERTIFICATE = ("ntlm: HTTPSConnectionPool(host='127.0.0.1', port=45017): Max retries exceeded with url: /wsman (Caused "
               "by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
               "self-signed certificate (_ssl.c:1000)')))")
REFUSED = ("ntlm: HTTPConnectionPool(host='127.0.0.1', port=5985): Max retries exceeded with url: /wsman (Caused by "
           "NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=5985): Failed to establish a new connection: "
           "[Errno 111] Connection refused\"))")
NO_NAME = ("ntlm: HTTPConnectionPool(host='rdsh-nowhere.invalid', port=5985): Max retries exceeded with url: /wsman "
           "(Caused by NameResolutionError(\"HTTPConnection(host='rdsh-nowhere.invalid', port=5985): Failed to resolve "
           "'rdsh-nowhere.invalid' ([Errno -2] Name or service not known)\"))")
RESET = "ntlm: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"
WRONG_VERSION = ("ntlm: HTTPSConnectionPool(host='127.0.0.1', port=5985): Max retries exceeded with url: /wsman (Caused "
                 "by SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)')))")
TIMED_OUT = ("ntlm: HTTPConnectionPool(host='10.0.0.9', port=5985): Max retries exceeded with url: /wsman (Caused by "
             "ConnectTimeoutError(<urllib3.connection.HTTPConnection object at 0x7f>, 'Connection to 10.0.0.9 timed "
             "out. (connect timeout=30)'))")


def _failure(run_action, cause, options=None, args=None):
    """The exception the action raises when the first command meets ``cause``."""
    connection = FakeConnection([AnsibleConnectionFailure(cause)], options=options)
    with pytest.raises(AnsibleConnectionFailure) as caught:
        run_action(MODULE, args or {'username': 'bob'}, connection)
    return str(caught.value)


@pytest.mark.parametrize('cause, options, advice, rerun', [
    (CREDENTIALS, {}, ['ansible_user', 'ansible_password', 'ansible_winrm_transport'], False),
    (CERTIFICATE, {'scheme': 'https', 'port': 45017},
     ['ansible_winrm_ca_trust_path', 'ansible_winrm_server_cert_validation'], False),
    (REFUSED, {'port': 5985}, ['port 5985', 'ansible_port', 'listener'], True),
    (NO_NAME, {'remote_addr': 'rdsh-nowhere.invalid'}, ['rdsh-nowhere.invalid does not resolve', 'ansible_host'],
     False),
    (RESET, {'scheme': 'http', 'port': 5986}, ['ansible_winrm_scheme: https'], True),
    (WRONG_VERSION, {'scheme': 'https', 'port': 5985}, ['ansible_winrm_scheme: http', 'port 5985'], False),
    (TIMED_OUT, {'port': 5985}, ['did not answer', 'port 5985'], True),
], ids=['credentials', 'certificate', 'refused', 'unknown-name', 'http-on-https', 'https-on-http', 'timeout'])
def test_the_cause_once_then_the_advice_that_fits(run_action, cause, options, advice, rerun):
    message = _failure(run_action, cause, options)
    assert message.startswith(cause), message
    assert message.count(cause.split(': ', 1)[1]) == 1, message
    for words in advice:
        assert words in message, (words, message)
    assert (RERUN in message.lower()) is rerun, message
    assert 'nothing was changed' in message.lower()


def test_psrp_names_its_own_options(run_action):
    message = _failure(run_action, CERTIFICATE, {'transport': 'psrp', 'protocol': 'https', 'port': 5986})
    assert 'ansible_psrp_ca_cert' in message and 'ansible_psrp_cert_validation' in message
    assert 'ansible_winrm' not in message


def test_a_connection_lost_during_the_read_says_its_cause_once_and_to_run_again(run_action):
    lost = RequestsConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed connection "
                                   "without response'))")
    connection = FakeConnection([lost])
    with pytest.raises(AnsibleConnectionFailure) as caught:
        run_action(MODULE, {'username': 'bob'}, connection)
    message = str(caught.value)
    assert message.count('Remote end closed connection without response') == 1, message
    assert message.count('failed on the way') == 1, message
    assert RERUN in message.lower() and 'nothing was changed' in message.lower()


def test_a_connection_lost_during_the_action_is_unknown_per_session_and_says_its_cause_once(run_action):
    lost = RequestsConnectionError('Connection reset by peer')
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), lost])
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['failed'] is True
    assert result['msg'].count('Connection reset by peer') == 1, result['msg']
    assert result['sessions'][0]['outcome'] == 'unknown'
