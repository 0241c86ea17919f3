"""Time series association rules and tags by ARN: refusals change nothing, lookups follow the binding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

TEMP: Any = {"name": "temp", "dataType": "DOUBLE", "type": {"measurement": {}}}
RPM: Any = {"name": "rpm", "dataType": "INTEGER", "type": {"measurement": {}}}


def refused(backend: SiteWiseBackend, call: Any, **kwargs: Any) -> tuple[str, int]:
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert backend.snapshot() == before, "a refused call changed the state"
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def asset(sitewise: IoTSiteWiseClient) -> dict[str, str]:
    model = sitewise.create_asset_model(assetModelName="m", assetModelProperties=[TEMP, RPM])["assetModelId"]
    props = {p["name"]: p["id"] for p in sitewise.describe_asset_model(assetModelId=model)["assetModelProperties"]}
    created = sitewise.create_asset(assetName="a", assetModelId=model)
    return {"id": created["assetId"], "arn": created["assetArn"], "model": model, **props}


def test_series_follow_their_binding(sitewise: IoTSiteWiseClient, asset: dict[str, str]) -> None:
    """An associated series is found by alias or by asset property, shows on DescribeAsset, and filters list it."""
    sitewise.associate_time_series_to_asset_property(alias="/t", assetId=asset["id"], propertyId=asset["temp"])
    by_alias = sitewise.describe_time_series(alias="/t")
    by_property = sitewise.describe_time_series(assetId=asset["id"], propertyId=asset["temp"])
    assert by_alias["timeSeriesId"] == by_property["timeSeriesId"]
    assert by_alias["dataType"] == "DOUBLE"
    properties = sitewise.describe_asset(assetId=asset["id"])["assetProperties"]
    assert {p["name"]: p.get("alias") for p in properties} == {"temp": "/t", "rpm": None}
    assert len(sitewise.list_time_series(timeSeriesType="ASSOCIATED")["TimeSeriesSummaries"]) == 1
    assert sitewise.list_time_series(timeSeriesType="DISASSOCIATED")["TimeSeriesSummaries"] == []
    sitewise.disassociate_time_series_from_asset_property(alias="/t", assetId=asset["id"], propertyId=asset["temp"])
    assert sitewise.list_time_series(aliasPrefix="/")["TimeSeriesSummaries"][0].get("assetId") is None
    sitewise.delete_time_series(alias="/t")
    assert sitewise.list_time_series()["TimeSeriesSummaries"] == []


def test_binding_conflicts_are_refused(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, asset: dict[str, str]
) -> None:
    """A property already bound to another alias, or an alias bound elsewhere, is InvalidRequest."""
    sitewise.associate_time_series_to_asset_property(alias="/t", assetId=asset["id"], propertyId=asset["temp"])
    assert refused(
        backend,
        sitewise.associate_time_series_to_asset_property,
        alias="/other",
        assetId=asset["id"],
        propertyId=asset["temp"],
    ) == ("InvalidRequestException", 400)
    assert refused(
        backend,
        sitewise.associate_time_series_to_asset_property,
        alias="/t",
        assetId=asset["id"],
        propertyId=asset["rpm"],
    ) == ("InvalidRequestException", 400)
    assert refused(
        backend,
        sitewise.disassociate_time_series_from_asset_property,
        alias="/t",
        assetId=asset["id"],
        propertyId=asset["rpm"],
    ) == ("InvalidRequestException", 400)


def test_unknown_property_and_series_are_not_found(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, asset: dict[str, str]
) -> None:
    """A property the model lacks, or an alias nobody has, is ResourceNotFound."""
    missing = "99999999-9999-4999-8999-999999999999"
    assert refused(
        backend, sitewise.associate_time_series_to_asset_property, alias="/x", assetId=asset["id"], propertyId=missing
    ) == ("ResourceNotFoundException", 404)
    assert refused(backend, sitewise.delete_time_series, alias="/nobody") == ("ResourceNotFoundException", 404)
    assert refused(backend, sitewise.describe_time_series, assetId=asset["id"]) == ("InvalidRequestException", 400)


def test_tags_by_arn(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, asset: dict[str, str]) -> None:
    """Tags are set, merged, removed by key; an unknown ARN is 404 and changes nothing."""
    sitewise.tag_resource(resourceArn=asset["arn"], tags={"team": "ops", "env": "test"})
    sitewise.tag_resource(resourceArn=asset["arn"], tags={"env": "prod"})
    assert sitewise.list_tags_for_resource(resourceArn=asset["arn"])["tags"] == {"team": "ops", "env": "prod"}
    sitewise.untag_resource(resourceArn=asset["arn"], tagKeys=["team"])
    assert sitewise.list_tags_for_resource(resourceArn=asset["arn"])["tags"] == {"env": "prod"}
    gone = asset["arn"].replace(asset["id"], "99999999-9999-4999-8999-999999999999")
    assert refused(backend, sitewise.tag_resource, resourceArn=gone, tags={"a": "b"}) == (
        "ResourceNotFoundException",
        404,
    )


def test_too_many_tags_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, asset: dict[str, str]) -> None:
    """Tags merged past 50 on one resource are TooManyTagsException (400); one call's map is capped by the codec."""
    sitewise.tag_resource(resourceArn=asset["arn"], tags={f"k{i}": "v" for i in range(40)})
    more = {f"extra{i}": "v" for i in range(11)}
    assert refused(backend, sitewise.tag_resource, resourceArn=asset["arn"], tags=more) == (
        "TooManyTagsException",
        400,
    )


def test_tags_go_with_the_resource(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Tags given at create time are listed, and vanish from the snapshot once the resource is deleted."""
    gateway = sitewise.create_gateway(
        gatewayName="g", gatewayPlatform={"greengrassV2": {"coreDeviceThingName": "t"}}, tags={"a": "b"}
    )
    assert sitewise.list_tags_for_resource(resourceArn=gateway["gatewayArn"])["tags"] == {"a": "b"}
    sitewise.delete_gateway(gatewayId=gateway["gatewayId"])
    assert backend.snapshot()["tags"] == {}


def test_a_bound_series_is_deleted_only_once_disassociated(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, asset: dict[str, str]
) -> None:
    """DeleteTimeSeries of a series still bound to a property is InvalidRequest, by alias or by asset property
    [strict]; disassociated first, it is deleted."""
    sitewise.associate_time_series_to_asset_property(alias="/t", assetId=asset["id"], propertyId=asset["temp"])
    assert refused(backend, sitewise.delete_time_series, alias="/t") == ("InvalidRequestException", 400)
    assert refused(backend, sitewise.delete_time_series, assetId=asset["id"], propertyId=asset["temp"]) == (
        "InvalidRequestException",
        400,
    )
    sitewise.disassociate_time_series_from_asset_property(alias="/t", assetId=asset["id"], propertyId=asset["temp"])
    sitewise.delete_time_series(alias="/t")
    assert sitewise.list_time_series()["TimeSeriesSummaries"] == []


def test_disassociation_needs_the_alias_asset_and_property_that_match(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, asset: dict[str, str]
) -> None:
    """Another asset of the model, or the alias of another series, is InvalidRequest and changes nothing: only
    the series' own alias, asset and property disassociate it."""
    other = sitewise.create_asset(assetName="b", assetModelId=asset["model"])["assetId"]
    sitewise.associate_time_series_to_asset_property(alias="/t", assetId=asset["id"], propertyId=asset["temp"])
    sitewise.associate_time_series_to_asset_property(alias="/u", assetId=other, propertyId=asset["temp"])
    for alias, asset_id in (("/t", other), ("/u", asset["id"]), ("/nobody", asset["id"])):
        assert refused(
            backend,
            sitewise.disassociate_time_series_from_asset_property,
            alias=alias,
            assetId=asset_id,
            propertyId=asset["temp"],
        ) == ("InvalidRequestException", 400)
    sitewise.disassociate_time_series_from_asset_property(alias="/t", assetId=asset["id"], propertyId=asset["temp"])
    assert "assetId" not in sitewise.describe_time_series(alias="/t")
