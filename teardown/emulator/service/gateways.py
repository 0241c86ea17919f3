"""Gateways: independent resources with no state and no client token."""

from __future__ import annotations

from teardown.emulator.errors import ResourceNotFound
from teardown.emulator.service.pagination import paginate
from teardown.emulator.service.resources import Gateway
from teardown.emulator.service.world import Answer, Handler, Params, World


def _gateway(w: World, gateway_id: str) -> Gateway:
    found = w.gateways.get(gateway_id)
    if found is None:
        raise ResourceNotFound(f"Gateway {gateway_id} not found.")
    return found


def _out(g: Gateway) -> Answer:
    out: Answer = {
        "gatewayId": g.id,
        "gatewayName": g.name,
        "gatewayArn": g.arn,
        "gatewayPlatform": g.platform,
        "gatewayCapabilitySummaries": [],
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
    return _out(_gateway(w, p["gatewayId"]))


def list_gateways(w: World, p: Params) -> Answer:
    page, more = paginate("ListGateways", p, list(w.gateways.values()), lambda g: (g.seq,))
    rows = []
    for g in page:
        row = _out(g)
        del row["gatewayArn"]  # not a member of GatewaySummary
        rows.append(row)
    return {"gatewaySummaries": rows, **more}


def delete_gateway(w: World, p: Params) -> Answer:
    gateway = _gateway(w, p["gatewayId"])
    del w.gateways[gateway.id]
    w.tags.pop(gateway.arn, None)
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateGateway": create_gateway,
    "DescribeGateway": describe_gateway,
    "ListGateways": list_gateways,
    "DeleteGateway": delete_gateway,
}
