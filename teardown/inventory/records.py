"""Plain, frozen records of what discovery saw, and the Inventory that holds them. No I/O here.

Records carry exactly what planning and review need; they are built by ``discover`` and saved and
loaded as JSON (``Inventory.to_json`` / ``Inventory.from_json``), so planning runs without any client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

INVENTORY_FORMAT = 2  # 2: time series as records (bound and alias-only), gateways


class ModelType(StrEnum):
    ASSET_MODEL = "ASSET_MODEL"
    COMPONENT_MODEL = "COMPONENT_MODEL"
    INTERFACE = "INTERFACE"


@dataclass(frozen=True)
class Hierarchy:
    """A hierarchy definition of a model: assets of the model may have children of ``child_model_id``.

    ``formula`` is True when a metric or transform of the model reads a child's property through this
    hierarchy: then SiteWise refuses to delete the child model while this model exists. A hierarchy that
    merely names the child model blocks nothing."""

    id: str
    name: str
    child_model_id: str
    formula: bool = False


@dataclass(frozen=True)
class ModelRecord:
    id: str
    name: str
    arn: str
    type: ModelType
    status: str
    last_update: float
    external_id: str | None = None
    hierarchies: tuple[Hierarchy, ...] = ()
    # Component models this model composes (custom composite models' composedAssetModelId).
    component_ids: tuple[str, ...] = ()
    # Interfaces this model implements.
    interface_ids: tuple[str, ...] = ()
    tags: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ParentLink:
    asset_id: str
    hierarchy_id: str


@dataclass(frozen=True)
class AssetRecord:
    id: str
    name: str
    arn: str
    model_id: str
    status: str
    last_update: float
    external_id: str | None = None
    # Hierarchy ids the asset has (from its model); empty means it can have no children.
    hierarchy_ids: tuple[str, ...] = ()
    parent: ParentLink | None = None
    tags: Mapping[str, str] | None = None


@dataclass(frozen=True)
class PortalRecord:
    id: str
    name: str
    arn: str
    status: str
    last_update: float
    # Filled only when the selection can delete Monitor resources (--all, --portal, --project).
    access_policy_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectRecord:
    id: str
    name: str
    arn: str
    portal_id: str
    last_update: float
    asset_ids: tuple[str, ...] = ()
    dashboard_ids: tuple[str, ...] = ()
    access_policy_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class GatewayRecord:
    id: str
    name: str
    arn: str
    last_update: float
    # Namespaces of its capability configurations (they go with the gateway).
    capabilities: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeriesRecord:
    """A time series (data stream): bound to an asset property, or alias-only (``asset_id`` None).

    Deleting an asset deletes the series bound to its properties, data included; one disassociated first
    survives as an alias-only stream, which only a series with an alias can be (the alias is what names it)."""

    id: str
    alias: str | None
    last_update: float
    asset_id: str | None = None
    property_id: str | None = None
    # Read only where a review needs it (a series --keep-time-series cannot keep); else None.
    property_name: str | None = None

    @property
    def label(self) -> str:
        """How reviews name it: its alias, else its id."""
        return self.alias or self.id


@dataclass
class Inventory:
    """What discovery saw. ``complete`` is False when only part of the account was scanned (a subtree)."""

    account: str
    region: str
    endpoint: str | None
    models: dict[str, ModelRecord] = field(default_factory=dict)
    assets: dict[str, AssetRecord] = field(default_factory=dict)
    portals: dict[str, PortalRecord] = field(default_factory=dict)
    projects: dict[str, ProjectRecord] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    # Series id -> the series: those bound to the assets discovered (deleting an asset deletes them), and the
    # alias-only ones under ``alias_prefixes_loaded``.
    series: dict[str, SeriesRecord] = field(default_factory=dict)
    gateways: dict[str, GatewayRecord] = field(default_factory=dict)
    complete: bool = True
    tags_loaded: bool = False
    # Dashboards and access policies of portals and projects were listed (needed to delete them).
    monitor_loaded: bool = False
    # Gateways were listed (or the ones named were described).
    gateways_loaded: bool = False
    # The alias prefixes whose alias-only series were listed; "" means all of them.
    alias_prefixes_loaded: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "format": INVENTORY_FORMAT,
            "account": self.account,
            "region": self.region,
            "endpoint": self.endpoint,
            "complete": self.complete,
            "tags_loaded": self.tags_loaded,
            "monitor_loaded": self.monitor_loaded,
            "gateways_loaded": self.gateways_loaded,
            "alias_prefixes_loaded": list(self.alias_prefixes_loaded),
            "calls": dict(sorted(self.calls.items())),
            "models": [asdict(m) for _, m in sorted(self.models.items())],
            "assets": [asdict(a) for _, a in sorted(self.assets.items())],
            "portals": [asdict(p) for _, p in sorted(self.portals.items())],
            "projects": [asdict(p) for _, p in sorted(self.projects.items())],
            "series": [asdict(t) for _, t in sorted(self.series.items())],
            "gateways": [asdict(g) for _, g in sorted(self.gateways.items())],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Inventory:
        if not isinstance(data, Mapping):
            raise ValueError(f"expected a JSON object, not {type(data).__name__}")
        if data.get("format") != INVENTORY_FORMAT:
            raise ValueError(f"unknown inventory format {data.get('format')!r}")
        models = {
            m["id"]: ModelRecord(
                **{**m, "type": ModelType(m["type"]),
                   "hierarchies": tuple(Hierarchy(**h) for h in m["hierarchies"]),
                   "component_ids": tuple(m["component_ids"]),
                   "interface_ids": tuple(m["interface_ids"])}
            )
            for m in data["models"]
        }
        assets = {
            a["id"]: AssetRecord(
                **{**a, "hierarchy_ids": tuple(a["hierarchy_ids"]),
                   "parent": ParentLink(**a["parent"]) if a["parent"] else None}
            )
            for a in data["assets"]
        }
        portals = {
            p["id"]: PortalRecord(**{**p, "access_policy_ids": tuple(p.get("access_policy_ids", ()))})
            for p in data["portals"]
        }
        projects = {
            p["id"]: ProjectRecord(**{
                **p, **{k: tuple(p.get(k, ())) for k in ("asset_ids", "dashboard_ids", "access_policy_ids")},
            })
            for p in data["projects"]
        }
        return cls(
            account=data["account"], region=data["region"], endpoint=data["endpoint"],
            models=models, assets=assets, portals=portals, projects=projects,
            calls=dict(data["calls"]), complete=data["complete"], tags_loaded=data["tags_loaded"],
            series={t["id"]: SeriesRecord(**t) for t in data["series"]},
            gateways={g["id"]: GatewayRecord(**{**g, "capabilities": tuple(g["capabilities"])})
                      for g in data["gateways"]},
            monitor_loaded=data["monitor_loaded"], gateways_loaded=data["gateways_loaded"],
            alias_prefixes_loaded=tuple(data["alias_prefixes_loaded"]),
        )
