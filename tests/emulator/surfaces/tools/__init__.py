"""The native tools of the emulated host: what ``query``, ``logoff``, ``tsdiscon``, ``msg``, ``chcp`` (and friends)
print and do, from the host's model.

``dispatch.py`` names the tools and runs one; ``query.py``, ``session.py`` (logoff, tsdiscon), ``msg.py`` and
``misc.py`` (hostname, whoami, chcp) are the tools; ``tables.py`` and ``dates.py`` lay out their text by display
width in the host's language; ``args.py`` has their argument conventions and results. The contract engine and
cmd.exe command lines call them in-process; a real PowerShell starts them as processes through ``launchers.py``
and ``stub.py``, which carry the call to the same code over the broker.
"""
