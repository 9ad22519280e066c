"""The native payload's frames and the code page they are decoded with."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.native_output import (
    NativeOutputError, codec_for_code_page, split_frames, tool_error)
from tests.unit.fakes import chcp_frame, frame


def test_frames_split_and_keep_raw_bytes():
    body = 'Администратор'.encode('cp866')
    frames, errors = split_frames(chcp_frame(866) + frame('guard', body, ident=4, verdict='match', rc=0))
    assert errors == []
    assert [(f.step, f.id, f.rc, f.verdict) for f in frames] == [('chcp', None, 0, None), ('guard', 4, 0, 'match')]
    assert frames[1].text(codec_for_code_page(frames[0])) == 'Администратор'


@pytest.mark.parametrize('text,codec', [
    (b'Active code page: 437', 'cp437'), (b'Aktive Codepage: 850.', 'cp850'), (b'Page de codes active : 850', 'cp850'),
    ('現在のコード ページ: 932'.encode('cp932'), 'cp932'), ('活动代码页: 936'.encode('cp936'), 'cp936'),
    ('Текущая кодовая страница: 866'.encode('cp866'), 'cp866'), (b'Active code page: 65001', 'utf-8'),
])
def test_code_page_in_every_language(text, codec):
    frames, _unused = split_frames(frame('chcp', text))
    assert codec_for_code_page(frames[0]) == codec


def test_double_byte_trail_bytes_never_break_frames():
    # cp932 text whose trail bytes include 0x5C ('\\') and 0x7C ('|'): framing must not care
    body = 'ソ表能'.encode('cp932')
    frames, _unused = split_frames(frame('chcp', b'932') + frame('query-user', body))
    assert frames[1].text('cp932') == 'ソ表能'


def test_cut_frame_is_incomplete():
    frames, _unused = split_frames(b'##winrds:begin chcp\r\n437\r\n##winrds:end chcp rc=0\r\n##winrds:begin logoff 3\r\nx')
    assert frames[1].step == 'logoff' and not frames[1].complete


def test_errors_and_garbage():
    frames, errors = split_frames(b'##winrds:error bad_server 87\r\n')
    assert errors == [('bad_server', 87)]
    with pytest.raises(NativeOutputError):
        split_frames(b'<html>proxy error</html>')
    with pytest.raises(NativeOutputError):
        split_frames(b'##winrds:begin chcp\r\n##winrds:end chcp rc=zero\r\n')
    with pytest.raises(NativeOutputError):
        codec_for_code_page(None)
    with pytest.raises(NativeOutputError):
        codec_for_code_page(split_frames(frame('chcp', b'1'))[0][0])
    with pytest.raises(NativeOutputError):
        codec_for_code_page(split_frames(frame('chcp', b'Active code page: 99999'))[0][0])


def test_tool_error():
    assert tool_error('Could not logoff session ID 1 from session Console, Error code 5\r\nError [5]:Access is '
                      'denied.') == (5, 'Access is denied.')
    assert tool_error('Error 0x000006BA enumerating sessionnames')[0] == 1722
    assert tool_error('No User exists for *') is None
