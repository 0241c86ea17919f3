"""Fakes for tests that need no emulator: the service's errors shaped as botocore raises them, and fake clients
answering just the operations a test sends."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from botocore.exceptions import ClientError

from teardown.aws.clock import Clock


def client_error(code: str, status: int, message: str = "msg", operation: str = "DescribeAsset") -> ClientError:
    """The ClientError botocore raises for a service answer with this error code and HTTP status."""
    response: Any = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, operation)


def not_found(operation: str = "DescribeAsset") -> ClientError:
    """A 404: the resource is gone."""
    return client_error("ResourceNotFoundException", 404, "gone", operation)


class DeletingAssets:
    """A fake client: assets DELETING until the clock passes ``gone_at`` (then gone, answering 404), or FAILED
    with the given message; counts every read by operation. Thread-safe."""

    def __init__(self, clock: Clock, assets: dict[str, str], gone_at: float,
                 failed: dict[str, str] | None = None, gone_at_of: dict[str, float] | None = None,
                 *, unindexed: frozenset[str] = frozenset()) -> None:
        self.clock = clock
        self.assets = assets  # asset id -> model id
        self.gone_at = gone_at
        self.gone_at_of = gone_at_of or {}  # asset id -> when it is gone, where not ``gone_at``
        self.failed = failed or {}
        # Assets the top-level list leaves out while they exist: an index that has not caught up with their unlinking.
        self.unindexed = unindexed
        self.model_lists = 0  # ListAssets calls with an assetModelId
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def _status(self, asset_id: str) -> dict[str, Any]:
        if asset_id in self.failed:
            return {"state": "FAILED", "error": {"code": "INTERNAL_FAILURE", "message": self.failed[asset_id]}}
        return {"state": "DELETING"}

    def list_assets(self, **params: Any) -> dict[str, Any]:
        return self._answer("ListAssets", params)

    def describe_asset(self, **params: Any) -> dict[str, Any]:
        return self._answer("DescribeAsset", params)

    def _answer(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls[operation] += 1
        now = self.clock.now()

        def present(asset_id: str) -> bool:
            return now < self.gone_at_of.get(asset_id, self.gone_at) or asset_id in self.failed

        if operation == "ListAssets":
            # No model: the account's top-level list (each of these assets was deleted, so has no parent).
            assert "assetModelId" in params or params.get("filter") == "TOP_LEVEL", params
            by_model = "assetModelId" in params
            with self.lock:
                self.model_lists += by_model
            return {"assetSummaries": [
                {"id": a, "status": self._status(a)} for a, m in self.assets.items()
                if params.get("assetModelId", m) == m and present(a) and (by_model or a not in self.unindexed)
            ]}
        if operation == "DescribeAsset":
            if not present(params["assetId"]):
                raise not_found()
            return {"assetStatus": self._status(params["assetId"])}
        raise AssertionError(operation)


class Throttling:
    """A fake client: DeleteAsset is throttled ``n`` times, then answers DELETING."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def delete_asset(self, **params: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.n:
            raise client_error("ThrottlingException", 429, "slow down", "DeleteAsset")
        return {"assetStatus": {"state": "DELETING"}}
