"""Which deleted subtree each action of a plan belongs to: the grouping of summaries too long to list. Pure.

Read from the plan alone (no inventory): the subtree roots are in its summary, and its disassociations are
the parent links of every selected asset (a child is never deleted while associated, so each selected asset
below a root has one), so walking them up from an asset finds its root.
"""

from __future__ import annotations

from collections import Counter

from teardown.kinds import ActionKind
from teardown.planning.planfile import Plan

OUTSIDE = ""  # the group of actions under no deleted subtree: models, Monitor resources, project links, gateways


def by_subtree(plan: Plan) -> dict[str, Counter[ActionKind]]:
    """Root id (or ``OUTSIDE``) -> actions per kind, roots in the summary's order, ``OUTSIDE`` last."""
    roots = [r["id"] for r in plan.summary.get("roots", ())]
    root_set = set(roots)
    parent = {a.params["childAssetId"]: a.params["assetId"] for a in plan.actions
              if a.kind is ActionKind.DISASSOCIATE_ASSET}
    found: dict[str, str] = {}

    def root_of(asset_id: str) -> str:
        path = []
        node = asset_id
        while node not in found and node not in root_set and node in parent:
            path.append(node)
            node = parent[node]
        root = found.get(node, node if node in root_set else OUTSIDE)
        for visited in path:
            found[visited] = root
        return root

    groups: dict[str, Counter[ActionKind]] = {root: Counter() for root in roots}
    for action in plan.actions:
        if action.kind is ActionKind.DISASSOCIATE_ASSET:
            group = root_of(action.params["childAssetId"])
        elif action.kind is ActionKind.DELETE_ASSET:
            group = root_of(action.target)
        elif action.kind is ActionKind.DISASSOCIATE_TIME_SERIES:
            group = root_of(action.params["assetId"])
        else:
            group = OUTSIDE
        groups.setdefault(group, Counter())[action.kind] += 1
    if OUTSIDE in groups:
        groups[OUTSIDE] = groups.pop(OUTSIDE)
    return groups
