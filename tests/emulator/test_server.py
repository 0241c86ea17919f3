"""The HTTP server: boto3 over a loopback port, STS from moto on the same port, and the control API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from teardown.emulator.clock import ManualClock
from teardown.emulator.server import EmulatorServer
from tests.emulator.control_api import control

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

pytestmark = pytest.mark.http

LOCAL = Config(inject_host_prefix=False, retries={"total_max_attempts": 1})


@pytest.fixture
def client(server: EmulatorServer) -> IoTSiteWiseClient:
    return boto3.client("iotsitewise", endpoint_url=server.url, config=LOCAL)


def _code(call: Any, **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_boto3_round_trip_over_http(client: IoTSiteWiseClient) -> None:
    """Create, describe (ETag header), list and delete a model through a real socket."""
    model_id = client.create_asset_model(assetModelName="over-http")["assetModelId"]
    described = client.describe_asset_model(assetModelId=model_id)
    assert described["assetModelName"] == "over-http"
    assert len(described["eTag"]) == 43
    assert [m["id"] for m in client.list_asset_models()["assetModelSummaries"]] == [model_id]
    assert client.delete_asset_model(assetModelId=model_id)["ResponseMetadata"]["HTTPStatusCode"] == 202


def test_errors_over_http_keep_their_codes(client: IoTSiteWiseClient) -> None:
    """404, 400 and 501 arrive over HTTP with the same code and status as in-process."""
    missing = "11111111-2222-4333-8444-555555555555"
    assert _code(client.describe_asset, assetId=missing) == ("ResourceNotFoundException", 404)
    assert _code(client.list_assets, filter="ALL") == ("InvalidRequestException", 400)  # ALL needs a model id
    assert _code(client.list_workspaces) == ("NotImplementedByEmulator", 501)


def test_malformed_json_over_http_is_400(server: EmulatorServer) -> None:
    """A signed-looking request with a broken body is InvalidRequestException, never a 500."""
    request = urllib.request.Request(
        f"{server.url}/asset-models",
        data=b"{broken",
        method="POST",
        headers={"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/iotsitewise/aws4_request"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert caught.value.headers["X-Amzn-ErrorType"] == "InvalidRequestException"


def test_sts_answers_on_the_same_port(server: EmulatorServer) -> None:
    """Requests signed for STS go to moto's server app: GetCallerIdentity works on the emulator's port."""
    sts = boto3.client("sts", endpoint_url=server.url, region_name="us-east-1")
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_control_calls_snapshot_and_reset(server: EmulatorServer, client: IoTSiteWiseClient) -> None:
    """calls counts per operation; snapshot shows the state; reset empties it (and the counts)."""
    client.create_asset_model(assetModelName="m")
    client.list_asset_models()
    assert control(server, "GET", "calls") == (200, {"CreateAssetModel": 1, "ListAssetModels": 1})
    status, snapshot = control(server, "GET", "snapshot")
    assert status == 200 and "m" in json.dumps(snapshot)
    assert control(server, "POST", "reset") == (200, {"reset": True})
    assert client.list_asset_models()["assetModelSummaries"] == []
    assert control(server, "GET", "calls")[1] == {"ListAssetModels": 1}


def test_control_settings_latency_and_manual_clock(server: EmulatorServer, client: IoTSiteWiseClient) -> None:
    """Switch to realistic latency, see CREATING, advance the manual clock over HTTP, see ACTIVE."""
    status, settings = control(server, "POST", "settings", {"latency": "realistic"})
    assert status == 200 and settings["latency_profile"] == "realistic" and settings["clock"] == "manual"
    model_id = client.create_asset_model(assetModelName="slow")["assetModelId"]
    assert client.describe_asset_model(assetModelId=model_id)["assetModelStatus"]["state"] == "CREATING"
    status, advanced = control(server, "POST", "clock/advance", {"seconds": 10})
    assert status == 200 and advanced["now"] == ManualClock().now() + 10
    assert client.describe_asset_model(assetModelId=model_id)["assetModelStatus"]["state"] == "ACTIVE"


def test_control_per_family_quota_throttles(server: EmulatorServer, client: IoTSiteWiseClient) -> None:
    """quotas {"model": 1}: the second model call in the same instant is ThrottlingException 429."""
    assert control(server, "POST", "settings", {"quotas": {"model": 1}})[1]["quotas"]["model_tps"] == 1
    client.list_asset_models()
    assert _code(client.list_asset_models) == ("ThrottlingException", 429)
    client.list_portals()  # other families are not limited


def test_control_faults_inject_internal_failures(server: EmulatorServer, client: IoTSiteWiseClient) -> None:
    """faults internal_before=1 on CreateAssetModel: 500 InternalFailureException and nothing created."""
    faults = {"internal_before": 1.0, "operations": ["CreateAssetModel"]}
    assert control(server, "POST", "settings", {"faults": faults})[0] == 200
    assert _code(client.create_asset_model, assetModelName="m") == ("InternalFailureException", 500)
    assert control(server, "POST", "settings", {"faults": None})[1]["faults"]["internal_before"] == 0.0
    assert client.list_asset_models()["assetModelSummaries"] == []


def test_control_rejects_bad_settings_and_changes_nothing(server: EmulatorServer) -> None:
    """An unknown preset, field or malformed body is 400, and no setting moved."""
    before = control(server, "GET", "settings")[1]
    assert control(server, "POST", "settings", {"latency": "realistic", "quotas": "unlimited"})[0] == 400
    assert control(server, "POST", "settings", {"colour": "blue"})[0] == 400
    assert control(server, "POST", "settings", {"time_scale": -1})[0] == 400
    assert control(server, "POST", "settings", b"{nope")[0] == 400
    assert control(server, "GET", "settings")[1] == before


def test_time_scale_swaps_in_a_scaled_clock_which_cannot_be_advanced(server: EmulatorServer) -> None:
    """time_scale replaces the clock with a ScaledClock; advancing it by hand is then refused (409)."""
    status, settings = control(server, "POST", "settings", {"time_scale": 60})
    assert status == 200 and settings["time_scale"] == 60.0 and settings["clock"] == "ScaledClock"
    assert control(server, "POST", "clock/advance", {"seconds": 1})[0] == 409


def test_unknown_control_endpoint_lists_the_endpoints(server: EmulatorServer) -> None:
    """A typo in the control path is 404 with the list of endpoints."""
    status, document = control(server, "GET", "setings")
    assert status == 404
    assert "GET /_emulator/settings" in document["endpoints"]
