"""Every hostile string of the safety corpus as a message, through both payloads, on the real engine.

The strings travel as JSON data on stdin (never in script text); the payloads hand them to WTSSendMessageW or to
msg.exe. The emulated host records what arrived: it must be the string itself. Strings the controller refuses
before sending (a NUL, more than 4,096 characters, nothing but blanks; for msg.exe more than 255 characters with
the title) are left out, as no task sends them.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.safety.checks import load_corpus
from tests.engine.payloads import native_frames, run_payload, wts_document

CORPUS = [text for text in load_corpus() if '\x00' not in text and len(text) <= 4096 and text.strip()]
MSG_CORPUS = [text for text in CORPUS if len('Note\r\n' + text) <= 255]
SURROGATE = re.compile('[\ud800-\udfff]')


def message(text, title):
    return {'op': 'message', 'server': None, 'targets': [{'id': 3}], 'title': title, 'text': text,
            'wait_response': False, 'timeout_seconds': 5}


@pytest.fixture(scope='module')
def engine_host():
    from tests.engine.conftest import make_pwsh_host  # noqa: PLC0415 (the conftest's own helper)

    host = make_pwsh_host()
    yield host
    host.close()


@pytest.mark.parametrize('index', range(len(CORPUS)))
def test_a_hostile_message_reaches_wts_send_message_as_it_is(engine_host, index):
    text = CORPUS[index]
    engine_host.reset()
    answer = wts_document(run_payload(engine_host, 'wts', message(text, text[:50])))
    assert answer['error'] is None and answer['results'][0]['outcome'] == 'done', answer
    shown = engine_host.state()['messages']
    assert [(item['title'], item['text'], item['via']) for item in shown] == [(text[:50], text, 'WTSSendMessage')]


@pytest.mark.parametrize('index', range(len(MSG_CORPUS)))
def test_a_hostile_message_reaches_msg_exe_as_it_is(engine_host, index):
    """msg.exe gets the message as one quoted argument of its command line, which its argument parser reads back
    unchanged: quotes, backslashes, blanks and line breaks included. Windows passes the command line in UTF-16;
    this engine hands arguments to a Linux process as UTF-8, where a lone surrogate cannot be written and becomes
    U+FFFD (a real host would keep it). Everything else arrives unchanged."""
    text = MSG_CORPUS[index]
    engine_host.reset()
    result = run_payload(engine_host, 'native', message(text, 'Note'))
    frames, _codec = native_frames(result)
    assert [frame.step for frame in frames] == ['chcp', 'oemcp', 'msg'] and frames[-1].rc == 0, result.stdout[-300:]
    shown = engine_host.state()['messages']
    expected = 'Note\r\n' + SURROGATE.sub('\ufffd', text)
    assert [(item['text'], item['via']) for item in shown] == [(expected, 'msg.exe')]
