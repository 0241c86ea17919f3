"""Hand-built inventories for planning tests: no client, no emulator, milliseconds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from teardown.inventory.records import (
    AssetRecord,
    GatewayRecord,
    Hierarchy,
    Inventory,
    ModelRecord,
    ModelType,
    ParentLink,
    PortalRecord,
    ProjectRecord,
    SeriesRecord,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"


class InventoryBuilder:
    """Builds an Inventory with readable ids ("m-site", "a-site-1") so assertions read like the world."""

    def __init__(self) -> None:
        self.inventory = Inventory(account=ACCOUNT, region=REGION, endpoint=None, tags_loaded=True,
                                   monitor_loaded=True, gateways_loaded=True, alias_prefixes_loaded=("",))

    def model(
        self,
        model_id: str,
        *,
        children: Mapping[str, str] | None = None,
        components: Iterable[str] = (),
        interfaces: Iterable[str] = (),
        type: ModelType = ModelType.ASSET_MODEL,
        tags: Mapping[str, str] | None = None,
        external_id: str | None = None,
    ) -> InventoryBuilder:
        hierarchies = tuple(
            Hierarchy(id=f"h-{model_id}-{name}", name=name, child_model_id=child)
            for name, child in (children or {}).items()
        )
        self.inventory.models[model_id] = ModelRecord(
            id=model_id, name=model_id.removeprefix("m-"), arn=f"arn:aws:iotsitewise:::asset-model/{model_id}",
            type=type, status="ACTIVE", last_update=1.0, external_id=external_id, hierarchies=hierarchies,
            component_ids=tuple(components), interface_ids=tuple(interfaces), tags=tags or {},
        )
        return self

    def asset(
        self,
        asset_id: str,
        model_id: str,
        *,
        parent: str | None = None,
        hierarchy: str | None = None,
        tags: Mapping[str, str] | None = None,
        external_id: str | None = None,
        name: str | None = None,
    ) -> InventoryBuilder:
        model = self.inventory.models[model_id]
        link = None
        if parent is not None:
            parent_model = self.inventory.models[self.inventory.assets[parent].model_id]
            hierarchy_id = hierarchy or next(
                h.id for h in parent_model.hierarchies if h.child_model_id == model_id
            )
            link = ParentLink(parent, hierarchy_id)
        self.inventory.assets[asset_id] = AssetRecord(
            id=asset_id, name=name or asset_id.removeprefix("a-"), arn=f"arn:aws:iotsitewise:::asset/{asset_id}",
            model_id=model_id, status="ACTIVE", last_update=1.0, external_id=external_id,
            hierarchy_ids=tuple(h.id for h in model.hierarchies), parent=link, tags=tags or {},
        )
        return self

    def project(
        self,
        project_id: str,
        asset_ids: Iterable[str],
        portal_id: str = "portal-1",
        *,
        dashboards: Iterable[str] = (),
        policies: Iterable[str] = (),
        portal_policies: Iterable[str] = (),
    ) -> InventoryBuilder:
        if portal_id not in self.inventory.portals:
            self.inventory.portals[portal_id] = PortalRecord(portal_id, portal_id, f"arn:{portal_id}", "ACTIVE", 1.0,
                                                             access_policy_ids=tuple(portal_policies))
        self.inventory.projects[project_id] = ProjectRecord(
            id=project_id, name=project_id, arn=f"arn:{project_id}", portal_id=portal_id, last_update=1.0,
            asset_ids=tuple(asset_ids), dashboard_ids=tuple(dashboards), access_policy_ids=tuple(policies),
        )
        return self


    def gateway(self, gateway_id: str, *capabilities: str) -> InventoryBuilder:
        self.inventory.gateways[gateway_id] = GatewayRecord(
            id=gateway_id, name=gateway_id.removeprefix("g-"), arn=f"arn:aws:iotsitewise:::gateway/{gateway_id}",
            last_update=1.0, capabilities=capabilities)
        return self

    def series(self, series_id: str, alias: str | None, asset: str | None = None,
               prop: str | None = None) -> InventoryBuilder:
        """A series bound to ``asset``'s property ``prop`` (named like the id without "p-"), or alias-only."""
        self.inventory.series[series_id] = SeriesRecord(
            id=series_id, alias=alias, last_update=1.0, asset_id=asset, property_id=prop,
            property_name=prop.removeprefix("p-") if prop is not None else None)
        return self


def windfarm() -> Inventory:
    """enterprise -> 2 sites -> 2 lines each -> 2 turbines each; a project holds site-1's subtree root."""
    return _windfarm(InventoryBuilder()).inventory


def edge_windfarm() -> Inventory:
    """``windfarm()`` with what sits beside the tree: gateways g-edge (one capability) and g-spare; series bound
    to turbines 111 and 112 (aliased, property p-power), 121 (no alias, p-rpm) and 211 (aliased); alias-only
    series s-old-1, s-old-2 (under /old/) and s-lab (/lab/x)."""
    b = _windfarm(InventoryBuilder())
    b.gateway("g-edge", "iotsitewise:opcuacollector:3").gateway("g-spare")
    b.series("s-111", "/wf/111/power", "a-turbine-111", "p-power").series("s-112", "/wf/112/power", "a-turbine-112",
                                                                         "p-power")
    b.series("s-121", None, "a-turbine-121", "p-rpm").series("s-211", "/wf/211/power", "a-turbine-211", "p-power")
    b.series("s-old-1", "/old/1").series("s-old-2", "/old/2").series("s-lab", "/lab/x")
    return b.inventory


def _windfarm(b: InventoryBuilder) -> InventoryBuilder:
    b.model("m-generator", type=ModelType.COMPONENT_MODEL)
    b.model("m-turbine", components=["m-generator"])
    b.model("m-line", children={"turbines": "m-turbine"})
    b.model("m-site", children={"lines": "m-line"})
    b.model("m-enterprise", children={"sites": "m-site"})
    b.asset("a-ent", "m-enterprise")
    for s in (1, 2):
        b.asset(f"a-site-{s}", "m-site", parent="a-ent", tags={"env": "test" if s == 2 else "prod"})
        for line in (1, 2):
            b.asset(f"a-line-{s}{line}", "m-line", parent=f"a-site-{s}")
            for t in (1, 2):
                b.asset(f"a-turbine-{s}{line}{t}", "m-turbine", parent=f"a-line-{s}{line}")
    b.project("p-site-1", ["a-site-1", "a-line-11", "a-turbine-111"], dashboards=["d-1"], policies=["ap-project"],
              portal_policies=["ap-portal"])
    return b
