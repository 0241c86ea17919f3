"""botocore's own SiteWise waiters, unchanged, against realistic latencies on a manual clock.

The waiters sleep between polls; that sleep is pointed at ``clock.advance``, so the emulator's time moves
exactly as far as the waiter would have waited, and no test sleeps for real."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

POLL = 3.0  # every SiteWise waiter polls every 3 s, 20 times


@pytest.fixture(autouse=True)
def _realistic(backend: SiteWiseBackend, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    backend.latency = LatencyProfile.realistic()
    # botocore.waiter does `import time` and calls time.sleep between polls.
    monkeypatch.setattr("botocore.waiter.time.sleep", clock.advance)


def _active_model(sitewise: IoTSiteWiseClient, name: str = "turbine") -> str:
    model_id = sitewise.create_asset_model(assetModelName=name)["assetModelId"]
    sitewise.get_waiter("asset_model_active").wait(assetModelId=model_id)
    return model_id


def test_asset_model_active_waits_through_creating(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """A new model is CREATING; the AssetModelActive waiter polls until ACTIVE, after one poll interval."""
    start = clock.now()
    model_id = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    assert sitewise.describe_asset_model(assetModelId=model_id)["assetModelStatus"]["state"] == "CREATING"
    sitewise.get_waiter("asset_model_active").wait(assetModelId=model_id)
    assert sitewise.describe_asset_model(assetModelId=model_id)["assetModelStatus"]["state"] == "ACTIVE"
    assert clock.now() - start == POLL


def test_asset_active_then_asset_not_exists(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """AssetActive after create; after DeleteAsset the asset is DELETING for a while, then AssetNotExists."""
    model_id = _active_model(sitewise)
    asset_id = sitewise.create_asset(assetName="t1", assetModelId=model_id)["assetId"]
    sitewise.get_waiter("asset_active").wait(assetId=asset_id)
    sitewise.delete_asset(assetId=asset_id)
    assert sitewise.describe_asset(assetId=asset_id)["assetStatus"]["state"] == "DELETING"
    before = clock.now()
    sitewise.get_waiter("asset_not_exists").wait(assetId=asset_id)
    assert clock.now() - before >= POLL  # it really had to wait for the realistic delete
    with pytest.raises(ClientError) as caught:
        sitewise.describe_asset(assetId=asset_id)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_asset_model_not_exists_after_delete(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """DeleteAssetModel answers DELETING; AssetModelNotExists succeeds once the 4 s delete has passed."""
    model_id = _active_model(sitewise)
    assert sitewise.delete_asset_model(assetModelId=model_id)["assetModelStatus"]["state"] == "DELETING"
    before = clock.now()
    sitewise.get_waiter("asset_model_not_exists").wait(assetModelId=model_id)
    assert 4.0 <= clock.now() - before <= 4.0 + 2 * POLL
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_portal_active_then_portal_not_exists(sitewise: IoTSiteWiseClient) -> None:
    """PortalActive and PortalNotExists pass unchanged around a realistic portal create and delete."""
    portal_id = sitewise.create_portal(
        portalName="ops",
        portalContactEmail="ops@example.com",
        roleArn="arn:aws:iam::123456789012:role/portal",
    )["portalId"]
    sitewise.get_waiter("portal_active").wait(portalId=portal_id)
    assert sitewise.describe_portal(portalId=portal_id)["portalStatus"]["state"] == "ACTIVE"
    sitewise.delete_portal(portalId=portal_id)
    sitewise.get_waiter("portal_not_exists").wait(portalId=portal_id)
    assert sitewise.list_portals()["portalSummaries"] == []
