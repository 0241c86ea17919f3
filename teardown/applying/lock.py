"""The apply lock, beside the plan file: one apply of a plan at a time.

``<plan>.lock`` is created with O_EXCL and holds the owner's pid; a lock whose pid is dead is stale
and taken over, a live one refuses the second apply (``ApplyLocked``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import structlog

from teardown.errors import ApplyLocked

log = structlog.get_logger(__name__)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


class ApplyLock:
    """An exclusive lock file holding the owner's pid; stale locks (dead pid) are taken over."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._held = False

    def acquire(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner is not None and _pid_alive(owner):
                    raise ApplyLocked(
                        f"another apply of this plan is running (pid {owner}, lock {self.path})"
                    ) from None
                log.warning("lock.stale_removed", path=str(self.path), pid=owner)
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.getpid()}\n")
                fh.flush()
                os.fsync(fh.fileno())
            self._held = True
            return
        raise ApplyLocked(f"could not take the lock {self.path}")

    def _owner(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or "0")
        except (FileNotFoundError, ValueError):
            return None

    def release(self) -> None:
        if self._held:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self._held = False

    @contextlib.contextmanager
    def held(self) -> Iterator[ApplyLock]:
        self.acquire()
        try:
            yield self
        finally:
            self.release()
