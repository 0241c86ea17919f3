"""The demo: a site decommission, end to end, against the embedded emulator over HTTP.

It starts the emulator on a loopback port (moto answers STS on the same port), seeds the packaged wind
farm, switches the emulator to realistic latencies and AWS quotas, plans ``--subtree`` of site 1 (a site
that is in a Monitor project and hangs under a kept enterprise), applies the plan, and verifies against
the emulator's own state that everything selected is gone and nothing else changed. It drives the
engine exactly as a user does: through boto3 clients pointed at an endpoint.

Library code: it reports through ``on_stage`` / ``on_progress`` callbacks and returns a ``DemoResult``;
the CLI renders both.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teardown.applying.progress import Progress
from teardown.applying.report import ApplyReport
from teardown.applying.run import DEFAULT_WORKERS, apply
from teardown.aws.discover import discover_target
from teardown.aws.target import AwsTarget, sitewise_client
from teardown.emulator import Clock, LatencyProfile, ScaledClock, SiteWiseBackend, serve
from teardown.emulator.seed import SeededWorld, WorldError, seed_world, windfarm
from teardown.errors import WorkflowFailed
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from teardown.planning.planfile import Plan, write_plan

DEMO_REGION = "us-east-1"
DEMO_ACCOUNT = "123456789012"  # the account moto's STS answers with
SITE = "enterprise/site-1"
_COLLECTIONS = ("assetModels", "assets", "portals", "projects", "dashboards", "accessPolicies", "gateways",
                "timeSeries")


@dataclass
class DemoResult:
    plan: Plan
    plan_path: Path
    report: ApplyReport
    world: SeededWorld
    seconds: float
    # Verification against the emulator's state, each a list of problems (empty = verified).
    left_behind: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    side_effects: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.report.ok and not self.left_behind and not self.changed


@contextmanager
def _demo_environment(url: str) -> Iterator[None]:
    """Dummy credentials for the emulator, and nothing from the user's AWS configuration."""
    overrides = {
        "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo", "AWS_REGION": DEMO_REGION,
        "AWS_DEFAULT_REGION": DEMO_REGION, "AWS_ENDPOINT_URL_IOTSITEWISE": url, "AWS_ENDPOINT_URL_STS": url,
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
    }
    removed = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")
    saved = {k: os.environ.get(k) for k in (*overrides, *removed)}
    os.environ.update(overrides)
    for key in removed:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo(
    *,
    time_scale: float = 1.0,
    plans_dir: Path = Path("plans"),
    workers: int = DEFAULT_WORKERS,
    on_stage: Callable[[str, Mapping[str, Any]], None] = lambda _stage, _info: None,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Clock | None = None,
) -> DemoResult:
    """Run the demo; ``clock`` (default: wall time sped up ``time_scale`` times) drives emulator and engine."""
    started = time.monotonic()
    clock = clock or ScaledClock(time_scale)
    backend = SiteWiseBackend(clock=clock, latency="instant", quotas="aws", account_id=DEMO_ACCOUNT,
                              region=DEMO_REGION)
    with serve(backend) as server, _demo_environment(server.url):
        target = AwsTarget(region=DEMO_REGION, endpoint_url=server.url)
        on_stage("emulator", {"url": server.url, "time_scale": time_scale})
        # Seeding is set-up, not the subject: it runs with instant latencies, the teardown with realistic ones.
        # It retries on the shared clock itself; clients from sitewise_client never retry on the wall clock.
        try:
            world = seed_world(sitewise_client(target), windfarm(), clock=clock)
        except WorldError as exc:  # the emulator's own error tree: the CLI knows the engine's
            raise WorkflowFailed(f"seeding the demo world failed: {exc}") from exc
        on_stage("seeded", world.counts())
        backend.latency = LatencyProfile.realistic()
        on_stage("latency", {"profile": "realistic", "quotas": "aws"})

        spec = SelectionSpec(subtrees=(world.assets[SITE],))
        inventory = discover_target(target, spec, clock=clock)
        plan, _ = make_plan(inventory, spec)
        plan_path = write_plan(plan, plans_dir / f"demo-{plan.digest.removeprefix('sha256:')[:12]}.plan.json")
        on_stage("planned", {"path": str(plan_path), "plan": plan})

        before = backend.snapshot()
        report = apply(plan_path, target=target, auto_approve=True, workers=workers, clock=clock,
                       on_progress=on_progress)
        after = backend.snapshot()

    result = DemoResult(plan=plan, plan_path=plan_path, report=report, world=world,
                        seconds=time.monotonic() - started)
    _verify(result, plan, before, after)
    on_stage("verified", {"ok": result.verified})
    return result


def _by_id(snapshot: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for name in _COLLECTIONS for item in snapshot.get(name, ())}


def _verify(result: DemoResult, plan: Plan, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Everything the plan deletes is gone; every other resource is byte-for-byte as it was, except the
    ones the plan lists as kept but modified and the time series the plan announced would go with their
    assets (SiteWise deletes the series bound to a deleted asset)."""
    deleted = {a.target for a in plan.actions if a.kind.is_delete}
    modified = {k["id"] for k in plan.summary.get("kept_modified", ())}
    announced = {series for entry in plan.summary.get("time_series_deleted", ()) for series in entry["series"]}
    old, new = _by_id(before), _by_id(after)
    result.left_behind = sorted(f"{old[rid].get('name', rid)} ({rid}) still exists" for rid in deleted if rid in new)
    for rid, item in sorted(old.items()):
        if rid in deleted or rid in modified:
            continue
        if rid not in new and (item.get("alias") or rid) in announced:
            result.side_effects.append(f"time series {item.get('alias') or rid} went with its asset, as planned")
            continue
        if new.get(rid) != item:
            result.changed.append(f"{item.get('name') or item.get('alias') or rid} ({rid}) changed or disappeared")
