"""Display-language data of an emulated host: one resolver over the YAML files in ``locales/``.

See ``locales/README.md`` for the file format. A value marked ``unsourced`` in a locale falls back to the
``en-US`` value; :meth:`Locale.is_sourced` tells a caller (and a test) which strings are real for a language.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

LOCALE_DIR = Path(__file__).resolve().parent / 'locales'
REFERENCE = 'en-US'


class LocaleError(ValueError):
    """A locale file is missing, malformed or incomplete."""


@dataclass(frozen=True)
class Entry:
    """One resolved value with its provenance."""

    value: object
    source: str | None
    inferred: bool
    unsourced: bool


def available() -> list[str]:
    """The locale tags that have a data file."""
    return sorted(path.stem for path in LOCALE_DIR.glob('*.yml'))


def _read(tag: str) -> dict:
    path = LOCALE_DIR / f'{tag}.yml'
    if not path.is_file():
        raise LocaleError(f'no locale data for {tag!r} (have: {", ".join(available())})')
    document = yaml.safe_load(path.read_text(encoding='utf-8'))
    if not isinstance(document, dict) or document.get('tag') != tag or not isinstance(document.get('entries'), dict):
        raise LocaleError(f'{path.name}: expected a mapping with tag {tag!r} and entries')
    return document['entries']


def _entry(tag: str, key: str, raw: object) -> Entry:
    if not isinstance(raw, dict):
        raise LocaleError(f'{tag}.yml: {key} must be a mapping (value/source or unsourced)')
    unsourced = bool(raw.get('unsourced', False))
    if not unsourced and ('value' not in raw or not raw.get('source')):
        raise LocaleError(f'{tag}.yml: {key} needs a value and its source, or unsourced: true')
    return Entry(raw.get('value'), raw.get('source'), bool(raw.get('inferred', False)), unsourced)


class Locale:
    """The strings and formats a host of one display language prints."""

    def __init__(self, tag: str):
        self.tag = tag
        reference = {key: _entry(REFERENCE, key, raw) for key, raw in _read(REFERENCE).items()}
        own = reference if tag == REFERENCE else {key: _entry(tag, key, raw) for key, raw in _read(tag).items()}
        unknown = set(own) - set(reference)
        if unknown:
            raise LocaleError(f'{tag}.yml: keys not in {REFERENCE}.yml: {", ".join(sorted(unknown))}')
        self._reference = reference
        self._own = own

    def entry(self, key: str) -> Entry:
        """The entry for ``key`` in this locale (may be the unsourced marker)."""
        if key in self._own:
            return self._own[key]
        if key in self._reference:
            return Entry(None, None, False, True)
        raise KeyError(key)

    def is_sourced(self, key: str) -> bool:
        """True when this locale's value for ``key`` comes from a public source (not the English fallback)."""
        return not self.entry(key).unsourced

    def keys(self) -> list[str]:
        """Every key a locale can have (the reference file's keys)."""
        return sorted(self._reference)

    def missing_keys(self) -> list[str]:
        """Reference keys this locale's file does not name at all (a complete file names every key)."""
        return sorted(set(self._reference) - set(self._own))

    def get(self, key: str):
        """The value for ``key``: this locale's when sourced, else the English one."""
        entry = self.entry(key)
        if entry.unsourced:
            return self._reference[key].value
        return entry.value

    def text(self, key: str, **fields) -> str:
        """A message with its ``{field}`` parts filled in."""
        return str(self.get(key)).format(**fields)

    def state_word(self, state: str) -> str:
        """The STATE column word for a canonical state name (``active``, ``disconnected`` ...)."""
        return str(self.get('state_' + state))

    def error_text(self, code: int) -> str:
        """The FormatMessage text of a Win32 error in this language (English when unknown here)."""
        key = f'error_{code}'
        try:
            return str(self.get(key))
        except KeyError:
            from .errors import english_text  # a code without locale data: the English table

            return english_text(code)

    @property
    def oem_codepage(self) -> int:
        """The OEM code page of the system locale (what the native tools write)."""
        return int(self.get('oem_codepage'))

    @property
    def ansi_codepage(self) -> int:
        """The ANSI code page of the system locale (what a process without a console reads native output with)."""
        return int(self.get('ansi_codepage'))

    @property
    def codec(self) -> str:
        """The Python codec of :attr:`oem_codepage`."""
        return f'cp{self.oem_codepage}'


@functools.cache
def load(tag: str) -> Locale:
    """The :class:`Locale` for ``tag`` (cached; locales are immutable)."""
    return Locale(tag)
