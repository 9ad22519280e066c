# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a host could not be reached, and what to do about it.

The connection plugins report a failed connection as text: ansible-core's ``winrm`` plugin as ``<transport>:
<error>`` (HTTP 401 worded as "the specified credentials were rejected by the server"), with the text of the
``requests``/``urllib3`` exception otherwise; ``psrp`` wraps the same exceptions in its own sentences. This module
reads that text once, names the cause in the user's terms and the next step that fits it: a wrong password is not
fixed by running the task again, a host that is down is.
"""

from __future__ import annotations

import re

CREDENTIALS = 'credentials'
CERTIFICATE = 'certificate'
PLAIN_HTTP_ANSWER = 'plain_http_answer'
CLOSED_AT_OPEN = 'closed_at_open'
REFUSED = 'refused'
NO_SUCH_NAME = 'no_such_name'
NO_ANSWER = 'no_answer'
KERBEROS = 'kerberos'
OTHER = 'other'

_PATTERNS = (
    # The most specific first: a certificate error is also an SSL error, a name error also a connection error.
    (KERBEROS, r'Kerberos auth failure|kinit'),
    (CREDENTIALS, r'credentials were rejected|\b401\b|Unauthorized|failed to authenticate|AuthenticationError|'
                  r'logon failure|rejected the credentials'),
    (CERTIFICATE, r'CERTIFICATE_VERIFY_FAILED|certificate verify failed|hostname mismatch|'
                  r"doesn't match|SSLCertVerificationError"),
    (PLAIN_HTTP_ANSWER, r'WRONG_VERSION_NUMBER|wrong version number|record layer failure|unknown protocol|'
                        r'http request to an https server|packet length too long'),
    (NO_SUCH_NAME, r'NameResolutionError|Failed to resolve|Name or service not known|nodename nor servname|'
                   r'getaddrinfo failed|Temporary failure in name resolution|No address associated with hostname|'
                   r'Errno -[235]\b|Errno 11001'),
    (REFUSED, r'Connection refused|Errno 111\b|WinError 10061|ECONNREFUSED'),
    (NO_ANSWER, r'timed out|ConnectTimeout|No route to host|Network is unreachable|Errno 11[03]\b|'
                r'WinError 100(60|65)|connection attempt timed out'),
    (CLOSED_AT_OPEN, r'Connection reset by peer|ConnectionResetError|RemoteDisconnected|'
                     r'Remote end closed connection|Connection aborted|WinError 10054|EOF occurred'),
)

RERUN = 'Run the task again once it does.'


def cause_of(text):
    """The kind of connection failure the text of a connection plugin's error describes."""
    for kind, pattern in _PATTERNS:
        if re.search(pattern, text or '', re.IGNORECASE):
            return kind
    return OTHER


def _option(connection, name):
    try:
        return connection.get_option(name)
    except Exception:  # pylint: disable=broad-except  # an option the plugin does not have, or not loaded yet
        return None


class Endpoint:
    """Where the connection went, in the words of its plugin's options (what the advice names)."""

    def __init__(self, connection):
        plugin = str(getattr(connection, 'transport', '') or '')
        self.psrp = plugin.endswith('psrp')
        self.address = _option(connection, 'remote_addr')
        port = _option(connection, 'port')
        self.port = int(port) if isinstance(port, int) or str(port or '').isdigit() else None
        scheme = _option(connection, 'protocol' if self.psrp else 'scheme')
        if scheme is None and self.port is not None:
            # Both plugins' documented default: HTTP on port 5985, HTTPS on any other port.
            scheme = 'http' if self.port == 5985 else 'https'
        self.scheme = scheme
        prefix = 'ansible_psrp_' if self.psrp else 'ansible_winrm_'
        self.scheme_var = prefix + ('protocol' if self.psrp else 'scheme')
        self.ca_var = 'ansible_psrp_ca_cert' if self.psrp else 'ansible_winrm_ca_trust_path'
        self.validation_var = 'ansible_psrp_cert_validation' if self.psrp else 'ansible_winrm_server_cert_validation'
        self.auth_var = 'ansible_psrp_auth' if self.psrp else 'ansible_winrm_transport'

    @property
    def the_port(self):
        return 'port %d' % self.port if self.port else 'the port'


def advice(kind, endpoint):
    """What the failure means and the next step, as whole sentences."""
    if kind == CREDENTIALS:
        return ('The host refused the user name or password. Check ansible_user (DOMAIN\\user or user@DOMAIN for a '
                'domain account) and ansible_password, that the account may connect over WinRM (a member of the '
                'host\'s Administrators or Remote Management Users group), and that the host accepts the '
                'authentication in %s. Running the task again will not help.' % endpoint.auth_var)
    if kind == KERBEROS:
        return ('The controller could not get a Kerberos ticket for the user. Check ansible_user (user@REALM, the '
                'realm in capitals), ansible_password, and that the controller\'s Kerberos configuration names the '
                'realm\'s KDC. Running the task again will not help.')
    if kind == CERTIFICATE:
        return ('The controller does not trust the host\'s HTTPS certificate: it is self-signed, issued by a CA the '
                'controller does not know, or issued for another name. Give the CA that issued it in %s, or connect '
                'by the name the certificate was issued for; %s: ignore turns the check off (only on a network you '
                'trust). Running the task again will not help.' % (endpoint.ca_var, endpoint.validation_var))
    if kind == PLAIN_HTTP_ANSWER:
        return ('%s of the host answered plain HTTP to an HTTPS request. WinRM listens for HTTP on port 5985 and for '
                'HTTPS on port 5986 by default: set %s: http, or ansible_port to the HTTPS listener\'s port.'
                % (endpoint.the_port.capitalize(), endpoint.scheme_var))
    if kind == NO_SUCH_NAME:
        return ('The name %s does not resolve on the controller. Check ansible_host (or the inventory name, when '
                'ansible_host is not set) and the controller\'s DNS.' % (endpoint.address or 'of the host'))
    if kind == REFUSED:
        return ('Nothing accepts connections on %s of the host. Check ansible_port (WinRM listens on 5985 for HTTP '
                'and 5986 for HTTPS by default), that the WinRM service runs there with a listener on that port '
                '(winrm enumerate winrm/config/listener), and that the host\'s firewall allows it. %s'
                % (endpoint.the_port, RERUN))
    if kind == NO_ANSWER:
        return ('The host did not answer on %s: check that it is up and that the network and its firewall let the '
                'controller reach that port. %s' % (endpoint.the_port, RERUN))
    if kind == CLOSED_AT_OPEN:
        if endpoint.scheme == 'http':
            return ('The host closed the connection as soon as it was opened. A WinRM HTTPS listener does this to '
                    'plain HTTP: if %s is the HTTPS listener (5986 by default), set %s: https. Otherwise something '
                    'on the way cut the connection: check the host and the network, then run the task again.'
                    % (endpoint.the_port, endpoint.scheme_var))
        return ('The host closed the connection as soon as it was opened: check that WinRM runs on the host and that '
                'nothing on the way (a proxy, a firewall) cuts the connection, then run the task again.')
    return 'Check that the host is up and that WinRM answers on %s. %s' % (endpoint.the_port, RERUN)


def explain(cause, connection):
    """The whole message for a host that could not be reached: the cause once, what it means, what to do.

    :param cause: the connection plugin's text of the failure.
    :param connection: the task's connection (its options name the port, the scheme and the plugin's variables).
    """
    text = str(cause).strip().rstrip('.')
    return '%s. %s Nothing was changed.' % (text, advice(cause_of(text), Endpoint(connection)))


def explain_lost(cause, while_doing='reading the sessions'):
    """The message for a connection that broke while a command ran, before its answer came back."""
    return ('%s. The connection broke while %s, before the host answered: nothing was changed. Run the task again '
            'once the host answers.' % (str(cause).strip().rstrip('.'), while_doing))
