"""Eventual consistency of listings: a removed resource still lists for a while after Describe answers 404,
a new one lists late (Describe sees it first); off by default, and settable through the control API."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import ConsistencySettings
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.server import serve

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient


def _assets(sitewise: IoTSiteWiseClient, model: str) -> list[tuple[str, str]]:
    rows = sitewise.list_assets(assetModelId=model)["assetSummaries"]
    return [(row["id"], row["status"]["state"]) for row in rows]


def _gone(sitewise: IoTSiteWiseClient, asset: str) -> bool:
    try:
        sitewise.describe_asset(assetId=asset)
    except ClientError as error:
        return error.response["Error"]["Code"] == "ResourceNotFoundException"
    return False


def _model_and_asset(sitewise: IoTSiteWiseClient) -> tuple[str, str]:
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    return model, sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]


def test_listings_are_strict_by_default(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Without consistency settings a new asset lists at once and a deleted one is gone from lists at once."""
    assert backend.consistency.strict
    model, asset = _model_and_asset(sitewise)
    assert [row[0] for row in _assets(sitewise, model)] == [asset]
    sitewise.delete_asset(assetId=asset)
    assert _gone(sitewise, asset)
    assert _assets(sitewise, model) == []


def test_a_deleted_asset_still_lists_after_describe_answers_404(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """With delete_lag=5 the removed asset lists, DELETING, for 5 s after Describe stops seeing it."""
    model, asset = _model_and_asset(sitewise)
    backend.consistency = ConsistencySettings(delete_lag=5)
    sitewise.delete_asset(assetId=asset)
    assert _gone(sitewise, asset)
    assert _assets(sitewise, model) == [(asset, "DELETING")]
    clock.advance(4.9)
    assert _assets(sitewise, model) == [(asset, "DELETING")]
    clock.advance(0.2)
    assert _assets(sitewise, model) == []


def test_a_new_asset_lists_late(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock) -> None:
    """With create_lag=3 Describe sees a new asset at once; ListAssets shows it only 3 s after its creation."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    clock.advance(10)  # the model itself is old enough to list
    backend.consistency = ConsistencySettings(create_lag=3)
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    assert sitewise.describe_asset(assetId=asset)["assetId"] == asset
    assert _assets(sitewise, model) == []
    assert [m["id"] for m in sitewise.list_asset_models()["assetModelSummaries"]] == [model]
    clock.advance(3)
    assert [row[0] for row in _assets(sitewise, model)] == [asset]


def test_list_lag_works_both_ways_and_one_way_can_be_switched_off(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """list_lag sets both lags; create_lag=0 beside it keeps only the delete lag."""
    both = ConsistencySettings(list_lag=2)
    assert (both.new_lag, both.gone_lag) == (2, 2)
    backend.consistency = ConsistencySettings(list_lag=2, create_lag=0)
    model, asset = _model_and_asset(sitewise)
    assert [row[0] for row in _assets(sitewise, model)] == [asset]
    sitewise.delete_asset(assetId=asset)
    assert _gone(sitewise, asset)
    assert [row[0] for row in _assets(sitewise, model)] == [asset]


def test_ghosts_never_block_a_rule(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A removed asset that still lists does not keep its model from being deleted, and the snapshot (the
    truth) holds no ghost; the deleted model lists late too, as do portals."""
    model, asset = _model_and_asset(sitewise)
    backend.consistency = ConsistencySettings(delete_lag=60)
    sitewise.delete_asset(assetId=asset)
    assert _gone(sitewise, asset)
    sitewise.delete_asset_model(assetModelId=model)
    assert backend.snapshot()["assets"] == [] and backend.snapshot()["assetModels"] == []
    assert [m["id"] for m in sitewise.list_asset_models()["assetModelSummaries"]] == [model]
    assert [row[0] for row in _assets(sitewise, model)] == [asset]
    portal = sitewise.create_portal(
        portalName="p", portalContactEmail="ops@example.com", roleArn="arn:aws:iam::123456789012:role/portal"
    )["portalId"]
    sitewise.list_portals()  # settle CREATING -> ACTIVE
    sitewise.delete_portal(portalId=portal)
    with pytest.raises(ClientError):
        sitewise.describe_portal(portalId=portal)
    assert [p["id"] for p in sitewise.list_portals()["portalSummaries"]] == [portal]
    assert backend.snapshot()["portals"] == []


def test_bad_lags_are_refused() -> None:
    """A negative or non-numeric lag is a ValueError."""
    with pytest.raises(ValueError, match="non-negative"):
        ConsistencySettings(list_lag=-1)
    with pytest.raises(ValueError, match="non-negative"):
        ConsistencySettings(delete_lag="soon")  # type: ignore[arg-type]


@pytest.mark.http
def test_consistency_through_the_control_api(backend: SiteWiseBackend) -> None:
    """POST /_emulator/settings {"consistency": {...}} switches it on, GET lists it, null switches it off."""
    with serve(backend) as server:

        def post(body: object) -> dict[str, object]:
            request = urllib.request.Request(
                f"{server.url}/_emulator/settings", data=json.dumps(body).encode(), method="POST"
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                answer: dict[str, object] = json.loads(response.read())
                return answer

        settings = post({"consistency": {"list_lag": 5}})
        assert settings["consistency"] == {"list_lag": 5, "create_lag": None, "delete_lag": None}
        assert backend.consistency == ConsistencySettings(list_lag=5)
        post({"consistency": None})
        assert backend.consistency.strict
