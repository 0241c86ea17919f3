"""One table of facts per action kind: the request it sends, its quota family, where it sorts in a plan,
how it is named in reviews and progress, and how its completion is observed. Everything else reads it.

Adding a kind of action means adding one ``ActionKind`` member and one ``KindSpec`` row here; the planner,
the executor, the renderers, the progress display and the plan file schema (checked by a test) follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ActionKind(StrEnum):
    """What an action does; each maps to exactly one SiteWise operation."""

    DISASSOCIATE_PROJECT_ASSETS = "disassociate_project_assets"
    DISASSOCIATE_ASSET = "disassociate_asset"
    DELETE_ASSET = "delete_asset"
    DELETE_ASSET_MODEL = "delete_asset_model"
    DELETE_DASHBOARD = "delete_dashboard"
    DELETE_ACCESS_POLICY = "delete_access_policy"
    DELETE_PROJECT = "delete_project"
    DELETE_PORTAL = "delete_portal"

    @property
    def spec(self) -> KindSpec:
        return KINDS[self]

    @property
    def operation(self) -> str:
        return KINDS[self].operation

    @property
    def is_delete(self) -> bool:
        """Deletes a resource (what --max-deletes counts), as opposed to removing a link."""
        return KINDS[self].deletes


class Completion(StrEnum):
    """How the executor tells that an action took effect (a 2xx answer alone is not always proof)."""

    # Asynchronous delete: gone from one ListAssets of its model, which confirms many deletes at once.
    ASSET_GONE = "asset_gone"
    # Asynchronous delete: gone from one ListAssetModels round, shared by every model delete.
    MODEL_GONE = "model_gone"
    # The parent asset is ACTIVE again (it goes UPDATING) and the child has no parent.
    PARENT_SETTLED = "parent_settled"
    # A 200 may carry per-asset errors: done when ListProjectAssets no longer shows them.
    LEFT_PROJECT = "left_project"
    # The service deletes before it answers (204): the answer is the effect.
    ANSWERED = "answered"
    # Asynchronous delete: DescribePortal answers 404.
    PORTAL_GONE = "portal_gone"


@dataclass(frozen=True)
class KindSpec:
    kind: ActionKind
    operation: str
    family: str  # the quota family its request is paced in
    rank: int  # ties in the plan's order: links, then assets, then models, then Monitor resources
    title: str  # plan summaries: "delete assets"
    short: str  # progress displays: "assets"
    completion: Completion
    deletes: bool
    always_counted: bool  # listed in a plan's counts even at zero (the kinds nearly every plan has)


KINDS: Mapping[ActionKind, KindSpec] = {spec.kind: spec for spec in (
    KindSpec(ActionKind.DISASSOCIATE_PROJECT_ASSETS, "BatchDisassociateProjectAssets", "monitor", 0,
             "unlink assets from projects", "unlink", Completion.LEFT_PROJECT, deletes=False, always_counted=True),
    KindSpec(ActionKind.DISASSOCIATE_ASSET, "DisassociateAssets", "asset", 1,
             "disassociate child assets", "disassoc", Completion.PARENT_SETTLED, deletes=False, always_counted=True),
    KindSpec(ActionKind.DELETE_ASSET, "DeleteAsset", "asset", 2,
             "delete assets", "assets", Completion.ASSET_GONE, deletes=True, always_counted=True),
    KindSpec(ActionKind.DELETE_ASSET_MODEL, "DeleteAssetModel", "model", 3,
             "delete asset models", "models", Completion.MODEL_GONE, deletes=True, always_counted=True),
    KindSpec(ActionKind.DELETE_DASHBOARD, "DeleteDashboard", "monitor", 4,
             "delete dashboards", "dashboards", Completion.ANSWERED, deletes=True, always_counted=False),
    KindSpec(ActionKind.DELETE_ACCESS_POLICY, "DeleteAccessPolicy", "monitor", 4,
             "delete access policies", "policies", Completion.ANSWERED, deletes=True, always_counted=False),
    KindSpec(ActionKind.DELETE_PROJECT, "DeleteProject", "monitor", 5,
             "delete projects", "projects", Completion.ANSWERED, deletes=True, always_counted=False),
    KindSpec(ActionKind.DELETE_PORTAL, "DeletePortal", "monitor", 6,
             "delete portals", "portals", Completion.PORTAL_GONE, deletes=True, always_counted=False),
)}
