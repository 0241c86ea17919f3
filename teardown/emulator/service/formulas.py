"""Property formulas: the variables of metric and transform properties, resolved and checked at model
create and update time, and the formula dependencies that block deleting a child model.

A variable is ``{"name": ..., "value": {"propertyId": ..., "hierarchyId": ...}}``. Without a hierarchyId
it reads a property of the same model (by id, name or ``externalId:X``); with one it reads a property of
the child model of that hierarchy (the hierarchy by id, name or ``externalId:X``; the child's property by
id or ``externalId:X``). Stored variables hold ids only, as DescribeAssetModel answers them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from teardown.emulator.errors import InvalidRequest
from teardown.emulator.service.resources import AssetModel, HierarchyDef
from teardown.emulator.service.world import EXTERNAL_PREFIX, World

FORMULA_KINDS = ("metric", "transform")


def formula_of(prop: dict[str, Any]) -> dict[str, Any] | None:
    """The metric or transform definition of a property, None for attributes and measurements."""
    kind = prop.get("type") or {}
    for name in FORMULA_KINDS:
        if name in kind:
            found: dict[str, Any] = kind[name]
            return found
    return None


def variables_of(prop: dict[str, Any]) -> Iterator[dict[str, Any]]:
    formula = formula_of(prop)
    yield from (formula or {}).get("variables") or []


def _refers_to(ref: str, ident: str, name: str | None, external_id: str | None) -> bool:
    if ref == ident or (name is not None and ref == name):
        return True
    return external_id is not None and ref == f"{EXTERNAL_PREFIX}{external_id}"


def _property_id(properties: list[dict[str, Any]], ref: str, *, by_name: bool) -> str | None:
    for prop in properties:
        if _refers_to(ref, prop["id"], prop["name"] if by_name else None, prop.get("externalId")):
            return str(prop["id"])
    return None


def resolve_formulas(
    w: World, model_id: str, properties: list[dict[str, Any]], hierarchies: list[HierarchyDef]
) -> list[dict[str, Any]]:
    """``properties`` (ids already assigned) with every formula variable resolved to ids.

    InvalidRequest when a variable names a hierarchy the model does not define, a property its model does
    not have, or nothing at all.
    """
    scope = _Scope(w, model_id, properties, hierarchies)
    out: list[dict[str, Any]] = []
    for prop in properties:
        formula = formula_of(prop)
        if formula is None or not formula.get("variables"):
            out.append(prop)
            continue
        resolved = [scope.resolve(prop["name"], v) for v in formula["variables"]]
        kind = next(name for name in FORMULA_KINDS if name in prop["type"])
        out.append({**prop, "type": {**prop["type"], kind: {**formula, "variables": resolved}}})
    return out


@dataclass(frozen=True)
class _Scope:
    """What a variable of one model's definition may name: its properties and hierarchies."""

    w: World
    model_id: str
    properties: list[dict[str, Any]]
    hierarchies: list[HierarchyDef]

    def resolve(self, owner: str, variable: dict[str, Any]) -> dict[str, Any]:
        value = dict(variable["value"])
        where = f"Variable {variable['name']} of property {owner}"
        hierarchy_ref, property_ref = value.get("hierarchyId"), value.get("propertyId")
        if property_ref is None:
            if value.get("propertyPath"):
                return {**variable, "value": value}
            raise InvalidRequest(f"{where} names no propertyId.")
        if hierarchy_ref is None:
            property_id = _property_id(self.properties, property_ref, by_name=True)
            if property_id is None:
                raise InvalidRequest(
                    f"{where} reads property {property_ref}, which asset model {self.model_id} does not have."
                )
            value["propertyId"] = property_id
            return {**variable, "value": value}
        hierarchy = next((h for h in self.hierarchies if _refers_to(hierarchy_ref, h.id, h.name, h.external_id)), None)
        if hierarchy is None:
            raise InvalidRequest(
                f"{where} reads through hierarchy {hierarchy_ref}, which asset model {self.model_id} does not define."
            )
        property_id = _property_id(self._child_properties(hierarchy), property_ref, by_name=False)
        if property_id is None:
            raise InvalidRequest(
                f"{where} reads property {property_ref} through hierarchy {hierarchy.id}, which child asset model "
                f"{hierarchy.child_model_id} does not have."
            )
        value.update(hierarchyId=hierarchy.id, propertyId=property_id)
        return {**variable, "value": value}

    def _child_properties(self, hierarchy: HierarchyDef) -> list[dict[str, Any]]:
        if hierarchy.child_model_id == self.model_id:
            return self.properties  # a recursive model reads its own children's properties
        child = self.w.models.get(hierarchy.child_model_id)
        return list(child.properties) if child is not None else []


def formula_dependent(w: World, model: AssetModel) -> tuple[AssetModel, dict[str, Any], HierarchyDef] | None:
    """Another model with a property formula that reads ``model``'s properties through one of its
    hierarchies (the documented blocker of DeleteAssetModel), or None. A hierarchy that merely names
    ``model`` as its child does not count."""
    for other in w.models.values():
        if other.id == model.id:
            continue
        # Both versions count: while a parent's update is still PROPAGATING, its ACTIVE formula still reads.
        for version in (other.latest(), other.active):
            if version is None:
                continue
            through = {h.id: h for h in version.hierarchies if h.child_model_id == model.id}
            if not through:
                continue
            props = list(version.properties) + [prop for c in version.composites.values() for prop in c.properties]
            for prop in props:
                for variable in variables_of(prop):
                    hierarchy = through.get(variable["value"].get("hierarchyId"))
                    if hierarchy is not None:
                        return other, prop, hierarchy
    return None
