"""Request-rate quotas: token buckets per family on the backend's clock, answering
ThrottlingException (429) past the rate and refilling as the clock moves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import botocore.session
import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.service.quotas import FAMILIES, QuotaSettings, family_of

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient


def test_model_family_throttles_after_ten_calls_in_one_instant(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """With "aws" quotas the 11th model call in the same instant is 429 and applies nothing."""
    backend.quotas = "aws"
    for i in range(10):
        sitewise.create_asset_model(assetModelName=f"m{i}")
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        sitewise.create_asset_model(assetModelName="one-too-many")
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ThrottlingException", 429)
    assert backend.snapshot() == before


def test_bucket_refills_as_the_clock_advances(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """After a throttle, 0.1 s of clock time at 10 TPS gives back exactly one call."""
    backend.quotas = "aws"
    for _ in range(10):
        sitewise.list_asset_models()
    with pytest.raises(ClientError):
        sitewise.list_asset_models()
    clock.advance(0.1)
    sitewise.list_asset_models()
    with pytest.raises(ClientError) as caught:
        sitewise.list_asset_models()
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    clock.advance(1.0)
    for _ in range(10):
        sitewise.list_asset_models()


def test_families_have_separate_buckets(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Exhausting the model family leaves the monitor family (portals) untouched."""
    backend.quotas = "aws"
    for _ in range(10):
        sitewise.list_asset_models()
    with pytest.raises(ClientError):
        sitewise.list_asset_models()
    assert sitewise.list_portals()["portalSummaries"] == []


def test_quotas_off_never_throttle(sitewise: IoTSiteWiseClient) -> None:
    """The default "off" preset lets many calls through in one instant."""
    for _ in range(200):
        sitewise.list_asset_models()


def test_custom_rates_apply(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A QuotaSettings with asset_tps=2 throttles the third asset call of an instant."""
    backend.quotas = QuotaSettings(asset_tps=2)
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    sitewise.list_assets(assetModelId=model)
    sitewise.list_assets(assetModelId=model)
    with pytest.raises(ClientError) as caught:
        sitewise.list_assets(assetModelId=model)
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"


def test_throttled_calls_are_counted(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """call_counts counts every call, refused ones included."""
    backend.quotas = QuotaSettings(model_tps=1)
    sitewise.list_asset_models()
    with pytest.raises(ClientError):
        sitewise.list_asset_models()
    assert backend.call_counts()["ListAssetModels"] == 2


def test_every_operation_has_a_family() -> None:
    """family_of maps each service-model operation to a known family: monitor, model, asset, time series..."""
    model = botocore.session.get_session().get_service_model("iotsitewise")
    families = {name: family_of(name) for name in model.operation_names}
    assert set(families.values()) <= set(FAMILIES)
    expected = {
        "CreateAsset": "asset",
        "AssociateAssets": "asset",
        "ListAssets": "asset",
        "DeleteAssetModel": "model",
        "CreateAssetModelCompositeModel": "model",
        "PutAssetModelInterfaceRelationship": "model",
        "ListCompositionRelationships": "model",
        "DeletePortal": "monitor",
        "BatchDisassociateProjectAssets": "monitor",
        "DeleteTimeSeries": "time_series",
        "DeleteGateway": "gateway",
    }
    assert {name: families[name] for name in expected} == expected
    with pytest.raises(ValueError, match="not an iotsitewise operation"):
        family_of("NoSuchOperation")
