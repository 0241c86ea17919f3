"""The two teardowns the engine races against, written as people write them (boto3, no engine code).

- ``naive``: the hand-written script. Project links first (so assets can go), then each asset tree children
  first: disassociate from the parent, DeleteAsset, wait until DescribeAsset answers 404; then each model
  the same way (asset models before the component models they use); then the Monitor resources. One call
  at a time; botocore's standard retries for throttling; a busy parent (409), or a throttle that outlasts
  botocore's three attempts, is tried again a second later.
- ``waves``: the aws-nuke way. List everything, send every remaining disassociation and delete once in a
  fixed order, one call at a time (aws-nuke walks its queue on one goroutine), ignore every failure, wait,
  list again; repeat until nothing is left or a wave limit. Its listings, like the naive script's, ask
  again for a page throttled past botocore's retries, so a wave never mistakes a refusal for emptiness.

Both wait on the clock they are given (the emulator's, at its time scale), so their waits mean the same
clock seconds at any scale. botocore's own retry backoff sleeps on the wall clock, as it does for a user.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from teardown.emulator import Clock

WAITER_DELAY = 3.0  # botocore's AssetNotExists / AssetModelNotExists / PortalNotExists poll every 3 s
# botocore's waiters give up after 20 polls (60 s); a script that met the production profile's minute-long
# deletes raises MaxAttempts, as here (15 minutes), rather than crash.
WAITER_ATTEMPTS = 300
PATIENCE = 120  # tries of a call refused as busy (409) or throttled, a second apart
WAVE_WAIT = 5.0  # aws-nuke sleeps 5 s between its passes over the queue
WAVE_LIMIT = 100
PROJECT_BATCH = 100


def code_of(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def patiently(call: Callable[[], Any], clock: Clock) -> Any:
    """Send ``call``; while its resource is busy (409) or the throttling outlasts botocore's retries, try
    again a second later (what a script's author adds after the first traceback)."""
    for _ in range(PATIENCE):
        try:
            return call()
        except ClientError as exc:
            if code_of(exc) not in {"ConflictingOperationException", "ThrottlingException"}:
                raise
        clock.sleep(1.0)
    raise TimeoutError(f"still refused after {PATIENCE} tries")


def pages(client: Any, clock: Clock, operation: str, key: str, **params: Any) -> Iterator[Any]:
    """Every item of a paginated listing, page by page at the default page size, as a script lists; a page
    throttled past botocore's retries is asked for again, so a listing is never cut short."""
    method = getattr(client, operation)
    token: str | None = None
    while True:
        page = patiently(partial(method, **params, **({"nextToken": token} if token else {})), clock)
        yield from page.get(key, [])
        token = page.get("nextToken")
        if not token:
            return


def wait_gone(describe: Callable[[], object], clock: Clock) -> None:
    """A botocore-style *NotExists waiter: poll at once, then every 3 s, until the resource answers 404."""
    for _ in range(WAITER_ATTEMPTS):
        try:
            describe()
        except ClientError as exc:
            if code_of(exc) == "ResourceNotFoundException":
                return
            raise
        clock.sleep(WAITER_DELAY)
    raise TimeoutError(f"still there after {WAITER_ATTEMPTS} polls")


def naive(client: Any, clock: Clock) -> dict[str, float]:
    """Tear the account down one call at a time; answers clock seconds per phase (for extrapolation)."""
    phases: dict[str, float] = {}
    started = clock.now()

    def phase(name: str) -> None:
        nonlocal started
        now = clock.now()
        phases[name] = now - started
        started = now

    for portal in list(pages(client, clock, "list_portals", "portalSummaries")):
        for project in list(pages(client, clock, "list_projects", "projectSummaries", portalId=portal["id"])):
            ids = list(pages(client, clock, "list_project_assets", "assetIds", projectId=project["id"]))
            for i in range(0, len(ids), PROJECT_BATCH):
                patiently(partial(client.batch_disassociate_project_assets, projectId=project["id"],
                                  assetIds=ids[i : i + PROJECT_BATCH]), clock)
    phase("project_links")

    def remove_tree(asset: dict[str, Any], parent: str | None, hierarchy: str | None) -> None:
        for h in asset.get("hierarchies", []):
            children = list(pages(client, clock, "list_associated_assets", "assetSummaries", assetId=asset["id"],
                                  hierarchyId=h["id"], traversalDirection="CHILD"))
            for child in children:
                remove_tree(child, asset["id"], h["id"])
        if parent is not None:
            patiently(partial(client.disassociate_assets, assetId=parent, hierarchyId=hierarchy,
                              childAssetId=asset["id"]), clock)
        patiently(partial(client.delete_asset, assetId=asset["id"]), clock)
        wait_gone(partial(client.describe_asset, assetId=asset["id"]), clock)

    models = list(pages(client, clock, "list_asset_models", "assetModelSummaries",
                        assetModelTypes=["ASSET_MODEL", "COMPONENT_MODEL"]))
    for model in models:
        if model["assetModelType"] == "ASSET_MODEL":
            for root in list(pages(client, clock, "list_assets", "assetSummaries", assetModelId=model["id"],
                                   filter="TOP_LEVEL")):
                remove_tree(root, None, None)
    phase("assets")

    # A component model can go only once no model composes it: asset models first.
    for model in sorted(models, key=lambda m: m["assetModelType"] != "ASSET_MODEL"):
        patiently(partial(client.delete_asset_model, assetModelId=model["id"]), clock)
        wait_gone(partial(client.describe_asset_model, assetModelId=model["id"]), clock)
    phase("models")

    for portal in list(pages(client, clock, "list_portals", "portalSummaries")):
        for project in list(pages(client, clock, "list_projects", "projectSummaries", portalId=portal["id"])):
            dashboards = list(pages(client, clock, "list_dashboards", "dashboardSummaries", projectId=project["id"]))
            for dashboard in dashboards:
                patiently(partial(client.delete_dashboard, dashboardId=dashboard["id"]), clock)
            for policy in list(pages(client, clock, "list_access_policies", "accessPolicySummaries",
                                     resourceType="PROJECT", resourceId=project["id"])):
                patiently(partial(client.delete_access_policy, accessPolicyId=policy["id"]), clock)
            patiently(partial(client.delete_project, projectId=project["id"]), clock)
        for policy in list(pages(client, clock, "list_access_policies", "accessPolicySummaries", resourceType="PORTAL",
                                 resourceId=portal["id"])):
            patiently(partial(client.delete_access_policy, accessPolicyId=policy["id"]), clock)
        patiently(partial(client.delete_portal, portalId=portal["id"]), clock)
        wait_gone(partial(client.describe_portal, portalId=portal["id"]), clock)
    phase("monitor")
    return phases


@dataclass
class Listed:
    """One wave's view of the account: what is left, in the order a wave sends it."""

    project_links: list[tuple[str, list[str]]] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # parent, hierarchy, child
    assets: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    dashboards: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    portals: list[str] = field(default_factory=list)
    deleting: int = 0  # resources already DELETING: nothing to send, but not gone yet

    @property
    def empty(self) -> bool:
        return not (self.deleting or self.project_links or self.links or self.assets or self.models
                    or self.dashboards or self.policies or self.projects or self.portals)


def _state(summary: dict[str, Any], key: str) -> str:
    return str(summary.get(key, {}).get("state", ""))


def list_everything(client: Any, clock: Clock) -> Listed:
    seen = Listed()
    for portal in pages(client, clock, "list_portals", "portalSummaries"):
        if _state(portal, "status") == "DELETING":
            seen.deleting += 1
            continue
        for project in pages(client, clock, "list_projects", "projectSummaries", portalId=portal["id"]):
            ids = list(pages(client, clock, "list_project_assets", "assetIds", projectId=project["id"]))
            if ids:
                seen.project_links.append((project["id"], ids))
            seen.dashboards += [d["id"] for d in pages(client, clock, "list_dashboards", "dashboardSummaries",
                                                       projectId=project["id"])]
            seen.policies += [p["id"] for p in pages(client, clock, "list_access_policies", "accessPolicySummaries",
                                                     resourceType="PROJECT", resourceId=project["id"])]
            seen.projects.append(project["id"])
        seen.policies += [p["id"] for p in pages(client, clock, "list_access_policies", "accessPolicySummaries",
                                                 resourceType="PORTAL", resourceId=portal["id"])]
        seen.portals.append(portal["id"])
    for model in pages(client, clock, "list_asset_models", "assetModelSummaries",
                       assetModelTypes=["ASSET_MODEL", "COMPONENT_MODEL"]):
        if _state(model, "status") == "DELETING":
            seen.deleting += 1
            continue
        seen.models.append(model["id"])
        if model["assetModelType"] != "ASSET_MODEL":
            continue
        for asset in pages(client, clock, "list_assets", "assetSummaries", assetModelId=model["id"], filter="ALL"):
            if _state(asset, "status") == "DELETING":
                seen.deleting += 1
                continue
            seen.assets.append(asset["id"])
            for h in asset.get("hierarchies", []):
                seen.links += [(asset["id"], h["id"], child["id"]) for child in pages(
                    client, clock, "list_associated_assets", "assetSummaries", assetId=asset["id"], hierarchyId=h["id"],
                    traversalDirection="CHILD")]
    return seen


def waves(client: Any, clock: Clock) -> int:
    """Send, wait, list again until nothing is left (or WAVE_LIMIT waves); answers the waves sent."""

    def attempt(call: Callable[[], object]) -> None:
        with contextlib.suppress(ClientError):  # aws-nuke's way: a failure is retried by the next wave
            call()

    for wave in range(WAVE_LIMIT):
        seen = list_everything(client, clock)
        if seen.empty:
            return wave
        for project, ids in seen.project_links:
            for i in range(0, len(ids), PROJECT_BATCH):
                attempt(partial(client.batch_disassociate_project_assets, projectId=project,
                                assetIds=ids[i : i + PROJECT_BATCH]))
        for parent, hierarchy, child in seen.links:
            attempt(partial(client.disassociate_assets, assetId=parent, hierarchyId=hierarchy, childAssetId=child))
        sends: list[tuple[Callable[..., object], str, list[str]]] = [
            (client.delete_asset, "assetId", seen.assets),
            (client.delete_asset_model, "assetModelId", seen.models),
            (client.delete_dashboard, "dashboardId", seen.dashboards),
            (client.delete_access_policy, "accessPolicyId", seen.policies),
            (client.delete_project, "projectId", seen.projects),
            (client.delete_portal, "portalId", seen.portals),
        ]
        for send, key, ids in sends:
            for rid in ids:
                attempt(partial(send, **{key: rid}))
        clock.sleep(WAVE_WAIT)
    return WAVE_LIMIT
