"""``fingerprint.differences``, as a table: hand-written planned and current fingerprints, the plan's actions,
and the differences they must (or must not) produce. Pure: no inventory, no emulator."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from teardown.kinds import ActionKind
from teardown.planning.actions import Action, delete_asset_id, delete_model_id, disassociate_id
from teardown.planning.fingerprint import differences

Fingerprints = dict[str, dict[str, Any]]


def asset(*, parent: str | None = None, children: Iterable[str] = (), updated: float = 1.0) -> dict[str, Any]:
    """An asset's fingerprint, shaped as ``fingerprint`` writes it."""
    return {"kind": "asset", "name": "A", "updated": updated, "parent": parent, "children": sorted(children)}


def model(*, assets: Iterable[str] = (), updated: float = 1.0) -> dict[str, Any]:
    return {"kind": "model", "name": "M", "updated": updated, "assets": sorted(assets)}


def linked_project(*, selected: Iterable[str]) -> dict[str, Any]:
    """A kept project that loses selected assets: only which selected assets it holds is fingerprinted."""
    return {"kind": "project", "name": "P", "selected_assets": sorted(selected)}


def deleted_project(*, assets: Iterable[str] = (), dashboards: Iterable[str] = (),
                    policies: Iterable[str] = ()) -> dict[str, Any]:
    return {"kind": "project", "name": "P", "updated": 1.0, "assets": sorted(assets),
            "dashboards": sorted(dashboards), "access_policies": sorted(policies)}


def portal(*, projects: Iterable[str] = (), policies: Iterable[str] = ()) -> dict[str, Any]:
    return {"kind": "portal", "name": "Portal", "projects": sorted(projects), "access_policies": sorted(policies)}


def series(alias: str | None, asset: str | None = None) -> dict[str, Any]:
    """A time series' fingerprint: an alias-only one the plan deletes, or (keep mode) one bound to a deleted asset."""
    return {"kind": "time_series", "name": alias or "s", "alias": alias, "asset": asset}


def keep(alias: str, asset: str) -> Action:
    return Action(id=f"keep-time-series/{alias}", kind=ActionKind.DISASSOCIATE_TIME_SERIES, target=alias,
                  params={"alias": alias, "assetId": asset, "propertyId": "p"})


def disassociate(parent: str, child: str) -> Action:
    return Action(id=disassociate_id(parent, child), kind=ActionKind.DISASSOCIATE_ASSET, target=parent,
                  params={"assetId": parent, "hierarchyId": "h", "childAssetId": child})


def delete_asset(asset_id: str) -> Action:
    return Action(id=delete_asset_id(asset_id), kind=ActionKind.DELETE_ASSET, target=asset_id,
                  params={"assetId": asset_id}, model_id="m1")


def delete_model(model_id: str) -> Action:
    return Action(id=delete_model_id(model_id), kind=ActionKind.DELETE_ASSET_MODEL, target=model_id,
                  params={"assetModelId": model_id})


# (planned, current, the plan's actions, the actions an earlier apply progressed, the differences expected)
CASES: dict[str, tuple[Fingerprints, Fingerprints, list[Action], list[str], list[str]]] = {
    "nothing planned, nothing now": ({}, {}, [], [], []),
    "unchanged": (
        {"a1": asset(children=["c1"]), "m1": model(assets=["a1"])},
        {"a1": asset(children=["c1"]), "m1": model(assets=["a1"])},
        [], [], [],
    ),
    "a new child": (
        {"a1": asset(children=["c1"])},
        {"a1": asset(children=["c1", "c2"])},
        [], [], ["asset 'A' (a1) has a new child c2"],
    ),
    "a lost child the plan disassociates": (
        {"a1": asset(children=["c1"])},
        {"a1": asset()},
        [disassociate("a1", "c1")], [], [],
    ),
    "a lost child the plan deletes": (
        {"a1": asset(children=["c1"])},
        {"a1": asset()},
        [delete_asset("c1")], [], [],
    ),
    "a lost child outside the plan": (
        {"a1": asset(children=["c1"])},
        {"a1": asset()},
        [disassociate("a1", "other")], [], ["asset 'A' (a1) lost child c1 outside this plan"],
    ),
    "a moved parent": (
        {"c1": asset(parent="p1")},
        {"c1": asset(parent="p2")},
        [], [], ["asset 'A' (c1) moved from parent p1 to p2"],
    ),
    "a parent left by the plan's own disassociation": (
        {"c1": asset(parent="p1")},
        {"c1": asset()},
        [disassociate("p1", "c1")], [], [],
    ),
    "a parent left outside the plan": (
        {"c1": asset(parent="p1")},
        {"c1": asset()},
        [], [], ["asset 'A' (c1) moved from parent p1 to None"],
    ),
    "a new asset of a model": (
        {"m1": model(assets=["a1"])},
        {"m1": model(assets=["a1", "a2"])},
        [delete_model("m1")], [], ["model 'M' (m1) has a new asset a2"],
    ),
    "a new dashboard": (
        {"p1": deleted_project(dashboards=["d1"])},
        {"p1": deleted_project(dashboards=["d1", "d2"])},
        [], [], ["project 'P' (p1) has a new dashboard d2"],
    ),
    "a new access policy": (
        {"p1": deleted_project()},
        {"p1": deleted_project(policies=["ap1"])},
        [], [], ["project 'P' (p1) has a new access policy ap1"],
    ),
    "a new asset in a deleted project": (
        {"p1": deleted_project(assets=["a1"])},
        {"p1": deleted_project(assets=["a1", "a9"])},
        [], [], ["project 'P' (p1) has a new asset a9"],
    ),
    "a new project in a portal": (
        {"po1": portal(projects=["p1"])},
        {"po1": portal(projects=["p1", "p2"])},
        [], [], ["portal 'Portal' (po1) has a new project p2"],
    ),
    "a project now holding another selected asset": (
        {"p1": linked_project(selected=["a1"])},
        {"p1": linked_project(selected=["a1", "a2"])},
        [], [], ["project 'P' (p1) now also holds selected asset a2"],
    ),
    "a resource newly in the selection": (
        {},
        {"a7": asset()},
        [], [], ["new asset 'A' (a7) would now be affected"],
    ),
    "an update of a resource the plan already acted on": (
        {"a1": asset(updated=1.0)},
        {"a1": asset(updated=2.0)},
        [delete_asset("a1")], [delete_asset_id("a1")], [],
    ),
    "an update of a child whose disassociation already ran": (
        {"c1": asset(parent="p1", updated=1.0)},
        {"c1": asset(updated=2.0)},
        [disassociate("p1", "c1")], [disassociate_id("p1", "c1")], [],
    ),
    "an update of a resource the plan has not acted on": (
        {"a1": asset(updated=1.0), "a2": asset(updated=1.0)},
        {"a1": asset(updated=1.0), "a2": asset(updated=2.0)},
        [delete_asset("a1"), delete_asset("a2")], [delete_asset_id("a1")],
        ["asset 'A' (a2) was updated since planning"],
    ),
    "a new series bound to a deleted asset, keeping": (
        {"s1": series("/a/1", "a1")},
        {"s1": series("/a/1", "a1"), "s2": series("/a/2", "a1")},
        [keep("/a/1", "a1")], [], ["new time_series '/a/2' (s2) would now be affected"],
    ),
    "a kept series the plan itself made alias-only (--all --keep-time-series)": (
        {"s1": series("/a/1", "a1")},
        {"s1": series("/a/1")},
        [keep("/a/1", "a1")], ["keep-time-series//a/1"], [],
    ),
    "a series bound elsewhere outside the plan": (
        {"s1": series("/a/1", "a1")},
        {"s1": series("/a/1", "a9")},
        [keep("/a/1", "a1")], [], ["time_series '/a/1' (s1) moved from asset a1 to a9"],
    ),
    "a series that gained an alias since (it could now be kept)": (
        {"s1": series(None, "a1")},
        {"s1": series("/now", "a1")},
        [], [], ["time_series 's' (s1) now has alias '/now'"],
    ),
    "a new alias-only series under a selected prefix": (
        {"s1": series("/old/1")},
        {"s1": series("/old/1"), "s2": series("/old/2")},
        [], [], ["new time_series '/old/2' (s2) would now be affected"],
    ),
    "a new gateway under --all": (
        {"g1": {"kind": "gateway", "name": "G"}},
        {"g1": {"kind": "gateway", "name": "G"}, "g2": {"kind": "gateway", "name": "H"}},
        [], [], ["new gateway 'H' (g2) would now be affected"],
    ),
    "an update of a model the plan will delete, none progressed": (
        {"m1": model(updated=1.0)},
        {"m1": model(updated=5.0)},
        [delete_model("m1")], [], ["model 'M' (m1) was updated since planning"],
    ),
}


@pytest.mark.parametrize(("planned", "current", "actions", "progressed", "expected"), CASES.values(), ids=CASES)
def test_differences(planned: Fingerprints, current: Fingerprints, actions: list[Action], progressed: list[str],
                     expected: list[str]) -> None:
    """Each row: exactly the differences the plan does not explain, worded for the refusal message."""
    assert differences(planned, current, actions, progressed) == expected


def test_differences_are_listed_new_resources_first_then_by_id() -> None:
    """Several differences at once come in a stable order: new resources first, then per resource by id."""
    planned = {"b": asset(children=["x"]), "a": asset(parent="p")}
    current = {"b": asset(children=["x", "y"]), "a": asset(parent="q"), "z": asset()}
    assert differences(planned, current, []) == [
        "new asset 'A' (z) would now be affected",
        "asset 'A' (a) moved from parent p to q",
        "asset 'A' (b) has a new child y",
    ]
