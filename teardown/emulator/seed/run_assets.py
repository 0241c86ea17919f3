"""Seeding assets: create them all, wait until ACTIVE, associate them top level first."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from teardown.emulator.seed.calls import check_state
from teardown.emulator.seed.context import SeedContext, each, put_optional
from teardown.emulator.seed.spec import AssetSpec, asset_depths


def create_assets(ctx: SeedContext, pool: ThreadPoolExecutor) -> None:
    """Every asset at once, then wait until every one is ACTIVE."""
    each(pool, lambda a: _asset(ctx, a), ctx.spec.assets)
    wait_assets_active(ctx, pool)


def _asset(ctx: SeedContext, a: AssetSpec) -> None:
    params: dict[str, Any] = {
        "assetName": a.name,
        "assetModelId": ctx.ids.model(a.model),
        "assetId": ctx.ids.asset(a.path),
        "clientToken": ctx.ids.token("CreateAsset", a.path),
    }
    put_optional(params, "assetDescription", a.description)
    put_optional(params, "tags", ctx.spec.tags_for(a.tags))
    ctx.caller.call(f"CreateAsset {a.path}", ctx.client.create_asset, params)


def wait_assets_active(ctx: SeedContext, pool: ThreadPoolExecutor) -> None:
    by_model: dict[str, set[str]] = defaultdict(set)
    for a in ctx.spec.assets:
        by_model[a.model].add(ctx.ids.asset(a.path))
    each(pool, lambda item: _wait_model_assets(ctx, *item), sorted(by_model.items()))


def _wait_model_assets(ctx: SeedContext, model_key: str, asset_ids: set[str]) -> None:
    """One paginated ListAssets per poll covers every asset of the model (250 per page)."""
    paginator = ctx.client.get_paginator("list_assets")

    def all_active() -> bool:
        pending = set(asset_ids)
        pages = paginator.paginate(
            assetModelId=ctx.ids.model(model_key), filter="ALL", PaginationConfig={"PageSize": 250}
        )
        for page in pages:
            for summary in page["assetSummaries"]:
                status = summary["status"]
                if summary["id"] in pending and check_state(
                    f"asset {summary['name']}", status["state"], error=status.get("error")
                ):
                    pending.discard(summary["id"])
        return not pending

    ctx.caller.wait_until(f"assets of model {model_key} ACTIVE", all_active, timeout=ctx.timeout)


def associate_assets(ctx: SeedContext, pool: ThreadPoolExecutor) -> None:
    """Every child to its parent: a level at a time, serialized per parent, parallel across parents.

    Each associate puts the parent into UPDATING, and the next associate on it is refused 409 until it
    settles (retried on the clock). Top level first: a level's children are then never UPDATING (they
    become parents only later).
    """
    depths = asset_depths(ctx.spec)
    by_parent: dict[str, list[AssetSpec]] = defaultdict(list)
    for a in ctx.spec.assets:
        if a.parent is not None:
            by_parent[a.parent].append(a)
    by_level: dict[int, list[str]] = defaultdict(list)
    for parent in by_parent:
        by_level[depths[parent]].append(parent)
    for level in sorted(by_level):
        each(pool, lambda parent: _associate_children(ctx, parent, by_parent[parent]), by_level[level])
    wait_assets_active(ctx, pool)


def _associate_children(ctx: SeedContext, parent_path: str, children: list[AssetSpec]) -> None:
    parent_model = ctx.asset_models[parent_path]
    for child in children:
        assert child.hierarchy is not None  # validated: every non-root asset names its hierarchy
        params: dict[str, Any] = {
            "assetId": ctx.ids.asset(parent_path),
            "hierarchyId": _hierarchy_id(ctx, parent_model, child.hierarchy),
            "childAssetId": ctx.ids.asset(child.path),
            "clientToken": ctx.ids.token("AssociateAssets", child.path),
        }
        ctx.caller.call(f"AssociateAssets {child.path}", ctx.client.associate_assets, params)


def _hierarchy_id(ctx: SeedContext, model_key: str, hierarchy: str) -> str:
    known = ctx.hierarchy_ids.get(model_key, {})
    return known.get(hierarchy) or ctx.ids.of("hierarchy", f"{model_key}/{hierarchy}")
