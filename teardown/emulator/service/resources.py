"""The emulator's resource records: plain mutable dataclasses, one per SiteWise resource kind.

Relations are held on both sides where a rule needs a fast answer (an asset knows its children and its
projects; a portal knows its projects). Ordered dicts with ``None`` values serve as ordered sets, and
``dataclasses.asdict`` gives JSON-able snapshots. Every listed record carries ``seq``, its creation
sequence: listings come out in creation order, and a nextToken marks a position by it.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stateful:
    """A resource with a lifecycle: its state, and the (time, state) steps it will still go through."""

    id: str
    arn: str
    state: str
    created: float
    updated: float
    steps: list[tuple[float, str]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    # Bumped whenever ``steps`` is replaced, so stale entries in the due-queue are ignored.
    generation: int = 0
    # Creation sequence: the listing order, and the position a nextToken marks (see pagination).
    seq: int = 0


@dataclass
class HierarchyDef:
    id: str
    name: str
    child_model_id: str
    external_id: str | None = None


@dataclass
class CompositeModel:
    id: str
    name: str
    type: str
    description: str | None = None
    external_id: str | None = None
    composed_model_id: str | None = None
    parent_id: str | None = None
    properties: list[dict[str, Any]] = field(default_factory=list)
    # Deleted, but still visible until the owning model settles back to ACTIVE.
    deleting: bool = False
    seq: int = 0


@dataclass
class InterfaceLink:
    interface_id: str
    property_mappings: list[dict[str, str]] = field(default_factory=list)
    hierarchy_mappings: list[dict[str, str]] = field(default_factory=list)
    deleting: bool = False


@dataclass
class ModelVersion:
    """One version of an asset model's definition, as DescribeAssetModel shows it (the ACTIVE one is kept
    while a newer LATEST one is UPDATING or PROPAGATING)."""

    id: str
    version: int
    name: str
    description: str | None
    external_id: str | None
    properties: list[dict[str, Any]]
    hierarchies: list[HierarchyDef]
    composites: dict[str, CompositeModel]
    interfaces: dict[str, InterfaceLink]


@dataclass
class AssetModel(Stateful):
    """The LATEST definition lives on the model itself; ``active`` is the ACTIVE version (None until the
    model first becomes ACTIVE). ``version`` counts definitions: 1 at creation, one more per change."""

    name: str = ""
    type: str = "ASSET_MODEL"
    description: str | None = None
    external_id: str | None = None
    properties: list[dict[str, Any]] = field(default_factory=list)
    hierarchies: list[HierarchyDef] = field(default_factory=list)
    composites: dict[str, CompositeModel] = field(default_factory=dict)
    interfaces: dict[str, InterfaceLink] = field(default_factory=dict)
    version: int = 1
    active: ModelVersion | None = None

    def latest(self) -> ModelVersion:
        """The LATEST definition, as a version (shares the model's own lists: read it, do not keep it)."""
        return ModelVersion(
            self.id,
            self.version,
            self.name,
            self.description,
            self.external_id,
            self.properties,
            self.hierarchies,
            self.composites,
            self.interfaces,
        )

    def activate(self) -> None:
        """The LATEST definition becomes the ACTIVE one (a copy: later changes make a new LATEST)."""
        self.active = copy.deepcopy(self.latest())

    def etag_of(self, version: int) -> str:
        """The ETag of one version: 43 urlsafe characters (the service model's pattern), new for every
        version and every incarnation of the id (``seq``), derived rather than drawn."""
        digest = hashlib.sha256(f"{self.arn}#{self.seq}#{version}".encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class Asset(Stateful):
    name: str = ""
    model_id: str = ""
    description: str | None = None
    external_id: str | None = None
    # (parent asset id, hierarchy id) or None for a root asset.
    parent: tuple[str, str] | None = None
    # child asset id -> hierarchy id, in association order.
    children: dict[str, str] = field(default_factory=dict)
    project_ids: dict[str, None] = field(default_factory=dict)


@dataclass
class Portal(Stateful):
    name: str = ""
    description: str | None = None
    contact_email: str = ""
    role_arn: str = ""
    auth_mode: str = "SSO"
    portal_type: str | None = None
    client_id: str = ""
    start_url: str = ""
    project_ids: dict[str, None] = field(default_factory=dict)


@dataclass
class Project:
    id: str
    arn: str
    portal_id: str
    name: str
    created: float
    updated: float
    description: str | None = None
    asset_ids: dict[str, None] = field(default_factory=dict)
    dashboard_ids: dict[str, None] = field(default_factory=dict)
    seq: int = 0


@dataclass
class Dashboard:
    id: str
    arn: str
    project_id: str
    name: str
    definition: str
    created: float
    updated: float
    description: str | None = None
    seq: int = 0


@dataclass
class AccessPolicy:
    id: str
    arn: str
    identity: dict[str, Any]
    resource: dict[str, Any]
    permission: str
    created: float
    updated: float
    seq: int = 0

    @property
    def resource_type(self) -> str:
        return "PORTAL" if "portal" in self.resource else "PROJECT"

    @property
    def resource_id(self) -> str:
        return str(next(iter(self.resource.values()))["id"])


@dataclass
class Gateway:
    id: str
    arn: str
    name: str
    platform: dict[str, Any]
    created: float
    updated: float
    version: str | None = None
    seq: int = 0


@dataclass
class TimeSeries:
    id: str
    arn: str
    created: float
    updated: float
    data_type: str = "DOUBLE"
    alias: str | None = None
    asset_id: str | None = None
    property_id: str | None = None
    data_type_spec: str | None = None
    seq: int = 0
