"""Asset and asset model properties through a real boto3 client: listings, UpdateAssetProperty, composite model
details and the storage configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

TEMP: Any = {"name": "temp", "dataType": "DOUBLE", "unit": "C", "type": {"measurement": {}}}
SERIAL: Any = {"name": "serial", "dataType": "STRING", "type": {"attribute": {"defaultValue": "S-1"}}}
INNER: Any = {"name": "inner", "dataType": "DOUBLE", "type": {"measurement": {}}}


def code_of(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def world(sitewise: IoTSiteWiseClient) -> dict[str, str]:
    """A model with two properties and a composite model with one; an asset of it."""
    model = sitewise.create_asset_model(
        assetModelName="m",
        assetModelProperties=[TEMP, SERIAL],
        assetModelCompositeModels=[
            {"name": "cm", "type": "CUSTOM", "description": "d", "externalId": "cmx", "properties": [INNER]}
        ],
    )["assetModelId"]
    described = sitewise.describe_asset_model(assetModelId=model)
    props = {p["name"]: p["id"] for p in described["assetModelProperties"]}
    composite = described["assetModelCompositeModels"][0]
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    return {
        "model": model,
        "asset": asset,
        "composite": composite["id"],
        "inner": composite["properties"][0]["id"],
        **props,
    }


def test_list_asset_properties_base_and_all(sitewise: IoTSiteWiseClient, world: dict[str, str]) -> None:
    """BASE (the default) lists the model's own properties with their paths; ALL adds the composite's, naming
    the composite model."""
    base = sitewise.list_asset_properties(assetId=world["asset"])["assetPropertySummaries"]
    assert [p["id"] for p in base] == [world["temp"], world["serial"]]
    assert base[0]["path"] == [{"id": world["asset"], "name": "a"}, {"id": world["temp"], "name": "temp"}]
    assert base[0]["unit"] == "C" and "assetCompositeModelId" not in base[0]
    every = sitewise.list_asset_properties(assetId=world["asset"], filter="ALL")["assetPropertySummaries"]
    assert [p["id"] for p in every] == [world["temp"], world["serial"], world["inner"]]
    assert every[2]["assetCompositeModelId"] == world["composite"]
    assert [step["name"] for step in every[2]["path"]] == ["a", "cm", "inner"]


def test_list_asset_model_properties_pages_and_versions(sitewise: IoTSiteWiseClient, world: dict[str, str]) -> None:
    """Model properties carry their type; pages of one chain to the whole list with nothing twice; a bad token
    and an unknown model are refused."""
    first = sitewise.list_asset_model_properties(assetModelId=world["model"], filter="ALL", maxResults=2)
    assert len(first["assetModelPropertySummaries"]) == 2 and "nextToken" in first
    rest = sitewise.list_asset_model_properties(
        assetModelId=world["model"], filter="ALL", maxResults=2, nextToken=first["nextToken"]
    )
    assert "nextToken" not in rest
    rows = first["assetModelPropertySummaries"] + rest["assetModelPropertySummaries"]
    assert [r["id"] for r in rows] == [world["temp"], world["serial"], world["inner"]]
    assert rows[1]["type"] == {"attribute": {"defaultValue": "S-1"}}
    assert rows[2]["assetModelCompositeModelId"] == world["composite"]
    active = sitewise.list_asset_model_properties(assetModelId=world["model"], assetModelVersion="ACTIVE")
    assert [r["name"] for r in active["assetModelPropertySummaries"]] == ["temp", "serial"]
    assert code_of(
        sitewise.list_asset_model_properties, assetModelId=world["model"], nextToken="bm90IGEgdG9rZW4="
    ) == ("InvalidRequestException", 400)
    assert code_of(sitewise.list_asset_model_properties, assetModelId="99999999-9999-4999-8999-999999999999") == (
        "ResourceNotFoundException",
        404,
    )


def test_update_asset_property_sets_alias_unit_and_notification(
    sitewise: IoTSiteWiseClient, world: dict[str, str], backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """The alias binds a series (DescribeTimeSeries finds it), the unit and notification show on DescribeAsset
    and in the listing; the asset is UPDATING for the update latency, then ACTIVE."""
    backend.latency = LatencyProfile(update=2.0)
    sitewise.update_asset_property(
        assetId=world["asset"],
        propertyId=world["temp"],
        propertyAlias="/plant/temp",
        propertyNotificationState="ENABLED",
        propertyUnit="F",
    )
    assert sitewise.describe_asset(assetId=world["asset"])["assetStatus"]["state"] == "UPDATING"
    series = sitewise.describe_time_series(alias="/plant/temp")
    assert (series["assetId"], series["propertyId"]) == (world["asset"], world["temp"])
    clock.advance(2.0)
    described = sitewise.describe_asset(assetId=world["asset"])
    assert described["assetStatus"]["state"] == "ACTIVE"
    temp = next(p for p in described["assetProperties"] if p["id"] == world["temp"])
    assert temp["alias"] == "/plant/temp" and temp["unit"] == "F"
    assert temp["notification"]["state"] == "ENABLED"
    assert temp["notification"]["topic"].endswith(f"/assets/{world['asset']}/properties/{world['temp']}")
    listed = sitewise.list_asset_properties(assetId=world["asset"])["assetPropertySummaries"][0]
    assert (listed["alias"], listed["unit"], listed["notification"]["state"]) == ("/plant/temp", "F", "ENABLED")


def test_update_asset_property_omitted_members_reset(sitewise: IoTSiteWiseClient, world: dict[str, str]) -> None:
    """As documented: an omitted alias removes the alias (the series stays, bound, without one), an omitted
    notification state is DISABLED, an omitted unit is the model's again."""
    sitewise.update_asset_property(
        assetId=world["asset"], propertyId=world["temp"], propertyAlias="/t", propertyNotificationState="ENABLED"
    )
    sitewise.update_asset_property(assetId=world["asset"], propertyId=world["temp"])
    temp = sitewise.list_asset_properties(assetId=world["asset"])["assetPropertySummaries"][0]
    assert "alias" not in temp and temp["unit"] == "C" and temp["notification"]["state"] == "DISABLED"
    assert code_of(sitewise.describe_time_series, alias="/t") == ("ResourceNotFoundException", 404)
    assert sitewise.describe_time_series(assetId=world["asset"], propertyId=world["temp"])["assetId"] == world["asset"]


def test_update_asset_property_alias_is_unique(sitewise: IoTSiteWiseClient, world: dict[str, str]) -> None:
    """An alias another series has (bound elsewhere or disassociated) is InvalidRequest (UpdateAssetProperty
    declares no ResourceAlreadyExists) and changes nothing; re-setting a property's own alias is fine."""
    sitewise.update_asset_property(assetId=world["asset"], propertyId=world["temp"], propertyAlias="/taken")
    assert code_of(
        sitewise.update_asset_property, assetId=world["asset"], propertyId=world["serial"], propertyAlias="/taken"
    ) == ("InvalidRequestException", 400)
    serial = sitewise.list_asset_properties(assetId=world["asset"])["assetPropertySummaries"][1]
    assert "alias" not in serial
    sitewise.update_asset_property(assetId=world["asset"], propertyId=world["temp"], propertyAlias="/taken")
    assert sitewise.describe_time_series(alias="/taken")["propertyId"] == world["temp"]


def test_update_asset_property_refusals(
    sitewise: IoTSiteWiseClient, world: dict[str, str], backend: SiteWiseBackend
) -> None:
    """An unknown property is ResourceNotFound; an asset still UPDATING is ConflictingOperation (409)."""
    assert code_of(
        sitewise.update_asset_property, assetId=world["asset"], propertyId="99999999-9999-4999-8999-999999999999"
    ) == ("ResourceNotFoundException", 404)
    backend.latency = LatencyProfile(update=5.0)
    sitewise.update_asset(assetId=world["asset"], assetName="b")
    assert code_of(
        sitewise.update_asset_property, assetId=world["asset"], propertyId=world["temp"], propertyAlias="/x"
    ) == ("ConflictingOperationException", 409)


def test_describe_asset_composite_model(sitewise: IoTSiteWiseClient, world: dict[str, str]) -> None:
    """By id or externalId: the composite's name, type, path and properties on the asset; unknown is 404."""
    for ref in (world["composite"], "externalId:cmx"):
        got = sitewise.describe_asset_composite_model(assetId=world["asset"], assetCompositeModelId=ref)
        assert got["assetCompositeModelId"] == world["composite"]
        assert (got["assetCompositeModelName"], got["assetCompositeModelType"]) == ("cm", "CUSTOM")
        assert got["assetCompositeModelExternalId"] == "cmx"
        assert [s["name"] for s in got["assetCompositeModelPath"]] == ["a", "cm"]
        assert [p["id"] for p in got["assetCompositeModelProperties"]] == [world["inner"]]
    assert code_of(
        sitewise.describe_asset_composite_model, assetId=world["asset"], assetCompositeModelId="externalId:nope"
    ) == ("ResourceNotFoundException", 404)


def test_describe_asset_model_composite_model(sitewise: IoTSiteWiseClient, world: dict[str, str]) -> None:
    """The model's composite: description, properties with their types and paths; a component composite
    names its component model in compositionDetails."""
    got = sitewise.describe_asset_model_composite_model(
        assetModelId=world["model"], assetModelCompositeModelId=world["composite"]
    )
    assert got["assetModelCompositeModelDescription"] == "d"
    prop = got["assetModelCompositeModelProperties"][0]
    assert prop["type"] == {"measurement": {}}
    assert [s["name"] for s in prop["path"]] == ["m", "cm", "inner"]
    assert "compositionDetails" not in got
    component = sitewise.create_asset_model(
        assetModelName="comp", assetModelType="COMPONENT_MODEL", assetModelProperties=[INNER]
    )["assetModelId"]
    used = sitewise.create_asset_model_composite_model(
        assetModelId=world["model"],
        assetModelCompositeModelName="uses",
        assetModelCompositeModelType="CUSTOM",
        composedAssetModelId=component,
    )["assetModelCompositeModelId"]
    got = sitewise.describe_asset_model_composite_model(assetModelId=world["model"], assetModelCompositeModelId=used)
    assert got["compositionDetails"] == {"compositionRelationship": [{"id": component}]}
    assert code_of(
        sitewise.describe_asset_model_composite_model,
        assetModelId=world["model"],
        assetModelCompositeModelId="99999999-9999-4999-8999-999999999999",
    ) == ("ResourceNotFoundException", 404)


def test_describe_storage_configuration(sitewise: IoTSiteWiseClient) -> None:
    """The fixed default: SiteWise storage, ACTIVE, disassociated data stored, unlimited retention."""
    got = sitewise.describe_storage_configuration()
    assert got["storageType"] == "SITEWISE_DEFAULT_STORAGE"
    assert got["configurationStatus"] == {"state": "ACTIVE"}
    assert got["disassociatedDataStorage"] == "ENABLED"
    assert got["retentionPeriod"] == {"unlimited": True}
