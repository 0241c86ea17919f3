"""The state store: where a fleet keeps each target run's plans, journals, locks, reports and archives.

Layout, the same in both stores: one folder per target run, ``NAME/ACCOUNT/REGION/``, holding
``latest.json`` (which plan is the run's current one), the plans (``<digest16>.plan.json``) and beside each
its side files (``teardown.applying.paths.SIDE_FILES``: journal, report, archive).

- ``LocalStore`` (the default, ``--state DIR``, ``fleet-state/`` unless given): the files are where the
  apply works, as a plain ``apply`` keeps them beside the plan; the lock is this machine's ``flock``.
- ``S3Store`` (``--state s3://bucket/prefix``, ``teardown.fleet.s3_store``): the same files under the
  prefix; an apply works on a local copy (``--cache-dir``) and the store keeps S3 in step.

Both offer the small interface the fleet runner uses (``StateStore``); the apply itself sees only the
``PlanHold`` seam of ``teardown.applying.lock`` that ``hold`` answers.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from teardown.applying.lock import LOCAL_HOLD, PlanHold
from teardown.errors import BadInputError
from teardown.files import check_writable

LATEST = "latest.json"
DEFAULT_LOCAL_STATE = Path("fleet-state")


def plan_name(digest: str) -> str:
    return f"{digest.removeprefix('sha256:')[:16]}.plan.json"


class StateStore(Protocol):
    """What the fleet runner needs of a store; ``key`` is a target run's folder (``TargetRun.key``)."""

    description: str

    def local_dir(self, key: str) -> Path:
        """Where the run's files are on this machine (created)."""
        ...

    def fetch(self, key: str, name: str) -> Path | None:
        """The store's copy of ``name`` in ``local_dir(key)``, brought there first; None when there is none."""
        ...

    def publish(self, key: str, name: str) -> None:
        """The local file ``name`` is now the run's copy: keep it in the store."""
        ...

    def hold(self, key: str, stop: threading.Event | None = None) -> PlanHold:
        """The lock (and journal keeping) an apply of this run's plan holds; ``stop`` is set if it is lost."""
        ...


class LocalStore:
    """A local directory: today's files, in one folder per target run."""

    def __init__(self, root: Path = DEFAULT_LOCAL_STATE) -> None:
        self.root = root
        self.description = str(root)

    def local_dir(self, key: str) -> Path:
        path = self.root / key
        check_writable(path, "state directory", directory=True)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def fetch(self, key: str, name: str) -> Path | None:
        path = self.root / key / name
        return path if path.is_file() else None

    def publish(self, key: str, name: str) -> None:
        del key, name  # the local file is the stored one

    def hold(self, key: str, stop: threading.Event | None = None) -> PlanHold:
        del key, stop  # flock: the kernel releases it when the holder dies, so it cannot be lost
        return LOCAL_HOLD


def read_latest(store: StateStore, key: str) -> dict[str, Any] | None:
    """The run's ``latest.json`` (which plan, when made, its counts), or None when it was never planned."""
    path = store.fetch(key, LATEST)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInputError(f"{path}: unreadable state ({exc}); plan the target again") from None
    if not isinstance(data, dict) or not isinstance(data.get("plan"), str):
        raise BadInputError(f"{path}: not a fleet state file; plan the target again")
    return data


def write_latest(store: StateStore, key: str, entry: dict[str, Any]) -> None:
    path = store.local_dir(key) / LATEST
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(entry, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: a reader sees the old pointer or the new one
    store.publish(key, LATEST)


def open_store(spec: str | None, *, cache_dir: Path | None = None, clock: Any = None) -> StateStore:
    """``--state``: a local directory (default ``fleet-state``) or ``s3://bucket/prefix``."""
    if spec is None:
        return LocalStore()
    if spec.startswith("s3://"):
        from teardown.fleet.s3_store import S3Store, parse_s3_url  # noqa: PLC0415 (boto3's S3 model only when asked)

        bucket, prefix = parse_s3_url(spec)
        return S3Store(bucket, prefix, cache_dir=cache_dir, clock=clock)
    if "://" in spec:
        raise BadInputError(f"--state {spec!r}: a local directory or s3://bucket/prefix")
    return LocalStore(Path(spec))
