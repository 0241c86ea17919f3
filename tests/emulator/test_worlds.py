"""One world per (account, region), in-process: the signing region and moto's account rule pick the world;
each has its own state, call counts and token buckets, while settings (quota rates, faults, clock) are the
whole emulator's. The default world answers whatever names no other, so single-world callers see no change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from teardown.emulator import FaultSettings, QuotaSettings
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise
from tests.emulator.conftest import NO_RETRIES

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

OTHER_ACCOUNT = "222222222222"
# The first id a single-world backend generated (random.Random(0)), so stable ids stay stable.
FIRST_ID_OF_SEED_0 = "e3e70682-c209-4cac-a29f-6fbed82c07cd"


def session_in(region: str, keys: dict[str, str] | None = None) -> boto3.session.Session:
    """Dummy credentials, or the AccessKeyId, SecretAccessKey and SessionToken STS issued."""
    keys = keys or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    return boto3.session.Session(
        region_name=region,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys.get("SessionToken"),
    )


def client_in(region: str, keys: dict[str, str] | None = None) -> IoTSiteWiseClient:
    return session_in(region, keys).client("iotsitewise", config=NO_RETRIES)


def model_ids(snapshot: dict[str, Any]) -> list[str]:
    return [model["id"] for model in snapshot["assetModels"]]


def error_code(call: Any, **params: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**params)
    return str(caught.value.response["Error"]["Code"])


@pytest.fixture
def served(backend: SiteWiseBackend) -> Iterator[SiteWiseBackend]:
    with mock_sitewise(backend):
        yield backend


def test_a_model_made_in_eu_west_1_is_not_in_us_east_1(served: SiteWiseBackend) -> None:
    """The signing region picks the world: us-east-1 neither lists nor describes eu-west-1's model."""
    europe, virginia = client_in("eu-west-1"), client_in("us-east-1")
    made = europe.create_asset_model(assetModelName="pump")
    assert made["assetModelArn"].startswith("arn:aws:iotsitewise:eu-west-1:123456789012:asset-model/")
    assert virginia.list_asset_models()["assetModelSummaries"] == []
    assert error_code(virginia.describe_asset_model, assetModelId=made["assetModelId"]) == "ResourceNotFoundException"
    assert [m["id"] for m in europe.list_asset_models()["assetModelSummaries"]] == [made["assetModelId"]]
    assert model_ids(served.snapshot()) == []
    assert model_ids(served.snapshot(region="eu-west-1")) == [made["assetModelId"]]


def test_the_same_name_in_two_regions_is_no_conflict(served: SiteWiseBackend) -> None:
    """Names are unique per world: a second region takes the name, and its model gets another id."""
    first = client_in("us-east-1").create_asset_model(assetModelName="pump")["assetModelId"]
    second = client_in("eu-west-1").create_asset_model(assetModelName="pump")["assetModelId"]
    assert first != second
    assert error_code(client_in("eu-west-1").create_asset_model, assetModelName="pump") == (
        "ResourceAlreadyExistsException"
    )


def test_a_role_assumed_through_moto_sts_lands_in_the_roles_account(backend: SiteWiseBackend) -> None:
    """Credentials moto's STS issued for a role of 222222222222 answer from that account's world, which the
    default account's credentials cannot see; STS agrees on the account (the engine's guard)."""
    with mock_aws(), mock_sitewise(backend):
        sts = boto3.client("sts", region_name="us-east-1")
        issued = sts.assume_role(RoleArn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/reset", RoleSessionName="fleet")
        keys = {name: str(value) for name, value in issued["Credentials"].items()}
        assumed = client_in("us-east-1", keys)
        identity = session_in("us-east-1", keys).client("sts").get_caller_identity()
        made = assumed.create_asset_model(assetModelName="pump")
        own = client_in("us-east-1")
        assert own.list_asset_models()["assetModelSummaries"] == []
        assert error_code(own.describe_asset_model, assetModelId=made["assetModelId"]) == "ResourceNotFoundException"
    assert identity["Account"] == OTHER_ACCOUNT
    assert f":{OTHER_ACCOUNT}:asset-model/" in made["assetModelArn"]
    assert model_ids(backend.snapshot(account=OTHER_ACCOUNT)) == [made["assetModelId"]]
    assert model_ids(backend.snapshot()) == []


def test_call_counts_are_per_world(served: SiteWiseBackend) -> None:
    """A call counts in its own world only, refused ones included."""
    client_in("eu-west-1").list_asset_models()
    assert error_code(client_in("eu-west-1").describe_asset, assetId="not-a-uuid-at-all") == "InvalidRequestException"
    assert served.call_counts(region="eu-west-1") == {"ListAssetModels": 1, "DescribeAsset": 1}
    assert served.call_counts() == {}


def test_quota_buckets_are_per_world_and_the_rates_the_emulators(
    backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """With 1 model call a second, us-east-1 spending its token leaves eu-west-1's (and another account's)
    untouched; a rate set afterwards applies to a world that already exists."""
    europe, virginia = client_in("eu-west-1"), client_in("us-east-1")
    with mock_sitewise(backend):
        europe.list_asset_models()  # the world exists before the rate is set
        backend.quotas = QuotaSettings(model_tps=1.0)
        virginia.list_asset_models()
        assert error_code(virginia.list_asset_models) == "ThrottlingException"
        europe.list_asset_models()
        assert error_code(europe.list_asset_models) == "ThrottlingException"
    assert backend.handle("ListAssetModels", {}, account=OTHER_ACCOUNT) == {"assetModelSummaries": []}
    clock.advance(1.0)
    with mock_sitewise(backend):
        virginia.list_asset_models()  # a second later the bucket has refilled


def test_faults_are_the_whole_emulators(served: SiteWiseBackend) -> None:
    """An injected failure set once strikes every world, also one created after it was set."""
    served.faults = FaultSettings(throttle_before=1.0, operations=frozenset({"CreateAssetModel"}))
    for region in ("us-east-1", "ap-southeast-2"):
        assert error_code(client_in(region).create_asset_model, assetModelName="pump") == "ThrottlingException"


def test_worlds_draw_different_ids_and_the_default_world_its_old_ones(clock: ManualClock) -> None:
    """Two worlds never hand out the same id; the default world's ids are those a backend made before worlds
    existed (seed 0: its first id is always this one), whatever other worlds exist; a reset replays them."""
    backend = SiteWiseBackend(clock=clock)
    other = backend.handle("CreateAssetModel", {"assetModelName": "m"}, region="eu-west-1")["assetModelId"]
    default = backend.handle("CreateAssetModel", {"assetModelName": "m"})["assetModelId"]
    assert other != default
    assert default == FIRST_ID_OF_SEED_0
    backend.reset()
    assert backend.handle("CreateAssetModel", {"assetModelName": "m"})["assetModelId"] == default


def test_the_configured_default_world_answers_dummy_credentials(clock: ManualClock) -> None:
    """A backend built for 111122223333 in eu-central-1: dummy credentials signing for eu-central-1 are its
    default world (what backend.snapshot() shows), as before worlds existed."""
    backend = SiteWiseBackend(clock=clock, account_id="111122223333", region="eu-central-1")
    with mock_sitewise(backend):
        made = client_in("eu-central-1").create_asset_model(assetModelName="pump")
    assert ":eu-central-1:111122223333:" in made["assetModelArn"]
    assert model_ids(backend.snapshot()) == [made["assetModelId"]]
    assert backend.worlds() == [("111122223333", "eu-central-1")]


def test_reset_empties_one_world_and_reset_all_forgets_the_others(backend: SiteWiseBackend) -> None:
    """reset(region=...) leaves the default world as it was; reset_all() leaves only an empty default."""
    backend.handle("CreateAssetModel", {"assetModelName": "m"})
    backend.handle("CreateAssetModel", {"assetModelName": "m"}, region="eu-west-1")
    backend.reset(region="eu-west-1")
    assert model_ids(backend.snapshot(region="eu-west-1")) == []
    assert len(model_ids(backend.snapshot())) == 1
    assert backend.worlds() == [("123456789012", "eu-west-1"), ("123456789012", "us-east-1")]
    backend.reset_all()
    assert backend.worlds() == [("123456789012", "us-east-1")]
    assert model_ids(backend.snapshot()) == []


def test_world_is_one_object_per_account_and_region(backend: SiteWiseBackend) -> None:
    """world(account, region) is stable, defaults each part to the default world's, and is what the
    backend's keyword forms read."""
    europe = backend.world(OTHER_ACCOUNT, "eu-west-1")
    assert backend.world(OTHER_ACCOUNT, "eu-west-1") is europe
    assert backend.world() is backend.world("123456789012", "us-east-1")
    assert backend.world(region="eu-west-1") is not europe
    europe.handle("CreateAssetModel", {"assetModelName": "m"})
    assert (europe.account_id, europe.region) == (OTHER_ACCOUNT, "eu-west-1")
    assert backend.call_counts(account=OTHER_ACCOUNT, region="eu-west-1") == {"CreateAssetModel": 1}
    assert backend.snapshot(account=OTHER_ACCOUNT, region="eu-west-1") == europe.snapshot()
