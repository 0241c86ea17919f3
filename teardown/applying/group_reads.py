"""The reads behind one observer check (``teardown.applying.observe``): a group's list (a model's assets, the
account's top-level assets, the models, the portals), page by page (noting when the page showing each resource
arrived), or one resource's describe; each answers resources' status."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from teardown.applying.effects import ALL_MODEL_TYPES, MODEL_GROUP_PREFIX, SOURCES, TOP_LEVEL_GROUP, Effect
from teardown.aws.calls import Calls
from teardown.aws.classify import error_code
from teardown.aws.clock import Clock
from teardown.aws.pacing import family_of

Status = dict[str, Any] | None  # None: the resource is gone


def group_family(group: str) -> str:
    """The quota family a group's reads draw on."""
    return family_of("ListAssetModels" if group == "models" else "ListPortals" if group == "portals"
                     else "ListAssets")


def list_group(calls: Calls, clock: Clock, group: str,
               seen_at: dict[str, float]) -> tuple[dict[str, Status], int]:
    """Every resource the group's list shows, id -> status (and into ``seen_at``, when its page arrived); and
    how many pages that took."""
    pages = 0
    states: dict[str, Status] = {}
    params: dict[str, Any]
    if group == "models":
        operation, key, params = "ListAssetModels", "assetModelSummaries", {"assetModelTypes": list(ALL_MODEL_TYPES)}
    elif group == "portals":
        operation, key, params = "ListPortals", "portalSummaries", {}
    elif group == TOP_LEVEL_GROUP:
        operation, key, params = "ListAssets", "assetSummaries", {"filter": "TOP_LEVEL"}
    else:
        operation, key, params = "ListAssets", "assetSummaries", {
            "assetModelId": group.removeprefix(MODEL_GROUP_PREFIX), "filter": "ALL"}
    try:
        for response in calls.responses(operation, **params):
            pages += 1
            arrived = clock.now()
            for item in response.get(key, []):
                states[item["id"]] = item.get("status", {})
                seen_at[item["id"]] = arrived
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return {}, max(pages, 1)  # the model is gone, so are all its assets
        raise
    return states, pages


def describe(calls: Calls, effect: Effect) -> Status:
    """The status of the resource ``effect`` is about, by its describe."""
    source = SOURCES[effect.completion]
    try:
        answer = calls.read(source.describe, **{source.describe_param: effect.rid})
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    status: dict[str, Any] = answer.get(source.status_key, {})
    return status
