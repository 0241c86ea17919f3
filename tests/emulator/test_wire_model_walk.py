"""A walk over the whole iotsitewise service model through boto3: which operations the emulator serves,
and that every other one answers 501 NotImplementedByEmulator (never a silent success)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from botocore.model import ListShape, MapShape, Shape, StructureShape

from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.wire.codec import service_model

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

# The operations teardown, seeding and the demo call: the emulator must serve every one of them.
REQUIRED = frozenset(
    {
        "AssociateAssets", "BatchAssociateProjectAssets", "BatchDisassociateProjectAssets", "CreateAccessPolicy",
        "CreateAsset", "CreateAssetModel", "CreateAssetModelCompositeModel", "CreateDashboard", "CreateGateway",
        "CreatePortal", "CreateProject", "DeleteAccessPolicy", "DeleteAsset", "DeleteAssetModel",
        "DeleteAssetModelCompositeModel", "DeleteAssetModelInterfaceRelationship", "DeleteDashboard",
        "DeleteGateway", "DeletePortal", "DeleteProject", "DeleteTimeSeries", "DescribeAccessPolicy",
        "DescribeAsset", "DescribeAssetModel", "DescribeDashboard", "DescribeGateway", "DescribePortal",
        "DescribeProject", "DescribeTimeSeries", "DisassociateAssets", "ListAccessPolicies",
        "ListAssetModelCompositeModels", "ListAssetModels", "ListAssetRelationships", "ListAssets",
        "ListAssociatedAssets", "ListCompositionRelationships", "ListDashboards", "ListGateways",
        "ListInterfaceRelationships", "ListPortals", "ListProjectAssets", "ListProjects", "ListTimeSeries",
        "PutAssetModelInterfaceRelationship", "TagResource", "UntagResource", "ListTagsForResource",
    }
)  # fmt: skip


def _example(shape: Shape) -> Any:
    """A value of the right type for a required member: enough for botocore to build the request."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return {name: _example(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        assert isinstance(shape, ListShape)
        return [_example(shape.member)] * int(shape.metadata.get("min", 0))
    if kind == "map":
        assert isinstance(shape, MapShape)
        return {}
    if kind == "string":
        enum = shape.metadata.get("enum")
        return enum[0] if enum else "x" * max(1, int(shape.metadata.get("min", 1)))
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime(2024, 1, 1, tzinfo=UTC)
    if kind == "blob":
        return b"x"
    return None


def _python_name(client: IoTSiteWiseClient, operation: str) -> str:
    names = {v: k for k, v in client.meta.method_to_api_mapping.items()}
    return names[operation]


def test_served_operations_are_real_and_cover_what_teardown_needs(backend: SiteWiseBackend) -> None:
    """Every served name is an operation of the model, and nothing teardown relies on is missing."""
    served = backend.served_operations()
    model_ops = set(service_model().operation_names)
    assert served - model_ops == set()
    assert REQUIRED - served == set()


def test_every_unserved_operation_answers_501_through_boto3(backend: SiteWiseBackend, lax_sitewise: Any) -> None:
    """All model operations not served (walked from the model, not a list) are 501 NotImplementedByEmulator."""
    model = service_model()
    unserved = [name for name in model.operation_names if name not in backend.served_operations()]
    wrong: dict[str, Any] = {}
    for name in unserved:
        shape = model.operation_model(name).input_shape
        params = _example(shape) if shape is not None else {}
        try:
            getattr(lax_sitewise, _python_name(lax_sitewise, name))(**params)
        except ClientError as error:
            got = (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"])
            if got != ("NotImplementedByEmulator", 501):
                wrong[name] = got
        else:
            wrong[name] = "succeeded"
    assert wrong == {}
    assert len(unserved) + len(backend.served_operations()) == len(model.operation_names)
    assert len(unserved) > 0  # the model has far more operations than teardown needs
