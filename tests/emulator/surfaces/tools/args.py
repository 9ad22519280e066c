"""What a native tool returns, and the argument conventions the Remote Desktop tools share.

A bad switch prints ``Invalid parameter(s)`` and the usage text on stderr; ``/?`` prints the usage text on
stdout (docs/sources.md, "Switches and usage texts"). Switches are case-insensitive (``/SERVER:x`` in the usage
texts, ``/server:x`` in MSDOC). The exit code of a usage error is not documented: 1 is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ToolResult:
    """A tool's exit code and its output lines (text; encoded in the OEM code page at the boundary)."""

    rc: int = 0
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)

    def stdout(self, codec: str) -> bytes:
        """stdout as the tool writes it: OEM bytes, CRLF line ends."""
        return encode_lines(self.out, codec)

    def stderr(self, codec: str) -> bytes:
        """stderr as the tool writes it."""
        return encode_lines(self.err, codec)


def encode_lines(lines: list[str], codec: str) -> bytes:
    """Lines in the OEM code page with CRLF ends; characters the code page lacks become ``?``."""
    if not lines:
        return b''
    return ('\r\n'.join(lines) + '\r\n').encode(codec, errors='replace')


def split_text(text: str) -> list[str]:
    """A multi-line message as lines."""
    return text.split('\n')


@dataclass
class Arguments:
    """Parsed TS-tool arguments: positional words, switches (lower-case name -> value or True), and errors."""

    positional: list[str] = field(default_factory=list)
    switches: dict[str, str | bool] = field(default_factory=dict)
    help: bool = False
    bad: bool = False

    @property
    def server(self) -> str | None:
        value = self.switches.get('server')
        return value if isinstance(value, str) and value else None


def parse_arguments(args: list[str], flags: set[str], valued: set[str], max_positional: int) -> Arguments:
    """Parse ``/name`` and ``/name:value`` switches; anything unknown marks the arguments bad."""
    parsed = Arguments()
    for arg in args:
        if arg == '/?':
            parsed.help = True
        elif arg.startswith('/'):
            name, sep, value = arg[1:].partition(':')
            name = name.lower()
            if name in valued and sep and value:
                parsed.switches[name] = value
            elif name in flags and not sep:
                parsed.switches[name] = True
            else:
                parsed.bad = True
        else:
            parsed.positional.append(arg)
    if len(parsed.positional) > max_positional:
        parsed.bad = True
    return parsed


def usage_error(usage: str, invalid: str) -> ToolResult:
    """``Invalid parameter(s)`` and the usage text, on stderr."""
    return ToolResult(1, [], [invalid] + split_text(usage))


def usage(usage_text: str) -> ToolResult:
    """The usage text, on stdout (``/?``)."""
    return ToolResult(0, split_text(usage_text), [])
