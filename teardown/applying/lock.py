"""The apply lock: one apply of a plan at a time on this machine, whatever path its file has.

The lock is a file named by the plan digest (``<hex>.lock``) in one directory for the user (``lock_dir()``),
held with ``flock(LOCK_EX | LOCK_NB)``: two copies of one plan (same digest, any path or directory) take the
same lock, and the kernel releases it when the holder's process ends however it ends, so there is no stale
lock to detect and no window between creating the file and claiming it. A file left by a dead process is
simply taken. The holder writes its pid and plan path into the file, for the refusal message only
(``ApplyLocked``: "another apply of this plan is running (pid N, plan PATH)").

POSIX only (``fcntl``); on a network file system ``flock`` may not lock across machines, which is why the
default directory is local: ``$XDG_RUNTIME_DIR/sitewise-teardown/locks/``, else
``<tempdir>/sitewise-teardown-<uid>/locks/``; ``SITEWISE_TEARDOWN_LOCK_DIR`` overrides both.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import structlog

from teardown.errors import ApplyLocked, BadInputError
from teardown.files import reason

log = structlog.get_logger(__name__)

LOCK_DIR_ENV = "SITEWISE_TEARDOWN_LOCK_DIR"
_PRIVATE = 0o700
# A release unlinks the file: an opener that flocked the old file sees the path moved on, and opens again.
_ATTEMPTS = 5


def lock_dir() -> Path:
    """Where the lock files live (see the module docstring); not created here."""
    override = os.environ.get(LOCK_DIR_ENV)
    if override:
        return Path(override)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "sitewise-teardown" / "locks"
    return Path(tempfile.gettempdir()) / f"sitewise-teardown-{os.getuid()}" / "locks"


def lock_path(digest: str, directory: Path | None = None) -> Path:
    """The lock file of the plan with ``digest`` (``sha256:<hex>`` or the bare hex)."""
    name = digest.removeprefix("sha256:")
    if not re.fullmatch(r"[0-9a-f]{16,64}", name):
        raise ValueError(f"not a plan digest: {digest!r}")
    return (directory if directory is not None else lock_dir()) / f"{name}.lock"


class ApplyLock:
    """An exclusive ``flock`` on the plan digest's lock file; ``held()`` takes it for a ``with`` block."""

    def __init__(self, digest: str, plan: str | os.PathLike[str] | None = None, *,
                 directory: Path | None = None) -> None:
        self.digest = digest
        self.plan = os.path.abspath(plan) if plan is not None else None
        self.path = lock_path(digest, directory)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise ``ApplyLocked`` naming the holder; ``BadInputError`` when the lock file
        cannot be made (a directory in the way, no permission)."""
        if self._fd is not None:
            raise RuntimeError(f"lock {self.path} is already held by this ApplyLock")
        _make_dir(self.path.parent)
        for _ in range(_ATTEMPTS):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_holder(fd)
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise ApplyLocked(_refusal(holder, self.path)) from None
                raise BadInputError(f"{self.path}: cannot take the apply lock: {reason(exc)}") from None
            if _same_file(fd, self.path):
                self._fd = fd
                self._write_holder()
                return
            os.close(fd)  # released and removed by its holder between our open and our flock: open again
        raise ApplyLocked(f"could not take the apply lock {self.path}: it was replaced {_ATTEMPTS} times")

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        # Unlinked while still held: whoever opened this file meanwhile finds the path moved on and opens again.
        with contextlib.suppress(OSError):
            if _same_file(fd, self.path):
                self.path.unlink()
        os.close(fd)

    @contextlib.contextmanager
    def held(self) -> Iterator[ApplyLock]:
        self.acquire()
        try:
            yield self
        finally:
            self.release()

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise BadInputError(
                f"{self.path}: cannot create the apply lock: {reason(exc)} "
                f"(set {LOCK_DIR_ENV} to a directory of your own to put the locks elsewhere)"
            ) from None

    def _write_holder(self) -> None:
        assert self._fd is not None
        data = json.dumps({"pid": os.getpid(), "plan": self.plan, "digest": self.digest}).encode() + b"\n"
        try:
            os.pwrite(self._fd, data, 0)
            os.ftruncate(self._fd, len(data))
        except OSError as exc:  # the lock is held all the same; only the refusal message of others suffers
            log.warning("lock.holder_not_written", path=str(self.path), error=reason(exc))


class PlanHold(Protocol):
    """The state-store seam of an apply: what it holds while it runs a plan. ``held(digest, base)`` takes the
    plan's lock for the block; a remote store (``teardown.fleet``) also brings the plan's journal (beside
    ``base``) from the store before the block and keeps the store's copy in step while it runs."""

    def held(self, digest: str, base: Path) -> contextlib.AbstractContextManager[object]: ...


class LocalHold:
    """The default: the files stay beside the plan, and the lock is this machine's ``ApplyLock``."""

    def held(self, digest: str, base: Path) -> contextlib.AbstractContextManager[object]:
        return ApplyLock(digest, plan=base).held()


LOCAL_HOLD = LocalHold()


def _refusal(holder: dict[str, object], path: Path) -> str:
    if "pid" in holder and "plan" in holder:
        return f"another apply of this plan is running (pid {holder['pid']}, plan {holder['plan']})"
    # Its holder is still writing its name, or the file is not ours: name the lock file instead.
    return f"another apply of this plan is running (pid unknown; lock file {path})"


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _read_holder(fd: int) -> dict[str, object]:
    try:
        data = os.pread(fd, 4096, 0)
        holder = json.loads(data.decode("utf-8"))
    except (OSError, ValueError):  # being written, or not ours: the refusal names the lock file anyway
        return {}
    return holder if isinstance(holder, dict) else {}


def _make_dir(path: Path) -> None:
    """Create the lock directory (each new level 0o700); in a shared temporary directory, refuse a
    ``sitewise-teardown-<uid>`` that is not a real directory of this user (someone else's, or a symlink)."""
    shared_root = Path(tempfile.gettempdir())
    try:
        for level in reversed([path, *path.parents]):
            if level.exists() and level.is_dir():
                if level.parent == shared_root and level.name.startswith("sitewise-teardown-"):
                    _check_private(level)
                continue
            level.mkdir(mode=_PRIVATE)
            level.chmod(_PRIVATE)
    except FileExistsError:
        raise BadInputError(f"{path}: cannot create the apply lock directory: a file is in the way "
                            f"(set {LOCK_DIR_ENV} to put the locks elsewhere)") from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise BadInputError(f"{path}: cannot create the apply lock directory: {where}{reason(exc)} "
                            f"(set {LOCK_DIR_ENV} to put the locks elsewhere)") from None


def _check_private(level: Path) -> None:
    info = os.lstat(level)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise BadInputError(
            f"{level}: not a directory of user {os.getuid()} (a symlink, or owned by uid {info.st_uid}): "
            f"refusing to keep apply locks there; remove it or set {LOCK_DIR_ENV}"
        )
