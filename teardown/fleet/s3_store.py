"""The S3 state store: a fleet's files under ``s3://bucket/prefix/``, its locks conditional writes.

**The lock** of a plan is ``prefix/locks/<digest>.lock``, created with ``PutObject(IfNoneMatch="*")``: S3
stores it for exactly one of any number of runners (the others get 412 PreconditionFailed and are refused,
``ApplyLocked``, exit 3). It is a lease: it names its holder and an expiry (``ttl``, clock seconds), which
the holder renews every ``renew_every`` seconds with ``PutObject(IfMatch=<its ETag>)``. A runner that died
leaves its lock to expire; the next runner then takes it over with ``IfMatch`` the dead one's ETag, so of
two runners taking over at once one wins. A holder whose renewal finds another's ETag has lost the lock
(its lease expired while it stalled): it sets the apply's stop event, so it starts nothing more.
Runners' clocks must agree to well within ``ttl`` (NTP does).

**The journal** is worked on locally (``cache_dir/NAME/ACCOUNT/REGION/``, with its fsync habits) and
uploaded whole every ``sync_every`` seconds while it grows, and once more when the apply ends. Before an
apply it is downloaded, unless the local copy already holds everything the store has (it extends it).
What a runner that dies loses is at most the last ``sync_every`` seconds of journal lines: the resumed run
re-checks those actions and resends them with the same clientToken (the service answers idempotently, so
nothing acts twice); a disassociation whose every line was lost makes the plan look stale (exit 3), and
planning again covers what is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import ClientError

from teardown.applying.lock import ApplyLock, PlanHold
from teardown.applying.paths import journal_path
from teardown.aws.classify import error_code, error_text
from teardown.aws.clock import Clock, SystemClock
from teardown.aws.retry import read_policy
from teardown.errors import ApplyLocked, BadInputError
from teardown.files import check_writable

log = structlog.get_logger(__name__)

DEFAULT_CACHE = Path(".sitewise-teardown") / "state"
LOCK_TTL = 300.0
RENEW_EVERY = 60.0
SYNC_EVERY = 2.0
_LOST_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404"})
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def parse_s3_url(url: str) -> tuple[str, str]:
    rest = url.removeprefix("s3://")
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise BadInputError(f"--state {url!r}: no bucket (s3://bucket/prefix)")
    return bucket, prefix.strip("/")


class S3Store:
    """``s3://bucket/prefix`` (the client honours ``AWS_ENDPOINT_URL_S3``, as every AWS SDK does)."""

    def __init__(self, bucket: str, prefix: str, *, client: Any | None = None, cache_dir: Path | None = None,
                 clock: Clock | None = None, ttl: float = LOCK_TTL, renew_every: float = RENEW_EVERY,
                 sync_every: float = SYNC_EVERY) -> None:
        self.bucket, self.prefix = bucket, prefix
        # One attempt per send: every resend is the engine's read policy, on the injected clock.
        self.client = client or boto3.client("s3", config=Config(retries={"total_max_attempts": 1}))
        self.cache = cache_dir or DEFAULT_CACHE
        self.clock = clock or SystemClock()
        self.ttl, self.renew_every, self.sync_every = ttl, renew_every, sync_every
        self.description = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"

    def object_key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def local_dir(self, key: str) -> Path:
        path = self.cache / key
        check_writable(path, "state cache directory", directory=True)
        path.mkdir(parents=True, exist_ok=True)
        return path

    def fetch(self, key: str, name: str) -> Path | None:
        local = self.local_dir(key) / name
        try:
            body = self.call("get_object", Key=self.object_key(key, name))["Body"].read()
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return None
            raise
        _write_atomically(local, body)
        return local

    def publish(self, key: str, name: str) -> None:
        local = self.local_dir(key) / name
        self.call("put_object", Key=self.object_key(key, name), Body=local.read_bytes())

    def hold(self, key: str, stop: threading.Event | None = None) -> PlanHold:
        return S3Hold(self, key, stop)

    def call(self, operation: str, /, **params: Any) -> Any:
        method = getattr(self.client, operation)
        return read_policy(self.clock)(method, Bucket=self.bucket, **params)


class S3Hold:
    """The S3 lease on a plan, this machine's flock beside it, and the journal kept in step while held."""

    def __init__(self, store: S3Store, key: str, stop: threading.Event | None) -> None:
        self.store, self.key, self.stop = store, key, stop
        self.sync_errors: list[str] = []  # uploads that failed; the last one at release is what matters
        self.lost = False

    @contextlib.contextmanager
    def held(self, digest: str, base: Path) -> Iterator[object]:
        lease = S3Lease(self.store, digest, plan=f"{self.store.description}/{self.key}/{base.name}")
        lease.acquire()
        try:
            with ApplyLock(digest, plan=base).held():
                journal = journal_path(base)
                self._bring_journal(journal)
                done = threading.Event()
                keeper = threading.Thread(target=self._keep, args=(lease, journal, done), daemon=True,
                                          name=f"state-sync-{self.key}")
                keeper.start()
                try:
                    yield lease
                finally:
                    done.set()
                    keeper.join()
                    self._upload(journal, final=True)
        finally:
            lease.release()

    def _bring_journal(self, local: Path) -> None:
        """The store's journal, unless the local one extends it (this machine ran last and S3 lags)."""
        try:
            remote = self.store.call("get_object", Key=self.store.object_key(self.key, local.name))["Body"].read()
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return
            raise
        mine = local.read_bytes() if local.is_file() else b""
        if len(mine) > len(remote) and mine.startswith(remote):
            log.info("state.journal_local_newer", key=self.key, local=len(mine), stored=len(remote))
            return
        _write_atomically(local, remote)

    def _keep(self, lease: S3Lease, journal: Path, done: threading.Event) -> None:
        """Upload the journal when it grew, renew the lease when due; each wait ends at the next of them."""
        last_size = journal.stat().st_size if journal.exists() else -1
        renew_at = self.store.clock.now() + self.store.renew_every
        while not done.wait(self.store.sync_every):
            size = journal.stat().st_size if journal.exists() else -1
            if size != last_size and self._upload(journal, final=False):
                last_size = size
            if self.store.clock.now() >= renew_at:
                renew_at = self.store.clock.now() + self.store.renew_every
                if not lease.renew():
                    self.lost = True
                    if self.stop is not None:
                        self.stop.set()  # another runner holds it now: start nothing more
                    return

    def _upload(self, journal: Path, *, final: bool) -> bool:
        if not journal.exists():
            return True
        try:
            self.store.publish(self.key, journal.name)
        except (ClientError, OSError) as exc:
            text = error_text(exc) if isinstance(exc, ClientError) else str(exc)
            self.sync_errors.append(text)
            log.error("state.journal_upload_failed", key=self.key, final=final, error=text)
            return False
        return True


class S3Lease:
    """A plan's lock object in S3, taken with a conditional write (see the module docstring)."""

    def __init__(self, store: S3Store, digest: str, *, plan: str) -> None:
        self.store, self.digest, self.plan = store, digest, plan
        self.key = store.object_key("locks", f"{digest.removeprefix('sha256:')}.lock")
        self.etag: str | None = None

    def acquire(self) -> None:
        for _ in range(3):
            if self._put(IfNoneMatch="*"):
                return
            holder, etag = self._read()
            if etag is None:
                continue  # released between our put and our read: try again
            if float(holder.get("expires_at", 0)) > self.store.clock.now():
                raise ApplyLocked(f"another apply of this plan is running (holder {holder.get('holder', '?')}, "
                                  f"plan {holder.get('plan', '?')}; lock s3://{self.store.bucket}/{self.key})")
            log.warning("state.lock_expired_taken_over", lock=self.key, holder=holder.get("holder"))
            if self._put(IfMatch=etag):
                return
        raise ApplyLocked(f"could not take the apply lock s3://{self.store.bucket}/{self.key}: it changed hands "
                          "three times while trying")

    def renew(self) -> bool:
        """Extend the lease; False when another runner holds the lock now."""
        if self.etag is None:
            return False
        try:
            return self._put(IfMatch=self.etag)
        except ClientError as exc:
            log.error("state.lock_renew_failed", lock=self.key, error=error_text(exc))
            return True  # S3 unreachable is not a lost lock; the lease holds until it expires

    def release(self) -> None:
        if self.etag is None:
            return
        etag, self.etag = self.etag, None
        try:
            self.store.call("delete_object", Key=self.key, IfMatch=etag)
        except ClientError as exc:  # taken over or gone already: not ours to delete
            log.warning("state.lock_release_skipped", lock=self.key, error=error_text(exc))

    def _put(self, **condition: str) -> bool:
        body = {"holder": f"{socket.gethostname()}:{os.getpid()}", "plan": self.plan, "digest": self.digest,
                "expires_at": self.store.clock.now() + self.store.ttl}
        try:
            answer = self.store.call("put_object", Key=self.key, Body=json.dumps(body).encode(), **condition)
        except ClientError as exc:
            if error_code(exc) in _LOST_CODES:
                return False
            raise
        self.etag = answer["ETag"]
        return True

    def _read(self) -> tuple[dict[str, Any], str | None]:
        try:
            answer = self.store.call("get_object", Key=self.key)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return {}, None
            raise
        try:
            holder = json.loads(answer["Body"].read())
        except ValueError:
            holder = {}
        return (holder if isinstance(holder, dict) else {}), answer["ETag"]


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
