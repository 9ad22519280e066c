"""The transport: a fixed command line, ASCII stdin, answers parsed or refused clearly; and proof, with the real
connection plugins of the installed ansible-core, that the command line reaches the host unchanged."""

from __future__ import annotations

import base64
import json
import re
from unittest.mock import MagicMock

import pytest
from ansible.errors import AnsibleConnectionFailure
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

from ansible_collections.winrds.sessions.plugins.plugin_utils import _transport
from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import (
    OPERATIONS, CommandResult, PayloadError, PayloadRunner, bootstrap_command, clixml_to_text, for_operation,
    parse_json_answer, payload_script, payload_stdin, strip_comments)
from tests.unit.fakes import FakeConnection, inflate


def test_bootstrap_command_is_fixed_short_and_decodes_to_the_bootstrap_code():
    command = bootstrap_command()
    assert command == bootstrap_command()
    assert len(command) < 8191  # cmd.exe's command-line limit (ansible-core 2.21 runs commands through cmd.exe)
    sent = base64.b64decode(command.rsplit(' ', 1)[1]).decode('utf-16-le')
    assert sent == strip_comments(payload_script('bootstrap'))
    assert sent.splitlines()[0] == '# winrds bootstrap v2'
    assert [line for line in sent.splitlines()[1:] if line.startswith('#')] == []


@pytest.mark.parametrize('name', ['bootstrap', 'wts', 'native'])
def test_payload_scripts_are_ascii_and_named(name):
    script = payload_script(name)
    script.encode('ascii')
    if name != 'bootstrap':
        assert re.fullmatch(r'# winrds payload: %s v[0-9]+' % name, script.splitlines()[0])


def test_stdin_is_ascii_json_then_the_packed_wts_code():
    data = {'op': 'snapshot', 'server': None, 'text': 'Größe 日本 \u202e "; $(x) `n\r\n'}
    stdin = payload_stdin('wts', data)
    assert all(byte < 128 for byte in stdin)
    first, script = stdin.split(b'\n', 1)
    assert json.loads(first) == data
    assert b'\n' not in script, 'the packed script is one line'
    assert inflate(script) == strip_comments(for_operation(payload_script('wts'), 'snapshot'))


def test_each_operation_is_sent_only_the_code_it_runs():
    marked = '\n'.join(['# header', 'common', '# winrds-only: snapshot', 'snap', '# winrds-only: end',
                        '    # winrds-only: logoff message', 'act', '    # winrds-only: end', 'tail'])
    assert for_operation(marked, 'snapshot') == '# header\ncommon\nsnap\ntail'
    assert for_operation(marked, 'message') == '# header\ncommon\nact\ntail'
    assert for_operation(marked, 'disconnect') == '# header\ncommon\ntail'
    assert for_operation(marked, None) == '# header\ncommon\ntail'
    for broken in ('# winrds-only: snapshot\nx', '# winrds-only: end', '# winrds-only: a\n# winrds-only: b'):
        with pytest.raises(ValueError):
            for_operation(broken, 'a')


@pytest.mark.parametrize('name', ['wts', 'native'])
def test_every_line_of_a_payload_is_sent_to_some_operation(name):
    code = set(strip_comments(payload_script(name)).splitlines())
    sent = set()
    for op in OPERATIONS:
        sent |= set(strip_comments(for_operation(payload_script(name), op)).splitlines())
    assert code == sent


def test_the_snapshot_is_sent_without_the_code_of_the_actions():
    snapshot = strip_comments(for_operation(payload_script('wts'), 'snapshot'))
    logoff = strip_comments(for_operation(payload_script('wts'), 'logoff'))
    assert 'function Test-Identity' not in snapshot and 'function Test-Identity' in logoff
    assert 'function ConvertTo-SessionDocument' in snapshot and 'function ConvertTo-SessionDocument' not in logoff


def test_the_native_payload_is_sent_as_text_because_it_must_run_in_constrained_language():
    first, script = payload_stdin('native', {'op': 'snapshot'}).split(b'\n', 1)
    assert script.decode('ascii') == strip_comments(for_operation(payload_script('native'), 'snapshot'))
    assert _transport.PACKED_PAYLOADS == frozenset(['wts'])


def test_strip_comments_keeps_the_header_code_and_here_strings():
    script = '\n'.join([
        '# winrds payload: demo v1', '# a comment', '', '$a = 1   # trailing comments stay', '    if ($a) {',
        "        $text = @'", '    # inside a here-string: kept', '// C# comment: kept', "'@", '    }', '#end'])
    assert strip_comments(script).split('\n') == [
        '# winrds payload: demo v1', '$a = 1   # trailing comments stay', 'if ($a) {', "$text = @'",
        '    # inside a here-string: kept', '// C# comment: kept', "'@", '}']
    with pytest.raises(ValueError):
        strip_comments('# h\n<# block\ncomment #>\n$a = 1')


@pytest.mark.parametrize('name', ['bootstrap', 'wts', 'native'])
def test_strip_comments_drops_only_comment_and_blank_lines_of_the_payloads(name):
    original = payload_script(name).split('\n')
    code = strip_comments(payload_script(name)).split('\n')
    # Every line sent is a line of the file (indentation aside, here-strings verbatim), in the file's order, and
    # every line left out is blank or a whole-line comment outside the here-string.
    position = 0
    for line in code:
        while original[position].strip() != line.strip():
            dropped = original[position].strip()
            assert dropped == '' or dropped.startswith('#'), dropped
            position += 1
        position += 1
    assert all(line.strip() == '' or line.strip().startswith('#') for line in original[position:])


def _open_quote_at_end(line):
    """The quote a PowerShell line leaves open at its end ('' when none): '' and `x escapes, # comments."""
    quote, index = '', 0
    while index < len(line):
        char = line[index]
        if not quote:
            if char == '#':
                break
            if char in ('"', "'"):
                quote = char
        elif quote == '"' and char == '`':
            index += 1
        elif char == quote:
            if line[index + 1:index + 2] == quote:
                index += 1
            else:
                quote = ''
        index += 1
    return quote


@pytest.mark.parametrize('name', ['bootstrap', 'wts', 'native'])
def test_payloads_spread_no_string_but_here_strings_over_lines(name):
    # strip_comments relies on it: a comment-looking or indented line inside a multi-line string would change.
    here_string = False
    for number, line in enumerate(payload_script(name).split('\n'), 1):
        if here_string:
            here_string = not (line.startswith("'@") or line.startswith('"@'))
            continue
        if line.rstrip().endswith(("@'", '@"')):
            here_string = True
            continue
        assert _open_quote_at_end(line) == '', '%s.ps1 line %d leaves a string open: %s' % (name, number, line)


def test_the_quote_checker_sees_open_strings():
    assert _open_quote_at_end("$a = 'it''s' # 'x") == ''
    assert _open_quote_at_end('$a = "say `"hi`" ""ok""') == '"'
    assert _open_quote_at_end("$a = 'open") == "'"


def test_a_logoff_task_sends_under_16_kb_even_with_20_targets():
    # The budget for what a task ships (docs/performance.md): two commands, each a command line and stdin.
    target = {'id': 65535, 'user': 'kiosk-user-0001', 'domain': 'CONTOSO-DOMAIN',
              'logon_time': '2026-11-22T08:15:00Z'}
    notice = {'title': 'Maintenance', 'text': 'x' * 200, 'grace_seconds': 60}
    act = {'op': 'logoff', 'server': 'rdsh-remote-01', 'notice': notice,
           'wait': True, 'timeout_seconds': 120, 'targets': [dict(target, id=n) for n in range(20)]}
    sent = sum(len(bootstrap_command()) + len(payload_stdin('wts', data))
               for data in ({'op': 'snapshot', 'server': 'rdsh-remote-01'}, act))
    assert sent < 16 * 1024, sent


def test_runner_counts_and_wraps_transport_errors():
    connection = FakeConnection([(0, b'{}', b''), OSError('connection reset')])
    runner = PayloadRunner(connection)
    result = runner.run('wts', {'op': 'snapshot'})
    assert result.rc == 0 and runner.commands == 1 and runner.bytes_sent == result.bytes_sent
    with pytest.raises(AnsibleConnectionFailure) as error:
        runner.run('wts', {'op': 'snapshot'})
    assert 'connection reset' in str(error.value)


def test_clixml_errors_become_text():
    clixml = (b'#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
              b'<S S="Error">Add-Type : Cannot add type._x000D__x000A_</S><S S="Error">line two</S></Objs>')
    assert clixml_to_text(clixml) == 'Add-Type : Cannot add type.\r\nline two'
    assert clixml_to_text(b'plain') == 'plain'


@pytest.mark.parametrize('stdout,words', [
    (b'', 'printed no JSON'),
    (b'{"payload": "wts", "ses', 'not whole JSON'),
    (b'{"payload": "native"}', 'not its answer'),
])
def test_bad_answers(stdout, words):
    with pytest.raises(PayloadError) as error:
        parse_json_answer('wts', CommandResult(0, stdout, b'boom', 0.0, 0))
    assert words in str(error.value)


def test_answer_after_noise():
    document = parse_json_answer('wts', CommandResult(0, b'WARNING: x\r\n{"payload": "wts", "a": 1}\r\n', b'', 0, 0))
    assert document['a'] == 1


def test_real_winrm_plugin_sends_the_command_line_unchanged():
    connection = connection_loader.get('winrm', PlayContext(), None)
    connection._connected = True  # exec_command connects first otherwise
    connection._winrm_exec = MagicMock(return_value=(0, b'', b''))
    connection.exec_command(bootstrap_command(), in_data=b'{}\nscript')
    args = connection._winrm_exec.call_args[0]
    assert ' '.join([args[0]] + list(args[1])) == bootstrap_command()


def test_real_psrp_plugin_runs_the_bootstrap_with_stdin_as_lines():
    pytest.importorskip('pypsrp', reason='pypsrp is a pinned test dependency; without it psrp cannot be tested')
    connection = connection_loader.get('psrp', PlayContext(), None)
    connection._connected = True
    connection._psrp_host = 'rdsh01'  # set when it connects; 2.19 logs with it
    connection._exec_psrp_script = MagicMock(return_value=(0, b'', b''))
    stdin = payload_stdin('native', {'op': 'snapshot', 'server': None})
    connection.exec_command(bootstrap_command(), in_data=stdin)
    kwargs = connection._exec_psrp_script.call_args[1]
    assert kwargs['script'] == strip_comments(payload_script('bootstrap'))
    assert kwargs['input_data'][0] == stdin.split(b'\n', 1)[0].decode('ascii')
    assert '\n'.join(kwargs['input_data'][1:]) == strip_comments(for_operation(payload_script('native'), 'snapshot'))


def test_payload_cache_is_per_name():
    assert payload_script('wts') is payload_script('wts')
    assert 'wts' in _transport._CACHE


def test_the_bootstraps_refusal_to_unpack_reads_as_the_helper_being_unavailable():
    refusal = b'{"language_mode":"ConstrainedLanguage","computer":"RDSH01","payload":"bootstrap",' \
              b'"error":{"kind":"unpack_refused"}}\r\n'
    document = parse_json_answer('wts', CommandResult(0, refusal, b'', 0, 0))
    assert document['payload'] == 'wts' and document['computer'] == 'RDSH01'
    assert document['error']['kind'] == 'helper_unavailable'
    assert 'ConstrainedLanguage' in document['error']['message']
    with pytest.raises(PayloadError):
        parse_json_answer('native', CommandResult(0, refusal, b'', 0, 0))
