"""WinRS shells and commands as the protocol sees them: ids, stdin, output cursors, a worker per command.

This is protocol state only ([MS-WSMV] 3.1.4.5 Create makes a shell, 3.1.4.11 Command a command
inside it). What a command *does* is the Windows model's business: a command calls the runner it is
given, once, in a worker thread.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from . import faults

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a finished command produced."""

    rc: int
    stdout: bytes
    stderr: bytes


Runner = Callable[[str, bytes, threading.Event], Outcome]
"""Runs a command line with its stdin; the event is set when the command is aborted (Signal, shell deleted)."""


class Command:
    """One command of a shell: collects stdin, runs once, hands its output out in pieces.

    States: ``pending`` (stdin may still come) -> ``running`` -> ``done``; ``aborted`` when signalled or
    its shell is deleted while it runs (its outcome is then discarded).
    """

    def __init__(self, command_id: str, command_line: str) -> None:
        self.id = command_id
        self.command_line = command_line
        self.state = "pending"
        self.finished = threading.Event()
        self.cancelled = threading.Event()
        self.error: str | None = None
        self._stdin = bytearray()
        self._stdin_sent = False
        self._outcome: Outcome | None = None
        self._stdout_pos = 0
        self._stderr_pos = 0
        self._lock = threading.Lock()

    @property
    def stdin_sent(self) -> bool:
        """True once any Send reached this command."""
        return self._stdin_sent

    def add_stdin(self, data: bytes, end: bool, runner: Runner) -> None:
        """Append stdin; with ``end`` start the command.

        :raises faults.InvalidParameter: when the command already started (its stdin is closed).
        """
        with self._lock:
            if self.state != "pending":
                raise faults.InvalidParameter("The stdin stream of this command is already closed.")
            self._stdin += data
            self._stdin_sent = True
        if end:
            self.start(runner)

    def start(self, runner: Runner) -> None:
        """Start the command in a worker thread unless it already started."""
        with self._lock:
            if self.state != "pending":
                return
            self.state = "running"
            stdin = bytes(self._stdin)
        worker = threading.Thread(target=self._work, args=(runner, stdin), name=f"winrs-{self.id[:8]}", daemon=True)
        worker.start()

    def _work(self, runner: Runner, stdin: bytes) -> None:
        try:
            outcome = runner(self.command_line, stdin, self.cancelled)
            error = None
        except Exception as exc:  # the Windows model failed: report it to the client, loudly
            log.exception("command %s failed in the Windows model", self.id)
            outcome, error = None, f"The emulated host failed to run the command: {exc!r}"
        with self._lock:
            if self.state == "running":
                self._outcome, self.error, self.state = outcome, error, "done"
        self.finished.set()

    def abort(self) -> None:
        """Forget the command: a running worker's outcome will be discarded, and the runner is told to stop
        ([MS-WSMV] 3.1.4.12: the terminate signal ends the process; deleting the shell ends its processes)."""
        with self._lock:
            running = self.state == "running"
            self.state = "aborted"
        if running:
            self.cancelled.set()
        self.finished.set()

    def take_output(self, budget: int) -> tuple[bytes, bytes, bool]:
        """Return up to ``budget`` bytes of output not yet handed out, stdout first.

        :returns: (stdout piece, stderr piece, True when nothing remains after these pieces).
        """
        with self._lock:
            outcome = self._outcome
            if outcome is None:
                return b"", b"", False
            out = outcome.stdout[self._stdout_pos : self._stdout_pos + budget]
            self._stdout_pos += len(out)
            err = outcome.stderr[self._stderr_pos : self._stderr_pos + max(budget - len(out), 0)]
            self._stderr_pos += len(err)
            complete = self._stdout_pos >= len(outcome.stdout) and self._stderr_pos >= len(outcome.stderr)
            return out, err, complete

    @property
    def exit_code(self) -> int | None:
        """The exit code once done."""
        return self._outcome.rc if self._outcome else None


@dataclass
class Shell:
    """A remote shell owned by one account, with its options from Create."""

    id: str
    owner: str
    codepage: int
    commands: dict[str, Command] = field(default_factory=dict)


def new_id() -> str:
    """Return an id in the form Windows uses (upper-case GUID, no braces)."""
    return str(uuid.uuid4()).upper()


class ShellTable:
    """All open shells of one emulated host; thread-safe."""

    def __init__(self) -> None:
        self._shells: dict[str, Shell] = {}
        self._lock = threading.Lock()

    def create(self, owner: str, codepage: int) -> Shell:
        """Open a shell for ``owner``."""
        shell = Shell(id=new_id(), owner=owner, codepage=codepage)
        with self._lock:
            self._shells[shell.id] = shell
        return shell

    def get(self, shell_id: str, owner: str) -> Shell:
        """Return the shell; another user's shell is as unknown as a wrong id.

        :raises faults.ShellNotFound: unknown id or other owner.
        """
        with self._lock:
            shell = self._shells.get(shell_id.upper())
        if shell is None or shell.owner.lower() != owner.lower():
            raise faults.ShellNotFound(shell_id)
        return shell

    def add_command(self, shell: Shell, command_line: str) -> Command:
        """Create a command in ``shell``."""
        command = Command(new_id(), command_line)
        with self._lock:
            shell.commands[command.id] = command
        return command

    def command(self, shell: Shell, command_id: str) -> Command:
        """Return a command of the shell.

        :raises faults.CommandNotFound: unknown id.
        """
        with self._lock:
            command = shell.commands.get(command_id.upper())
        if command is None:
            raise faults.CommandNotFound(command_id)
        return command

    def remove_command(self, shell: Shell, command_id: str) -> None:
        """Forget a command, aborting it if it runs.

        :raises faults.CommandNotFound: unknown id.
        """
        with self._lock:
            command = shell.commands.pop(command_id.upper(), None)
        if command is None:
            raise faults.CommandNotFound(command_id)
        command.abort()

    def delete(self, shell_id: str, owner: str) -> None:
        """Close a shell and abort its commands.

        :raises faults.ShellNotFound: unknown id or other owner.
        """
        shell = self.get(shell_id, owner)
        with self._lock:
            self._shells.pop(shell.id, None)
            commands = list(shell.commands.values())
            shell.commands.clear()
        for command in commands:
            command.abort()

    def clear(self) -> None:
        """Close every shell (reset, shutdown)."""
        with self._lock:
            shells = list(self._shells.values())
            self._shells.clear()
        for shell in shells:
            for command in list(shell.commands.values()):
                command.abort()

    def count(self) -> int:
        """Number of open shells."""
        with self._lock:
            return len(self._shells)
