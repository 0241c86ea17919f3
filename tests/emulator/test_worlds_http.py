"""One world per (account, region) over HTTP: a role assumed through the server's own STS (moto, same port)
lands in its account, and the control API snapshots, counts and resets one world, the default unless
``?account=`` and ``?region=`` name another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

from teardown.emulator.server import EmulatorServer
from tests.emulator.control_api import control

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

pytestmark = pytest.mark.http

LOCAL = Config(inject_host_prefix=False, retries={"total_max_attempts": 1})
OTHER_ACCOUNT = "222222222222"


def dummy_session(region: str) -> boto3.session.Session:
    return boto3.session.Session(region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")


def session_for_role(server: EmulatorServer, account: str, region: str) -> boto3.session.Session:
    """A session on credentials the emulator's STS issued for a role of ``account``."""
    sts = dummy_session(region).client("sts", endpoint_url=server.url)
    keys = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/reset", RoleSessionName="fleet")["Credentials"]
    return boto3.session.Session(
        region_name=region,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )


def sitewise(session: boto3.session.Session, server: EmulatorServer) -> IoTSiteWiseClient:
    return session.client("iotsitewise", endpoint_url=server.url, config=LOCAL)


def model_names(snapshot: dict[str, Any]) -> list[str]:
    return [model["name"] for model in snapshot["assetModels"]]


@pytest.fixture
def fleet(server: EmulatorServer) -> EmulatorServer:
    """Three worlds with a model each: the default one, eu-west-1 of the default account, and eu-west-1 of
    222222222222 reached through an assumed role."""
    sitewise(dummy_session("us-east-1"), server).create_asset_model(
        assetModelName="home"
    )
    sitewise(dummy_session("eu-west-1"), server).create_asset_model(
        assetModelName="abroad"
    )
    sitewise(session_for_role(server, OTHER_ACCOUNT, "eu-west-1"), server).create_asset_model(
        assetModelName="theirs"
    )
    return server


def test_an_assumed_role_over_http_answers_from_its_account(fleet: EmulatorServer) -> None:
    """The role's client lists its own model only; STS on the same port names the role's account."""
    session = session_for_role(fleet, OTHER_ACCOUNT, "eu-west-1")
    listed = sitewise(session, fleet).list_asset_models()["assetModelSummaries"]
    assert [m["name"] for m in listed] == ["theirs"]
    assert session.client("sts", endpoint_url=fleet.url).get_caller_identity()["Account"] == OTHER_ACCOUNT


def test_control_snapshot_and_calls_of_one_world(fleet: EmulatorServer) -> None:
    """Without a query the default world answers (as before); ?account=&region= picks another."""
    assert model_names(control(fleet, "GET", "snapshot")[1]) == ["home"]
    assert model_names(control(fleet, "GET", "snapshot?region=eu-west-1")[1]) == ["abroad"]
    status, theirs = control(fleet, "GET", f"snapshot?account={OTHER_ACCOUNT}&region=eu-west-1")
    assert (status, model_names(theirs)) == (200, ["theirs"])
    assert control(fleet, "GET", f"calls?account={OTHER_ACCOUNT}&region=eu-west-1") == (
        200, {"CreateAssetModel": 1}
    )
    assert control(fleet, "GET", f"snapshot?account={OTHER_ACCOUNT}")[1]["assetModels"] == []


def test_control_lists_the_worlds(fleet: EmulatorServer) -> None:
    assert control(fleet, "GET", "worlds") == (200, {
        "default": {"account": "123456789012", "region": "us-east-1"},
        "worlds": [
            {"account": "123456789012", "region": "eu-west-1"},
            {"account": "123456789012", "region": "us-east-1"},
            {"account": OTHER_ACCOUNT, "region": "eu-west-1"},
        ],
    })


def test_control_reset_of_one_world_leaves_the_others(fleet: EmulatorServer) -> None:
    """Reset without a query empties the default world only; with one, that world only."""
    assert control(fleet, "POST", "reset") == (200, {"reset": True})
    assert control(fleet, "GET", "snapshot")[1]["assetModels"] == []
    assert control(fleet, "POST", f"reset?account={OTHER_ACCOUNT}&region=eu-west-1") == (200, {"reset": True})
    assert control(fleet, "GET", f"snapshot?account={OTHER_ACCOUNT}&region=eu-west-1")[1]["assetModels"] == []
    assert model_names(control(fleet, "GET", "snapshot?region=eu-west-1")[1]) == ["abroad"]


def test_control_reset_all_forgets_every_world(fleet: EmulatorServer) -> None:
    assert control(fleet, "POST", "reset?all=true") == (200, {"reset": True})
    assert control(fleet, "GET", "worlds")[1]["worlds"] == [{"account": "123456789012", "region": "us-east-1"}]
    assert control(fleet, "GET", "snapshot?region=eu-west-1")[1]["assetModels"] == []


@pytest.mark.parametrize(
    ("method", "path", "says"),
    [
        ("GET", "snapshot?account=2222", "12-digit"),
        ("GET", "snapshot?region=Europe", "region"),
        ("GET", "calls?acount=222222222222", "unknown query parameters"),
        ("POST", "reset?all=true&region=eu-west-1", "takes no account or region"),
        ("GET", "settings?region=eu-west-1", "whole emulator's"),
    ],
)
def test_control_refuses_a_world_it_cannot_read(server: EmulatorServer, method: str, path: str, says: str) -> None:
    """A malformed or misspelt world is 400, never a silently empty new world; settings are not per world."""
    status, document = control(server, method, path)
    assert status == 400
    assert says in document["message"]
    assert control(server, "GET", "worlds")[1]["worlds"] == [{"account": "123456789012", "region": "us-east-1"}]
