"""Checks shared by the rule modules: state gates, ETag preconditions, and the status member they answer."""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import ConflictingOperation, InvalidRequest, PreconditionFailed
from teardown.emulator.service.resources import Asset, AssetModel, Stateful

TRANSIENT = frozenset({"CREATING", "UPDATING", "PROPAGATING", "DELETING", "PENDING"})


def describe(resource: Stateful) -> str:
    kind = "asset model" if isinstance(resource, AssetModel) else "asset" if isinstance(resource, Asset) else "portal"
    return f"{kind} {resource.id} ({resource.state})"


def require_mutable(resource: Stateful, *, deleting: bool = False) -> None:
    """Only ACTIVE resources accept mutations; FAILED ones accept a delete and nothing else.

    A resource in a transient state (CREATING, UPDATING, PROPAGATING, DELETING, PENDING) refuses with
    ConflictingOperation (409), which is worth retrying once it settles.
    """
    if resource.state in TRANSIENT:
        raise ConflictingOperation(
            f"Cannot act on {describe(resource)} while it is {resource.state}; retry once it settles.",
            resourceId=resource.id,
            resourceArn=resource.arn,
        )
    if resource.state == "FAILED" and not deleting:
        raise InvalidRequest(f"The {describe(resource)} is FAILED; it only accepts a delete.")


def current_etag(model: AssetModel, version_type: str) -> str | None:
    """The ETag of the model's LATEST or ACTIVE version; None when it has no such version (yet)."""
    if version_type == "ACTIVE":
        return model.etag_of(model.active.version) if model.active is not None else None
    return model.etag_of(model.version)


def check_etag(model: AssetModel, params: dict[str, Any]) -> None:
    """If-Match / If-None-Match on model mutations, against the version ``matchForVersionType`` names
    (LATEST by default): a stale ETag, or ``*`` while that version exists, is PreconditionFailed (412)."""
    version_type = params.get("matchForVersionType") or "LATEST"
    current = current_etag(model, version_type)
    if_match = params.get("ifMatch")
    if if_match is not None and if_match != current:
        raise PreconditionFailed(
            f"ETag {if_match} does not match the current ETag of the {version_type} version of asset model "
            f"{model.id}.",
            resourceId=model.id,
            resourceArn=model.arn,
        )
    if_none_match = params.get("ifNoneMatch")
    if if_none_match is not None and current is not None and if_none_match in ("*", current):
        raise PreconditionFailed(
            f"The {version_type} version of asset model {model.id} already matches If-None-Match {if_none_match}.",
            resourceId=model.id,
            resourceArn=model.arn,
        )


def status(resource: Stateful) -> dict[str, Any]:
    out: dict[str, Any] = {"state": resource.state}
    if resource.error is not None:
        out["error"] = dict(resource.error)
    return out
