"""Discovery spends at most 1.1x the fewest reads the world needs (``teardown.aws.minimum``), and never fewer:
over subtree selections, --all, a world of models only, model selections and Monitor-heavy worlds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from teardown.applying.freshness import plan_sight
from teardown.aws.answers import asset_from_describe
from teardown.aws.discover import Discoverer, DiscoveryOptions, discover_present
from teardown.aws.discover_place import pages, scan_choice
from teardown.aws.hierarchies import ModelArrivals
from teardown.aws.minimum import minimum_reads
from teardown.emulator.seed import (
    AccessPolicySpec,
    AssetSpec,
    DashboardSpec,
    ModelSpec,
    PropertySpec,
    WorldSpec,
    random_world,
    wind_park,
    windfarm,
)
from teardown.inventory.selectors import SelectionSpec
from teardown.planning.make import make_plan
from tests.support.worlds import ACCOUNT, REGION, Env, seeded

MODELS_ONLY = WorldSpec(
    name="models-only",
    seed=5,
    models=(
        ModelSpec(key="gearbox", name="Gearbox", type="COMPONENT_MODEL", properties=(PropertySpec("torque"),)),
        ModelSpec(key="producer", name="Producer", type="INTERFACE", properties=(PropertySpec("power"),)),
        ModelSpec(key="turbine", name="Turbine", properties=(PropertySpec("power"),),
                  components=(("gearbox", "gearbox"),), interfaces=("producer",)),
        ModelSpec(key="site", name="Site", hierarchies=(("turbines", "turbine"),)),
    ),
)

# A plant whose model has two hierarchies of the same child model: a child's model does not say which holds
# it, so each hierarchy is listed on its own.
TWIN_BAYS = WorldSpec(
    name="twin-bays",
    seed=9,
    models=(
        ModelSpec(key="pump", name="Pump"),
        ModelSpec(key="valve", name="Valve"),
        ModelSpec(key="plant", name="Plant", hierarchies=(("east", "pump"), ("west", "pump"), ("valves", "valve"))),
        ModelSpec(key="campus", name="Campus", hierarchies=(("plants", "plant"),)),
    ),
    assets=(
        AssetSpec(path="campus", name="Campus", model="campus"),
        AssetSpec(path="campus/plant", name="Plant", model="plant", parent="campus", hierarchy="plants"),
        AssetSpec(path="campus/plant/e1", name="E1", model="pump", parent="campus/plant", hierarchy="east"),
        AssetSpec(path="campus/plant/w1", name="W1", model="pump", parent="campus/plant", hierarchy="west"),
        AssetSpec(path="campus/plant/w2", name="W2", model="pump", parent="campus/plant", hierarchy="west"),
        AssetSpec(path="campus/plant/v1", name="V1", model="valve", parent="campus/plant", hierarchy="valves"),
        AssetSpec(path="spare-valve", name="Spare valve", model="valve"),
    ),
)


def _monitor_heavy() -> WorldSpec:
    """A small park whose Monitor side outweighs its assets: a project per site, each with two dashboards and
    an access policy, and a policy on the portal."""
    park = wind_park(sites=6, lines=2, turbines=2)
    return replace(
        park, name="monitor-heavy",
        dashboards=tuple(DashboardSpec(key=f"d{s}{n}", name=f"Site {s} board {n}", project=f"p{s}")
                         for s in range(1, 7) for n in (1, 2)),
        access_policies=(
            AccessPolicySpec(key="admins", identity_kind="user", identity="admin", permission="ADMINISTRATOR",
                             portal="portal"),
            *(AccessPolicySpec(key=f"viewers{s}", identity_kind="group", identity=f"site-{s}", project=f"p{s}")
              for s in range(1, 7)),
        ),
    )


def _project_of(env: Env) -> str:
    return next(iter(env.world.projects.values()))


# (world, the selection of it, as a function of the seeded Env)
CASES: dict[str, tuple[Callable[[], WorldSpec], Callable[[Env], SelectionSpec]]] = {
    "windfarm --all": (windfarm, lambda env: SelectionSpec(all=True)),
    "windfarm --subtree site": (windfarm, lambda env: SelectionSpec(subtrees=(env.asset("enterprise/site-2"),))),
    "windfarm --subtree turbine": (
        windfarm, lambda env: SelectionSpec(subtrees=(env.asset("enterprise/site-3/line-2/turbine-5"),))),
    "windfarm --asset-model": (windfarm, lambda env: SelectionSpec(asset_models=(env.world.models["turbine"],))),
    "windfarm --project": (windfarm, lambda env: SelectionSpec(projects=(_project_of(env),))),
    "windfarm --subtree and --project": (windfarm, lambda env: SelectionSpec(
        subtrees=(env.asset("enterprise/site-1"),), projects=(_project_of(env),))),
    "windfarm --tag": (windfarm, lambda env: SelectionSpec(tags=(("env", "demo"),))),
    "models only --all": (lambda: MODELS_ONLY, lambda env: SelectionSpec(all=True)),
    "models only --asset-model": (lambda: MODELS_ONLY, lambda env: SelectionSpec(
        asset_models=(env.world.models["gearbox"],))),
    "monitor heavy --all": (_monitor_heavy, lambda env: SelectionSpec(all=True)),
    "monitor heavy --subtree": (_monitor_heavy, lambda env: SelectionSpec(subtrees=(env.asset("e/s2"),))),
    "park --all": (lambda: wind_park(sites=3, lines=4, turbines=5), lambda env: SelectionSpec(all=True)),
    "park --subtree line": (lambda: wind_park(sites=3, lines=4, turbines=5),
                            lambda env: SelectionSpec(subtrees=(env.asset("e/s3/l2"),))),
    "park --asset-model": (lambda: wind_park(sites=3, lines=4, turbines=5),
                           lambda env: SelectionSpec(asset_models=(env.world.models["turbine"],))),
    "park --subtree and --asset-model": (lambda: wind_park(sites=3, lines=4, turbines=5), lambda env: SelectionSpec(
        subtrees=(env.asset("e/s1"),), asset_models=(env.world.models["turbine"],))),
    "monitor heavy --portal": (_monitor_heavy, lambda env: SelectionSpec(portals=(env.world.portals["portal"],))),
    "twin bays --all": (lambda: TWIN_BAYS, lambda env: SelectionSpec(all=True)),
    "twin bays --subtree": (lambda: TWIN_BAYS, lambda env: SelectionSpec(subtrees=(env.asset("campus/plant"),))),
    "twin bays --subtree pump": (lambda: TWIN_BAYS,
                                 lambda env: SelectionSpec(subtrees=(env.asset("campus/plant/w2"),))),
    "random --all": (lambda: random_world(seed=3, assets=150, depth=4, fanout=6, projects=2),
                     lambda env: SelectionSpec(all=True)),
    "random --subtree": (lambda: random_world(seed=3, assets=150, depth=4, fanout=6, projects=2),
                         lambda env: SelectionSpec(subtrees=(env.asset("root-0"),))),
}


@pytest.mark.parametrize("case", CASES)
def test_discovery_spends_at_most_a_tenth_over_the_fewest_reads(case: str, tmp_path: Path) -> None:
    """Discovery's own count (Inventory.calls) agrees with the emulator's, and lies between the minimum the
    world needs and 1.1 times it: fewer would mean the minimum counts a read discovery can do without."""
    world, select_of = CASES[case]
    with seeded(world(), tmp_path) as env:
        spec = select_of(env)
        models = env.discover(SelectionSpec(all=True)).models  # which parents need a listing per hierarchy
        before = env.backend.call_counts()
        inventory = env.discover(spec)
        served = {op: n - before.get(op, 0) for op, n in env.backend.call_counts().items() if n - before.get(op, 0)}
    assert inventory.calls == served
    floor = minimum_reads(inventory, spec, models=models)
    spent, needed = sum(inventory.calls.values()), sum(floor.values())
    assert needed <= spent <= 1.1 * needed, (inventory.calls, dict(floor))


def test_the_stale_checks_discovery_is_held_to_its_own_minimum(tmp_path: Path) -> None:
    """Without the series and with the stale check's own roots already known, the count still matches."""
    with seeded(wind_park(sites=3, lines=3, turbines=4), tmp_path) as env:
        spec = SelectionSpec(subtrees=(env.asset("e/s2"),))
        options = DiscoveryOptions(time_series=False)
        inventory, spec, gone = discover_present(env.calls(), spec, account=ACCOUNT, region=REGION, options=options)
    assert gone == ()
    assert "ListTimeSeries" not in inventory.calls
    assert inventory.calls == minimum_reads(inventory, spec, options)


def test_the_minimum_of_the_issue_11_park_counts_what_each_read_tells() -> None:
    """The yardstick itself, on paper: 1 enterprise, 10 sites, 10 lines each, 9 turbines each."""
    from teardown.inventory.records import AssetRecord, Inventory, ModelRecord, ModelType, ParentLink

    inventory = Inventory(account=ACCOUNT, region=REGION, endpoint=None)
    for key in ("enterprise", "site", "line", "turbine"):
        inventory.models[key] = ModelRecord(id=key, name=key, arn=key, type=ModelType.ASSET_MODEL, status="ACTIVE",
                                            last_update=0.0)

    def add(asset_id: str, model: str, parent: str | None) -> None:
        inventory.assets[asset_id] = AssetRecord(
            id=asset_id, name=asset_id, arn=asset_id, model_id=model, status="ACTIVE", last_update=0.0,
            hierarchy_ids=() if model == "turbine" else (f"h-{model}",),
            parent=ParentLink(parent, f"h-{inventory.assets[parent].model_id}") if parent else None)

    add("e", "enterprise", None)
    for s in range(10):
        add(f"s{s}", "site", "e")
        for n in range(10):
            add(f"s{s}l{n}", "line", f"s{s}")
            for t in range(9):
                add(f"s{s}l{n}t{t}", "turbine", f"s{s}l{n}")
    floor = minimum_reads(inventory, SelectionSpec(all=True), DiscoveryOptions(time_series=False))
    assert floor == {"ListAssetModels": 1, "DescribeAssetModel": 4, "ListAssets": 1,  # the one top-level page
                     "ListAssociatedAssets": 1 + 10 + 100, "ListPortals": 1,
                     "ListGateways": 1, "ListTimeSeries": 1}  # --all: the gateways, the alias-only series


def test_the_stale_checks_scan_with_the_plans_sight_is_held_to_its_own_minimum(tmp_path: Path) -> None:
    """A random forest has assets whose model has hierarchies and that hold nothing: with what the plan saw,
    the scan lists no children of those it chose to skip (listing the models they may hold instead), at
    exactly its own minimum, and learns every link a full listing learns."""
    spec = SelectionSpec(all=True)
    with seeded(random_world(seed=3, assets=150, depth=4, fanout=6, projects=2), tmp_path) as env:
        listed = env.discover(spec)
        plan, _ = make_plan(listed, spec)
        options = DiscoveryOptions(time_series=False, sight=plan_sight(plan))
        inventory, spec, _gone = discover_present(env.calls(), spec, account=ACCOUNT, region=REGION, options=options)
    childless = {a.id for a in listed.assets.values() if a.hierarchy_ids and a.id in plan_sight(plan).childless}
    choice = scan_choice(options.sight, inventory.models)
    assert len(choice.skipped) > 1 and choice.skipped <= childless
    assert inventory.calls == minimum_reads(inventory, spec, options)
    assert inventory.calls["ListAssociatedAssets"] == listed.calls["ListAssociatedAssets"] - len(choice.skipped)
    per_model = Counter(a.model_id for a in inventory.assets.values())
    assert inventory.calls["ListAssets"] == 1 + sum(pages(per_model[m]) for m in choice.listed)
    assert {a.id: a.parent for a in inventory.assets.values()} == {a.id: a.parent for a in listed.assets.values()}


def test_a_walk_lists_the_children_of_a_parent_whose_model_never_arrived(tmp_path: Path) -> None:
    """A parent with several hierarchies waits for its model's description; where none comes (a model made
    since the models were listed), the walk describes it itself and still lists every child, each hierarchy
    on its own (two share the pump model)."""
    with seeded(TWIN_BAYS, tmp_path) as env:
        plant = asset_from_describe(env.client.describe_asset(assetId=env.world.assets["campus/plant"]))
        run = Discoverer(env.calls(), account=ACCOUNT, region=REGION, endpoint=None)
        arrivals = ModelArrivals()
        arrivals.close()
        try:
            run._walk_down([plant], held=frozenset(), arrivals=arrivals)
        finally:
            run.close()
        kids = {env.world.assets[f"campus/plant/{k}"] for k in ("e1", "w1", "w2", "v1")}
        assert set(run._parents) == kids
        assert run.calls.stats.snapshot()["calls"] == {"DescribeAssetModel": 1, "ListAssociatedAssets": 3}
