"""Every error the emulator can answer for an operation is one the service model declares for it.

The errors a handler can raise are read statically from the rule modules (tests/emulator/raises.py); the
call pipeline adds ThrottlingException (quotas, injected), InternalFailureException (injected, or a bug)
and InvalidRequestException (input validation, a reused clientToken, a bad nextToken) to every operation.
Where the documentation declares no ResourceNotFound, a missing parent is an empty listing; where it
declares no ConflictingOperation, a portal that is not ACTIVE is an invalid request."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import LatencyProfile
from teardown.emulator.backend import _HANDLERS, SiteWiseBackend
from teardown.emulator.wire.codec import service_model
from tests.emulator.raises import raise_index

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

PIPELINE = frozenset({"ThrottlingException", "InternalFailureException", "InvalidRequestException"})
MISSING = "99999999-9999-4999-8999-999999999999"


def declared(operation: str) -> frozenset[str]:
    return frozenset(shape.name for shape in service_model().operation_model(operation).error_shapes)


def test_every_error_a_handler_can_raise_is_declared_for_its_operation(backend: SiteWiseBackend) -> None:
    """For each served operation: the errors its handler can raise, plus the pipeline's, are all declared."""
    assert set(_HANDLERS) == set(backend.served_operations())
    index = raise_index()
    undeclared = {
        operation: sorted((index.codes_of(handler) | PIPELINE) - declared(operation))
        for operation, handler in sorted(_HANDLERS.items())
    }
    assert {op: codes for op, codes in undeclared.items() if codes} == {}


def test_the_static_reading_sees_raises_calls_and_catches() -> None:
    """The reading is not vacuous: direct raises, raises in called helpers and World methods are found, and an
    error caught and turned into another does not escape."""
    index = raise_index()
    assert index.codes_of(_HANDLERS["DeleteAsset"]) >= {
        "InvalidRequestException",  # its own preconditions
        "ConflictingOperationException",  # guards.require_mutable
        "ResourceNotFoundException",  # World.asset
    }
    assert "TooManyTagsException" in index.codes_of(_HANDLERS["TagResource"])
    assert "PreconditionFailedException" in index.codes_of(_HANDLERS["DeleteAssetModel"])
    # CreateAssetModel turns an unknown child model (ResourceNotFound from World.model) into InvalidRequest.
    assert "ResourceNotFoundException" not in index.codes_of(_HANDLERS["CreateAssetModel"])


def test_monitor_listings_of_a_missing_parent_are_empty(sitewise: IoTSiteWiseClient) -> None:
    """ListProjects, ListDashboards and ListProjectAssets declare no ResourceNotFound: an unknown portal or
    project lists nothing (200), as a deleted one does."""
    assert sitewise.list_projects(portalId=MISSING)["projectSummaries"] == []
    assert sitewise.list_dashboards(projectId=MISSING)["dashboardSummaries"] == []
    assert sitewise.list_project_assets(projectId=MISSING)["assetIds"] == []


def test_create_project_in_a_portal_not_active_is_an_invalid_request(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """CreateProject declares no ConflictingOperation: in a CREATING portal it is InvalidRequest (400) naming
    the portal and its state, and nothing is created."""
    backend.latency = LatencyProfile(portal_create=5.0)
    portal = sitewise.create_portal(
        portalName="p", portalContactEmail="o@example.com", roleArn="arn:aws:iam::123456789012:role/portal"
    )["portalId"]
    with pytest.raises(ClientError) as caught:
        sitewise.create_project(portalId=portal, projectName="early")
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidRequestException", 400)
    assert portal in error["Error"]["Message"] and "CREATING" in error["Error"]["Message"]
    assert sitewise.list_projects(portalId=portal)["projectSummaries"] == []
    backend.clock.sleep(5)
    assert sitewise.create_project(portalId=portal, projectName="p")["projectId"]
