"""Gateways: independent resources with no state and no client token."""

from __future__ import annotations

from teardown.emulator.errors import ResourceNotFound
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import Gateway
from teardown.emulator.service.world import Answer, Handler, Params, World

# The emulator has no gateway device to apply a configuration: a stored one stays OUT_OF_SYNC, as the
# service reports right after an update until the gateway picks it up.
_SYNC = "OUT_OF_SYNC"


def _gateway(w: World, gateway_id: str) -> Gateway:
    found = w.gateways.get(gateway_id)
    if found is None:
        raise ResourceNotFound(f"Gateway {gateway_id} not found.")
    return found


def _out(w: World, g: Gateway) -> Answer:
    out: Answer = {
        "gatewayId": g.id,
        "gatewayName": g.name,
        "gatewayArn": g.arn,
        "gatewayPlatform": g.platform,
        "gatewayCapabilitySummaries": [
            {"capabilityNamespace": ns, "capabilitySyncStatus": _SYNC} for ns in w.capabilities.get(g.id, {})
        ],
        "creationDate": g.created,
        "lastUpdateDate": g.updated,
    }
    if g.version is not None:
        out["gatewayVersion"] = g.version
    return out


def create_gateway(w: World, p: Params) -> Answer:
    gateway_id = w.new_id()
    now = w.now()
    gateway = Gateway(
        gateway_id,
        w.arn("gateway", gateway_id),
        p["gatewayName"],
        dict(p["gatewayPlatform"]),
        now,
        now,
        p.get("gatewayVersion"),
        seq=w.next_seq(),
    )
    w.gateways[gateway_id] = gateway
    if p.get("tags"):
        w.tags[gateway.arn] = dict(p["tags"])
    return {"gatewayId": gateway_id, "gatewayArn": gateway.arn}


def describe_gateway(w: World, p: Params) -> Answer:
    return _out(w, _gateway(w, p["gatewayId"]))


def list_gateways(w: World, p: Params) -> Answer:
    page, more = paginate("ListGateways", p, list(w.gateways.values()), lambda g: (g.seq,))
    rows = []
    for g in page:
        row = _out(w, g)
        del row["gatewayArn"]  # not a member of GatewaySummary
        rows.append(row)
    return {"gatewaySummaries": rows, **more}


def delete_gateway(w: World, p: Params) -> Answer:
    gateway = _gateway(w, p["gatewayId"])
    del w.gateways[gateway.id]
    w.capabilities.pop(gateway.id, None)
    w.tags.pop(gateway.arn, None)
    return {}


def update_gateway(w: World, p: Params) -> Answer:
    gateway = _gateway(w, p["gatewayId"])
    gateway.name = p["gatewayName"]
    gateway.updated = w.now()
    return {}


def update_capability(w: World, p: Params) -> Answer:
    gateway = _gateway(w, p["gatewayId"])
    w.capabilities.setdefault(gateway.id, {})[p["capabilityNamespace"]] = p["capabilityConfiguration"]
    gateway.updated = w.now()
    return {"capabilityNamespace": p["capabilityNamespace"], "capabilitySyncStatus": _SYNC}


def describe_capability(w: World, p: Params) -> Answer:
    gateway = _gateway(w, p["gatewayId"])
    namespace = p["capabilityNamespace"]
    configuration = w.capabilities.get(gateway.id, {}).get(namespace)
    if configuration is None:
        raise ResourceNotFound(f"Gateway {gateway.id} has no configuration for capability {namespace}.")
    return {
        "gatewayId": gateway.id,
        "capabilityNamespace": namespace,
        "capabilityConfiguration": configuration,
        "capabilitySyncStatus": _SYNC,
    }


HANDLERS: dict[str, Handler] = {
    "UpdateGateway": update_gateway,
    "UpdateGatewayCapabilityConfiguration": update_capability,
    "DescribeGatewayCapabilityConfiguration": describe_capability,
    "CreateGateway": create_gateway,
    "DescribeGateway": describe_gateway,
    "ListGateways": list_gateways,
    "DeleteGateway": delete_gateway,
}
