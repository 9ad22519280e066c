"""Local accounts of an emulated host and how Windows matches a logon name to one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """A local account. ``admin`` is membership of Administrators (Full Control on the RDP listener)."""

    name: str
    password: str
    admin: bool = False


def bare_user(logon_name: str) -> str:
    """The account part of ``DOMAIN\\user``, ``user@domain`` or ``user``."""
    name = logon_name.strip()
    if '\\' in name:
        name = name.rsplit('\\', 1)[1]
    elif '@' in name:
        name = name.split('@', 1)[0]
    return name


def find_account(accounts: list[Account], logon_name: str) -> Account | None:
    """The account a logon name means, compared case-insensitively as Windows compares account names."""
    wanted = bare_user(logon_name).lower()
    for account in accounts:
        if account.name.lower() == wanted:
            return account
    return None
