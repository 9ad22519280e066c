"""The command-line front: encoded PowerShell, cmd.exe, unknown commands, the bootstrap and payload versions."""

from __future__ import annotations

import base64
import json
import re
import zlib
import xml.etree.ElementTree as ET

import pytest

from tests.emulator.windows import bootstrap, powershell
from tests.emulator.windows.testing import (
    bootstrap_command,
    context,
    payload_stdin,
    powershell_command,
    run_raw,
    sample_host,
)

NS = '{http://schemas.microsoft.com/powershell/2004/04}'


def clixml_text(stderr: bytes) -> str:
    """What ansible's _parse_clixml makes of PowerShell's error stream (plugins/shell/powershell.py)."""
    text = stderr.decode('utf-8')
    assert text.startswith('#< CLIXML\r\n')
    root = ET.fromstring(text[len('#< CLIXML\r\n'):])
    parts = [element.text or '' for element in root.findall(f'{NS}S') if element.get('S') == 'Error']
    return re.sub(r'_x([0-9A-F]{4})_', lambda m: chr(int(m.group(1), 16)), ''.join(parts))


def test_unknown_command_fails_like_powershell_51():
    host = sample_host()
    result = run_raw(host, 'Get-RDUserSession -CollectionName x')
    assert result.rc == 1 and result.stdout == b''
    text = clixml_text(result.stderr).splitlines()
    assert text[0].startswith("Get-RDUserSession : The term 'Get-RDUserSession' is not recognized as the name of a "
                              'cmdlet, function, script file, or operable program.')
    assert text[1:4] == ['At line:1 char:1', '+ Get-RDUserSession -CollectionName x', '+ ' + '~' * 17]
    assert text[4] == ('    + CategoryInfo          : ObjectNotFound: (Get-RDUserSession:String) [], '
                       'CommandNotFoundException')


def test_statements_run_in_order_and_the_last_one_sets_the_exit_code():
    host = sample_host()
    result = run_raw(host, 'hostname; whoami')
    assert result.stdout == b'rdsh01\r\nrdsh01\\administrator\r\n' and result.rc == 0
    assert run_raw(host, 'nosuch; hostname').rc == 0
    assert run_raw(host, 'hostname; nosuch').rc == 1
    assert run_raw(host, "& 'C:\\Windows\\System32\\quser.exe' 3").rc == 0


def test_cmd_command_lines_pass_the_tool_exit_code():
    host = sample_host(sessions=[])
    ctx = context(host)
    result = host.execute('quser', b'', ctx)
    assert (result.rc, result.stderr) == (1, b'No User exists for *\r\n')
    missing = host.execute('cmd.exe /c frobnicate /all', b'', ctx)
    assert missing.rc == 1
    assert missing.stderr == (b"'frobnicate' is not recognized as an internal or external command,\r\n"
                              b'operable program or batch file.\r\n')
    assert run_raw(host, 'cmd /c hostname').stdout == b'rdsh01\r\n'


def test_encoded_command_parameter_prefixes_and_bad_base64():
    host = sample_host()
    ctx = context(host)
    script = base64.b64encode('hostname'.encode('utf-16-le')).decode()
    assert host.execute(f'powershell.exe -NoProfile -enc {script}', b'', ctx).stdout == b'rdsh01\r\n'
    assert host.execute(f'PowerShell -e {script}', b'', ctx).stdout == b'rdsh01\r\n'
    broken = host.execute('PowerShell -NoProfile -EncodedCommand ***', b'', ctx)
    assert broken.rc == 1 and b'not properly encoded' in broken.stderr


def test_every_command_is_recorded_with_its_decoded_script():
    host = sample_host()
    run_raw(host, 'quser')
    host.execute('hostname', b'', context(host, 'helpdesk', 'ntlm'))
    first, second = host.state()['commands']
    assert first['command_line'] == powershell_command('quser') and first['script'] == 'quser' and first['rc'] == 0
    assert (second['command_line'], second['account'], second['auth']) == ('hostname', 'helpdesk', 'ntlm')


def test_the_bootstrap_is_read_from_the_checkout():
    assert bootstrap.BOOTSTRAP is not None, 'plugins/plugin_utils/payloads/bootstrap.ps1 is missing'
    assert bootstrap.is_bootstrap(bootstrap.BOOTSTRAP_FILE.read_text(encoding='utf-8'))
    assert not bootstrap.is_bootstrap('quser')
    decoded = powershell.parse_command_line(bootstrap_command()).script
    assert bootstrap.is_bootstrap(decoded)


def test_the_bootstrap_is_recognised_by_its_code_lines_with_or_without_comments():
    text = bootstrap.BOOTSTRAP_FILE.read_text(encoding='utf-8')
    code_only = '\n'.join(line.strip() for line in text.splitlines() if line.strip() and not line.startswith('#'))
    assert bootstrap.is_bootstrap(code_only)
    assert not bootstrap.is_bootstrap(code_only.replace('Invoke-Expression', 'Write-Output'))


def packed_stdin(name: str, data: dict, level: int = 9) -> bytes:
    """stdin with the script as the bootstrap's packed line: the mark, then base64 of raw DEFLATE."""
    first, script = payload_stdin(name, data).split(b'\n', 1)
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    packed = packer.compress(script) + packer.flush()
    return first + b'\n#deflate ' + base64.b64encode(packed) + b'\n'


def test_a_packed_payload_runs_as_its_text_does_in_full_language():
    plain, packed = sample_host(), sample_host()
    text_answer = plain.execute(bootstrap_command(), payload_stdin('wts', {'op': 'snapshot'}), context(plain))
    packed_answer = packed.execute(bootstrap_command(), packed_stdin('wts', {'op': 'snapshot'}), context(packed))
    assert packed_answer.rc == 0 and packed_answer.stdout == text_answer.stdout
    assert json.loads(packed_answer.stdout)['sessions']
    assert packed.state()['commands'][-1]['payload'] == 'wts'


def test_outside_full_language_the_bootstrap_refuses_to_unpack_and_runs_nothing():
    # .NET streams are not core types in ConstrainedLanguage (about_Language_Modes): the bootstrap answers itself.
    host = sample_host(language_mode='ConstrainedLanguage')
    before = host.state()['sessions']
    result = host.execute(bootstrap_command(), packed_stdin('wts', {'op': 'logoff', 'targets': [{'id': 2}]}),
                          context(host))
    assert result.rc == 0 and result.stderr == b''
    assert json.loads(result.stdout) == {'payload': 'bootstrap', 'computer': host.computer.computer_name,
                                         'language_mode': 'ConstrainedLanguage', 'error': {'kind': 'unpack_refused'}}
    assert host.state()['sessions'] == before


@pytest.mark.parametrize('line, method, exception', [
    (b'#deflate not*base64', 'FromBase64String', 'FormatException'),
    (b'#deflate ' + base64.b64encode(b'not deflate at all'), 'ReadToEnd', 'InvalidDataException')])
def test_a_damaged_packed_script_fails_in_the_bootstrap(line, method, exception):
    host = sample_host()
    result = host.execute(bootstrap_command(), b'{"op": "snapshot"}\n' + line + b'\n', context(host))
    assert result.rc == 1 and result.stdout == b''
    text = clixml_text(result.stderr)
    assert text.startswith('Exception calling "%s"' % method)
    assert 'FullyQualifiedErrorId : %s' % exception in text


def test_the_emulated_payload_versions_are_the_checkout_versions():
    # A payload script changed (its header version bumped) means its emulation must be reviewed.
    assert bootstrap.payload_file_versions() == bootstrap.EMULATED_VERSIONS


def test_a_payload_version_this_host_does_not_emulate_is_refused_loudly():
    host = sample_host()
    stdin = payload_stdin('wts', {'op': 'snapshot'}).replace(b'# winrds payload: wts v2', b'# winrds payload: wts v9')
    result = host.execute(bootstrap_command(), stdin, context(host))
    assert result.rc == 1 and 'cannot run wts v9' in clixml_text(result.stderr)


def test_bad_json_data_fails_in_convertfrom_json():
    host = sample_host()
    stdin = b'{not json\n' + payload_stdin('wts', {}).split(b'\n', 1)[1]
    result = host.execute(bootstrap_command(), stdin, context(host))
    assert result.rc == 1 and clixml_text(result.stderr).startswith('ConvertFrom-Json : Invalid JSON primitive')


@pytest.mark.parametrize('value, expected', [({'a': '<b>&\'é'}, '{"a":"\\u003cb\\u003e\\u0026\\u0027\\u00e9"}'),
                                             ([1, None, True], '[1,null,true]')])
def test_convert_to_json_escapes_like_windows_powershell(value, expected):
    assert powershell.convert_to_json(value) == expected
