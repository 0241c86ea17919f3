"""Seeding: ``seed_world`` turns a ``WorldSpec`` into resources through a boto3 ``iotsitewise`` client.

Only the public API is used, so the same code seeds the in-process emulator, the HTTP server, or (in
principle) a real account. The order follows what SiteWise allows:

1. models, in generations (a child/component/interface model before the models naming it), each ACTIVE
   before the next generation; then each model's composite models and interface relationships, one at
   a time per model (each puts the model back into UPDATING): ``run_models``;
2. assets, all at once, then wait until every one is ACTIVE (one paginated ListAssets per model);
3. associations, top level first, serialized per parent (each puts the parent into UPDATING, and the
   next associate on it is refused 409 until it settles: retried on the clock), parallel across parents:
   ``run_assets``;
4. portals (wait ACTIVE), projects, dashboards, access policies, gateways with their capability
   configurations: on their own thread meanwhile (``run_monitor``);
5. project asset links (after the hierarchy: a project's assets must share one root) and time series
   (``run_series``: associated by alias, or created by writing values).

Ids are uuid5 over a namespace of the world's name and seed and each resource's logical name, and every
mutation carries a clientToken derived the same way, so a retried request is replayed, never doubled.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

import structlog
from botocore.exceptions import ClientError

from teardown.emulator.clock import Clock, ScaledClock
from teardown.emulator.seed.calls import error_code
from teardown.emulator.seed.context import SeedContext
from teardown.emulator.seed.errors import WorldAlreadySeeded
from teardown.emulator.seed.run_assets import associate_assets, create_assets
from teardown.emulator.seed.run_models import create_models
from teardown.emulator.seed.run_monitor import create_monitor_resources, link_project_assets
from teardown.emulator.seed.run_series import bind_time_series
from teardown.emulator.seed.seeded import SeededWorld
from teardown.emulator.seed.spec import WorldSpec, validate_world

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

log = structlog.get_logger(__name__)


def seed_world(
    client: IoTSiteWiseClient,
    spec: WorldSpec,
    *,
    clock: Clock | None = None,
    max_workers: int = 8,
    timeout: float = 900.0,
) -> SeededWorld:
    """Create every resource of ``spec`` and wait until it is usable (ACTIVE).

    Refuses with ``WorldAlreadySeeded`` (before creating anything) when the world's models already exist.
    ``timeout`` bounds each wait for a state, in clock seconds; without a ``clock``, waits take wall time.
    """
    validate_world(spec)
    ctx = SeedContext(client, spec, clock or ScaledClock(), timeout=timeout)
    return _run(ctx, max_workers=max_workers)


def _run(ctx: SeedContext, *, max_workers: int) -> SeededWorld:
    spec, ids = ctx.spec, ctx.ids
    started = ctx.clock.now()
    _refuse_if_seeded(ctx)
    world = SeededWorld(
        name=spec.name,
        models={m.key: ids.model(m.key) for m in spec.models},
        assets={a.path: ids.asset(a.path) for a in spec.assets},
        parents={ids.asset(a.path): ids.asset(a.parent) for a in spec.assets if a.parent},
    )

    def phase(name: str, work: Callable[[ThreadPoolExecutor], None], pool: ThreadPoolExecutor) -> None:
        began = ctx.clock.now()
        work(pool)
        log.info("seed.phase", world=spec.name, phase=name, seconds=round(ctx.clock.now() - began, 3))

    with (
        ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="seed") as pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-monitor") as side,
    ):
        monitor: Future[None] = side.submit(create_monitor_resources, ctx, world)
        try:
            phase("models", lambda p: create_models(ctx, p), pool)
            phase("assets", lambda p: create_assets(ctx, p), pool)
            phase("associations", lambda p: associate_assets(ctx, p), pool)
        except BaseException:
            wait([monitor])  # let the side finish, but the first failure is the one to report
            raise
        monitor.result()
        phase("project_assets", lambda p: link_project_assets(ctx, world), pool)
        phase("time_series", lambda p: bind_time_series(ctx, world, p), pool)
    world.hierarchies.update(
        {f"{model}/{name}": hid for model, by_name in ctx.hierarchy_ids.items() for name, hid in by_name.items()}
    )
    log.info("seed.done", world=spec.name, seconds=round(ctx.clock.now() - started, 3), **world.counts())
    return world


def _refuse_if_seeded(ctx: SeedContext) -> None:
    """``WorldAlreadySeeded`` when any of the world's models already exists in the target."""
    for model in ctx.spec.models:
        model_id = ctx.ids.model(model.key)

        def exists(model_id: str = model_id) -> bool:
            try:
                ctx.client.describe_asset_model(assetModelId=model_id)
            except ClientError as exc:
                if error_code(exc) == "ResourceNotFoundException":
                    return False
                raise
            return True

        if ctx.caller.call(f"DescribeAssetModel {model.key}", exists):
            raise WorldAlreadySeeded(
                f"world {ctx.spec.name!r} (seed {ctx.spec.seed}) is already seeded here: model "
                f"{model.key!r} exists as {model_id}; reset the emulator or seed with another seed"
            )
