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
    DISASSOCIATE_TIME_SERIES = "disassociate_time_series"
    DELETE_TIME_SERIES = "delete_time_series"
    DELETE_GATEWAY = "delete_gateway"

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


# How long an effect may take to be observed before the action fails (clock seconds). SiteWise settles a
# parent within seconds and finishes most deletes within a minute; these leave an order of magnitude of room.
_SETTLE_DEADLINE = 120.0
_DELETE_DEADLINE = 600.0


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
    # The request's parameters, exactly (no other is allowed in a plan file): name -> "id", "ids" (1 to 100)
    # or "alias" (a time series alias).
    params: Mapping[str, str]
    target_param: str  # the parameter that names the action's target
    deadline: float  # clock seconds from the request to the observed effect, past which the action fails
    describe: str = ""  # for deletes: the read that answers 404 once the target is gone
    # The request's idempotency token parameter; None for the operations that take none (DeleteGateway).
    token_param: str | None = "clientToken"

    def param_schema(self) -> dict[str, object]:
        """The JSON schema of this kind's ``params``: these parameters, and no other."""
        shapes = {"id": ID_SCHEMA, "alias": ALIAS_SCHEMA,
                  "ids": {"type": "array", "items": ID_SCHEMA, "minItems": 1, "maxItems": 100, "uniqueItems": True}}
        return {"type": "object", "additionalProperties": False, "required": list(self.params),
                "properties": {name: shapes[shape] for name, shape in self.params.items()}}

    def token(self, token: str) -> dict[str, str]:
        """The token as a request parameter: ``{"clientToken": token}``, or nothing where the operation takes none."""
        return {self.token_param: token} if self.token_param is not None else {}


# A SiteWise resource id as the engine sends it: a UUID, or externalId:X (up to 139 characters, no spaces).
ID_SCHEMA: Mapping[str, object] = {"type": "string", "minLength": 1, "maxLength": 139, "pattern": "^\\S+$"}
# A time series alias, as the service model allows it: no control characters, up to 2,048 characters.
ALIAS_SCHEMA: Mapping[str, object] = {"type": "string", "minLength": 1, "maxLength": 2048,
                                      "pattern": "^[^\\u0000-\\u001F\\u007F]+$"}

KINDS: Mapping[ActionKind, KindSpec] = {spec.kind: spec for spec in (
    KindSpec(ActionKind.DISASSOCIATE_PROJECT_ASSETS, "BatchDisassociateProjectAssets", "monitor", 0,
             "unlink assets from projects", "unlink", Completion.LEFT_PROJECT, deletes=False, always_counted=True,
             params={"projectId": "id", "assetIds": "ids"}, target_param="projectId", deadline=_SETTLE_DEADLINE),
    KindSpec(ActionKind.DISASSOCIATE_ASSET, "DisassociateAssets", "asset", 1,
             "disassociate child assets", "disassoc", Completion.PARENT_SETTLED, deletes=False, always_counted=True,
             params={"assetId": "id", "hierarchyId": "id", "childAssetId": "id"}, target_param="assetId",
             deadline=_SETTLE_DEADLINE),
    KindSpec(ActionKind.DELETE_ASSET, "DeleteAsset", "asset", 2,
             "delete assets", "assets", Completion.ASSET_GONE, deletes=True, always_counted=True,
             params={"assetId": "id"}, target_param="assetId", deadline=_DELETE_DEADLINE,
             describe="DescribeAsset"),
    KindSpec(ActionKind.DELETE_ASSET_MODEL, "DeleteAssetModel", "model", 3,
             "delete asset models", "models", Completion.MODEL_GONE, deletes=True, always_counted=True,
             params={"assetModelId": "id"}, target_param="assetModelId", deadline=_DELETE_DEADLINE,
             describe="DescribeAssetModel"),
    KindSpec(ActionKind.DELETE_DASHBOARD, "DeleteDashboard", "monitor", 4,
             "delete dashboards", "dashboards", Completion.ANSWERED, deletes=True, always_counted=False,
             params={"dashboardId": "id"}, target_param="dashboardId", deadline=_SETTLE_DEADLINE,
             describe="DescribeDashboard"),
    KindSpec(ActionKind.DELETE_ACCESS_POLICY, "DeleteAccessPolicy", "monitor", 4,
             "delete access policies", "policies", Completion.ANSWERED, deletes=True, always_counted=False,
             params={"accessPolicyId": "id"}, target_param="accessPolicyId", deadline=_SETTLE_DEADLINE,
             describe="DescribeAccessPolicy"),
    KindSpec(ActionKind.DELETE_PROJECT, "DeleteProject", "monitor", 5,
             "delete projects", "projects", Completion.ANSWERED, deletes=True, always_counted=False,
             params={"projectId": "id"}, target_param="projectId", deadline=_SETTLE_DEADLINE,
             describe="DescribeProject"),
    KindSpec(ActionKind.DELETE_PORTAL, "DeletePortal", "monitor", 6,
             "delete portals", "portals", Completion.PORTAL_GONE, deletes=True, always_counted=False,
             params={"portalId": "id"}, target_param="portalId", deadline=_DELETE_DEADLINE,
             describe="DescribePortal"),
    # Keeps the series and its history as an alias-only stream: SiteWise deletes a bound series with its asset.
    KindSpec(ActionKind.DISASSOCIATE_TIME_SERIES, "DisassociateTimeSeriesFromAssetProperty", "time_series", 1,
             "keep time series", "keep", Completion.ANSWERED, deletes=False,
             always_counted=False, params={"alias": "alias", "assetId": "id", "propertyId": "id"},
             target_param="alias", deadline=_SETTLE_DEADLINE),
    KindSpec(ActionKind.DELETE_TIME_SERIES, "DeleteTimeSeries", "time_series", 7,
             "delete alias-only time series", "series", Completion.ANSWERED, deletes=True, always_counted=False,
             params={"alias": "alias"}, target_param="alias", deadline=_SETTLE_DEADLINE,
             describe="DescribeTimeSeries"),
    # Quota family unpublished: paced with the asset family. DeleteGateway takes no clientToken (a resend of a
    # delete that went through answers 404, which the executor counts as already done).
    KindSpec(ActionKind.DELETE_GATEWAY, "DeleteGateway", "asset", 8,
             "delete gateways", "gateways", Completion.ANSWERED, deletes=True, always_counted=False,
             params={"gatewayId": "id"}, target_param="gatewayId", deadline=_SETTLE_DEADLINE,
             describe="DescribeGateway", token_param=None),
)}
