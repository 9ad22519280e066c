"""The native payload's frames and the code pages they are decoded with."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.native_output import (
    Codecs, NativeOutputError, cell_hex, code_page_of, split_frames, tool_error)
from tests.unit.fakes import chcp_frame, frame


def test_frames_keep_the_exact_bytes_of_output_and_error():
    body = 'Администратор'.encode('cp866')
    frames, errors = split_frames(chcp_frame(866) + frame('guard', body, ident=4, verdict='match', rc=0,
                                                          err=b'Error [5]:x\r\n'))
    assert errors == []
    assert [(f.step, f.id, f.rc, f.verdict) for f in frames] == [
        ('chcp', None, 0, None), ('oemcp', None, 0, None), ('guard', 4, 0, 'match')]
    codecs_ = Codecs.from_frames(frames)
    assert frames[2].out == body and frames[2].err == b'Error [5]:x\r\n'
    assert frames[2].text(codecs_) == 'Администратор'
    assert frames[2].all_text(codecs_) == 'Администратор\r\nError [5]:x\r\n'


@pytest.mark.parametrize('text,number', [
    (b'Active code page: 437', 437), (b'Aktive Codepage: 850.', 850), (b'Page de codes active : 850', 850),
    ('現在のコード ページ: 932'.encode('cp932'), 932), ('活动代码页: 936'.encode('cp936'), 936),
    ('Текущая кодовая страница: 866'.encode('cp866'), 866), (b'Active code page: 65001', 65001),
    (b'\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage\r\n    OEMCP    REG_SZ    932\r\n', 932),
])
def test_code_page_in_every_language(text, number):
    frames, _unused = split_frames(frame('chcp', text))
    assert code_page_of(frames[0]) == number


def test_a_failed_or_silent_code_page_frame_reports_none():
    assert code_page_of(None) is None
    assert code_page_of(split_frames(frame('chcp', b'Active code page: 437', rc=1))[0][0]) is None
    assert code_page_of(split_frames(frame('chcp', b'1'))[0][0]) is None


def test_codecs_prefer_the_console_when_its_utf8_reads_the_bytes_and_the_oem_page_otherwise():
    codecs_ = Codecs.from_frames(split_frames(chcp_frame(65001, oem=932))[0])
    assert codecs_.order == ['utf-8', 'cp932']
    assert codecs_.decode('ユーザー名'.encode('utf-8')) == 'ユーザー名'
    assert codecs_.decode('ユーザー名'.encode('cp932')) == 'ユーザー名'
    assert codecs_.codec_of(b'USERNAME') == 'utf-8'
    only_oem = Codecs(oem='cp866')
    assert only_oem.decode('Активно'.encode('cp866')) == 'Активно'
    with pytest.raises(NativeOutputError):
        Codecs()
    with pytest.raises(NativeOutputError, match='99999'):
        Codecs.from_frames(split_frames(frame('chcp', b'Active code page: 99999'))[0])


def test_double_byte_trail_bytes_never_break_frames():
    # cp932 text whose trail bytes include 0x5C ('\\') and 0x7C ('|'): hexadecimal frames do not care
    body = 'ソ表能'.encode('cp932')
    frames, _unused = split_frames(chcp_frame(932) + frame('query-user', body))
    assert frames[2].text(Codecs(oem='cp932')) == 'ソ表能'


def test_cell_hex_is_the_bytes_the_tool_wrote():
    assert cell_hex('bob', 'cp437') == '62 6F 62'
    assert cell_hex('ソ', 'cp932') == '83 5C'
    assert cell_hex('ソ', 'cp437') is None


def test_cut_frame_is_incomplete():
    frames, _unused = split_frames(chcp_frame() + b'##winrds:begin logoff 3\r\n##winrds:out 78')
    assert frames[-1].step == 'logoff' and not frames[-1].complete and frames[-1].out == b'x'


def test_a_tool_that_could_not_start_is_missing_with_the_reason():
    stdout = b'##winrds:begin query-user\r\n##winrds:note The system cannot find the file specified.\r\n' \
             b'##winrds:end query-user rc=-1 verdict=missing\r\n'
    found = split_frames(stdout)[0][0]
    assert found.missing and found.rc == -1 and found.error_text(Codecs(oem='cp437')).startswith('The system')


def test_errors_and_garbage():
    frames, errors = split_frames(b'##winrds:error bad_server 87\r\n')
    assert errors == [('bad_server', 87)]
    with pytest.raises(NativeOutputError):
        split_frames(b'<html>proxy error</html>')
    with pytest.raises(NativeOutputError):
        split_frames(b'##winrds:begin chcp\r\n##winrds:end chcp rc=zero\r\n')
    with pytest.raises(NativeOutputError, match='not hexadecimal'):
        split_frames(b'##winrds:begin chcp\r\n##winrds:out 4G\r\n')
    with pytest.raises(NativeOutputError, match='unknown frame line'):
        split_frames(b'##winrds:begin chcp\r\n##winrds:raw 41\r\n')
    stray = split_frames(b'##winrds:begin chcp\r\nWARNING: something\r\n##winrds:end chcp rc=0\r\n')[0][0]
    assert stray.stray == ['WARNING: something'] and stray.out == b''


def test_tool_error():
    assert tool_error('Could not logoff session ID 1 from session Console, Error code 5\r\nError [5]:Access is '
                      'denied.') == (5, 'Access is denied.')
    assert tool_error('Error 0x000006BA enumerating sessionnames')[0] == 1722
    assert tool_error('No User exists for *') is None


@pytest.mark.parametrize('damage', [b'##winrds:out 4\x00\xff\xfe<garbage>\x8f', b'\x00\xff\xfe<garbage>\x8f\x90',
                                    b'##winrds:end logoff 4 rc=\xff'])
def test_an_answer_damaged_after_whole_frames_keeps_them_and_reads_as_cut_there(damage):
    """The frames before the damage are the host's word on those sessions; the answer is cut where it breaks."""
    whole = chcp_frame() + frame('guard', b' alice', ident=3, verdict='match') + frame('logoff', b'', ident=3)
    frames, errors = split_frames(whole + b'##winrds:begin logoff 4\r\n' + damage + b'\r\n##winrds:end logoff 4 rc=0\r\n')
    assert errors == []
    assert [(f.step, f.id, f.complete) for f in frames] == [
        ('chcp', None, True), ('oemcp', None, True), ('guard', 3, True), ('logoff', 3, True), ('logoff', 4, False)]


def test_an_answer_damaged_before_any_frame_is_unreadable():
    with pytest.raises(NativeOutputError):
        split_frames(b'\x00\xff\xfe<garbage>\x8f\x90')
