"""Properties over random worlds and selections (hypothesis): apply never changes a resource outside what
the plan announces (deleted, kept but modified, series deleted with their assets), and a run killed at a
random point and run again ends in exactly the state of one uninterrupted run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teardown.applying.run import apply
from teardown.aws.calls import Calls
from teardown.aws.discover import discover
from teardown.emulator import ManualClock, SiteWiseBackend, is_mutating
from teardown.emulator.seed import random_world
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan
from tests.support.worlds import ACCOUNT, FAST_OBSERVE, FAST_RETRY, REGION, seeded

pytestmark = pytest.mark.slow
_COLLECTIONS = ("assetModels", "assets", "portals", "projects", "dashboards", "accessPolicies", "gateways",
                "timeSeries")


class _Crash(BaseException):
    """The process died: raised from inside a request, as a SIGKILL would cut it short."""


class _CrashingClient:
    """A boto3 client that dies after ``after`` mutating requests: that request reaches the service (its
    effect happens, the answer is lost), and every request after it dies too."""

    def __init__(self, client: Any, after: int) -> None:
        self._client = client
        self._left = after

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method):
            return method

        def call(**params: Any) -> Any:
            operation = self._client.meta.method_to_api_mapping.get(name, name)
            if self._left <= 0:
                raise _Crash
            if not is_mutating(operation):
                return method(**params)
            self._left -= 1
            answer = method(**params)
            if self._left == 0:
                raise _Crash
            return answer

        return call


@contextmanager
def _world(seed: int, tmp: Path) -> Iterator[tuple[SiteWiseBackend, ManualClock, Any]]:
    """The random world of ``seed``, seeded as every world of the suite is (tests/support/worlds.py)."""
    with seeded(random_world(seed=seed, assets=24, depth=3, fanout=4, projects=1), tmp) as env:
        yield env.backend, env.clock, env.client


def _by_id(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {item["id"]: item for name in _COLLECTIONS for item in snapshot.get(name, ())}


def _state(snapshot: dict[str, Any]) -> str:
    """Every resource as it is, less when it last changed (a resumed run takes longer on the clock) and its
    random ETag and portal client id; Monitor resources, whose ids the service draws, are named by what they
    are instead."""
    drawn = ("created", "updated", "etag", "client_id")
    text = json.dumps({rid: {k: v for k, v in item.items() if k not in drawn}
                       for rid, item in _by_id(snapshot).items()}, sort_keys=True, default=str)
    for collection in ("portals", "projects", "dashboards"):
        for item in snapshot.get(collection, ()):
            text = text.replace(item["id"], f"{collection}:{item['name']}")
    for item in snapshot.get("accessPolicies", ()):
        text = text.replace(item["id"], f"policy:{item['permission']}:{sorted(item['identity'].items())}")
    return json.dumps(json.loads(text), sort_keys=True)  # sorted again under the new names


def _plan(client: Any, clock: ManualClock, picks: list[int], tmp: Path) -> tuple[Plan, Path]:
    assets = sorted(a["id"] for m in client.list_asset_models()["assetModelSummaries"]
                    for a in client.list_assets(assetModelId=m["id"], filter="ALL")["assetSummaries"])
    spec = SelectionSpec(subtrees=tuple(sorted({assets[p % len(assets)] for p in picks})))
    inventory = discover(Calls(client, clock), spec, account=ACCOUNT, region=REGION)
    plan, _ = make_plan(inventory, spec)
    return plan, write_plan(plan, tmp / "p.plan.json")


def _apply(client: Any, clock: ManualClock, path: Path) -> Any:
    return apply(path, client=client, clock=clock, identity=lambda: (ACCOUNT, REGION), auto_approve=True,
                 observe=FAST_OBSERVE, retry=FAST_RETRY, workers=4)


def _outside_plan(plan: Plan, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    touched = {a.target for a in plan.actions} | {k["id"] for k in plan.summary["kept_modified"]}
    touched |= {a.params["childAssetId"] for a in plan.actions if "childAssetId" in a.params}
    announced = {s for e in plan.summary["time_series_deleted"] for s in e["series"]}
    old, new = _by_id(before), _by_id(after)
    return sorted(rid for rid, item in old.items() if rid not in touched
                  and (item.get("alias") or rid) not in announced and new.get(rid) != item)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), picks=st.lists(st.integers(0, 1000), min_size=1, max_size=3),
       kill_after=st.integers(1, 40))
def test_apply_stays_in_its_closure_and_a_killed_run_resumes_exactly(
    tmp_path_factory: pytest.TempPathFactory, seed: int, picks: list[int], kill_after: int
) -> None:
    """One clean run and one killed-then-resumed run of the same plan over the same world end in the same
    state, and neither touches anything the plan does not announce."""
    clean_dir = tmp_path_factory.mktemp("clean")
    with _world(seed, clean_dir) as (backend, clock, client):
        plan, path = _plan(client, clock, picks, clean_dir)
        before = backend.snapshot()
        assert _apply(client, clock, path).ok
        clean = backend.snapshot()
    assert _outside_plan(plan, before, clean) == []

    killed_dir = tmp_path_factory.mktemp("killed")
    with _world(seed, killed_dir) as (backend, clock, client):
        replayed, path = _plan(client, clock, picks, killed_dir)
        # The same plan, up to the ids the service draws for Monitor resources.
        assert [(a.kind, a.label) for a in replayed.actions] == [(a.kind, a.label) for a in plan.actions]
        with suppress(_Crash):
            _apply(_CrashingClient(client, kill_after), clock, path)
        resumed = _apply(client, clock, path)
        assert resumed.ok, resumed.root_causes()
        end = backend.snapshot()
    assert _state(end) == _state(clean)
