"""Error rules: a chosen error (with the service's status) on chosen calls, counted or seeded, targeted at
one resource, before or after the call is applied; dropped connections and read timeouts, in-process and
over HTTP; the same rules through the control API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from teardown.emulator import ErrorRule, FaultSettings
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.server import EmulatorServer
from teardown.emulator.service.error_rules import status_of
from tests.emulator.control_api import control

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

TOKEN = "teardown-rules-000000000000000000000000001"


def _error(call: Any, **params: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _asset(sitewise: IoTSiteWiseClient) -> str:
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    return sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]


def test_count_rule_answers_the_error_then_serves(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """count=1: the next DeleteAsset answers AccessDeniedException (403) and deletes nothing; the one after
    is served."""
    asset = _asset(sitewise)
    backend.faults = FaultSettings(errors=(ErrorRule(operation="DeleteAsset", code="AccessDeniedException", count=1),))
    assert _error(sitewise.delete_asset, assetId=asset) == ("AccessDeniedException", 403)
    assert sitewise.describe_asset(assetId=asset)["assetStatus"]["state"] == "ACTIVE"
    assert sitewise.delete_asset(assetId=asset)["assetStatus"]["state"] == "DELETING"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("AccessDeniedException", 403),
        ("ExpiredTokenException", 403),
        ("ThrottlingException", 429),
        ("ServiceUnavailableException", 503),
        ("InternalFailureException", 500),
        ("ConflictingOperationException", 409),
        ("LimitExceededException", 410),
        ("InvalidRequestException", 400),
    ],
)
def test_each_code_answers_with_its_status(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, code: str, status: int
) -> None:
    """Each code arrives with the status of the model's error shape, or the AWS-wide one when the model does
    not declare it (ExpiredTokenException)."""
    backend.faults = FaultSettings(errors=(ErrorRule(operation="ListAssetModels", code=code),))
    assert _error(sitewise.list_asset_models) == (code, status)


def test_status_prefers_what_the_operation_declares() -> None:
    """A code the operation declares takes the shape's status; one it does not falls back to the model's
    shape, then to the AWS-wide table."""
    assert status_of("ConflictingOperationException", "DeleteAsset") == 409
    assert status_of("AccessDeniedException", "DeleteAsset") == 403  # DeleteAsset does not declare it
    assert status_of("ExpiredTokenException", "DeleteAsset") == 403  # the model does not know it at all


def test_rule_without_a_count_strikes_every_time_and_spares_reads(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """A rule with neither count nor probability, and no operation, strikes every mutating call; reads pass."""
    backend.faults = FaultSettings(errors=(ErrorRule(code="ServiceUnavailableException"),))
    for _ in range(3):
        assert _error(sitewise.create_asset_model, assetModelName="m") == ("ServiceUnavailableException", 503)
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_probability_rule_replays_with_the_seed(clock: ManualClock) -> None:
    """A probability rule fails some calls and not others, and the same seed fails the same ones."""

    def outcomes(seed: int) -> list[bool]:
        rule = ErrorRule(operation="CreateAssetModel", code="InternalFailureException", probability=0.5)
        backend = SiteWiseBackend(clock=clock, faults=FaultSettings(errors=(rule,), seed=seed))
        results = []
        for i in range(24):
            try:
                backend.handle("CreateAssetModel", {"assetModelName": f"m{i}"})
                results.append(True)
            except Exception:
                results.append(False)
        return results

    first = outcomes(5)
    assert first == outcomes(5)
    assert True in first and False in first
    assert first != outcomes(6)


def test_resource_rule_strikes_only_calls_naming_that_id(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """A rule with a resource id refuses calls on that resource and serves the same operation on others."""
    target, other = _asset(sitewise), _asset_of_new_model(sitewise)
    backend.faults = FaultSettings(errors=(ErrorRule(operation="DeleteAsset", code="ThrottlingException",
                                                     resource=target),))
    assert sitewise.delete_asset(assetId=other)["assetStatus"]["state"] == "DELETING"
    assert _error(sitewise.delete_asset, assetId=target) == ("ThrottlingException", 429)


def _asset_of_new_model(sitewise: IoTSiteWiseClient) -> str:
    model = sitewise.create_asset_model(assetModelName="other")["assetModelId"]
    return sitewise.create_asset(assetName="b", assetModelId=model)["assetId"]


def test_after_rule_applies_then_answers_and_the_token_replays(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """when=after: a lost response. The model exists although the call failed; the retry with the same
    clientToken is answered from the first call and creates nothing twice."""
    backend.faults = FaultSettings(
        errors=(ErrorRule(operation="CreateAssetModel", code="ServiceUnavailableException", count=1, when="after"),)
    )
    assert _error(sitewise.create_asset_model, assetModelName="m", clientToken=TOKEN)[1] == 503
    created = backend.snapshot()["assetModels"]
    assert [m["name"] for m in created] == ["m"]
    again = sitewise.create_asset_model(assetModelName="m", clientToken=TOKEN)
    assert again["assetModelId"] == created[0]["id"]
    assert len(backend.snapshot()["assetModels"]) == 1


def test_conflict_names_the_resource(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """An injected ConflictingOperationException carries resourceId and resourceArn, as its shape requires."""
    asset = _asset(sitewise)
    backend.faults = FaultSettings(errors=(ErrorRule(operation="DeleteAsset", code="ConflictingOperationException"),))
    with pytest.raises(ClientError) as caught:
        sitewise.delete_asset(assetId=asset)
    body = caught.value.response
    assert body["resourceId"] == asset  # type: ignore[typeddict-item]
    assert body["resourceArn"].endswith(f"asset/{asset}")  # type: ignore[typeddict-item]


def test_dropped_connection_in_process(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """DroppedConnection raises botocore's ConnectionClosedError; with when=after the delete happened."""
    asset = _asset(sitewise)
    backend.faults = FaultSettings(
        errors=(ErrorRule(operation="DeleteAsset", code="DroppedConnection", count=1, when="after"),)
    )
    with pytest.raises(ConnectionClosedError):
        sitewise.delete_asset(assetId=asset)
    assert backend.snapshot()["assets"] == []  # instant latency: the applied delete is already settled


def test_read_timeout_in_process_takes_the_stall_on_the_clock(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """ReadTimeout raises botocore's ReadTimeoutError after the stall has passed on the emulator's clock;
    before the call, nothing was applied."""
    backend.faults = FaultSettings(errors=(ErrorRule(operation="CreateAssetModel", code="ReadTimeout", stall=30),))
    start = clock.now()
    with pytest.raises(ReadTimeoutError):
        sitewise.create_asset_model(assetModelName="m")
    assert clock.now() - start == pytest.approx(30)
    assert backend.snapshot()["assetModels"] == []


def test_rules_are_checked_against_the_model() -> None:
    """Unknown codes and operations, a count beside a probability, or a bad 'when' are refused."""
    with pytest.raises(ValueError, match="unknown error code"):
        ErrorRule(code="NoSuchError")
    with pytest.raises(ValueError, match="not an operation"):
        ErrorRule(code="ThrottlingException", operation="DeleteEverything")
    with pytest.raises(ValueError, match="not both"):
        ErrorRule(code="ThrottlingException", count=1, probability=0.5)
    with pytest.raises(ValueError, match="'when'"):
        ErrorRule(code="ThrottlingException", when="during")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        ErrorRule(code="ThrottlingException", count=0)


# ---- over HTTP -----------------------------------------------------------------------------------------

LOCAL = Config(inject_host_prefix=False, retries={"total_max_attempts": 1}, read_timeout=0.2)


@pytest.fixture
def client(server: EmulatorServer) -> IoTSiteWiseClient:
    return boto3.client("iotsitewise", endpoint_url=server.url, config=LOCAL)


@pytest.mark.http
def test_control_api_sets_and_lists_rules(server: EmulatorServer, client: IoTSiteWiseClient) -> None:
    """POST /_emulator/settings with an error rule: the next DeleteAssetModel answers 403, the one after is
    served; GET /_emulator/settings lists the rule."""
    model = client.create_asset_model(assetModelName="m")["assetModelId"]
    rule = {"operation": "DeleteAssetModel", "code": "AccessDeniedException", "count": 1}
    status, _ = control(server, "POST", "settings", {"faults": {"errors": [rule]}})
    assert status == 200
    _, settings = control(server, "GET", "settings")
    listed = settings["faults"]["errors"]
    assert [{k: listed[0][k] for k in rule}] == [rule]
    assert listed[0]["when"] == "before"
    assert _error(client.delete_asset_model, assetModelId=model) == ("AccessDeniedException", 403)
    assert client.delete_asset_model(assetModelId=model)["ResponseMetadata"]["HTTPStatusCode"] == 202


@pytest.mark.http
def test_control_api_refuses_bad_rules(server: EmulatorServer) -> None:
    """A rule with an unknown code or field is a 400 and leaves the settings as they were."""
    for bad in ({"code": "NoSuchError"}, {"code": "ThrottlingException", "often": True}, "not an object"):
        status, body = control(server, "POST", "settings", {"faults": {"errors": [bad]}})
        assert status == 400, body
    _, settings = control(server, "GET", "settings")
    assert settings["faults"]["errors"] == []


@pytest.mark.http
def test_dropped_connection_over_http(server: EmulatorServer, client: IoTSiteWiseClient) -> None:
    """DroppedConnection over HTTP: the server closes the connection without an answer."""
    control(server, "POST", "settings", {"faults": {"errors": [{"code": "DroppedConnection", "count": 1}]}})
    with pytest.raises(ConnectionClosedError):
        client.create_asset_model(assetModelName="m")
    assert client.create_asset_model(assetModelName="m")["assetModelStatus"]["state"] == "CREATING"


@pytest.mark.http
def test_read_timeout_over_http(server: EmulatorServer, client: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """ReadTimeout over HTTP: the server holds the connection until the client's read timeout gives up."""
    backend.faults = FaultSettings(errors=(ErrorRule(code="ReadTimeout", count=1, when="after", stall=0),))
    with pytest.raises(ReadTimeoutError):
        client.create_asset_model(assetModelName="m")
    assert [m["name"] for m in backend.snapshot()["assetModels"]] == ["m"]  # applied: a lost response
