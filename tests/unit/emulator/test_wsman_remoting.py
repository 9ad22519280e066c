"""The WS-Management side of PowerShell remoting (wsman/remoting.py) with pypsrp's WinRS client and a stand-in
runspace pool server that echoes: the fragments travel as opaque bytes, per pool and per pipeline."""

from __future__ import annotations

import base64
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_wsman_standin import ADMIN, HELPDESK, StandInHost, running  # noqa: E402

pypsrp = pytest.importorskip('pypsrp')
from pypsrp.exceptions import WSManFaultError  # noqa: E402
from pypsrp.shell import WinRS  # noqa: E402
from pypsrp.wsman import WSMan  # noqa: E402

RESOURCE = 'http://schemas.microsoft.com/powershell/Microsoft.PowerShell'


class EchoPool:
    """Answers every packet of the client with ``echo:`` and the packet; b'END' ends a pipeline."""

    def __init__(self, deliver):
        self.deliver = deliver
        self.calls = []
        self.closed = threading.Event()

    def send(self, pid, data, stream='Default'):
        self.calls.append(('send', pid, data, stream))
        self.deliver(pid, b'echo:' + data, data == b'END')

    def create_pipeline(self, pid):
        self.calls.append(('create', pid))

    def stop_pipeline(self, pid):
        self.calls.append(('stop', pid))

    def close_pipeline(self, pid):
        self.calls.append(('terminate', pid))

    def close(self):
        self.calls.append(('close',))
        self.closed.set()


class RemotingHost(StandInHost):
    """A stand-in host with the Microsoft.PowerShell configuration."""

    def __init__(self):
        super().__init__()
        self.pools = []

    def open_runspace_pool(self, configuration, ctx, deliver):
        if configuration != 'Microsoft.PowerShell':
            raise LookupError(configuration)
        pool = EchoPool(deliver)
        pool.context = ctx
        self.pools.append(pool)
        return pool


def client(server, user=ADMIN):
    return WSMan('127.0.0.1', port=server.port, ssl=False, auth='ntlm', username=user[0], password=user[1],
                 operation_timeout=2, read_timeout=10)


def open_shell(wsman, creation=b'CAPABILITY+INIT', resource=RESOURCE):
    shell = WinRS(wsman, resource_uri=resource, id='0A6C54F8-6D43-4F5C-8A3C-5E7E2C2AA001', input_streams='stdin pr',
                  output_streams='stdout')
    content = ET.Element('creationXml', xmlns='http://schemas.microsoft.com/powershell')
    content.text = base64.b64encode(creation).decode('ascii')
    shell.open(open_content=content)
    return shell


def test_the_pool_gets_the_creation_fragments_and_answers_on_the_pool_stream():
    host = RemotingHost()
    with running(host, auth=['ntlm']) as server:
        shell = open_shell(client(server))
        assert shell.id == '0A6C54F8-6D43-4F5C-8A3C-5E7E2C2AA001'  # the client's id names the shell
        (pool,) = host.pools
        assert pool.calls == [('send', None, b'CAPABILITY+INIT', 'Default')]
        assert (pool.context.account.name, pool.context.auth) == ('administrator', 'ntlm')
        state, rc, streams = shell.receive('stdout')
        assert streams['stdout'] == b'echo:CAPABILITY+INIT' and rc is None
        assert server.service.state()['open_shells'] == 1
        shell.close()
        assert pool.closed.is_set() and server.service.state()['open_shells'] == 0


def test_a_pipeline_gets_its_fragments_and_ends_with_command_state_done():
    host = RemotingHost()
    with running(host, auth=['ntlm']) as server:
        shell = open_shell(client(server))
        shell.receive('stdout')
        pid = '5B1A30B5-7DC0-4D2B-9F0B-5A3A5B9B0C01'
        shell.command('', arguments=[base64.b64encode(b'CREATE_PIPELINE').decode('ascii')], command_id=pid)
        shell.send('stdin', b'INPUT', command_id=pid)
        shell.send('pr', b'HOST_RESPONSE', command_id=pid)
        state, _rc, streams = shell.receive('stdout', command_id=pid)
        assert streams['stdout'] == b'echo:CREATE_PIPELINEecho:INPUTecho:HOST_RESPONSE'
        assert state.endswith('/Running') or state.endswith('/Pending')
        shell.send('stdin', b'END', command_id=pid)
        state, rc, streams = shell.receive('stdout', command_id=pid)
        assert streams['stdout'] == b'echo:END' and state.endswith('/Done') and rc == 0
        (pool,) = host.pools
        assert ('create', pid) in pool.calls and ('send', pid, b'HOST_RESPONSE', 'PromptResponse') in pool.calls
        shell.signal('powershell/signal/crtl_c', pid)
        shell.signal('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate', pid)
        assert pool.calls[-2:] == [('stop', pid), ('terminate', pid)]
        with pytest.raises(WSManFaultError):  # a terminated pipeline is forgotten
            shell.receive('stdout', command_id=pid)


def test_a_receive_with_nothing_to_say_times_out_for_the_client_to_poll_again():
    host = RemotingHost()
    with running(host, auth=['ntlm'], receive_wait_cap=1) as server:
        shell = open_shell(client(server))
        shell.receive('stdout')
        with pytest.raises(WSManFaultError) as failure:
            shell.receive('stdout')
        assert failure.value.code == 2150858793


def test_an_unknown_configuration_is_refused_with_windows_words():
    with running(RemotingHost(), auth=['ntlm']) as server:
        with pytest.raises(WSManFaultError) as failure:
            open_shell(client(server), resource='http://schemas.microsoft.com/powershell/PowerShell.7')
        assert ('Cannot find the PowerShell.7 session configuration in the WSMan: drive on the rdsh01 computer'
                in str(failure.value))


def test_the_pool_of_one_account_is_unknown_to_another():
    with running(RemotingHost(), auth=['ntlm']) as server:
        shell = open_shell(client(server))
        other = WinRS(client(server, HELPDESK), resource_uri=RESOURCE, id=shell.id)
        other._selector_set = shell._selector_set
        with pytest.raises(WSManFaultError) as failure:
            other.receive('stdout')
        assert failure.value.code == 2150858843
