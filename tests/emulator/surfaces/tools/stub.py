"""A stand-in native tool (``query.exe``, ``logoff.exe``, ``msg.exe``, ``chcp.com``...) started by a real PowerShell.

``tools/__init__.py`` installs one small launcher per tool name in the host's ``System32`` folder; each runs this
file with the tool's name and the arguments PowerShell gave. The tool itself is the emulated host's model of it
(``tests/emulator/windows/native*.py``): this process only carries the arguments, standard input and output over
the broker (``surfaces/broker.py``) and exits with the tool's exit code, so PowerShell sees a native process
with the bytes and exit code the model gives. Standard library only; the broker's name and the command's token
come from the environment (``WINRDS_EMU_BROKER``, ``WINRDS_EMU_TOKEN``).
"""

import os
import socket
import sys

RPC_FAILED = 1726


def _wide(text):
    return '=' + text.encode('utf-16-le', errors='surrogatepass').hex()


def main(argv):
    name, args = argv[1], argv[2:]
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect('\0' + os.environ['WINRDS_EMU_BROKER'])
    except (KeyError, OSError) as error:
        sys.stderr.write('%s: the emulated host cannot be reached (%s)\n' % (name, error))
        return RPC_FAILED
    with connection, connection.makefile('rwb', buffering=0) as stream:
        request = ['tool', _wide(name)] + [_wide(arg) for arg in args]
        stream.write(('hello %s\n%s\n' % (os.environ.get('WINRDS_EMU_TOKEN', ''), ' '.join(request))).encode('ascii'))
        answer = stream.readline().decode('ascii').split()
        if answer == ['stdin']:
            data = sys.stdin.buffer.read() if sys.stdin is not None else b''
            stream.write(('stdin #%s\n' % data.hex()).encode('ascii'))
            answer = stream.readline().decode('ascii').split()
    if len(answer) != 4 or answer[0] != 'ok':
        sys.stderr.write('%s: the emulated host did not answer (%s)\n' % (name, ' '.join(answer)[:80] or 'nothing'))
        return RPC_FAILED
    sys.stdout.buffer.write(bytes.fromhex(answer[2][1:]))
    sys.stdout.buffer.flush()
    sys.stderr.buffer.write(bytes.fromhex(answer[3][1:]))
    sys.stderr.buffer.flush()
    return int(answer[1])


if __name__ == '__main__':
    sys.exit(main(sys.argv))
