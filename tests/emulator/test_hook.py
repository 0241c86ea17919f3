"""mock_sitewise: boto3 clients answered in-process, alone, nested, inside moto, from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws

from teardown import emulator
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock
from teardown.emulator.hook import mock_sitewise

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def _model(client: IoTSiteWiseClient, name: str) -> str:
    return client.create_asset_model(assetModelName=name)["assetModelId"]


def _model_names(client: IoTSiteWiseClient) -> set[str]:
    return {m["name"] for m in client.list_asset_models()["assetModelSummaries"]}


def test_a_client_created_before_the_context_is_answered(backend: SiteWiseBackend) -> None:
    """Like moto: the handler rides on every session, so an earlier client is served once the context opens."""
    client = boto3.client("iotsitewise", region_name="us-east-1", config=NO_RETRIES)
    with mock_sitewise(backend):
        _model(client, "early")
    assert backend.call_counts().get("CreateAssetModel") == 1


def test_each_request_reaches_the_backend_exactly_once(backend: SiteWiseBackend) -> None:
    """boto3's default session carries the handler twice (builtin and explicit); one call is one call."""
    with mock_sitewise(backend):
        boto3.client("iotsitewise", config=NO_RETRIES).list_asset_models()
        boto3.Session().client("iotsitewise", config=NO_RETRIES).list_asset_models()
    assert backend.call_counts().get("ListAssetModels") == 2


@pytest.mark.parametrize("inject_host_prefix", [True, False])
def test_host_prefix_injection_on_or_off(backend: SiteWiseBackend, inject_host_prefix: bool) -> None:
    """api. and monitor. prefixed hosts and bare hosts all reach the emulator."""
    config = NO_RETRIES.merge(Config(inject_host_prefix=inject_host_prefix))
    with mock_sitewise(backend):
        client = boto3.client("iotsitewise", config=config)
        _model(client, "m")
        assert client.list_portals()["portalSummaries"] == []
    assert backend.call_counts().get("ListPortals") == 1


def test_inside_moto_mock_aws_sts_from_moto_sitewise_from_us(backend: SiteWiseBackend) -> None:
    """Nested in mock_aws, STS answers from moto and iotsitewise from our backend (not moto's 404 stub)."""
    with mock_aws(), mock_sitewise(backend):
        identity = boto3.client("sts").get_caller_identity()
        _model(boto3.client("iotsitewise", config=NO_RETRIES), "inside-moto")
    assert identity["Account"] == "123456789012"
    assert backend.call_counts().get("CreateAssetModel") == 1


def test_moto_opened_inside_our_context_still_leaves_sitewise_to_us(backend: SiteWiseBackend) -> None:
    """The other nesting order: our handler is the more specific one, so order of entry does not matter."""
    with mock_sitewise(backend), mock_aws():
        client = boto3.client("iotsitewise", config=NO_RETRIES)
        _model(client, "m")
        assert _model_names(client) == {"m"}


def test_nested_contexts_innermost_answers_and_outer_is_restored(clock: ManualClock) -> None:
    """Inner backend gets the calls while open; after it closes the outer one answers again."""
    outer = SiteWiseBackend(clock=clock)
    inner = SiteWiseBackend(clock=clock)
    with mock_sitewise(outer):
        client = boto3.client("iotsitewise", config=NO_RETRIES)
        _model(client, "outer-1")
        with mock_sitewise(inner):
            _model(client, "inner-1")
            assert _model_names(client) == {"inner-1"}
        assert _model_names(client) == {"outer-1"}


def test_after_the_context_nothing_is_answered_in_process(backend: SiteWiseBackend) -> None:
    """Outside the context the request really goes out (here to a closed local port and fails)."""
    with mock_sitewise(backend):
        pass
    client = boto3.client(
        "iotsitewise", endpoint_url="http://127.0.0.1:9", config=NO_RETRIES.merge(Config(connect_timeout=2))
    )
    with pytest.raises(EndpointConnectionError):
        client.list_asset_models()
    assert backend.call_counts().get("ListAssetModels") is None


def test_many_threads_share_one_client(backend: SiteWiseBackend) -> None:
    """Worker threads (as the engine uses) see the context opened on the main thread; no call is lost."""
    with mock_sitewise(backend):
        client = boto3.client("iotsitewise", config=NO_RETRIES.merge(Config(max_pool_connections=8)))
        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(lambda i: _model(client, f"m-{i}"), range(80)))
        assert len(set(ids)) == 80
        assert len(_model_names(client)) == 50  # first page: default maxResults
    assert backend.call_counts()["CreateAssetModel"] == 80


def test_builds_a_backend_from_keyword_arguments() -> None:
    """Without a backend, mock_sitewise builds one from SiteWiseBackend's keyword arguments."""
    clock = ManualClock()
    with mock_sitewise(clock=clock, latency="instant") as built:
        _model(boto3.client("iotsitewise", config=NO_RETRIES), "m")
    assert isinstance(built, SiteWiseBackend)
    assert built.call_counts()["CreateAssetModel"] == 1


def test_backend_and_keyword_arguments_together_are_refused(backend: SiteWiseBackend) -> None:
    """Either a backend or the arguments to build one: both at once is a caller mistake."""
    with pytest.raises(TypeError), mock_sitewise(backend, latency="instant"):
        pass


def test_public_api_names_resolve() -> None:
    """Every name in teardown.emulator.__all__ imports, and the list is sorted (a curated API)."""
    assert emulator.__all__ == sorted(emulator.__all__)
    missing = [name for name in emulator.__all__ if getattr(emulator, name, None) is None]
    assert missing == []
    assert emulator.mock_sitewise is mock_sitewise
    assert emulator.SiteWiseBackend is SiteWiseBackend
