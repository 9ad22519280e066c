"""The surfaces of the emulated Windows host that the collection's payloads touch.

Each surface is Windows' side only and answers from the one Windows model of its host (``tests/emulator/windows``):

- ``engine``: PowerShell. ``engine.pwsh`` runs a command line in a real PowerShell process (the real engine);
  ``engine.contract`` reproduces what Windows PowerShell 5.1 does with the collection's payloads, for machines
  without PowerShell. Both sit behind one interface (``engine.Engine``).
- ``wtsapi``: a stand-in ``wtsapi32.dll``/``kernel32.dll`` in C that the payload's C# helper loads through
  P/Invoke; every call is answered by the model through the broker.
- ``tools``: stand-in ``query.exe``, ``logoff.exe``, ``tsdiscon.exe``, ``msg.exe``, ``chcp.com`` (and friends)
  that a real PowerShell starts as processes; they too ask the model through the broker.
- ``broker``: the channel between those processes and the model (an abstract Unix socket per host).
"""
