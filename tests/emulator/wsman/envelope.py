"""SOAP envelopes: read a WS-Management request, write a response or a fault.

Reading keeps only what the handlers need (Action, MessageID, ResourceURI, selectors, options,
OperationTimeout, MaxEnvelopeSize and the body element). Writing follows the shape of the
responses Windows sends (jborean93/pypsrp ``tests/responses/test_winrs_standard.yml``): the
response Action, a fresh MessageID, ``a:To`` anonymous and ``a:RelatesTo`` = the request's MessageID.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from . import constants as c
from . import faults


def qname(namespace: str, local: str) -> str:
    """ElementTree's name of an element: ``{namespace}local``."""
    return f"{{{namespace}}}{local}"


_q = qname


def required(parent: ET.Element, local: str, namespace: str = c.NS_SHELL) -> ET.Element:
    """The child element ``local`` of a request's body part, or the schema fault Windows answers without it."""
    found = parent.find(qname(namespace, local))
    if found is None:
        raise faults.SchemaValidationError(local)
    return found


def send_streams(body: ET.Element) -> list[ET.Element]:
    """The ``rsp:Stream`` elements of a Send request's body, or the schema fault without a Send or a Stream."""
    streams = list(required(body, "Send").iterfind(qname(c.NS_SHELL, "Stream")))
    if not streams:
        raise faults.SchemaValidationError("Stream")
    return streams


@dataclass(frozen=True)
class Request:
    """One parsed WS-Management request.

    :param operation_timeout: seconds from ``w:OperationTimeout``, None when absent.
    """

    action: str
    message_id: str
    resource_uri: str | None
    body: ET.Element
    selectors: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    operation_timeout: float | None = None
    max_envelope_size: int = c.DEFAULT_MAX_ENVELOPE_SIZE

    @property
    def name(self) -> str:
        """Short action name, e.g. ``Receive``."""
        return c.action_name(self.action)


_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> float:
    """Return the seconds of an ``xs:duration`` such as ``PT20S`` or ``PT60.000S`` (DSP0226 6.1).

    :raises ValueError: when the text is not a day/time duration.
    """
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        raise ValueError(f"not an xs:duration: {text!r}")
    parts = {k: float(v) for k, v in match.groupdict().items() if v is not None}
    return (
        parts.get("days", 0.0) * 86400
        + parts.get("hours", 0.0) * 3600
        + parts.get("minutes", 0.0) * 60
        + parts.get("seconds", 0.0)
    )


def peek_message_id(data: bytes) -> str | None:
    """Return the MessageID of a request that may not parse as a whole (for RelatesTo of a fault)."""
    match = re.search(rb"<(?:\w+:)?MessageID[^>]*>\s*([^<\s]+)\s*<", data)
    return match.group(1).decode("ascii", "replace") if match else None


def parse_request(data: bytes) -> Request:
    """Parse a request envelope.

    :raises faults.WSManFault: InvalidXml, InvalidHeader or SchemaValidationError.
    """
    # Entity declarations are never part of WS-Management traffic; refusing them keeps the parser
    # safe from entity expansion.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise faults.InvalidXml()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise faults.InvalidXml(
            f"The WS-Management service cannot process the request because the XML is invalid: {exc}"
        ) from None
    if root.tag != _q(c.NS_SOAP, "Envelope"):
        raise faults.InvalidXml("The request is not a SOAP 1.2 envelope.")
    header = root.find(_q(c.NS_SOAP, "Header"))
    body = root.find(_q(c.NS_SOAP, "Body"))
    if header is None:
        raise faults.SchemaValidationError("Header")
    if body is None:
        raise faults.SchemaValidationError("Body")

    action = _text(header, c.NS_ADDRESSING, "Action")
    if not action:
        raise faults.SchemaValidationError("Action")
    message_id = _text(header, c.NS_ADDRESSING, "MessageID")
    if not message_id:
        raise faults.InvalidHeader("The request has no MessageID header.")

    operation_timeout = None
    timeout_text = _text(header, c.NS_WSMAN, "OperationTimeout")
    if timeout_text is not None:
        try:
            operation_timeout = parse_duration(timeout_text)
        except ValueError:
            raise faults.InvalidHeader(
                f"The WS-Management service cannot process the request. The XML contains an invalid timeout "
                f"field in the SOAP header: {timeout_text}."
            ) from None

    max_envelope_size = c.DEFAULT_MAX_ENVELOPE_SIZE
    size_text = _text(header, c.NS_WSMAN, "MaxEnvelopeSize")
    if size_text is not None:
        try:
            max_envelope_size = int(size_text)
        except ValueError:
            raise faults.InvalidHeader(f"The MaxEnvelopeSize header is not a number: {size_text}.") from None

    selectors = {
        node.get("Name", ""): (node.text or "").strip()
        for node in header.iterfind(f"{_q(c.NS_WSMAN, 'SelectorSet')}/{_q(c.NS_WSMAN, 'Selector')}")
    }
    options = {
        node.get("Name", ""): (node.text or "").strip()
        for node in header.iterfind(f"{_q(c.NS_WSMAN, 'OptionSet')}/{_q(c.NS_WSMAN, 'Option')}")
    }
    return Request(
        action=action,
        message_id=message_id,
        resource_uri=_text(header, c.NS_WSMAN, "ResourceURI"),
        body=body,
        selectors=selectors,
        options=options,
        operation_timeout=operation_timeout,
        max_envelope_size=max_envelope_size,
    )


def _text(parent: ET.Element, namespace: str, local: str) -> str | None:
    node = parent.find(_q(namespace, local))
    if node is None:
        return None
    return (node.text or "").strip()


def new_message_id() -> str:
    """Return a fresh MessageID in the form Windows uses (``uuid:`` + upper-case GUID)."""
    return "uuid:" + str(uuid.uuid4()).upper()


def _namespaces() -> str:
    return " ".join(f"xmlns:{prefix}={quoteattr(uri)}" for prefix, uri in c.RESPONSE_PREFIXES.items())


def build_response(action: str, relates_to: str | None, body_xml: str) -> bytes:
    """Return a response envelope; ``body_xml`` is the inner XML of ``s:Body`` (prefixes as in constants)."""
    relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""
    text = (
        f'<s:Envelope xml:lang="en-US" {_namespaces()}>'
        "<s:Header>"
        f"<a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>{new_message_id()}</a:MessageID>"
        f"<a:To>{c.ANONYMOUS}</a:To>"
        f"{relates}"
        "</s:Header>"
        f"<s:Body>{body_xml}</s:Body>"
        "</s:Envelope>"
    )
    return text.encode("utf-8")


def build_fault(fault: faults.WSManFault, relates_to: str | None, machine: str) -> bytes:
    """Return the envelope of a SOAP fault with its WSManFault detail ([MS-WSMV] 2.2.4.43)."""
    detail = f"<w:FaultDetail>{escape(fault.fault_detail)}</w:FaultDetail>" if fault.fault_detail else ""
    body = (
        "<s:Fault>"
        f"<s:Code><s:Value>{fault.code}</s:Value><s:Subcode><s:Value>{fault.subcode}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)} </s:Text></s:Reason>'
        "<s:Detail>"
        f"{detail}"
        f'<f:WSManFault xmlns:f={quoteattr(c.NS_WSMAN_FAULT)} Code="{fault.wsman_code}" Machine={quoteattr(machine)}>'
        f"<f:Message>{escape(fault.message)} </f:Message>"
        "</f:WSManFault>"
        "</s:Detail>"
        "</s:Fault>"
    )
    return build_response(c.ACTION_FAULT, relates_to, body)
