"""What apply observes, and the lookups around it: the effects an action should bring about (``Effect``), how
each asynchronous completion is read (one row per completion in ``SOURCES``), the verdict on it, and the
observer's settings. ``teardown.applying.observe`` does the observing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from teardown.aws.calls import Calls
from teardown.aws.classify import error_code
from teardown.kinds import KINDS, ActionKind, Completion

# A group with urgent effects is read at most once per this fraction of their latency (the observer's
# cadence; the schedule counts the mean wait it adds to each effect).
URGENT_GAP = 0.5

ALL_MODEL_TYPES = ("ASSET_MODEL", "COMPONENT_MODEL", "INTERFACE")

# The group one ListAssets(TOP_LEVEL) of the whole account confirms, whatever the models: asset deletes (an
# asset SiteWise accepted a delete of had no parent, the delete is refused otherwise, and DELETING it can take no
# mutation, so none can gain one), and the settling of parents the run has unlinked from their own parent (or
# that had none). Absent from that list, a resource it has shown before is gone; one it has never shown may only
# be missing from an index that has not caught up with its unlinking yet, and its model's list judges it.
TOP_LEVEL_GROUP = "top-level"
# The group of one model's assets, read with ListAssets(assetModelId=...): "assets:<model id>".
MODEL_GROUP_PREFIX = "assets:"


@dataclass(frozen=True)
class ObserveSettings:
    # The share of a quota family's rate the observer's reads may take (the rest is the mutations').
    read_share: float = 0.05
    # The share reads may take for effects the best work waits for: more than anything ready in the family
    # (their stakes beat the frontier), on a path no shorter than what the family has still to send. A
    # confirmation on the critical path is worth more than the mutation it delays, but never more than this.
    critical_share: float = 0.2
    # Give up waiting for one action's effect after this long; None: the kind table's deadline for its kind.
    timeout: float | None = None
    # "per_resource" always describes (one read per resource and check: what botocore's waiters do).
    mode: Literal["batched", "per_resource"] = "batched"

    def deadline(self, kind: ActionKind) -> float:
        return self.timeout if self.timeout is not None else KINDS[kind].deadline


@dataclass(frozen=True)
class Verdict:
    """``done`` when the effect was observed; otherwise ``error`` says why the action failed."""

    done: bool
    error: str | None = None


DONE = Verdict(True)
DEFAULT_OBSERVE = ObserveSettings()


@dataclass(frozen=True)
class _Source:
    """How one completion is observed: which resource's state, the list that shows many, the state wanted."""

    noun: str
    want: Literal["gone", "active"]
    first_guess: float  # clock seconds: the latency assumed until the run has observed some
    describe: str
    describe_param: str
    status_key: str  # where a Describe answer carries the status


# One row per asynchronous completion (the kind table says which completion each action kind has).
SOURCES: Mapping[Completion, _Source] = {
    Completion.ASSET_GONE: _Source("asset", "gone", 2.0, "DescribeAsset", "assetId", "assetStatus"),
    Completion.PARENT_SETTLED: _Source("parent asset", "active", 1.0, "DescribeAsset", "assetId", "assetStatus"),
    Completion.MODEL_GONE: _Source("asset model", "gone", 3.0, "DescribeAssetModel", "assetModelId",
                                   "assetModelStatus"),
    Completion.PORTAL_GONE: _Source("portal", "gone", 5.0, "DescribePortal", "portalId", "portalStatus"),
}

# What a completion the observer does not read costs the schedule (the request's own round trip), in seconds.
_ANSWER_SECONDS = 0.1


def expected_seconds(completion: Completion) -> float:
    """How long an action of this completion is expected to take from its request to its effect observed:
    the first-guess latency plus half the urgent check gap (the mean wait for the check that sees it)."""
    source = SOURCES.get(completion)
    if source is None:
        return _ANSWER_SECONDS
    return _ANSWER_SECONDS + source.first_guess * (1.0 + URGENT_GAP / 2)


@dataclass(frozen=True)
class Effect:
    """What an action's request should bring about: ``rid`` reaches the completion's wanted state.

    ``group`` names the list that shows ``rid``'s state ("assets:<model>", ``TOP_LEVEL_GROUP``, "models",
    "portals"); an empty group means describe only (an asset whose model the plan does not know). ``fallback``:
    for the top-level group, the group that judges ``rid`` while that list has never shown it."""

    completion: Completion
    kind: ActionKind
    rid: str
    group: str
    fallback: str = ""


def model_group(model_id: str) -> str:
    """The group whose list (ListAssets of the model) shows the assets of ``model_id``."""
    return f"{MODEL_GROUP_PREFIX}{model_id}"


def _on_asset(completion: Completion, kind: ActionKind, asset_id: str, model_id: str | None,
              top_level: bool) -> Effect:
    """An effect on an asset, read in its model's list, or in the account's top-level list with its model's as
    the fallback."""
    own = model_group(model_id) if model_id else ""
    if top_level:
        return Effect(completion, kind, asset_id, TOP_LEVEL_GROUP, fallback=own)
    return Effect(completion, kind, asset_id, own)


def asset_gone(asset_id: str, model_id: str | None, *, top_level: bool = False) -> Effect:
    """``top_level``: confirmed by the account's top-level list (``TOP_LEVEL_GROUP``), not its model's."""
    return _on_asset(Completion.ASSET_GONE, ActionKind.DELETE_ASSET, asset_id, model_id, top_level)


def parent_settled(parent_id: str, parent_model_id: str | None, *, top_level: bool = False) -> Effect:
    """``top_level``: the parent has no parent of its own, so the account's top-level list shows it."""
    return _on_asset(Completion.PARENT_SETTLED, ActionKind.DISASSOCIATE_ASSET, parent_id, parent_model_id,
                     top_level)


def model_gone(model_id: str) -> Effect:
    return Effect(Completion.MODEL_GONE, ActionKind.DELETE_ASSET_MODEL, model_id, "models")


def portal_gone(portal_id: str) -> Effect:
    return Effect(Completion.PORTAL_GONE, ActionKind.DELETE_PORTAL, portal_id, "portals")


def status_text(status: dict[str, Any]) -> str:
    error = status.get("error") or {}
    code = error.get("code", "")
    message = error.get("message", "")
    details = "; ".join(d.get("message", "") for d in error.get("details", []) if d.get("message"))
    text = ": ".join(p for p in (code, message) if p) or "no error details given"
    return f"{text} ({details})" if details else text


def child_parent(calls: Calls, child_id: str) -> str | None:
    """The parent asset of ``child_id``, None when it has none or is gone."""
    try:
        response = calls.read("ListAssociatedAssets", assetId=child_id, traversalDirection="PARENT")
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    summaries = response.get("assetSummaries", [])
    return str(summaries[0]["id"]) if summaries else None


def assets_still_in_project(calls: Calls, project_id: str, asset_ids: list[str]) -> list[str]:
    """Which of ``asset_ids`` the project still holds (ListProjectAssets declares no 404: a project that is
    gone lists no assets, so none is still in it)."""
    present = set(calls.pages("ListProjectAssets", "assetIds", projectId=project_id))
    return [a for a in asset_ids if a in present]
