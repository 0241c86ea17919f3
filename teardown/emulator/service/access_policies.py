"""SiteWise Monitor access policies: one identity's permission on one portal or one project."""

from __future__ import annotations

from typing import Any

from teardown.emulator.errors import InvalidRequest, ResourceNotFound
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import AccessPolicy
from teardown.emulator.service.world import Answer, Handler, Params, World


def policy_target(w: World, resource: dict[str, Any]) -> str:
    if len(resource) != 1:
        raise InvalidRequest("An access policy is on exactly one portal or one project.")
    if "portal" in resource:
        return w.portal(resource["portal"]["id"]).id
    return w.project(resource["project"]["id"]).id


def create_access_policy(w: World, p: Params) -> Answer:
    target = policy_target(w, p["accessPolicyResource"])
    if len(p["accessPolicyIdentity"]) != 1:
        raise InvalidRequest("An access policy names exactly one identity.")
    policy_id = w.new_id()
    now = w.now()
    policy = AccessPolicy(
        policy_id,
        w.arn("access-policy", policy_id),
        dict(p["accessPolicyIdentity"]),
        dict(p["accessPolicyResource"]),
        p["accessPolicyPermission"],
        now,
        now,
        seq=w.next_seq(),
    )
    w.policies[policy_id] = policy
    w.policies_on.setdefault(target, {})[policy_id] = None
    if p.get("tags"):
        w.tags[policy.arn] = dict(p["tags"])
    return {"accessPolicyId": policy_id, "accessPolicyArn": policy.arn}


def _policy(w: World, policy_id: str) -> AccessPolicy:
    found = w.policies.get(policy_id)
    if found is None:
        raise ResourceNotFound(f"Access policy {policy_id} not found.")
    return found


def describe_access_policy(w: World, p: Params) -> Answer:
    x = _policy(w, p["accessPolicyId"])
    return {
        "accessPolicyId": x.id,
        "accessPolicyArn": x.arn,
        "accessPolicyIdentity": x.identity,
        "accessPolicyResource": x.resource,
        "accessPolicyPermission": x.permission,
        "accessPolicyCreationDate": x.created,
        "accessPolicyLastUpdateDate": x.updated,
    }


def _identity_matches(
    policy: AccessPolicy, identity_type: str | None, identity_id: str | None, iam_arn: str | None
) -> bool:
    identity = policy.identity
    if identity_type == "USER":
        return bool(identity.get("user", {}).get("id") == identity_id)
    if identity_type == "GROUP":
        return bool(identity.get("group", {}).get("id") == identity_id)
    if identity_type == "IAM":
        arns = {identity.get("iamUser", {}).get("arn"), identity.get("iamRole", {}).get("arn")}
        return iam_arn in arns
    return True


def list_access_policies(w: World, p: Params) -> Answer:
    resource_type, resource_id = p.get("resourceType"), p.get("resourceId")
    if (resource_type is None) != (resource_id is None):
        raise InvalidRequest("ListAccessPolicies takes resourceType and resourceId together.")
    identity_type = p.get("identityType")
    if identity_type in ("USER", "GROUP") and p.get("identityId") is None:
        raise InvalidRequest(f"ListAccessPolicies with identityType {identity_type} needs an identityId.")
    if identity_type == "IAM" and p.get("iamArn") is None:
        raise InvalidRequest("ListAccessPolicies with identityType IAM needs an iamArn.")
    if resource_id is not None:
        candidates = [w.policies[i] for i in w.policies_on.get(resource_id, {})]
        candidates = [x for x in candidates if x.resource_type == resource_type]
    else:
        candidates = list(w.policies.values())
    candidates = [x for x in candidates if _identity_matches(x, identity_type, p.get("identityId"), p.get("iamArn"))]
    page, more = paginate("ListAccessPolicies", p, candidates, lambda x: (x.seq,))
    rows = [
        {
            "id": x.id,
            "identity": x.identity,
            "resource": x.resource,
            "permission": x.permission,
            "creationDate": x.created,
            "lastUpdateDate": x.updated,
        }
        for x in page
    ]
    return {"accessPolicySummaries": rows, **more}


def delete_access_policy(w: World, p: Params) -> Answer:
    x = _policy(w, p["accessPolicyId"])
    del w.policies[x.id]
    w.policies_on.get(x.resource_id, {}).pop(x.id, None)
    w.tags.pop(x.arn, None)
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateAccessPolicy": create_access_policy,
    "DescribeAccessPolicy": describe_access_policy,
    "ListAccessPolicies": list_access_policies,
    "DeleteAccessPolicy": delete_access_policy,
}
