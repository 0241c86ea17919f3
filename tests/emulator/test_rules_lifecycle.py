"""States and lazy transitions on a ManualClock: creates answer CREATING, deletes
DELETING then 404, Associate/Disassociate put the parent in UPDATING, and a mutation of a resource in a
transient state is ConflictingOperation (409) that changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROLE = "arn:aws:iam::123456789012:role/portal"
# Fixed durations (no jitter) so the tests can step just before and just after each transition.
SLOW = LatencyProfile(
    create=2.0, update=1.0, delete_asset=3.0, delete_model=4.0, propagate=2.0, portal_create=5.0, portal_delete=6.0
)


@pytest.fixture
def slow(backend: SiteWiseBackend) -> SiteWiseBackend:
    backend.latency = SLOW
    return backend


def code_of(call: Any, **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


def conflict(backend: SiteWiseBackend, call: Any, **kwargs: Any) -> None:
    """The call is refused with 409 ConflictingOperation and the state does not move."""
    before = backend.snapshot()
    assert code_of(call, **kwargs) == ("ConflictingOperationException", 409)
    assert backend.snapshot() == before


def test_create_answers_creating_then_turns_active(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """A model is CREATING for exactly the create latency, then ACTIVE."""
    answer = sitewise.create_asset_model(assetModelName="m")
    assert answer["assetModelStatus"]["state"] == "CREATING"
    clock.advance(1.9)
    assert sitewise.describe_asset_model(assetModelId=answer["assetModelId"])["assetModelStatus"]["state"] == "CREATING"
    clock.advance(0.2)
    assert sitewise.describe_asset_model(assetModelId=answer["assetModelId"])["assetModelStatus"]["state"] == "ACTIVE"


def test_create_asset_needs_an_active_model(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """CreateAsset of a CREATING model is 409 (retry later) and creates nothing; it works once ACTIVE."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    conflict(slow, sitewise.create_asset, assetName="a", assetModelId=model)
    clock.advance(2.0)
    assert sitewise.create_asset(assetName="a", assetModelId=model)["assetStatus"]["state"] == "CREATING"


def test_deleted_asset_is_visible_deleting_then_gone(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """DeleteAsset answers DELETING; Describe and List show DELETING until the latency passes, then 404."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    clock.advance(2)
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    clock.advance(2)
    assert sitewise.delete_asset(assetId=asset)["assetStatus"]["state"] == "DELETING"
    clock.advance(2.9)
    assert sitewise.describe_asset(assetId=asset)["assetStatus"]["state"] == "DELETING"
    listed = sitewise.list_assets(assetModelId=model)["assetSummaries"]
    assert [(a["id"], a["status"]["state"]) for a in listed] == [(asset, "DELETING")]
    conflict(slow, sitewise.delete_asset, assetId=asset)
    clock.advance(0.2)
    assert code_of(sitewise.describe_asset, assetId=asset) == ("ResourceNotFoundException", 404)
    assert sitewise.list_assets(assetModelId=model)["assetSummaries"] == []


def test_deleted_model_and_portal_go_through_deleting(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """Models and portals follow the same DELETING-then-404 path with their own latencies."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    portal = sitewise.create_portal(portalName="p", portalContactEmail="p@example.com", roleArn=ROLE)["portalId"]
    assert sitewise.describe_portal(portalId=portal)["portalStatus"]["state"] == "CREATING"
    clock.advance(5)
    sitewise.delete_asset_model(assetModelId=model)
    assert sitewise.delete_portal(portalId=portal)["portalStatus"]["state"] == "DELETING"
    clock.advance(4)
    assert code_of(sitewise.describe_asset_model, assetModelId=model) == ("ResourceNotFoundException", 404)
    assert sitewise.describe_portal(portalId=portal)["portalStatus"]["state"] == "DELETING"
    clock.advance(2)
    assert code_of(sitewise.describe_portal, portalId=portal) == ("ResourceNotFoundException", 404)


def test_botocore_waiter_sees_the_asset_disappear(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """The AssetNotExists waiter succeeds once the asset is gone: its sleeps are patched onto the clock."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    clock.advance(2)
    asset = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    clock.advance(2)
    sitewise.delete_asset(assetId=asset)
    start = clock.now()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("botocore.waiter.time.sleep", clock.sleep)
        sitewise.get_waiter("asset_not_exists").wait(assetId=asset)
    assert 3.0 <= clock.now() - start <= 6.0


def test_associate_puts_the_parent_in_updating(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """AssociateAssets makes the parent UPDATING for the update latency; mutations of it meanwhile are 409."""
    leaf = sitewise.create_asset_model(assetModelName="leaf")["assetModelId"]
    clock.advance(2)
    root = sitewise.create_asset_model(
        assetModelName="root", assetModelHierarchies=[{"name": "h", "childAssetModelId": leaf}]
    )["assetModelId"]
    clock.advance(2)
    hierarchy = sitewise.describe_asset_model(assetModelId=root)["assetModelHierarchies"][0]["id"]
    assert hierarchy is not None
    parent = sitewise.create_asset(assetName="p", assetModelId=root)["assetId"]
    first = sitewise.create_asset(assetName="c1", assetModelId=leaf)["assetId"]
    second = sitewise.create_asset(assetName="c2", assetModelId=leaf)["assetId"]
    conflict(slow, sitewise.associate_assets, assetId=parent, hierarchyId=hierarchy, childAssetId=first)
    clock.advance(2)
    sitewise.associate_assets(assetId=parent, hierarchyId=hierarchy, childAssetId=first)
    assert sitewise.describe_asset(assetId=parent)["assetStatus"]["state"] == "UPDATING"
    assert sitewise.describe_asset(assetId=first)["assetStatus"]["state"] == "ACTIVE"
    conflict(slow, sitewise.associate_assets, assetId=parent, hierarchyId=hierarchy, childAssetId=second)
    conflict(slow, sitewise.update_asset, assetId=parent, assetName="renamed")
    clock.advance(1)
    assert sitewise.describe_asset(assetId=parent)["assetStatus"]["state"] == "ACTIVE"
    sitewise.disassociate_assets(assetId=parent, hierarchyId=hierarchy, childAssetId=first)
    assert sitewise.describe_asset(assetId=parent)["assetStatus"]["state"] == "UPDATING"


def test_model_mutations_while_updating_are_conflicts(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """An UPDATING model refuses a delete and another update with 409; PROPAGATING follows when it has assets."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    clock.advance(2)
    sitewise.create_asset(assetName="a", assetModelId=model)
    sitewise.update_asset_model(assetModelId=model, assetModelName="m2")
    conflict(slow, sitewise.update_asset_model, assetModelId=model, assetModelName="m3")
    clock.advance(1)
    assert sitewise.describe_asset_model(assetModelId=model)["assetModelStatus"]["state"] == "PROPAGATING"
    clock.advance(2)
    described = sitewise.describe_asset_model(assetModelId=model)
    assert (described["assetModelStatus"]["state"], described["assetModelName"]) == ("ACTIVE", "m2")


def test_instant_latency_settles_on_the_next_call(sitewise: IoTSiteWiseClient) -> None:
    """With instant latency the answer says DELETING and the very next Describe is 404."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    assert sitewise.delete_asset_model(assetModelId=model)["assetModelStatus"]["state"] == "DELETING"
    assert code_of(sitewise.describe_asset_model, assetModelId=model) == ("ResourceNotFoundException", 404)
    assert sitewise.list_asset_models()["assetModelSummaries"] == []


def test_realistic_profile_keeps_resources_transient_for_seconds(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """The named "realistic" profile makes a create last over a second (jitter within 10%)."""
    backend.latency = "realistic"
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    clock.advance(1.3)
    assert sitewise.describe_asset_model(assetModelId=model)["assetModelStatus"]["state"] == "CREATING"
    clock.advance(0.5)
    assert sitewise.describe_asset_model(assetModelId=model)["assetModelStatus"]["state"] == "ACTIVE"


def test_project_refuses_a_deleting_asset_per_asset(
    sitewise: IoTSiteWiseClient, slow: SiteWiseBackend, clock: ManualClock
) -> None:
    """BatchAssociateProjectAssets answers 200 with the DELETING asset in errors[]; a CREATING one joins."""
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    portal = sitewise.create_portal(portalName="p", portalContactEmail="p@example.com", roleArn=ROLE)["portalId"]
    clock.advance(5)
    project = sitewise.create_project(portalId=portal, projectName="x")["projectId"]
    leaving = sitewise.create_asset(assetName="a", assetModelId=model)["assetId"]
    clock.advance(2)
    sitewise.delete_asset(assetId=leaving)
    joining = sitewise.create_asset(assetName="b", assetModelId=model)["assetId"]
    answer = sitewise.batch_associate_project_assets(projectId=project, assetIds=[leaving, joining])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [(e["assetId"], e["code"]) for e in answer["errors"]] == [(leaving, "INTERNAL_FAILURE")]
    assert sitewise.list_project_assets(projectId=project)["assetIds"] == [joining]
