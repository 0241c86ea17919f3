"""What a world is: plain frozen data (``WorldSpec``) and the rules a world must obey before it is seeded.

A spec is what ``load_world`` reads from TOML and ``random_world`` generates; ``seed_world`` only ever
sees a spec. Assets are flat, parents before children, each named by a path of keys
("enterprise/site-1/line-2"). ``validate_world`` checks references and the resource quotas that the
emulator (and AWS) enforce, so a bad world fails here, with the key named, and not half-way through
seeding.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

from teardown.emulator.seed.errors import WorldFileError
from teardown.emulator.seed.spec_edge import GatewaySpec, TimeSeriesSpec, validate_edge

MODEL_TYPES = ("ASSET_MODEL", "COMPONENT_MODEL", "INTERFACE")
DATA_TYPES = ("STRING", "INTEGER", "DOUBLE", "BOOLEAN")
PROPERTY_KINDS = ("attribute", "measurement", "metric", "transform")
FORMULA_KINDS = ("metric", "transform")
VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # the service model's VariableName pattern
PERMISSIONS = ("ADMINISTRATOR", "VIEWER")
IDENTITY_KINDS = ("user", "group", "iam_user", "iam_role")

# SiteWise's default resource quotas (children per parent, hierarchy depth, assets per model), which the
# emulator enforces as AWS does: a world that breaks one could never be seeded.
MAX_CHILDREN_PER_PARENT = 100
MAX_HIERARCHY_DEPTH = 10
MAX_ASSETS_PER_MODEL = 10_000


@dataclass(frozen=True)
class VariableSpec:
    """One variable of a formula: a property of the same model, or of the child model of ``hierarchy``."""

    name: str
    property: str  # property name
    hierarchy: str | None = None  # hierarchy name on the formula's model


@dataclass(frozen=True)
class FormulaSpec:
    expression: str
    variables: tuple[VariableSpec, ...] = ()


@dataclass(frozen=True)
class PropertySpec:
    name: str
    data_type: str = "DOUBLE"
    kind: str = "measurement"
    unit: str | None = None
    default: str | None = None  # attributes only
    formula: FormulaSpec | None = None  # metrics and transforms only


@dataclass(frozen=True)
class ModelSpec:
    key: str
    name: str
    type: str = "ASSET_MODEL"
    description: str | None = None
    properties: tuple[PropertySpec, ...] = ()
    hierarchies: tuple[tuple[str, str], ...] = ()  # (hierarchy name, child model key)
    components: tuple[tuple[str, str], ...] = ()  # (composite model name, component model key)
    interfaces: tuple[str, ...] = ()  # interface model keys
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AssetSpec:
    path: str  # the logical name: keys from the root, joined by "/"
    name: str
    model: str
    parent: str | None = None
    hierarchy: str | None = None  # hierarchy name on the parent's model; None only for roots
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PortalSpec:
    key: str
    name: str
    contact_email: str = "ops@example.com"
    role_arn: str = "arn:aws:iam::123456789012:role/service-role/SiteWiseMonitorRole"
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectSpec:
    key: str
    name: str
    portal: str
    assets: tuple[str, ...] = ()  # asset paths, all under one root (the "root assets per project 1" quota)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DashboardSpec:
    key: str
    name: str
    project: str
    definition: str = '{"widgets": []}'
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AccessPolicySpec:
    key: str
    identity_kind: str  # one of IDENTITY_KINDS
    identity: str  # a user/group id, or an IAM ARN
    permission: str = "VIEWER"
    portal: str | None = None  # exactly one of portal / project
    project: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorldSpec:
    name: str
    seed: int
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)  # added to every taggable resource
    models: tuple[ModelSpec, ...] = ()
    assets: tuple[AssetSpec, ...] = ()
    portals: tuple[PortalSpec, ...] = ()
    projects: tuple[ProjectSpec, ...] = ()
    dashboards: tuple[DashboardSpec, ...] = ()
    access_policies: tuple[AccessPolicySpec, ...] = ()
    gateways: tuple[GatewaySpec, ...] = ()
    time_series: tuple[TimeSeriesSpec, ...] = ()

    def model(self, key: str) -> ModelSpec:
        for model in self.models:
            if model.key == key:
                return model
        raise KeyError(key)

    def tags_for(self, own: Mapping[str, str]) -> dict[str, str]:
        """The world's tags overlaid with a resource's own."""
        return {**self.tags, **own}

    def model_order(self) -> list[list[str]]:
        """Model keys in generations: every model after the models it names (children, components,
        interfaces), so each generation can be created at once."""
        sorter = TopologicalSorter(_model_dependencies(self.models))
        sorter.prepare()
        generations: list[list[str]] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            generations.append(ready)
            sorter.done(*ready)
        return generations


def _model_dependencies(models: tuple[ModelSpec, ...]) -> dict[str, set[str]]:
    return {
        m.key: {child for _, child in m.hierarchies} | {c for _, c in m.components} | set(m.interfaces) for m in models
    }


def asset_depths(spec: WorldSpec) -> dict[str, int]:
    """Depth of every asset path (roots are 0); parents come before children in a spec."""
    depths: dict[str, int] = {}
    for asset in spec.assets:
        depths[asset.path] = 0 if asset.parent is None else depths[asset.parent] + 1
    return depths


def root_of(path: str) -> str:
    """The root of an asset path (validated: a path is its parent's path plus one key)."""
    return path.split("/", 1)[0]


def validate_world(spec: WorldSpec) -> None:
    """Raise ``WorldFileError`` naming the key of the first broken rule."""
    models = _validate_models(spec)
    _validate_assets(spec, models)
    _validate_monitor(spec)
    _validate_gateways_and_series(spec, models)


def _unique(keys: list[str], what: str) -> None:
    dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
    if dupes:
        raise WorldFileError(f"{what}.{dupes[0]}: defined more than once")


def _validate_models(spec: WorldSpec) -> dict[str, ModelSpec]:
    _unique([m.key for m in spec.models], "models")
    _unique([m.name for m in spec.models], "model names")
    models = {m.key: m for m in spec.models}

    def expect(ref: str, where: str, model_type: str) -> None:
        if ref not in models:
            raise WorldFileError(f"{where}: unknown model {ref!r} (known: {', '.join(sorted(models))})")
        if models[ref].type != model_type:
            raise WorldFileError(f"{where}: model {ref!r} is a {models[ref].type}, expected a {model_type}")

    for m in spec.models:
        where = f"models.{m.key}"
        if m.type not in MODEL_TYPES:
            raise WorldFileError(f"{where}.type: {m.type!r} is not one of {', '.join(MODEL_TYPES)}")
        _unique([p.name for p in m.properties], f"{where}.properties")
        for p in m.properties:
            _validate_property(p, f"{where}.properties.{p.name}")
        if m.type != "ASSET_MODEL" and (m.hierarchies or m.components or m.interfaces):
            raise WorldFileError(f"{where}: only an ASSET_MODEL has hierarchies, components or interfaces")
        _unique([h for h, _ in m.hierarchies], f"{where}.hierarchies")
        for hierarchy, child in m.hierarchies:
            expect(child, f"{where}.hierarchies.{hierarchy}", "ASSET_MODEL")
        _unique([c for c, _ in m.components], f"{where}.components")
        for composite, component in m.components:
            expect(component, f"{where}.components.{composite}", "COMPONENT_MODEL")
        for interface in m.interfaces:
            expect(interface, f"{where}.interfaces", "INTERFACE")
            own = {p.name: p for p in m.properties}
            for needed in models[interface].properties:
                if needed.name not in own or own[needed.name].data_type != needed.data_type:
                    raise WorldFileError(
                        f"{where}.interfaces: {interface!r} needs property {needed.name!r} "
                        f"({needed.data_type}) on the model"
                    )
    for m in spec.models:
        for p in m.properties:
            if p.formula is not None:
                _validate_formula(m, p.formula, models, f"models.{m.key}.properties.{p.name}.formula")
    try:
        spec.model_order()
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise WorldFileError(f"models: hierarchies form a cycle ({cycle}); a child model must exist first") from None
    return models


def _validate_property(p: PropertySpec, where: str) -> None:
    if p.data_type not in DATA_TYPES:
        raise WorldFileError(f"{where}.data_type: {p.data_type!r} is not one of {', '.join(DATA_TYPES)}")
    if p.kind not in PROPERTY_KINDS:
        raise WorldFileError(f"{where}.kind: {p.kind!r} is not one of {', '.join(PROPERTY_KINDS)}")
    if p.default is not None and p.kind != "attribute":
        raise WorldFileError(f"{where}.default: only an attribute has a default value")
    if (p.formula is not None) != (p.kind in FORMULA_KINDS):
        raise WorldFileError(f"{where}.formula: a metric or transform has a formula, and only they do")


def _validate_formula(m: ModelSpec, formula: FormulaSpec, models: dict[str, ModelSpec], where: str) -> None:
    """Each variable names a property of the model, or (through one of its hierarchies) of the child model."""
    hierarchies = dict(m.hierarchies)
    for v in formula.variables:
        at = f"{where}.variables.{v.name}"
        if not VARIABLE_NAME.match(v.name):
            raise WorldFileError(f"{at}: a variable name is lower case letters, digits and '_', a letter first")
        if v.hierarchy is not None and v.hierarchy not in hierarchies:
            raise WorldFileError(
                f"{at}.hierarchy: model {m.key!r} has no hierarchy {v.hierarchy!r} "
                f"(it has: {', '.join(sorted(hierarchies)) or 'none'})"
            )
        source = m if v.hierarchy is None else models.get(hierarchies[v.hierarchy], m)
        if v.property not in {p.name for p in source.properties}:
            raise WorldFileError(f"{at}.property: model {source.key!r} has no property {v.property!r}")


def _validate_assets(spec: WorldSpec, models: dict[str, ModelSpec]) -> None:
    _unique([a.path for a in spec.assets], "assets")
    seen: dict[str, AssetSpec] = {}
    children: Counter[str] = Counter()
    per_model: Counter[str] = Counter()
    depths: dict[str, int] = {}
    for asset in spec.assets:
        where = f"assets.{asset.path}"
        if asset.model not in models:
            raise WorldFileError(f"{where}.model: unknown model {asset.model!r} (known: {', '.join(sorted(models))})")
        if models[asset.model].type != "ASSET_MODEL":
            raise WorldFileError(
                f"{where}.model: {asset.model!r} is a {models[asset.model].type}; assets need an ASSET_MODEL"
            )
        per_model[asset.model] += 1
        own_key = asset.path.rsplit("/", 1)[-1] if asset.parent is not None else asset.path
        expected_path = f"{asset.parent}/{own_key}" if asset.parent is not None else own_key
        if not own_key or asset.path != expected_path or "/" in own_key:
            raise WorldFileError(f"{where}: a path must be its parent's path plus one key ({expected_path!r})")
        parent = seen.get(asset.parent) if asset.parent is not None else None
        seen[asset.path] = asset
        if asset.parent is None:
            depths[asset.path] = 0
            continue
        if parent is None:
            raise WorldFileError(f"{where}.parent: {asset.parent!r} is not an asset defined before it")
        hierarchies = dict(models[parent.model].hierarchies)
        if asset.hierarchy not in hierarchies:
            raise WorldFileError(
                f"{where}.hierarchy: model {parent.model!r} of the parent has no hierarchy {asset.hierarchy!r} "
                f"(it has: {', '.join(sorted(hierarchies)) or 'none'})"
            )
        if hierarchies[asset.hierarchy] != asset.model:
            raise WorldFileError(
                f"{where}.model: hierarchy {asset.hierarchy!r} of {parent.model!r} takes "
                f"{hierarchies[asset.hierarchy]!r} assets, not {asset.model!r}"
            )
        children[asset.parent] += 1
        depths[asset.path] = depths[asset.parent] + 1
        if depths[asset.path] >= MAX_HIERARCHY_DEPTH:
            raise WorldFileError(f"{where}: deeper than the hierarchy depth quota ({MAX_HIERARCHY_DEPTH})")
    for parent_path, n in children.items():
        if n > MAX_CHILDREN_PER_PARENT:
            raise WorldFileError(f"assets.{parent_path}: {n} children, over the quota of {MAX_CHILDREN_PER_PARENT}")
    for model_key, n in per_model.items():
        if n > MAX_ASSETS_PER_MODEL:
            raise WorldFileError(f"models.{model_key}: {n} assets, over the quota of {MAX_ASSETS_PER_MODEL}")


def _validate_monitor(spec: WorldSpec) -> None:
    _unique([p.key for p in spec.portals], "portals")
    _unique([p.key for p in spec.projects], "projects")
    _unique([d.key for d in spec.dashboards], "dashboards")
    _unique([a.key for a in spec.access_policies], "access_policies")
    portals = {p.key for p in spec.portals}
    projects = {p.key for p in spec.projects}
    assets = {a.path for a in spec.assets}
    for project in spec.projects:
        where = f"projects.{project.key}"
        if project.portal not in portals:
            raise WorldFileError(f"{where}.portal: unknown portal {project.portal!r}")
        unknown = [a for a in project.assets if a not in assets]
        if unknown:
            raise WorldFileError(f"{where}.assets: unknown asset {unknown[0]!r}")
        roots = sorted({root_of(a) for a in project.assets})
        if len(roots) > 1:
            raise WorldFileError(
                f"{where}.assets: spans {len(roots)} hierarchy roots ({', '.join(roots)}); "
                "a project's assets must share one root"
            )
    for dashboard in spec.dashboards:
        if dashboard.project not in projects:
            raise WorldFileError(f"dashboards.{dashboard.key}.project: unknown project {dashboard.project!r}")
    for policy in spec.access_policies:
        where = f"access_policies.{policy.key}"
        if (policy.portal is None) == (policy.project is None):
            raise WorldFileError(f"{where}: give exactly one of portal or project")
        if policy.portal is not None and policy.portal not in portals:
            raise WorldFileError(f"{where}.portal: unknown portal {policy.portal!r}")
        if policy.project is not None and policy.project not in projects:
            raise WorldFileError(f"{where}.project: unknown project {policy.project!r}")
        if policy.identity_kind not in IDENTITY_KINDS:
            raise WorldFileError(f"{where}: identity must be one of {', '.join(IDENTITY_KINDS)}")
        if policy.identity_kind.startswith("iam_") and not policy.identity.startswith("arn:aws"):
            raise WorldFileError(f"{where}.{policy.identity_kind}: expected an IAM ARN, got {policy.identity!r}")
        if policy.permission not in PERMISSIONS:
            raise WorldFileError(f"{where}.permission: {policy.permission!r} is not one of {', '.join(PERMISSIONS)}")


def _validate_gateways_and_series(spec: WorldSpec, models: dict[str, ModelSpec]) -> None:
    validate_edge(
        spec.gateways,
        spec.time_series,
        {a.path: a.model for a in spec.assets},
        {m.key: {p.name: p.kind for p in m.properties} for m in spec.models},
        DATA_TYPES,
    )
