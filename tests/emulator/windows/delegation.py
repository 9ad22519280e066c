"""The second hop: whether a WinRM logon can authenticate the user to another computer.

A command that names ``/server:`` (or calls ``WTSOpenServer``) makes an RPC call from the managed host to the
server, as the user. That needs credentials the managed host can present again. Microsoft, "Making the second hop
in PowerShell Remoting" (learn.microsoft.com/powershell/scripting/security/remoting/ps-remoting-second-hop):
without them "access to the resource on ServerC is denied, because the credentials you used to create the
PowerShell Remoting session are not passed from ServerB to ServerC". The failure is the access check of the second
computer, which sees an anonymous caller: jborean93 in jborean93/pypsrp#30 ("It will fail with an access is
denied because it is authenticating with an Anonymous user"), E_ACCESSDENIED there and ERROR_ACCESS_DENIED (5)
from the WTS API and the native tools here. The cure jborean93 names in jborean93/pypsrp#57 is CredSSP or Kerberos
with delegation; dataplat/dbatools#10616 shows the same network-logon token failing to authenticate to a second
machine over WinRM ("the classic double hop").

Per logon (``auth``, and ``can_delegate`` from the protocol layer: the logon brought reusable credentials):

- ``ntlm``: never. Microsoft, "Administrative tools and logon types": "PowerShell WinRM" is a Network logon with
  no reusable credentials on the destination.
- ``credssp``: yes, with the delegated password. The same table: "PowerShell WinRM with CredSSP",
  NetworkClearText, reusable credentials.
- ``kerberos``: with a forwarded TGT, and only on a host trusted for delegation (Microsoft's second-hop page,
  "Kerberos unconstrained delegation": the ServerB computer account is trusted for delegation); a plain
  Kerberos logon holds a service ticket for this host only and cannot hop.
- ``basic``: no public source shows the logon type WinRM's Basic authentication makes. The delegation columns of
  Ansible's WinRM guide ("Credential Delegation": No for Basic) and of PSWSMan's about_PSWSManAuthentication
  (Basic: Delegation N) say it cannot hop; IIS's Basic authentication makes a NetworkCleartext logon whose
  credentials are reusable (Microsoft's logon-types table, web authentication). A host setting therefore:
  ``basic_logon: network`` (the default, as the two tables say) or ``network_cleartext`` (the hop works).
"""

from __future__ import annotations

BASIC_LOGONS = ('network', 'network_cleartext')


def can_make_second_hop(auth: str, can_delegate: bool, *, trusted_for_delegation: bool, basic_logon: str) -> bool:
    """Whether a logon of ``auth`` can authenticate the user to another computer."""
    auth = auth.lower()
    if not can_delegate or auth == 'ntlm':
        return False
    if auth == 'credssp':
        return True
    if auth == 'kerberos':
        return trusted_for_delegation
    if auth == 'basic':
        return basic_logon == 'network_cleartext'
    return False
