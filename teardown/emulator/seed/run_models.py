"""Seeding asset models: in generations, each ACTIVE before the next, then their composites and interfaces."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from teardown.emulator.seed.calls import check_state
from teardown.emulator.seed.context import SeedContext, each, put_optional
from teardown.emulator.seed.spec import FormulaSpec, ModelSpec, PropertySpec


def create_models(ctx: SeedContext, pool: ThreadPoolExecutor) -> None:
    """Every model, a generation at a time: a child, component or interface model before the models naming it."""
    for generation in ctx.spec.model_order():
        each(pool, lambda key: _model(ctx, key), generation)


def _model(ctx: SeedContext, key: str) -> None:
    """One model, then its composite models and interface relationships one at a time (each puts the model
    back into UPDATING, so each waits for ACTIVE)."""
    m = ctx.models[key]
    ids = ctx.ids
    model_id = ids.model(key)
    params: dict[str, Any] = {
        "assetModelName": m.name,
        "assetModelType": m.type,
        "assetModelId": model_id,
        "assetModelProperties": [_property(ctx, key, p) for p in m.properties],
        "assetModelHierarchies": [
            {
                "id": ids.of("hierarchy", f"{key}/{name}"),
                "name": name,
                "childAssetModelId": ids.model(child),
            }
            for name, child in m.hierarchies
        ],
        "clientToken": ids.token("CreateAssetModel", key),
    }
    put_optional(params, "assetModelDescription", m.description)
    put_optional(params, "tags", ctx.spec.tags_for(m.tags))
    ctx.caller.call(f"CreateAssetModel {key}", ctx.client.create_asset_model, params)
    _wait_model(ctx, m)
    for name, component in m.components:
        composite = {
            "assetModelId": model_id,
            "assetModelCompositeModelId": ids.of("composite", f"{key}/{name}"),
            "assetModelCompositeModelName": name,
            "assetModelCompositeModelType": "CUSTOM",
            "composedAssetModelId": ids.model(component),
            "clientToken": ids.token("CreateAssetModelCompositeModel", f"{key}/{name}"),
        }
        ctx.caller.call(
            f"CreateAssetModelCompositeModel {key}/{name}",
            ctx.client.create_asset_model_composite_model,
            composite,
        )
        _wait_model(ctx, m)
    for interface in m.interfaces:
        relation = {
            "assetModelId": model_id,
            "interfaceAssetModelId": ids.model(interface),
            "propertyMappingConfiguration": {"matchByPropertyName": True},
            "clientToken": ids.token("PutAssetModelInterfaceRelationship", f"{key}/{interface}"),
        }
        ctx.caller.call(
            f"PutAssetModelInterfaceRelationship {key}/{interface}",
            ctx.client.put_asset_model_interface_relationship,
            relation,
        )
        _wait_model(ctx, m)


def _property(ctx: SeedContext, model_key: str, p: PropertySpec) -> dict[str, Any]:
    kind: dict[str, Any]
    if p.kind == "attribute":
        kind = {"attribute": {"defaultValue": p.default} if p.default is not None else {}}
    elif p.formula is not None:
        kind = {p.kind: _formula(ctx, model_key, p.formula, metric=p.kind == "metric")}
    else:
        kind = {"measurement": {}}
    out: dict[str, Any] = {
        "id": ctx.ids.of("property", f"{model_key}/{p.name}"),
        "name": p.name,
        "dataType": p.data_type,
        "type": kind,
    }
    put_optional(out, "unit", p.unit)
    return out


def _formula(ctx: SeedContext, model_key: str, formula: FormulaSpec, *, metric: bool) -> dict[str, Any]:
    """A metric or transform whose variables name properties and hierarchies by their seeded ids."""
    hierarchies = dict(ctx.models[model_key].hierarchies)
    variables = []
    for v in formula.variables:
        value = {"propertyId": ctx.ids.of("property", f"{hierarchies.get(v.hierarchy or '', model_key)}/{v.property}")}
        if v.hierarchy is not None:
            value["hierarchyId"] = ctx.ids.of("hierarchy", f"{model_key}/{v.hierarchy}")
        variables.append({"name": v.name, "value": value})
    out: dict[str, Any] = {"expression": formula.expression, "variables": variables}
    if metric:
        out["window"] = {"tumbling": {"interval": "1h"}}
    return out


def _wait_model(ctx: SeedContext, m: ModelSpec) -> None:
    """Wait until the model is ACTIVE, then keep the hierarchy and property ids the service holds."""
    model_id = ctx.ids.model(m.key)

    def active() -> bool:
        described = ctx.client.describe_asset_model(assetModelId=model_id)
        status = described["assetModelStatus"]
        if not check_state(f"asset model {m.key}", status["state"], error=status.get("error")):
            return False
        ctx.hierarchy_ids[m.key] = {
            h["name"]: h["id"] for h in described.get("assetModelHierarchies", []) if "id" in h
        }
        ctx.property_ids[m.key] = {
            p["name"]: p["id"] for p in described.get("assetModelProperties", []) if "id" in p
        }
        return True

    ctx.caller.wait_until(f"asset model {m.key} ACTIVE", active, timeout=ctx.timeout)
