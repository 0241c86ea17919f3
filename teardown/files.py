"""The user's files, read and written with clear errors: an ``OSError`` or undecodable text on a path the user
gave (a directory where a file belongs, no permission, a read-only directory, bytes that are not UTF-8)
becomes a ``TeardownError`` naming the path and the reason, never a traceback.

Imports nothing of the package but ``teardown.errors``, so every stage may use it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from teardown.errors import BadInputError, TeardownError


def reason(exc: OSError) -> str:
    """The OS's words for ``exc`` ("Is a directory", "Permission denied"), without the errno and path."""
    return exc.strerror or str(exc)


@contextlib.contextmanager
def file_errors(
    path: str | os.PathLike[str], what: str, *, writing: bool = False, error: type[TeardownError] = BadInputError
) -> Iterator[None]:
    """Turn an OS error or undecodable text inside the block into ``error``: "PATH: cannot read the WHAT: REASON"
    (a file that is missing when read: "PATH: no such WHAT")."""
    verb = "write" if writing else "read"
    try:
        yield
    except UnicodeDecodeError as exc:
        raise error(f"{path}: cannot read the {what}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except FileNotFoundError as exc:
        if not writing and exc.filename in (None, os.fspath(path)):
            raise error(f"{path}: no such {what}") from None
        raise error(f"{path}: cannot {verb} the {what}: {exc.filename}: {reason(exc)}") from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename not in (None, os.fspath(path)) else ""
        raise error(f"{path}: cannot {verb} the {what}: {where}{reason(exc)}") from None


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``; ``BadInputError`` says why it cannot be read."""
    with file_errors(path, what):
        return path.read_text(encoding="utf-8")


def write_text_atomic(path: Path, text: str | Iterable[str], what: str) -> None:
    """Write ``text`` (or its chunks, as they come) to ``path`` through a temporary file beside it, renamed over
    it: a reader never sees half a file. Creates missing parent directories; leaves no temporary file behind
    when it fails (an exception raised by the chunks' iterator included)."""
    tmp = path.with_name(path.name + ".tmp")
    with file_errors(path, what, writing=True):
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if isinstance(text, str):
                tmp.write_text(text, encoding="utf-8")
            else:
                with tmp.open("w", encoding="utf-8", buffering=1 << 20) as out:
                    out.writelines(text)
            tmp.replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


def check_writable(path: Path, what: str, *, directory: bool = False) -> None:
    """Refuse early, before any request is sent, a destination that cannot be written: a directory where the
    file belongs (or a file where the ``directory`` belongs), a parent that is a file, a parent the user may
    not write. A check, not a promise: the write itself still reports its own failure."""
    if directory:
        if path.exists() and not path.is_dir():
            raise BadInputError(f"{path}: cannot write the {what}: not a directory")
        holder = path
    else:
        if path.is_dir():
            raise BadInputError(f"{path}: cannot write the {what}: {os.strerror(errno.EISDIR)}")
        holder = path.parent
    existing = holder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise BadInputError(f"{path}: cannot write the {what}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        read_only = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
        why = os.strerror(errno.EROFS if read_only else errno.EACCES)
        raise BadInputError(f"{path}: cannot write the {what}: {existing}: {why}")
