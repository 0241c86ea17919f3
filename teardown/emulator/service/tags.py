"""Tags by resource ARN, for every taggable resource the emulator holds."""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import EmulatorError, ResourceNotFound
from teardown.emulator.service.world import Answer, Handler, Params, World

MAX_TAGS = 50


class TooManyTags(EmulatorError):
    """The service's own error shape for tag overflow (errors.py has no class for it)."""

    code = "TooManyTagsException"
    status = 400


def _require_resource(w: World, arn: str) -> None:
    prefix = f"arn:aws:iotsitewise:{w.region}:{w.account_id}:"
    if not arn.startswith(prefix) or "/" not in arn:
        raise ResourceNotFound(f"Resource {arn} not found.")
    kind, _, resource_id = arn[len(prefix) :].partition("/")
    stores: dict[str, dict[str, Any]] = {
        "asset": w.assets,
        "asset-model": w.models,
        "portal": w.portals,
        "project": w.projects,
        "dashboard": w.dashboards,
        "access-policy": w.policies,
        "gateway": w.gateways,
        "time-series": w.time_series,
    }
    if resource_id not in stores.get(kind, {}):
        raise ResourceNotFound(f"Resource {arn} not found.")


def tag_resource(w: World, p: Params) -> Answer:
    arn = p["resourceArn"]
    _require_resource(w, arn)
    merged = {**w.tags.get(arn, {}), **p["tags"]}
    if len(merged) > MAX_TAGS:
        raise TooManyTags(
            f"Resource {arn} would carry {len(merged)} tags; at most {MAX_TAGS} are allowed.", resourceName=arn
        )
    w.tags[arn] = merged
    return {}


def untag_resource(w: World, p: Params) -> Answer:
    arn = p["resourceArn"]
    _require_resource(w, arn)
    remaining = {k: v for k, v in w.tags.get(arn, {}).items() if k not in set(p["tagKeys"])}
    if remaining:
        w.tags[arn] = remaining
    else:
        w.tags.pop(arn, None)
    return {}


def list_tags_for_resource(w: World, p: Params) -> Answer:
    arn = p["resourceArn"]
    _require_resource(w, arn)
    return {"tags": dict(w.tags.get(arn, {}))}


HANDLERS: dict[str, Handler] = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
