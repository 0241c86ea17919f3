"""Gateways: DeleteGateway (no client token) takes the gateway's capability configurations with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

NAMESPACE = "iotsitewise:opcuacollector:3"


def test_deleting_a_gateway_deletes_its_capability_configurations(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """Served: DescribeGatewayCapabilityConfiguration answers what was set; after DeleteGateway the gateway, its
    configuration and its tags answer 404 or are gone, and a second delete is 404 (a resend finds it done)."""
    gateway = sitewise.create_gateway(gatewayName="g", gatewayPlatform={"greengrassV2": {"coreDeviceThingName": "t"}},
                                      tags={"a": "b"})
    gateway_id = gateway["gatewayId"]
    sitewise.update_gateway_capability_configuration(gatewayId=gateway_id, capabilityNamespace=NAMESPACE,
                                                     capabilityConfiguration='{"sources": []}')
    described = sitewise.describe_gateway_capability_configuration(gatewayId=gateway_id, capabilityNamespace=NAMESPACE)
    assert described["capabilityConfiguration"] == '{"sources": []}'
    sitewise.delete_gateway(gatewayId=gateway_id)
    for call, params in (
        (sitewise.describe_gateway, {"gatewayId": gateway_id}),
        (sitewise.describe_gateway_capability_configuration,
         {"gatewayId": gateway_id, "capabilityNamespace": NAMESPACE}),
        (sitewise.delete_gateway, {"gatewayId": gateway_id}),
    ):
        with pytest.raises(ClientError) as caught:
            call(**params)
        assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert sitewise.list_gateways()["gatewaySummaries"] == []
    assert backend.snapshot()["tags"] == {}
