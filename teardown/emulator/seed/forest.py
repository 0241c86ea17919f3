"""Seeded random worlds: forests of a given size, depth and fanout, for tests and benchmarks.

Everything comes from one ``random.Random(seed)``, so the same arguments give the same spec (and, through
``seed_world``'s uuid5 ids, the same resource ids). Models come in levels: level L models have
hierarchies to level L+1 models; with ``shared_child_models`` every parent model names the same shared
child model of the next level besides its own (the case teardown must not trip over: one child model,
several parent models).
"""

from __future__ import annotations

import math
import random
from collections import deque

from teardown.emulator.seed.spec import (
    MAX_ASSETS_PER_MODEL,
    MAX_CHILDREN_PER_PARENT,
    MAX_HIERARCHY_DEPTH,
    AccessPolicySpec,
    AssetSpec,
    DashboardSpec,
    ModelSpec,
    PortalSpec,
    ProjectSpec,
    PropertySpec,
    WorldSpec,
    validate_world,
)

_TEAMS = ("blue", "green", "red", "amber")
_PROPERTIES = (
    PropertySpec(name="serial", data_type="STRING", kind="attribute", default="unknown"),
    PropertySpec(name="value", data_type="DOUBLE", kind="measurement", unit="units"),
)


def random_world(
    *,
    seed: int,
    assets: int,
    depth: int = 4,
    fanout: int = 10,
    shared_child_models: bool = True,
    projects: int = 1,
    models_per_level: int = 2,
    tagged_fraction: float = 0.1,
    component: bool = True,
) -> WorldSpec:
    """A seeded random forest of ``assets`` assets, at most ``depth`` levels deep, at most ``fanout``
    children per asset; ``projects`` projects (in one portal, each with a dashboard and an access
    policy) each hold one random subtree; about ``tagged_fraction`` of the assets carry a team tag."""
    if assets < 1:
        raise ValueError("assets must be at least 1")
    if not 1 <= depth <= MAX_HIERARCHY_DEPTH:
        raise ValueError(f"depth must be 1 to {MAX_HIERARCHY_DEPTH}")
    if not 1 <= fanout <= MAX_CHILDREN_PER_PARENT:
        raise ValueError(f"fanout must be 1 to {MAX_CHILDREN_PER_PARENT}")
    if projects < 0 or models_per_level < 1:
        raise ValueError("projects must be >= 0 and models_per_level >= 1")
    rng = random.Random(seed)
    # Enough models per level that none passes the 10,000-assets-per-model quota.
    per_level = max(models_per_level, math.ceil(assets / (MAX_ASSETS_PER_MODEL // 2)))
    models = _models(rng, seed=seed, depth=depth, per_level=per_level, shared=shared_child_models, component=component)
    asset_specs = _forest(rng, models, total=assets, depth=depth, fanout=fanout, tagged_fraction=tagged_fraction)
    portals, project_specs, dashboards, policies = _monitor(rng, asset_specs, projects)
    spec = WorldSpec(
        name=f"random-{seed}",
        seed=seed,
        description=f"random forest: {assets} assets, depth {depth}, fanout {fanout}",
        tags={"env": "random", "world-seed": str(seed)},
        models=tuple(models),
        assets=tuple(asset_specs),
        portals=portals,
        projects=project_specs,
        dashboards=dashboards,
        access_policies=policies,
    )
    validate_world(spec)
    return spec


def _models(
    rng: random.Random, *, seed: int, depth: int, per_level: int, shared: bool, component: bool
) -> list[ModelSpec]:
    """Leaf level first, so every hierarchy names a model already listed. Model names carry the seed:
    names are unique in an account, and worlds of different seeds must seed side by side."""
    models: list[ModelSpec] = []
    components: tuple[tuple[str, str], ...] = ()
    if component:
        models.append(
            ModelSpec(
                key="sensor-pack",
                name=f"random-{seed} sensor-pack",
                type="COMPONENT_MODEL",
                properties=(PropertySpec(name="reading", unit="units"),),
            )
        )
        components = (("sensors", "sensor-pack"),)
    below: list[str] = []
    for level in reversed(range(depth)):
        keys = [f"level{level}-kind{k}" for k in range(per_level)]
        for i, key in enumerate(keys):
            hierarchies: list[tuple[str, str]] = []
            if below:
                # Shared: every parent model names below[0]; own: parent i names below[i] (wrapping).
                own = below[i % len(below)]
                picks = [below[0], own] if shared else [own]
                extra = rng.choice(below)
                if shared and extra not in picks:
                    picks.append(extra)
                hierarchies = [(f"to-{child}", child) for child in dict.fromkeys(picks)]
            models.append(
                ModelSpec(
                    key=key,
                    name=f"random-{seed} {key}",
                    properties=_PROPERTIES,
                    hierarchies=tuple(hierarchies),
                    components=components if not below else (),
                    tags={"level": str(level)},
                )
            )
        below = keys
    return models


def _forest(
    rng: random.Random, models: list[ModelSpec], *, total: int, depth: int, fanout: int, tagged_fraction: float
) -> list[AssetSpec]:
    """Trees filled breadth first with random fanouts until ``total`` assets exist; a new root whenever
    every open parent is full. Parents always precede children."""
    by_key = {m.key: m for m in models}
    roots = [m.key for m in models if m.key.startswith("level0-")]
    out: list[AssetSpec] = []
    open_parents: deque[tuple[AssetSpec, int]] = deque()
    while len(out) < total:
        if not open_parents:
            root = _asset(
                rng,
                path=f"root-{len(out)}",
                model=rng.choice(roots),
                parent=None,
                hierarchy=None,
                tagged_fraction=tagged_fraction,
            )
            out.append(root)
            if depth > 1:
                open_parents.append((root, 0))
            continue
        parent, level = open_parents.popleft()
        hierarchies = by_key[parent.model].hierarchies
        for n in range(min(rng.randint(1, fanout), total - len(out))):
            hierarchy, child_model = rng.choice(hierarchies)
            child = _asset(
                rng,
                path=f"{parent.path}/a{n}",
                model=child_model,
                parent=parent,
                hierarchy=hierarchy,
                tagged_fraction=tagged_fraction,
            )
            out.append(child)
            if level + 1 < depth - 1:
                open_parents.append((child, level + 1))
    return out


def _asset(
    rng: random.Random,
    *,
    path: str,
    model: str,
    parent: AssetSpec | None,
    hierarchy: str | None,
    tagged_fraction: float,
) -> AssetSpec:
    tags = {"team": rng.choice(_TEAMS)} if rng.random() < tagged_fraction else {}
    return AssetSpec(
        path=path, name=path, model=model, parent=parent.path if parent else None, hierarchy=hierarchy, tags=tags
    )


def _monitor(
    rng: random.Random, assets: list[AssetSpec], projects: int
) -> tuple[tuple[PortalSpec, ...], tuple[ProjectSpec, ...], tuple[DashboardSpec, ...], tuple[AccessPolicySpec, ...]]:
    """One portal; each project holds the subtree of a random asset (so one root per project)."""
    if projects == 0:
        return (), (), (), ()
    portal = PortalSpec(key="portal", name="Random portal")
    project_specs, dashboards, policies = [], [], []
    paths = [a.path for a in assets]
    # Tops with children make projects worth the name; a forest of bare roots has none.
    tops = sorted({a.parent for a in assets if a.parent is not None}) or paths
    for i in range(projects):
        top = rng.choice(tops)
        # Cap a project at a few hundred assets: projects are about links, not bulk.
        members = [p for p in paths if p == top or p.startswith(top + "/")][:300]
        key = f"project-{i}"
        project_specs.append(ProjectSpec(key=key, name=f"Project {i}", portal=portal.key, assets=tuple(members)))
        dashboards.append(DashboardSpec(key=f"dashboard-{i}", name=f"Dashboard {i}", project=key))
        policies.append(
            AccessPolicySpec(
                key=f"viewers-{i}", identity_kind="group", identity=f"viewers-{i}", permission="VIEWER", project=key
            )
        )
    return (portal,), tuple(project_specs), tuple(dashboards), tuple(policies)
