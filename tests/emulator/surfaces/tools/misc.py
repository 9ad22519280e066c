"""``hostname``, ``whoami`` and ``chcp`` (docs/sources.md, "whoami and hostname" and "chcp")."""

from __future__ import annotations

from tests.emulator.windows.toolenv import ToolEnv

from .args import ToolResult, split_text, usage


KNOWN_CODE_PAGES = frozenset({437, 720, 737, 775, 850, 852, 855, 857, 858, 860, 861, 862, 863, 864, 865, 866, 869,
                              874, 932, 936, 949, 950, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258,
                              65000, 65001})
"""Code pages chcp accepts; others give ``Invalid code page`` (MSDOC chcp). chcp 932/936/949/950 are refused on
an en-US system in Kaplan's transcript (docs/sources.md, "chcp"): the DBCS pages are accepted here only on a host whose
OEM code page is DBCS."""


def hostname(env: ToolEnv, args: list[str]) -> ToolResult:
    """The host name; any argument is refused.

    Which argument gives which line is unknown: docs/sources.md, "whoami and hostname".
    """
    if not args:
        return ToolResult(0, [env.host.name], [])
    if args[0] == '/?':
        return usage(str(env.locale.get('usage_hostname')))
    if args[0] == '-s':
        return ToolResult(1, [], [str(env.locale.get('hostname_s'))])
    return ToolResult(1, [], [str(env.locale.get('hostname_set'))])


def whoami(env: ToolEnv, args: list[str]) -> ToolResult:
    """``computer\\user`` in lower case, as whoami prints a local account (only the bare form is emulated)."""
    if not args:
        return ToolResult(0, [f'{env.host.computer.computer_name}\\{env.account.name}'.lower()], [])
    if args[0] == '/?':
        # Only the lines docs/sources.md, "whoami and hostname" names; the full text (XC whoami.exe) is not emulated.
        return ToolResult(0, ['WhoAmI has three ways of working:', 'WHOAMI [/UPN | /FQDN | /LOGONID]',
                              'WHOAMI { [/USER] [/GROUPS] [/CLAIMS] [/PRIV] } [/FO format] [/NH]',
                              'WHOAMI /ALL [/FO format] [/NH]'], [])
    return ToolResult(1, [], split_text(env.locale.text('whoami_invalid', arg=args[0])))


def chcp(env: ToolEnv, args: list[str]) -> ToolResult:
    """Show the active code page (the console's: the WinRS shell's); a new one applies only to this process."""
    locale = env.locale
    if not args:
        return ToolResult(0, [locale.text('chcp', cp=env.codepage)], [])
    if args[0] == '/?':
        return usage(str(locale.get('usage_chcp')))
    if not args[0].isdigit() or len(args) > 1:
        return ToolResult(1, [], [locale.text('chcp_bad_parameter', arg=args[-1])])
    page = int(args[0])
    dbcs = {932, 936, 949, 950}
    if page not in KNOWN_CODE_PAGES or (page in dbcs and locale.oem_codepage not in dbcs):
        return ToolResult(1, [], [str(locale.get('chcp_invalid'))])
    return ToolResult(0, [locale.text('chcp', cp=page)], [])
