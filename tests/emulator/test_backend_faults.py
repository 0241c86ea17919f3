"""Injected faults: InternalFailure before (nothing applied) or after (applied), added latency on the
clock, and deletes that end FAILED and are accepted again. All decided by a seeded RNG."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import FaultSettings
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.errors import InternalFailure

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

TOKEN = "teardown-fault-000000000000000000000000001"


def test_internal_before_applies_nothing(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """With internal_before=1 a mutation answers 500 and the state is unchanged."""
    backend.faults = FaultSettings(internal_before=1.0)
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        sitewise.create_asset_model(assetModelName="m")
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InternalFailureException", 500)
    assert backend.snapshot() == before


def test_throttle_before_answers_429_and_applies_nothing(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """With throttle_before=1 a mutation answers ThrottlingException (429), quotas off, state unchanged;
    reads are spared by default."""
    backend.faults = FaultSettings(throttle_before=1.0)
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        sitewise.create_asset_model(assetModelName="m")
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ThrottlingException", 429)
    assert backend.snapshot() == before
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_faults_spare_reads_by_default(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Without an operations filter faults hit mutating operations only."""
    backend.faults = FaultSettings(internal_before=1.0)
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_operations_filter_restricts_faults(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """With operations={"DeleteAsset"} a create goes through while the delete fails."""
    backend.faults = FaultSettings(internal_before=1.0, operations=frozenset({"DeleteAsset"}))
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    with pytest.raises(ClientError) as caught:
        sitewise.delete_asset(assetId=asset)
    assert caught.value.response["Error"]["Code"] == "InternalFailureException"
    assert sitewise.describe_asset(assetId=asset)["assetStatus"]["state"] == "ACTIVE"


def test_internal_after_applies_then_fails_and_the_token_replays(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """A lost answer: the model exists although the call failed; the retry with its token gets the answer."""
    backend.faults = FaultSettings(internal_after=1.0)
    with pytest.raises(ClientError) as caught:
        sitewise.create_asset_model(assetModelName="m", clientToken=TOKEN)
    assert caught.value.response["Error"]["Code"] == "InternalFailureException"
    created = backend.snapshot()["assetModels"]
    assert [m["name"] for m in created] == ["m"]
    backend.faults = FaultSettings()
    again = sitewise.create_asset_model(assetModelName="m", clientToken=TOKEN)
    assert again["assetModelId"] == created[0]["id"]
    assert len(backend.snapshot()["assetModels"]) == 1


def test_added_latency_moves_the_clock(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """added_latency sleeps on the backend's clock (a ManualClock advances instead of waiting)."""
    backend.faults = FaultSettings(added_latency=2.5)
    start = clock.now()
    sitewise.create_asset_model(assetModelName="m")
    assert clock.now() - start == pytest.approx(2.5)


def test_failed_delete_ends_failed_and_is_accepted_again(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """An asset in fail_delete_ids ends FAILED with an INTERNAL_FAILURE error; a second delete removes it."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    backend.faults = FaultSettings(fail_delete_ids=frozenset({asset}))
    assert sitewise.delete_asset(assetId=asset)["assetStatus"]["state"] == "DELETING"
    status = sitewise.describe_asset(assetId=asset)["assetStatus"]
    assert status["state"] == "FAILED"
    assert status["error"]["code"] == "INTERNAL_FAILURE"
    with pytest.raises(ClientError) as caught:
        sitewise.update_asset(assetId=asset, assetName="renamed")
    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"
    # The model still has the FAILED asset, so it cannot go yet.
    with pytest.raises(ClientError):
        sitewise.delete_asset_model(assetModelId=model)
    backend.faults = FaultSettings()
    sitewise.delete_asset(assetId=asset)
    with pytest.raises(ClientError) as caught:
        sitewise.describe_asset(assetId=asset)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_failed_model_delete_is_retryable(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A model delete that fails leaves the model FAILED; DeleteAssetModel is accepted again."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    backend.faults = FaultSettings(fail_delete_rate=1.0)
    sitewise.delete_asset_model(assetModelId=model)
    assert sitewise.describe_asset_model(assetModelId=model)["assetModelStatus"]["state"] == "FAILED"
    backend.faults = FaultSettings()
    sitewise.delete_asset_model(assetModelId=model)
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_fault_decisions_are_reproducible(clock: ManualClock) -> None:
    """Two backends with the same seed fail the same calls."""

    def outcomes() -> list[bool]:
        backend = SiteWiseBackend(clock=clock, faults=FaultSettings(internal_before=0.5, seed=7))
        results = []
        for i in range(20):
            try:
                backend.handle("CreateAssetModel", {"assetModelName": f"m{i}"})
                results.append(True)
            except InternalFailure:
                results.append(False)
        return results

    first = outcomes()
    assert first == outcomes()
    assert True in first and False in first
