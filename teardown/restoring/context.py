"""What every restore step shares: the id map, deterministic ids and clientTokens, the waits, the journal.

New ids are chosen by restore itself where SiteWise lets the caller choose (asset models, their properties,
hierarchies and composite models, assets): a UUID derived from the run's salt (the archive digest and the
moment its journal was started) and the archived id. So a step resumed after a crash knows the id of what it
may already have created, and asks the service instead of creating it twice; a restore started afresh from
the same archive (its journal moved away) gets ids of its own. Monitor resources, whose ids SiteWise picks,
are found again by name.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from botocore.exceptions import ClientError

from teardown.archive.document import Archive
from teardown.aws.calls import Calls
from teardown.aws.classify import error_code
from teardown.aws.clock import Clock

log = structlog.get_logger(__name__)

# Fixed namespaces: the same salt and archived id give the same new id and token on any machine, in any run.
_ID_NAMESPACE = uuid.UUID("8c1f3e52-9a0d-4c55-b7e1-2f6a4d9e0b13")
_TOKEN_NAMESPACE = uuid.UUID("b2e9a4c1-5d7f-4e08-9c3a-7f1e2d4b6a85")


class StepFailed(Exception):
    """A step could not be carried out; the message says why (the report shows it)."""


@dataclass(frozen=True)
class RestoreSettings:
    interval: float = 1.0  # seconds between polls of a resource settling
    deadline: float = 600.0  # clock seconds a create or update may take to settle before its step fails


@dataclass(frozen=True)
class StepResult:
    """What a step established: old id -> new id for everything it restored or found, and whether it found the
    resource already there (reused) rather than creating it."""

    ids: Mapping[str, str]
    reused: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"ids": dict(self.ids), "reused": self.reused}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepResult:
        return cls(ids=dict(data.get("ids", {})), reused=bool(data.get("reused")))


class Restorer:
    """The state of one restore run, shared by the step handlers; thread-safe."""

    def __init__(self, archive: Archive, calls: Calls, clock: Clock, *, salt: str, settings: RestoreSettings,
                 resumed: set[str], earlier: Mapping[str, StepResult]) -> None:
        self.archive = archive
        self.calls = calls
        self.clock = clock
        self.salt = salt
        self.settings = settings
        self.resumed = resumed
        self._lock = threading.Lock()
        self._ids: dict[str, str] = {}
        self.reused: set[str] = set()  # archived ids found already there
        for result in earlier.values():
            self.record(result)
        self.models = {str(m["assetModelId"]): m for m in archive.models}
        self.interfaces = {str(m["assetModelId"]) for m in archive.section("interfaceModels")}
        self.assets = {str(a["assetId"]): a for a in archive.assets}
        self._live_models: dict[str, dict[str, Any]] = {}

    # ---- ids ------------------------------------------------------------------------------------------

    def fresh(self, old: str) -> str:
        """The id restore gives the re-created counterpart of ``old``."""
        return str(uuid.uuid5(_ID_NAMESPACE, f"{self.salt}/{old}"))

    def token(self, step_id: str, part: str = "") -> str:
        return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{self.salt}/{step_id}/{part}"))

    def new(self, old: str) -> str:
        """The id of ``old`` now: what restore made or found for it, else ``old`` itself (a kept resource)."""
        with self._lock:
            return self._ids.get(old, old)

    def record(self, result: StepResult) -> None:
        with self._lock:
            self._ids.update(result.ids)
            if result.reused:
                self.reused.update(result.ids)

    def id_map(self) -> dict[str, str]:
        with self._lock:
            return dict(sorted(self._ids.items()))

    # ---- reads ----------------------------------------------------------------------------------------

    def describe(self, operation: str, **params: Any) -> dict[str, Any] | None:
        """The answer, or None when the resource does not exist."""
        try:
            return self.calls.read(operation, **params)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            raise

    def live_model(self, model_id: str) -> dict[str, Any]:
        """DescribeAssetModel of a model restore did not create (kept, or reused), once per run."""
        with self._lock:
            cached = self._live_models.get(model_id)
        if cached is None:
            cached = self.calls.read("DescribeAssetModel", assetModelId=model_id)
            with self._lock:
                self._live_models[model_id] = cached
        return cached

    def wait_active(self, operation: str, status_key: str, what: str, **params: Any) -> None:
        """Poll until the resource is ACTIVE; ``StepFailed`` when it ends FAILED or past the deadline."""
        deadline = self.clock.now() + self.settings.deadline
        while True:
            answer = self.calls.read(operation, **params)
            status = answer.get(status_key) or {}
            state = status.get("state")
            if state == "ACTIVE":
                return
            if state == "FAILED":
                error = status.get("error") or {}
                raise StepFailed(f"{what} ended FAILED: {error.get('code', '')} {error.get('message', '')}".rstrip())
            if self.clock.now() >= deadline:
                raise StepFailed(f"{what} still {state} after {self.settings.deadline:g}s (its deadline)")
            self.clock.sleep(self.settings.interval)

    def mutate(self, operation: str, step_id: str, part: str = "", **params: Any) -> dict[str, Any]:
        return self.calls.mutate(operation, **params, clientToken=self.token(step_id, part))
