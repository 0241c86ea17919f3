"""The restore plan: one step per resource the archive holds (and per link between them), ordered as a graph.

Pure: a function of the archive alone, so the same archive gives the same step ids and graph on every run
(which is what lets a journal resume it). Whether a step creates its resource or finds it already there is
decided when it runs (``teardown.restoring.execute``).

Dependency rules, each an edge "u before v":

- a model after the archived models it names: hierarchy child models, composed component models, interfaces;
- an asset after its model, and after its archived parent (a reused parent is where an existing child is found);
- an association after its parent and its child;
- a project link after its project, its archived assets and their associations (a project holds assets of
  one hierarchy root: linked before they hang together, two roots would be refused);
- a project after its portal; a dashboard after its project and whatever its definition names; an access
  policy after the portal or project it is on; a gateway depends on nothing.

Ordering only (``ORDER_ONLY``): associations touching one asset one after another (its parent goes UPDATING).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import networkx as nx

from teardown.archive.document import Archive
from teardown.errors import PlanRefused
from teardown.planning.graph import ORDER_ONLY

PROJECT_BATCH = 100  # BatchAssociateProjectAssets takes at most 100 asset ids


class StepKind(StrEnum):
    MODEL = "restore_asset_model"
    ASSET = "restore_asset"
    ASSOCIATE = "associate_asset"
    PORTAL = "restore_portal"
    PROJECT = "restore_project"
    LINK_PROJECT = "link_project_assets"
    DASHBOARD = "restore_dashboard"
    ACCESS_POLICY = "restore_access_policy"
    GATEWAY = "restore_gateway"


@dataclass(frozen=True)
class StepSpec:
    title: str  # restore plan summaries
    short: str  # progress displays
    rank: int  # the order kinds are listed in


STEP_KINDS: Mapping[StepKind, StepSpec] = {
    StepKind.MODEL: StepSpec("re-create asset models", "models", 0),
    StepKind.ASSET: StepSpec("re-create assets", "assets", 1),
    StepKind.ASSOCIATE: StepSpec("associate child assets", "assoc", 2),
    StepKind.PORTAL: StepSpec("re-create portals", "portals", 3),
    StepKind.PROJECT: StepSpec("re-create projects", "projects", 4),
    StepKind.LINK_PROJECT: StepSpec("link assets to projects", "link", 5),
    StepKind.DASHBOARD: StepSpec("re-create dashboards", "dashboards", 6),
    StepKind.ACCESS_POLICY: StepSpec("re-create access policies", "policies", 7),
    StepKind.GATEWAY: StepSpec("re-create gateways", "gateways", 8),
}


@dataclass(frozen=True)
class Step:
    """One thing restore does. ``ref`` is the archived id it restores (for an association, the child's; for a
    project link, the project's); ``depends_on`` must succeed first, ``after`` must merely have ended."""

    id: str
    kind: StepKind
    ref: str
    label: str
    depends_on: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestorePlan:
    archive: Archive
    steps: tuple[Step, ...]

    def graph(self) -> nx.DiGraph:
        graph = nx.DiGraph()
        for step in self.steps:
            graph.add_node(step.id, step=step)
        for step in self.steps:
            for before in step.depends_on:
                graph.add_edge(before, step.id)
            for before in step.after:
                graph.add_edge(before, step.id, **{ORDER_ONLY: True})
        return graph

    def ordered(self) -> list[Step]:
        """The steps in an order the graph allows (what a review reads): by kind, then label, where free."""
        by_id = self.by_id
        order = nx.lexicographical_topological_sort(
            self.graph(), key=lambda sid: (STEP_KINDS[by_id[sid].kind].rank, by_id[sid].label))
        return [by_id[sid] for sid in order]

    def counts(self) -> dict[str, int]:
        found = Counter(step.kind for step in self.steps)
        return {STEP_KINDS[kind].title: found[kind] for kind in sorted(found, key=lambda k: STEP_KINDS[k].rank)}

    @property
    def by_id(self) -> dict[str, Step]:
        return {step.id: step for step in self.steps}


def model_step(model_id: str) -> str:
    return f"model/{model_id}"


def asset_step(asset_id: str) -> str:
    return f"asset/{asset_id}"


def _mine(step_of: Mapping[str, str], refs: Iterable[Any]) -> tuple[str, ...]:
    """The steps of those ``refs`` the archive restores (the others are kept and need no step)."""
    return tuple(sorted({step_of[str(r)] for r in refs if r is not None and str(r) in step_of}))


def restore_plan(archive: Archive) -> RestorePlan:
    """Every step the archive needs, in an order the graph allows. ``PlanRefused`` when archived models name
    each other in a cycle (each would have to exist before the other)."""
    steps: list[Step] = []
    models = {str(m["assetModelId"]): m for m in archive.models}
    step_of = {mid: model_step(mid) for mid in models}
    interfaces: dict[str, list[str]] = {}
    for link in archive.section("interfaceLinks"):
        interfaces.setdefault(str(link["assetModelId"]), []).append(str(link["interfaceAssetModelId"]))
    for mid, model in sorted(models.items()):
        named = [h["childAssetModelId"] for h in model.get("assetModelHierarchies", [])]
        named += [c.get("composedAssetModelId") for c in model.get("assetModelCompositeModels", [])]
        named += interfaces.get(mid, [])
        depends = tuple(d for d in _mine(step_of, named) if d != step_of[mid])
        steps.append(Step(step_of[mid], StepKind.MODEL, mid, f"asset model {model['assetModelName']!r}", depends))
    assets = {str(a["assetId"]): a for a in archive.assets}
    asset_steps = {aid: asset_step(aid) for aid in assets}
    parent_of: dict[str, str] = {}
    links: list[tuple[str, str, str]] = []  # (parent, hierarchy, child)
    for aid, a in sorted(assets.items()):
        for h in a.get("assetHierarchies", []):
            parent_of[str(h["childAssetId"])] = aid
            links.append((aid, str(h["id"]), str(h["childAssetId"])))
    kept_names: dict[str, str] = {}
    for kept in archive.section("keptParents"):
        links.append((str(kept["parentAssetId"]), str(kept["hierarchyId"]), str(kept["assetId"])))
        kept_names[str(kept["parentAssetId"])] = f"kept {str(kept.get('parentName') or kept['parentAssetId'])!r}"
    for aid, a in sorted(assets.items()):
        depends = _mine({**step_of, **asset_steps}, [a["assetModelId"], parent_of.get(aid)])
        steps.append(Step(asset_steps[aid], StepKind.ASSET, aid, f"asset {a['assetName']!r}", depends))
    last_touch: dict[str, str] = {}
    associations_of: dict[str, str] = {}
    for parent, _hierarchy, child in sorted(links, key=lambda link: (link[2], link[0])):
        sid = f"associate/{parent}/{child}"
        after = tuple(sorted({last_touch[x] for x in (parent, child) if x in last_touch}))
        parent_name = repr(assets[parent]["assetName"]) if parent in assets else kept_names[parent]
        steps.append(Step(sid, StepKind.ASSOCIATE, child,
                          f"associate {assets[child]['assetName']!r} under {parent_name}",
                          _mine(asset_steps, [parent, child]), after))
        last_touch[parent] = last_touch[child] = sid
        associations_of[child] = sid
    steps.extend(_monitor_steps(archive, step_of, asset_steps, associations_of))
    steps.extend(Step(f"gateway/{g['gatewayId']}", StepKind.GATEWAY, str(g["gatewayId"]),
                      f"gateway {g['gatewayName']!r}") for g in archive.section("gateways"))
    plan = RestorePlan(archive, tuple(steps))
    graph = plan.graph()
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " -> ".join(u for u, _ in nx.find_cycle(graph))
        raise PlanRefused(f"the archive's asset models name each other in a cycle ({cycle}); restore cannot "
                          "create either before the other")
    return plan


def _monitor_steps(archive: Archive, model_steps: Mapping[str, str], asset_steps: Mapping[str, str],
                   associations_of: Mapping[str, str]) -> list[Step]:
    steps: list[Step] = []
    portal_steps = {str(p["portalId"]): f"portal/{p['portalId']}" for p in archive.section("portals")}
    project_steps = {str(p["projectId"]): f"project/{p['projectId']}" for p in archive.section("projects")}
    for portal in archive.section("portals"):
        steps.append(Step(portal_steps[str(portal["portalId"])], StepKind.PORTAL, str(portal["portalId"]),
                          f"portal {portal['portalName']!r}"))
    for project in archive.section("projects"):
        steps.append(Step(project_steps[str(project["projectId"])], StepKind.PROJECT, str(project["projectId"]),
                          f"project {project['projectName']!r}", _mine(portal_steps, [project["portalId"]])))
    for link in archive.section("projectLinks"):
        ids = list(link["assetIds"])
        name = link.get("projectName") or link["projectId"]
        for batch, start in enumerate(range(0, len(ids), PROJECT_BATCH)):
            chunk = ids[start:start + PROJECT_BATCH]
            depends = (*_mine(project_steps, [link["projectId"]]), *_mine(asset_steps, chunk),
                       *sorted({associations_of[a] for a in chunk if a in associations_of}))
            steps.append(Step(f"link-project/{link['projectId']}/{batch}", StepKind.LINK_PROJECT,
                              str(link["projectId"]), f"link {len(chunk)} asset(s) to project {name!r}",
                              tuple(sorted(set(depends)))))
    everything = {**model_steps, **asset_steps}
    for dashboard in archive.section("dashboards"):
        definition = str(dashboard["dashboardDefinition"])
        named = [rid for rid in everything if rid in definition]  # ids its widgets name are re-mapped
        steps.append(Step(f"dashboard/{dashboard['dashboardId']}", StepKind.DASHBOARD, str(dashboard["dashboardId"]),
                          f"dashboard {dashboard['dashboardName']!r}",
                          tuple(sorted({*_mine(project_steps, [dashboard["projectId"]]), *_mine(everything, named)}))))
    for policy in archive.section("accessPolicies"):
        resource = policy["accessPolicyResource"]
        owner = [resource.get("portal", {}).get("id"), resource.get("project", {}).get("id")]
        steps.append(Step(f"access-policy/{policy['accessPolicyId']}", StepKind.ACCESS_POLICY,
                          str(policy["accessPolicyId"]), f"access policy {policy['accessPolicyId']}",
                          _mine({**portal_steps, **project_steps}, owner)))
    return steps
