"""An emulated Windows Remote Desktop Session Host reachable over WinRM, for tests.

``wsman`` speaks the protocol, ``windows`` models the machine, ``serve.py`` runs a configuration,
``fleet.Fleet`` starts and drives it from tests. See ``ARCHITECTURE.md``.
"""
