"""ETags of asset models: a new one on every mutation, in DescribeAssetModel's ETag header; a stale
If-Match is PreconditionFailed (412) and changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient


def etag(sitewise: IoTSiteWiseClient, model: str) -> str:
    value = sitewise.describe_asset_model(assetModelId=model)["eTag"]
    assert len(value) == 43  # the service model's If-Match pattern: 43 word characters or dashes
    return value


def test_every_model_mutation_changes_the_etag(sitewise: IoTSiteWiseClient) -> None:
    """Update, composite create and interface put each give the model a new ETag; reads do not."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    component = sitewise.create_asset_model(assetModelName="c", assetModelType="COMPONENT_MODEL")["assetModelId"]
    interface = sitewise.create_asset_model(assetModelName="i", assetModelType="INTERFACE")["assetModelId"]
    tags = [etag(sitewise, model)]
    assert etag(sitewise, model) == tags[0]
    sitewise.update_asset_model(assetModelId=model, assetModelName="m2")
    tags.append(etag(sitewise, model))
    sitewise.create_asset_model_composite_model(
        assetModelId=model,
        assetModelCompositeModelName="c1",
        assetModelCompositeModelType="CUSTOM",
        composedAssetModelId=component,
    )
    tags.append(etag(sitewise, model))
    sitewise.put_asset_model_interface_relationship(
        assetModelId=model, interfaceAssetModelId=interface, propertyMappingConfiguration={"matchByPropertyName": True}
    )
    tags.append(etag(sitewise, model))
    assert len(set(tags)) == 4


def test_stale_if_match_on_delete_is_412(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """DeleteAssetModel with an old ETag is PreconditionFailed naming the model; the current ETag deletes."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    old = etag(sitewise, model)
    sitewise.update_asset_model(assetModelId=model, assetModelName="m2")
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        sitewise.delete_asset_model(assetModelId=model, ifMatch=old)
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("PreconditionFailedException", 412)
    assert model in error["Error"]["Message"]
    assert backend.snapshot() == before
    answer = sitewise.delete_asset_model(assetModelId=model, ifMatch=etag(sitewise, model))
    assert answer["assetModelStatus"]["state"] == "DELETING"


def test_stale_if_match_on_update_is_412(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """UpdateAssetModel honours If-Match too."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    old = etag(sitewise, model)
    sitewise.update_asset_model(assetModelId=model, assetModelName="m2")
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        sitewise.update_asset_model(assetModelId=model, assetModelName="m3", ifMatch=old)
    assert caught.value.response["Error"]["Code"] == "PreconditionFailedException"
    assert backend.snapshot() == before
