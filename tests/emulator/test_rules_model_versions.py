"""Asset model versions: DescribeAssetModel answers the LATEST or the ACTIVE version (assetModelVersion), each
with its own version number and ETag; an update is a new LATEST version that passes through UPDATING and
PROPAGATING while the ACTIVE version stays the old definition, then becomes the ACTIVE one. If-Match and
If-None-Match are checked against the version matchForVersionType names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient
    from mypy_boto3_iotsitewise.literals import AssetModelVersionTypeType

# Whole seconds, no jitter: each step lands exactly where the test advances the clock.
STEPS = LatencyProfile(create=1.0, update=1.0, propagate=2.0)


@pytest.fixture(autouse=True)
def _stepped(backend: SiteWiseBackend) -> None:
    backend.latency = STEPS


def code_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


def view(sitewise: IoTSiteWiseClient, model: str, version: AssetModelVersionTypeType) -> tuple[str, str, str, str]:
    """(name, version, ETag, state) of one version of the model."""
    d = sitewise.describe_asset_model(assetModelId=model, assetModelVersion=version)
    return d["assetModelName"], d["assetModelVersion"], d["eTag"], d["assetModelStatus"]["state"]


def active_model(sitewise: IoTSiteWiseClient, clock: ManualClock, name: str = "m") -> str:
    model = sitewise.create_asset_model(assetModelName=name)["assetModelId"]
    clock.advance(1)
    return model


def test_a_new_model_has_no_active_version_until_it_is_active(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """While CREATING, LATEST is version 1 and there is no ACTIVE version (ResourceNotFound); once ACTIVE the
    two are the same version with the same ETag. LATEST is the default."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    assert view(sitewise, model, "LATEST")[1:] == ("1", view(sitewise, model, "LATEST")[2], "CREATING")
    with pytest.raises(ClientError) as caught:
        sitewise.describe_asset_model(assetModelId=model, assetModelVersion="ACTIVE")
    assert code_of(caught) == ("ResourceNotFoundException", 404)
    clock.advance(1)
    latest, active = view(sitewise, model, "LATEST"), view(sitewise, model, "ACTIVE")
    assert latest == active and latest[1] == "1" and latest[3] == "ACTIVE"
    assert sitewise.describe_asset_model(assetModelId=model)["eTag"] == latest[2]


def test_during_an_update_latest_is_new_and_active_is_old(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """After UpdateAssetModel, LATEST is the new definition (version 2, a new ETag) through UPDATING and
    PROPAGATING, while ACTIVE stays version 1 with its old ETag; after PROPAGATING both are version 2."""
    model = active_model(sitewise, clock, "before")
    old = view(sitewise, model, "ACTIVE")
    sitewise.update_asset_model(assetModelId=model, assetModelName="after")
    latest = view(sitewise, model, "LATEST")
    assert latest[:2] == ("after", "2") and latest[2] != old[2] and latest[3] == "UPDATING"
    assert view(sitewise, model, "ACTIVE") == old
    clock.advance(1)
    assert view(sitewise, model, "LATEST") == (*latest[:3], "PROPAGATING")
    assert view(sitewise, model, "ACTIVE") == old
    clock.advance(2)
    assert view(sitewise, model, "LATEST") == view(sitewise, model, "ACTIVE") == (*latest[:3], "ACTIVE")


@pytest.mark.parametrize("change", ["composite", "interface"])
def test_every_definition_change_is_a_version_that_propagates(
    sitewise: IoTSiteWiseClient, clock: ManualClock, change: str
) -> None:
    """A composite model or an interface relationship added to a model without assets makes a new version
    too, and the model passes through PROPAGATING before it is ACTIVE again."""
    model = active_model(sitewise, clock)
    if change == "composite":
        sitewise.create_asset_model_composite_model(
            assetModelId=model, assetModelCompositeModelName="c", assetModelCompositeModelType="CUSTOM"
        )
    else:
        interface = sitewise.create_asset_model(assetModelName="i", assetModelType="INTERFACE")["assetModelId"]
        clock.advance(1)
        sitewise.put_asset_model_interface_relationship(
            assetModelId=model,
            interfaceAssetModelId=interface,
            propertyMappingConfiguration={"matchByPropertyName": True},
        )
    states = []
    for _ in range(3):
        states.append(view(sitewise, model, "LATEST")[3])
        clock.advance(1)
    assert states == ["UPDATING", "PROPAGATING", "PROPAGATING"]
    clock.advance(1)
    assert view(sitewise, model, "LATEST")[1:] == view(sitewise, model, "ACTIVE")[1:]
    assert view(sitewise, model, "ACTIVE")[1] == "2"


def test_if_match_is_checked_against_the_named_version(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """During an update, the LATEST ETag is stale for matchForVersionType ACTIVE and the ACTIVE one is stale for
    LATEST (412, nothing changes); the matching one passes the check (and meets the 409 of an UPDATING model)."""
    model = active_model(sitewise, clock)
    old = view(sitewise, model, "ACTIVE")[2]
    sitewise.update_asset_model(assetModelId=model, assetModelName="m2")
    new = view(sitewise, model, "LATEST")[2]
    before = backend.snapshot()
    for etag, version, expected in [
        (new, "ACTIVE", ("PreconditionFailedException", 412)),
        (old, "LATEST", ("PreconditionFailedException", 412)),
        (old, "ACTIVE", ("ConflictingOperationException", 409)),
        (new, "LATEST", ("ConflictingOperationException", 409)),
    ]:
        with pytest.raises(ClientError) as caught:
            sitewise.delete_asset_model(assetModelId=model, ifMatch=etag, matchForVersionType=version)  # type: ignore[arg-type]
        assert code_of(caught) == expected, (version, expected)
    assert backend.snapshot() == before
    clock.advance(3)
    answer = sitewise.delete_asset_model(assetModelId=model, ifMatch=new, matchForVersionType="ACTIVE")
    assert answer["assetModelStatus"]["state"] == "DELETING"


def test_if_none_match_refuses_while_the_named_version_exists(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """If-None-Match * with ACTIVE refuses (412) only once the model has an ACTIVE version; with LATEST always."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    with pytest.raises(ClientError) as caught:
        sitewise.update_asset_model(
            assetModelId=model, assetModelName="x", ifNoneMatch="*", matchForVersionType="LATEST"
        )
    assert code_of(caught) == ("PreconditionFailedException", 412)
    with pytest.raises(ClientError) as caught:  # no ACTIVE version yet: the check passes, the state refuses
        sitewise.update_asset_model(
            assetModelId=model, assetModelName="x", ifNoneMatch="*", matchForVersionType="ACTIVE"
        )
    assert code_of(caught) == ("ConflictingOperationException", 409)
    clock.advance(1)
    with pytest.raises(ClientError) as caught:
        sitewise.update_asset_model(
            assetModelId=model, assetModelName="x", ifNoneMatch="*", matchForVersionType="ACTIVE"
        )
    assert code_of(caught) == ("PreconditionFailedException", 412)


def test_listings_answer_versions(sitewise: IoTSiteWiseClient, clock: ManualClock) -> None:
    """ListAssetModels summaries carry the version; with assetModelVersion ACTIVE a model still CREATING is left
    out and an updating one is listed as its ACTIVE version; composites list per version too."""
    model = active_model(sitewise, clock, "old")
    sitewise.create_asset_model(assetModelName="new")
    sitewise.create_asset_model_composite_model(
        assetModelId=model, assetModelCompositeModelName="c", assetModelCompositeModelType="CUSTOM"
    )
    latest = {
        m["name"]: (m["version"], m["status"]["state"]) for m in sitewise.list_asset_models()["assetModelSummaries"]
    }
    assert latest == {"old": ("2", "UPDATING"), "new": ("1", "CREATING")}
    active = sitewise.list_asset_models(assetModelVersion="ACTIVE")["assetModelSummaries"]
    assert [(m["name"], m["version"], m["status"]["state"]) for m in active] == [("old", "1", "ACTIVE")]
    composites = {
        version: sitewise.list_asset_model_composite_models(assetModelId=model, assetModelVersion=version)[
            "assetModelCompositeModelSummaries"
        ]
        for version in ("LATEST", "ACTIVE")
    }
    assert ([c["name"] for c in composites["LATEST"]], composites["ACTIVE"]) == (["c"], [])
