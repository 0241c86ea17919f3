"""World files: TOML in, ``WorldSpec`` out (``load_world``, ``parse_world``); the format's only reader.

The format is documented at the top of ``examples/worlds/windfarm.toml``.

Every table is read through ``toml_table.Table``, which knows its key path, so each error names the key at
fault ("models.turbine.hierarchies.turbines: unknown model 'turbin'") and unknown keys are refused (a typo
must not silently drop a resource).
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from teardown.emulator.seed.errors import WorldFileError
from teardown.emulator.seed.spec import (
    AccessPolicySpec,
    AssetSpec,
    DashboardSpec,
    FormulaSpec,
    ModelSpec,
    PortalSpec,
    ProjectSpec,
    PropertySpec,
    VariableSpec,
    WorldSpec,
    validate_world,
)
from teardown.emulator.seed.spec_edge import GatewaySpec, TimeSeriesSpec
from teardown.emulator.seed.toml_table import Table


def load_world(path: str | Path) -> WorldSpec:
    """Parse and validate a TOML world file; errors name the file and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WorldFileError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise WorldFileError(f"{path}: cannot read the world file: {exc.strerror}") from None
    try:
        spec = parse_world(data)
        validate_world(spec)
    except WorldFileError as exc:
        raise WorldFileError(f"{path}: {exc}") from None
    return spec


def parse_world(data: Mapping[str, Any]) -> WorldSpec:
    """A world from already-parsed TOML data (not yet validated)."""
    top = Table(data, "")
    world = top.table("world", required=True)
    assert world is not None
    name = world.string("name")
    seed = world.integer("seed", default=0, minimum=0)
    description = world.optional_string("description")
    tags = world.string_map("tags")
    world.done()

    models = tuple(_model(key, t) for key, t in top.named_tables("models"))
    # Models first, alone: a typo in a model must be reported as such, not as an asset it breaks.
    validate_world(WorldSpec(name=name, seed=seed, models=models))
    assets: list[AssetSpec] = []
    for node in top.tables("assets"):
        _expand(node, parent=None, models=models, out=assets)
    paths = [a.path for a in assets]
    portals = tuple(_portal(key, t) for key, t in top.named_tables("portals"))
    projects = tuple(_project(key, t, assets) for key, t in top.named_tables("projects"))
    dashboards = tuple(_dashboard(key, t) for key, t in top.named_tables("dashboards"))
    policies = tuple(_access_policy(key, t) for key, t in top.named_tables("access_policies"))
    gateways = tuple(_gateway(key, t) for key, t in top.named_tables("gateways"))
    series = tuple(s for key, t in top.named_tables("time_series") for s in _time_series(key, t, assets, paths))
    top.done()
    return WorldSpec(
        name=name,
        seed=seed,
        description=description,
        tags=tags,
        models=models,
        assets=tuple(assets),
        portals=portals,
        projects=projects,
        dashboards=dashboards,
        access_policies=policies,
        gateways=gateways,
        time_series=series,
    )


def _model(key: str, t: Table) -> ModelSpec:
    properties = []
    for key_name, p in t.named_tables("properties"):
        properties.append(
            PropertySpec(
                name=key_name,
                data_type=p.string("data_type", default="DOUBLE"),
                kind=p.string("kind", default="measurement"),
                unit=p.optional_string("unit"),
                default=p.optional_string("default"),
                formula=_formula(p.table("formula")),
            )
        )
        p.done()
    model = ModelSpec(
        key=key,
        name=t.string("name", default=key),
        type=t.string("type", default="ASSET_MODEL"),
        description=t.optional_string("description"),
        properties=tuple(properties),
        hierarchies=tuple(t.string_map("hierarchies").items()),
        components=tuple(t.string_map("components").items()),
        interfaces=t.string_list("interfaces"),
        tags=t.string_map("tags"),
    )
    t.done()
    return model


def _formula(t: Table | None) -> FormulaSpec | None:
    """``formula = { expression = "...", variables = { NAME = { property = "P", hierarchy = "H" } } }``."""
    if t is None:
        return None
    expression = t.string("expression")
    variables = []
    for name, v in t.named_tables("variables"):
        variables.append(
            VariableSpec(name=name, property=v.string("property"), hierarchy=v.optional_string("hierarchy"))
        )
        v.done()
    t.done()
    return FormulaSpec(expression=expression, variables=tuple(variables))


def _expand(node: Table, *, parent: AssetSpec | None, models: tuple[ModelSpec, ...], out: list[AssetSpec]) -> None:
    """One [[assets]] node, repeated ``count`` times, then its children under each copy."""
    model = node.string("model")
    count = node.integer("count", default=1, minimum=1)
    key_template = node.string("key", default="{model}-{n}" if count > 1 else "{model}")
    name_template = node.string("name", default="{parent} / {key}" if parent else "{key}")
    hierarchy = node.optional_string("hierarchy")
    description = node.optional_string("description")
    tags = node.string_map("tags")
    children = node.tables("children")
    node.done()
    if parent is not None and hierarchy is None:
        hierarchy = _only_hierarchy(node, parent, model, models)
    for n in range(1, count + 1):
        values = {"n": n, "model": model, "parent": parent.name if parent else ""}
        key = _fill(key_template, values, node.key("key"))
        if "/" in key:
            raise WorldFileError(f"{node.key('key')}: {key!r} must not contain '/' (it separates paths)")
        name = _fill(name_template, {**values, "key": key}, node.key("name"))
        asset = AssetSpec(
            path=f"{parent.path}/{key}" if parent else key,
            name=name,
            model=model,
            parent=parent.path if parent else None,
            hierarchy=hierarchy if parent else None,
            description=description,
            tags=tags,
        )
        out.append(asset)
        for child in children:
            # A fresh reader per copy: each child table is read once per parent copy.
            _expand(Table(child.data, child.where), parent=asset, models=models, out=out)


def _only_hierarchy(node: Table, parent: AssetSpec, model: str, models: tuple[ModelSpec, ...]) -> str:
    by_key = {m.key: m for m in models}
    parent_model = by_key.get(parent.model)
    candidates = [h for h, child in (parent_model.hierarchies if parent_model else ()) if child == model]
    if len(candidates) != 1:
        which = "no hierarchy" if not candidates else f"several hierarchies ({', '.join(candidates)})"
        raise WorldFileError(
            f"{node.key('hierarchy')}: model {parent.model!r} has {which} for {model!r} children; name the hierarchy"
        )
    return candidates[0]


def _fill(template: str, values: Mapping[str, Any], where: str) -> str:
    try:
        return template.format_map(values)
    except KeyError as exc:
        raise WorldFileError(
            f"{where}: unknown placeholder {{{exc.args[0]}}} (known: {', '.join('{' + k + '}' for k in values)})"
        ) from None
    except (ValueError, IndexError) as exc:
        raise WorldFileError(f"{where}: bad template {template!r}: {exc}") from None


def _match(patterns: tuple[str, ...], paths: list[str], where: str) -> list[str]:
    """Asset paths matching any pattern ('*' stays within one path segment's text), in spec order."""
    out: list[str] = []
    for pattern in patterns:
        hits = [p for p in paths if fnmatch.fnmatchcase(p, pattern)]
        if not hits:
            raise WorldFileError(f"{where}: {pattern!r} matches no asset")
        out.extend(h for h in hits if h not in out)
    return out


def _portal(key: str, t: Table) -> PortalSpec:
    defaults = PortalSpec(key=key, name=key)
    portal = PortalSpec(
        key=key,
        name=t.string("name", default=key),
        contact_email=t.string("contact_email", default=defaults.contact_email),
        role_arn=t.string("role_arn", default=defaults.role_arn),
        tags=t.string_map("tags"),
    )
    t.done()
    return portal


def _project(key: str, t: Table, assets: list[AssetSpec]) -> ProjectSpec:
    paths = [a.path for a in assets]
    chosen: list[str] = []
    subtree = t.optional_string("subtree")
    if subtree is not None:
        if subtree not in paths:
            raise WorldFileError(f"{t.key('subtree')}: unknown asset {subtree!r}")
        chosen = [p for p in paths if p == subtree or p.startswith(subtree + "/")]
    explicit = t.string_list("assets")
    chosen += [p for p in _match(explicit, paths, t.key("assets")) if p not in chosen]
    project = ProjectSpec(
        key=key,
        name=t.string("name", default=key),
        portal=t.string("portal"),
        assets=tuple(chosen),
        tags=t.string_map("tags"),
    )
    t.done()
    return project


def _dashboard(key: str, t: Table) -> DashboardSpec:
    dashboard = DashboardSpec(
        key=key,
        name=t.string("name", default=key),
        project=t.string("project"),
        definition=t.string("definition", default=DashboardSpec(key, key, "").definition),
        tags=t.string_map("tags"),
    )
    t.done()
    return dashboard


def _access_policy(key: str, t: Table) -> AccessPolicySpec:
    given = [(kind, t.optional_string(kind)) for kind in ("user", "group", "iam_user", "iam_role")]
    identities = [(kind, value) for kind, value in given if value is not None]
    if len(identities) != 1:
        raise WorldFileError(f"{t.where}: give exactly one identity: user, group, iam_user or iam_role")
    policy = AccessPolicySpec(
        key=key,
        identity_kind=identities[0][0],
        identity=identities[0][1],
        permission=t.string("permission", default="VIEWER"),
        portal=t.optional_string("portal"),
        project=t.optional_string("project"),
        tags=t.string_map("tags"),
    )
    t.done()
    return policy


def _gateway(key: str, t: Table) -> GatewaySpec:
    gateway = GatewaySpec(
        key=key,
        name=t.string("name", default=key),
        core_device=t.string("core_device"),
        tags=t.string_map("tags"),
        capabilities=tuple(t.string_map("capabilities").items()),
    )
    t.done()
    return gateway


def _time_series(key: str, t: Table, assets: list[AssetSpec], paths: list[str]) -> list[TimeSeriesSpec]:
    """Bound series (``assets``): one per matching asset, its alias (if any) filled from the asset. Alias-only
    series (no ``assets``): ``count`` of them, the alias filled with {n}."""
    patterns = t.string_list("assets")
    prop = t.optional_string("property")
    alias_template = t.optional_string("alias")
    count = t.integer("count", default=1, minimum=1)
    data_type = t.string("data_type", default="DOUBLE")
    points = t.integer("points", default=0 if patterns and alias_template else 1, minimum=0)
    t.done()
    if not patterns:
        if alias_template is None:
            raise WorldFileError(f"{t.key('alias')}: required for a series bound to no asset (or give assets)")
        if prop is not None:
            raise WorldFileError(f"{t.key('property')}: only a series bound to assets has a property")
        return [
            TimeSeriesSpec(key=f"{key}:{n}", alias=_fill(alias_template, {"n": n}, t.key("alias")),
                           data_type=data_type, points=points)
            for n in range(1, count + 1)
        ]
    if prop is None:
        raise WorldFileError(f"{t.key('property')}: required for a series bound to assets")
    if t.data.get("count") is not None or t.data.get("data_type") is not None:
        raise WorldFileError(f"{t.where}: count and data_type are for series bound to no asset")
    by_path = {a.path: a for a in assets}
    out = []
    for path in _match(patterns, paths, t.key("assets")):
        alias = None if alias_template is None else _fill(
            alias_template, {"path": path, "name": by_path[path].name, "key": path.rsplit("/", 1)[-1]}, t.key("alias")
        )
        out.append(TimeSeriesSpec(key=f"{key}:{path}", alias=alias, asset=path, property=prop, points=points))
    return out
