"""Read the PowerShell Remoting Protocol messages that pass between a client and the real engine.

The emulated host does not make these messages: PowerShell does (``pwsh -s``, surfaces/engine/remoting.py). The
host only reads what it needs to keep its record of a pipeline and to tell the WinRS layer when a pipeline is over:

- **Fragments** ([MS-PSRP] 2.2.4 Packet Fragment): ObjectId (8 bytes, big-endian), FragmentId (8 bytes,
  big-endian), one byte of flags (``0x1`` start, ``0x2`` end of the message), BlobLength (4 bytes, big-endian),
  Blob. A message is the blobs of one ObjectId from the start fragment to the end fragment.
- **Messages** ([MS-PSRP] 2.2.1 PowerShell Remoting Protocol Message): Destination (4 bytes, little-endian:
  1 client, 2 server), MessageType (4 bytes, little-endian; values of 2.2.1), RPID and PID (16 bytes each, GUIDs
  in Windows byte order), Data (UTF-8 CLIXML, with or without a byte order mark).
- **CLIXML** ([MS-PSRP] 2.2.5 Serialization): the few values read here are primitive elements (``<S>``,
  ``<I32>``, ``<B>``) with an ``N`` attribute, strings escaped as ``_xHHHH_`` for characters XML cannot carry
  (2.2.5.1.1 String).
"""

from __future__ import annotations

import re
import struct
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

# Message types used here ([MS-PSRP] 2.2.1, table of MessageType values).
SESSION_CAPABILITY = 0x00010002
INIT_RUNSPACEPOOL = 0x00010004
RUNSPACEPOOL_STATE = 0x00021005
CREATE_PIPELINE = 0x00021006
APPLICATION_PRIVATE_DATA = 0x00021009
PIPELINE_INPUT = 0x00041002
END_OF_PIPELINE_INPUT = 0x00041003
PIPELINE_OUTPUT = 0x00041004
ERROR_RECORD = 0x00041005
PIPELINE_STATE = 0x00041006
PIPELINE_HOST_CALL = 0x00041100

MESSAGE_NAMES = {
    0x00010002: 'SESSION_CAPABILITY', 0x00010004: 'INIT_RUNSPACEPOOL', 0x00010005: 'PUBLIC_KEY',
    0x00010006: 'ENCRYPTED_SESSION_KEY', 0x00010007: 'PUBLIC_KEY_REQUEST', 0x00010008: 'CONNECT_RUNSPACEPOOL',
    0x0002100B: 'RUNSPACEPOOL_INIT_DATA', 0x0002100C: 'RESET_RUNSPACE_STATE', 0x00021002: 'SET_MAX_RUNSPACES',
    0x00021003: 'SET_MIN_RUNSPACES', 0x00021004: 'RUNSPACE_AVAILABILITY', 0x00021005: 'RUNSPACEPOOL_STATE',
    0x00021006: 'CREATE_PIPELINE', 0x00021007: 'GET_AVAILABLE_RUNSPACES', 0x00021008: 'USER_EVENT',
    0x00021009: 'APPLICATION_PRIVATE_DATA', 0x0002100A: 'GET_COMMAND_METADATA', 0x00021100: 'RUNSPACEPOOL_HOST_CALL',
    0x00021101: 'RUNSPACEPOOL_HOST_RESPONSE', 0x00041002: 'PIPELINE_INPUT', 0x00041003: 'END_OF_PIPELINE_INPUT',
    0x00041004: 'PIPELINE_OUTPUT', 0x00041005: 'ERROR_RECORD', 0x00041006: 'PIPELINE_STATE',
    0x00041007: 'DEBUG_RECORD', 0x00041008: 'VERBOSE_RECORD', 0x00041009: 'WARNING_RECORD',
    0x00041010: 'PROGRESS_RECORD', 0x00041011: 'INFORMATION_RECORD', 0x00041100: 'PIPELINE_HOST_CALL',
    0x00041101: 'PIPELINE_HOST_RESPONSE',
}
"""Every message type of [MS-PSRP] 2.2.1, by value (for the host's record of what passed)."""

# PSInvocationState ([MS-PSRP] 2.2.3.4): the states in which a pipeline is over.
PIPELINE_STATES = {0: 'NotStarted', 1: 'Running', 2: 'Stopping', 3: 'Stopped', 4: 'Completed', 5: 'Failed',
                   6: 'Disconnected'}
FINAL_PIPELINE_STATES = frozenset({3, 4, 5})

_HEADER = struct.Struct('>QQBI')
_MESSAGE_HEADER = 40  # Destination, MessageType, RPID, PID
_ESCAPE = re.compile(r'_x([0-9A-Fa-f]{4})_')


class ProtocolError(ValueError):
    """Bytes that are not PSRP fragments or messages."""


@dataclass(frozen=True)
class Message:
    """One PSRP message: where it goes, its type, the pool and pipeline it belongs to, its CLIXML."""

    destination: int
    message_type: int
    rpid: str
    pid: str
    data: str

    @property
    def name(self) -> str:
        return MESSAGE_NAMES.get(self.message_type, hex(self.message_type))


@dataclass
class Defragmenter:
    """Puts messages together from the fragments of one direction of one pool (fragments of a message arrive in
    order; [MS-PSRP] 3.1.5.1.1 and 3.2.5.1.1)."""

    _partial: dict[int, bytearray] = field(default_factory=dict)

    def feed(self, data: bytes) -> list[Message]:
        """The messages completed by ``data`` (one or more whole fragments).

        :raises ProtocolError: the bytes are not a sequence of fragments, or a message cannot be read.
        """
        messages = []
        offset = 0
        while offset < len(data):
            if len(data) - offset < _HEADER.size:
                raise ProtocolError('a fragment header is cut short')
            object_id, _fragment_id, flags, length = _HEADER.unpack_from(data, offset)
            offset += _HEADER.size
            blob = data[offset:offset + length]
            if len(blob) != length:
                raise ProtocolError('a fragment is shorter than its BlobLength')
            offset += length
            if flags & 0x1:
                self._partial[object_id] = bytearray()
            if object_id not in self._partial:
                raise ProtocolError(f'fragment of object {object_id} without its start fragment')
            self._partial[object_id] += blob
            if flags & 0x2:
                messages.append(parse_message(bytes(self._partial.pop(object_id))))
        return messages


def _guid(data: bytes) -> str:
    return str(uuid.UUID(bytes_le=data)).upper()


def parse_message(data: bytes) -> Message:
    """One message from its bytes ([MS-PSRP] 2.2.1).

    :raises ProtocolError: shorter than the header.
    """
    if len(data) < _MESSAGE_HEADER:
        raise ProtocolError('a message is shorter than its header')
    destination, message_type = struct.unpack_from('<II', data, 0)
    text = data[_MESSAGE_HEADER:].decode('utf-8-sig', errors='replace')
    return Message(destination, message_type, _guid(data[8:24]), _guid(data[24:40]), text)


def clixml_string(text: str) -> str:
    """The value of a CLIXML string element's text: XML entities, then ``_xHHHH_`` escapes."""
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), unescape(text))


def named_value(data: str, tag: str, name: str) -> str | None:
    """The text of the first ``<tag N="name">`` element, or None."""
    match = re.search(r'<%s N="%s">(.*?)</%s>' % (tag, re.escape(name), tag), data, re.DOTALL)
    return None if match is None else clixml_string(match.group(1))


def pipeline_state(message: Message) -> int | None:
    """The PSInvocationState of a PIPELINE_STATE message ([MS-PSRP] 2.2.2.21)."""
    value = named_value(message.data, 'I32', 'PipelineState')
    return None if value is None else int(value)


def pipeline_script(message: Message) -> str | None:
    """The script of a CREATE_PIPELINE message whose first command is a script ([MS-PSRP] 2.2.2.10, 2.2.3.12:
    ``Cmd`` with ``IsScript`` true), or the command name otherwise."""
    return named_value(message.data, 'S', 'Cmd')


def input_strings(message: Message) -> list[str]:
    """The string objects of a PIPELINE_INPUT message ([MS-PSRP] 2.2.2.17); other objects are left out."""
    return [clixml_string(value) for value in re.findall(r'<S>(.*?)</S>', message.data, re.DOTALL)]


def output_text(message: Message) -> str:
    """A PIPELINE_OUTPUT string ([MS-PSRP] 2.2.2.18), or the CLIXML of another object."""
    match = re.fullmatch(r'\s*<S>(.*)</S>\s*', message.data, re.DOTALL)
    return clixml_string(match.group(1)) if match else message.data


def error_message(message: Message) -> str:
    """The exception message of an ERROR_RECORD ([MS-PSRP] 2.2.2.20, 2.2.3.15), or its CLIXML."""
    for name in ('ErrorDetails_Message', 'Message'):
        value = named_value(message.data, 'S', name)
        if value:
            return value
    return message.data
