"""``reg query``: the registry values the collection reads, from the model.

Sources: Microsoft's reg query reference (``reg query <keyname> [/v <valuename>]``); the output is the key's full
name on a line of its own after a blank line, then each value indented by four blanks as ``name``, ``REG_SZ`` and
the data, separated by four blanks, then a blank line (the layout every published transcript of reg query shows).
The OEM and ANSI code pages are ``HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage``, values ``OEMCP`` and
``ACP`` (Microsoft's "Code Pages" documentation; a chcp of the console does not change them). Other keys and
values: the tool's "unable to find" error on stderr, exit code 1.
"""

from __future__ import annotations

from tests.emulator.windows.toolenv import ToolEnv

from .args import ToolResult, split_text

CODE_PAGE_KEY = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage'
_ROOTS = {'hklm': 'HKEY_LOCAL_MACHINE', 'hkey_local_machine': 'HKEY_LOCAL_MACHINE'}


def _full_name(key: str) -> str:
    root, _sep, rest = key.partition('\\')
    return '%s\\%s' % (_ROOTS.get(root.lower(), root), rest) if rest else _ROOTS.get(root.lower(), root)


def reg(env: ToolEnv, args: list[str]) -> ToolResult:
    """``reg query <key> /v <value>`` for the code page values."""
    locale = env.locale
    if not args or args[0].lower() != 'query' or len(args) not in (2, 4) or (len(args) == 4 and args[2].lower() != '/v'):
        return ToolResult(1, [], split_text(locale.text('reg_bad_syntax')))
    key = _full_name(args[1].rstrip('\\'))
    values = {'OEMCP': str(locale.oem_codepage), 'ACP': str(locale.get('ansi_codepage'))}
    if key.lower() != CODE_PAGE_KEY.lower():
        return ToolResult(1, [], split_text(locale.text('reg_not_found')))
    wanted = [args[3]] if len(args) == 4 else sorted(values)
    lines = ['', CODE_PAGE_KEY]
    for name in wanted:
        if name.upper() not in values:
            return ToolResult(1, [], split_text(locale.text('reg_not_found')))
        lines.append('    %s    REG_SZ    %s' % (name.upper(), values[name.upper()]))
    lines.append('')
    return ToolResult(0, lines, [])
