"""Seeding the Monitor side and gateways: portals (ACTIVE), projects, dashboards, policies, gateways (with their
capability configurations); project assets."""

from __future__ import annotations

from typing import Any

from teardown.emulator.seed.calls import check_state
from teardown.emulator.seed.context import SeedContext, put_optional
from teardown.emulator.seed.errors import SeedError
from teardown.emulator.seed.seeded import SeededWorld

_PROJECT_BATCH = 100  # BatchAssociateProjectAssets takes 1 to 100 asset ids


def create_monitor_resources(ctx: SeedContext, world: SeededWorld) -> None:
    """Portals (and wait until ACTIVE), projects, dashboards, access policies and gateways, one at a time."""
    spec, ids, caller, client = ctx.spec, ctx.ids, ctx.caller, ctx.client
    for portal in spec.portals:
        params: dict[str, Any] = {
            "portalName": portal.name,
            "portalContactEmail": portal.contact_email,
            "roleArn": portal.role_arn,
            "clientToken": ids.token("CreatePortal", portal.key),
        }
        put_optional(params, "tags", spec.tags_for(portal.tags))
        created = caller.call(f"CreatePortal {portal.key}", client.create_portal, params)
        world.portals[portal.key] = created["portalId"]
    for key, portal_id in world.portals.items():
        _wait_portal(ctx, key, portal_id)
    for project in spec.projects:
        params = {
            "portalId": world.portals[project.portal],
            "projectName": project.name,
            "clientToken": ids.token("CreateProject", project.key),
        }
        put_optional(params, "tags", spec.tags_for(project.tags))
        project_created = caller.call(f"CreateProject {project.key}", client.create_project, params)
        world.projects[project.key] = project_created["projectId"]
    for dashboard in spec.dashboards:
        params = {
            "projectId": world.projects[dashboard.project],
            "dashboardName": dashboard.name,
            "dashboardDefinition": dashboard.definition,
            "clientToken": ids.token("CreateDashboard", dashboard.key),
        }
        put_optional(params, "tags", spec.tags_for(dashboard.tags))
        dashboard_created = caller.call(f"CreateDashboard {dashboard.key}", client.create_dashboard, params)
        world.dashboards[dashboard.key] = dashboard_created["dashboardId"]
    for policy in spec.access_policies:
        resource = (
            {"portal": {"id": world.portals[policy.portal]}}
            if policy.portal is not None
            else {"project": {"id": world.projects[policy.project or ""]}}
        )
        params = {
            "accessPolicyIdentity": _identity(policy.identity_kind, policy.identity),
            "accessPolicyResource": resource,
            "accessPolicyPermission": policy.permission,
            "clientToken": ids.token("CreateAccessPolicy", policy.key),
        }
        put_optional(params, "tags", spec.tags_for(policy.tags))
        policy_created = caller.call(f"CreateAccessPolicy {policy.key}", client.create_access_policy, params)
        world.access_policies[policy.key] = policy_created["accessPolicyId"]
    for gateway in spec.gateways:
        params = {
            "gatewayName": gateway.name,
            "gatewayPlatform": {"greengrassV2": {"coreDeviceThingName": gateway.core_device}},
        }
        put_optional(params, "tags", spec.tags_for(gateway.tags))
        # CreateGateway takes no clientToken: only a throttled request (never applied) is safe to resend.
        gateway_created = caller.call(
            f"CreateGateway {gateway.key}",
            client.create_gateway,
            params,
            transient=frozenset({"ThrottlingException"}),
        )
        world.gateways[gateway.key] = gateway_created["gatewayId"]
        for namespace, configuration in gateway.capabilities:
            # Takes no clientToken either, but setting a configuration twice leaves it as set once.
            caller.call(
                f"UpdateGatewayCapabilityConfiguration {gateway.key} {namespace}",
                client.update_gateway_capability_configuration,
                {"gatewayId": gateway_created["gatewayId"], "capabilityNamespace": namespace,
                 "capabilityConfiguration": configuration},
            )


def _wait_portal(ctx: SeedContext, key: str, portal_id: str) -> None:
    def active() -> bool:
        status = ctx.client.describe_portal(portalId=portal_id)["portalStatus"]
        return check_state(f"portal {key}", status["state"], error=status.get("error"))

    ctx.caller.wait_until(f"portal {key} ACTIVE", active, timeout=ctx.timeout)


def _identity(kind: str, value: str) -> dict[str, Any]:
    if kind == "iam_user":
        return {"iamUser": {"arn": value}}
    if kind == "iam_role":
        return {"iamRole": {"arn": value}}
    return {kind: {"id": value}}


def link_project_assets(ctx: SeedContext, world: SeededWorld) -> None:
    """Each project's assets, 100 per call; after the hierarchy, since a project's assets must share one root."""
    for project in ctx.spec.projects:
        project_id = world.projects[project.key]
        asset_ids = tuple(ctx.ids.asset(p) for p in project.assets)
        for start in range(0, len(asset_ids), _PROJECT_BATCH):
            batch = list(asset_ids[start : start + _PROJECT_BATCH])
            answer = ctx.caller.call(
                f"BatchAssociateProjectAssets {project.key}",
                ctx.client.batch_associate_project_assets,
                {
                    "projectId": project_id,
                    "assetIds": batch,
                    "clientToken": ctx.ids.token("BatchAssociateProjectAssets", f"{project.key}#{start}"),
                },
            )
            # A 200 is not proof: per-asset failures come back in errors[].
            if answer.get("errors"):
                first = answer["errors"][0]
                raise SeedError(
                    f"project {project.key}: asset {first.get('assetId')} not linked: "
                    f"{first.get('code')}: {first.get('message')}"
                )
        world.project_assets[project_id] = asset_ids
