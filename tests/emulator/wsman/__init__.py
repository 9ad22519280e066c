"""The protocol layer of the emulated Remote Desktop Session Host: WinRM over HTTP(S).

Layers, each knowing only the one below it::

    server.WSManServer    sockets, TLS, threads, keep-alive, one write per response
    service.HostService   /wsman: auth -> unseal -> wire faults -> envelope -> action -> seal; /emu/* control
    auth, logon           the host's schemes: Basic per request; ntlm, kerberos, credssp handshakes per
                          connection (pyspnego acceptors); what a logon leaves behind
    encryption            HTTP-SPNEGO and HTTP-CredSSP session encryption
    envelope, faults      SOAP parsing/writing, one class per wire error
    actions.WinRS         one handler per WinRS action over shells.ShellTable
    host.execute(...)     the Windows model (tests/emulator/windows), reached with a context.ExecContext
"""

from .context import ExecContext
from .server import WSManServer

__all__ = ["ExecContext", "WSManServer"]
