"""PowerShell remoting on the real engine, with the real pypsrp client: the runspace pool and its capability
exchange, pipelines with input, output, error records and state, stop and close, fragmenting, the session
configurations, and what a Windows host does to a remoting session (language mode, console code pages)."""

from __future__ import annotations

import contextlib
import time

import pytest

from tests.emulator.wsman import WSManServer

pypsrp = pytest.importorskip('pypsrp', reason='pypsrp is a pinned test dependency')
from pypsrp.exceptions import WSManFaultError  # noqa: E402
from pypsrp.powershell import PowerShell, PSInvocationState, RunspacePool  # noqa: E402
from pypsrp.wsman import WSMan  # noqa: E402


@contextlib.contextmanager
def pool_of(host, configuration='Microsoft.PowerShell', auth='ntlm', max_envelope_size=153600, user='administrator',
            password='Passw0rd!'):
    """A runspace pool opened by pypsrp on a served host; the server is stopped afterwards."""
    server = WSManServer(host, port=0, scheme='http', auth=['basic', 'ntlm'])
    server.start()
    try:
        wsman = WSMan('127.0.0.1', port=server.port, ssl=False, auth=auth, username=user, password=password,
                      encryption='never' if auth == 'basic' else 'auto', max_envelope_size=max_envelope_size)
        with RunspacePool(wsman, configuration_name=configuration) as pool:
            yield pool, server
    finally:
        server.stop()


def invoke(pool, script, input_lines=None):
    shell = PowerShell(pool)
    shell.add_script(script)
    output = shell.invoke(input_lines)
    return shell, output


def test_a_pool_opens_and_a_pipeline_runs_with_input_output_errors_and_state(make_host):
    host = make_host()
    with pool_of(host) as (pool, server):
        assert pool.state == 2  # RunspacePoolState.OPENED, after SESSION_CAPABILITY and RUNSPACEPOOL_STATE
        assert pool.application_private_data is not None  # APPLICATION_PRIVATE_DATA came before the state
        shell, output = invoke(pool, '$lines = @($input); "$($lines.Count): $($lines -join "|")"; '
                                     '$env:COMPUTERNAME; Write-Error "it went wrong"', ['a', 'ü', '田中'])
        assert output == ['3: a|ü|田中', 'RDSH01']
        assert [str(error) for error in shell.streams.error] == ['it went wrong']
        assert shell.state == PSInvocationState.COMPLETED
        assert server.service.state()['open_shells'] == 1
    (command,) = host.state()['commands']
    assert command['connection'] == 'psrp' and command['configuration'] == 'Microsoft.PowerShell'
    assert command['stdin'] == 'a\nü\n田中\n' and command['state'] == 'Completed'
    assert command['errors'] == ['it went wrong'] and command['rc'] == 1
    assert server.service.state()['open_shells'] == 0


def test_a_failing_pipeline_ends_failed(make_host):
    with pool_of(make_host()) as (pool, _server):
        shell, _output = invoke(pool, 'throw "stop here"')
        assert shell.state == PSInvocationState.FAILED and shell.had_errors


def test_a_running_pipeline_is_stopped_by_the_clients_signal(make_host):
    host = make_host()
    with pool_of(host) as (pool, _server):
        shell = PowerShell(pool)
        shell.add_script('"started"; Start-Sleep -Seconds 120; "never"')
        shell.begin_invoke()
        deadline = time.monotonic() + 60
        while not shell.output and time.monotonic() < deadline:
            shell.poll_invoke(timeout=1)
        shell.stop()
        assert shell.state == PSInvocationState.STOPPED
        assert shell.output == ['started']
        # the pool still serves the next pipeline
        _shell, output = invoke(pool, '"next"')
        assert output == ['next']
    assert [command['state'] for command in host.state()['commands']] == ['Stopped', 'Completed']


def test_messages_larger_than_the_envelope_travel_in_fragments(make_host):
    with pool_of(make_host(), max_envelope_size=8192) as (pool, _server):
        big = ['x' * 3000 + str(index) for index in range(20)]
        _shell, output = invoke(pool, '$all = @($input) -join ""; $all.Length; $all', big)
        assert output[0] == sum(len(line) for line in big)
        assert output[1] == ''.join(big)


def test_powershell_7_is_served_where_it_is_registered_and_refused_elsewhere(make_host):
    host = make_host(remoting_configurations=['Microsoft.PowerShell', 'PowerShell.7'])
    with pool_of(host, configuration='PowerShell.7') as (pool, _server):
        _shell, output = invoke(pool, '$PSVersionTable.PSVersion.Major')
        assert output == [7]
    assert host.state()['commands'][0]['configuration'] == 'PowerShell.7'
    with pytest.raises(WSManFaultError) as failure:
        with pool_of(make_host(), configuration='PowerShell.7'):
            pass
    assert 'Cannot find the PowerShell.7 session configuration in the WSMan: drive on the rdsh01 computer' in str(
        failure.value)


def test_another_account_cannot_use_the_shell_of_the_first(make_host):
    host = make_host()
    with pool_of(host) as (pool, server):
        intruder = WSMan('127.0.0.1', port=server.port, ssl=False, auth='ntlm', username='helpdesk',
                         password='Helpdesk1!')
        with pytest.raises(WSManFaultError) as failure:
            pypsrp.shell.WinRS(intruder, resource_uri=pool.shell.resource_uri, id=pool.shell.id).receive('stdout')
        assert failure.value.code == 2150858843  # the unknown-shell fault, as for WinRS


def test_a_constrained_host_runs_remote_sessions_in_its_language_mode(make_host):
    with pool_of(make_host(language_mode='ConstrainedLanguage')) as (pool, _server):
        _shell, output = invoke(pool, '$ExecutionContext.SessionState.LanguageMode.ToString()')
        assert output == ['ConstrainedLanguage']


@pytest.mark.parametrize('locale, ansi, oem', [('de-DE', 1252, 850), ('ru-RU', 1251, 866), ('ja-JP', 932, 932)])
def test_native_output_is_read_in_the_ansi_code_page_of_a_session_without_console(make_host, locale, ansi, oem):
    # PowerShell/PowerShell#15128: no console in the remoting host, ANSI for [Console]::OutputEncoding; each native
    # tool gets a console of its own, whose code page chcp shows.
    with pool_of(make_host(locale=locale)) as (pool, _server):
        _shell, output = invoke(pool, '[Console]::OutputEncoding.CodePage; [string](chcp.com)')
        assert output[0] == ansi
        assert output[1].rstrip('.').endswith(str(oem))


def test_an_oem_console_encoding_is_a_host_setting(make_host):
    with pool_of(make_host(locale='de-DE', remoting_console_encoding='oem')) as (pool, _server):
        _shell, output = invoke(pool, '[Console]::OutputEncoding.CodePage')
        assert output == [850]


def test_basic_logons_reach_the_pool_too(make_host):
    with pool_of(make_host(), auth='basic') as (pool, _server):
        _shell, output = invoke(pool, '$env:USERNAME')
        assert output == ['administrator']
