"""clientToken idempotency: same token and parameters replay the first answer and
do nothing again; the same token with other parameters is InvalidRequest."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

TOKEN = "teardown-0000000000000000000000000000001"
OTHER = "teardown-0000000000000000000000000000002"


def test_create_with_the_same_token_replays(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A repeated CreateAssetModel with the same token answers the same id and creates one model."""
    first = sitewise.create_asset_model(assetModelName="m", clientToken=TOKEN)
    second = sitewise.create_asset_model(assetModelName="m", clientToken=TOKEN)
    assert second["assetModelId"] == first["assetModelId"]
    assert second["assetModelStatus"] == first["assetModelStatus"] == {"state": "CREATING"}
    assert len(backend.snapshot()["assetModels"]) == 1


def test_replay_survives_later_state_changes(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A retried DeleteAsset after the asset is gone replays DELETING instead of answering 404."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    sitewise.delete_asset(assetId=asset, clientToken=TOKEN)
    assert backend.snapshot()["assets"] == []
    again = sitewise.delete_asset(assetId=asset, clientToken=TOKEN)
    assert again["assetStatus"] == {"state": "DELETING"}
    assert again["assetId"] == asset


def test_same_token_with_other_parameters_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Reusing a token for a different request is InvalidRequest (400) and changes nothing."""
    sitewise.create_asset_model(assetModelName="m", clientToken=TOKEN)
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        sitewise.create_asset_model(assetModelName="other", clientToken=TOKEN)
    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert TOKEN in caught.value.response["Error"]["Message"]
    assert backend.snapshot() == before


def test_same_token_on_another_operation_is_refused(sitewise: IoTSiteWiseClient) -> None:
    """A token is bound to its first operation too."""
    model = sitewise.create_asset_model(assetModelName="m", clientToken=TOKEN)["assetModelId"]
    with pytest.raises(ClientError) as caught:
        sitewise.create_asset(assetName="a", assetModelId=model, clientToken=TOKEN)
    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"


def test_refused_calls_do_not_burn_the_token(sitewise: IoTSiteWiseClient) -> None:
    """A call refused by a rule records nothing: the same token works once the blocker is gone."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    with pytest.raises(ClientError):
        sitewise.delete_asset_model(assetModelId=model, clientToken=TOKEN)
    sitewise.delete_asset(assetId=asset, clientToken=OTHER)
    assert sitewise.delete_asset_model(assetModelId=model, clientToken=TOKEN)["assetModelStatus"]["state"] == "DELETING"


def test_botocore_fills_distinct_tokens(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Without an explicit token every call is new (botocore generates one), so two creates make two models."""
    sitewise.create_asset_model(assetModelName="a")
    sitewise.create_asset_model(assetModelName="b")
    assert [m["name"] for m in backend.snapshot()["assetModels"]] == ["a", "b"]
