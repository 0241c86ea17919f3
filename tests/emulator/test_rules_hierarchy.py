"""Association rules and resource quotas: the child's model must match the
hierarchy, no cycles, at most one parent; children per parent, depth, assets per model and roots per
project are LimitExceeded (410). Also ids and external ids given at create time."""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

ROLE = "arn:aws:iam::123456789012:role/portal"


def refused(backend: SiteWiseBackend, call: Any, **kwargs: Any) -> tuple[str, int, str]:
    """Run a call that must fail; check the state did not move; return (code, status, message)."""
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert backend.snapshot() == before, "a refused call changed the state"
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


class Nodes:
    """A recursive model (node -> node), so any node can parent any other."""

    def __init__(self, sitewise: IoTSiteWiseClient) -> None:
        self.sitewise = sitewise
        self.model = sitewise.create_asset_model(
            assetModelName="node",
            assetModelExternalId="node",
            assetModelHierarchies=[{"name": "sub", "childAssetModelId": "externalId:node", "externalId": "sub"}],
        )["assetModelId"]
        hierarchy = sitewise.describe_asset_model(assetModelId=self.model)["assetModelHierarchies"][0]["id"]
        assert hierarchy is not None
        self.hierarchy = hierarchy

    def new(self, name: str) -> str:
        return self.sitewise.create_asset(assetName=name, assetModelId=self.model)["assetId"]

    def link(self, parent: str, child: str) -> None:
        self.sitewise.associate_assets(assetId=parent, hierarchyId=self.hierarchy, childAssetId=child)

    def chain(self, length: int) -> list[str]:
        ids = [self.new(f"n{i}") for i in range(length)]
        for parent, child in itertools.pairwise(ids):
            self.link(parent, child)
        return ids


def test_child_of_the_wrong_model_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A hierarchy only takes children of its childAssetModelId."""
    nodes = Nodes(sitewise)
    other = sitewise.create_asset_model(assetModelName="other")["assetModelId"]
    stranger = sitewise.create_asset(assetName="x", assetModelId=other)["assetId"]
    code, status, message = refused(
        backend, sitewise.associate_assets, assetId=nodes.new("p"), hierarchyId=nodes.hierarchy, childAssetId=stranger
    )
    assert (code, status) == ("InvalidRequestException", 400)
    assert other in message


def test_unknown_hierarchy_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A hierarchy id the parent's model does not define is InvalidRequest."""
    nodes = Nodes(sitewise)
    missing = "99999999-9999-4999-8999-999999999999"
    code, status, message = refused(
        backend, sitewise.associate_assets, assetId=nodes.new("p"), hierarchyId=missing, childAssetId=nodes.new("c")
    )
    assert (code, status) == ("InvalidRequestException", 400)
    assert missing in message


def test_a_second_parent_is_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """An asset has at most one parent; the message names the current one."""
    nodes = Nodes(sitewise)
    first, second, child = nodes.new("a"), nodes.new("b"), nodes.new("c")
    nodes.link(first, child)
    code, status, message = refused(
        backend, sitewise.associate_assets, assetId=second, hierarchyId=nodes.hierarchy, childAssetId=child
    )
    assert (code, status) == ("InvalidRequestException", 400)
    assert first in message


def test_cycles_are_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Associating an ancestor under its own descendant (or an asset under itself) is refused."""
    nodes = Nodes(sitewise)
    top, _, bottom = nodes.chain(3)
    code, status, _ = refused(
        backend, sitewise.associate_assets, assetId=bottom, hierarchyId=nodes.hierarchy, childAssetId=top
    )
    assert (code, status) == ("InvalidRequestException", 400)
    code, status, _ = refused(
        backend, sitewise.associate_assets, assetId=bottom, hierarchyId=nodes.hierarchy, childAssetId=bottom
    )
    assert (code, status) == ("InvalidRequestException", 400)


def test_children_per_parent_quota(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Past the children-per-parent quota (set to 2 here) AssociateAssets is LimitExceeded (410)."""
    backend.quotas = dataclasses.replace(backend.quotas, children_per_parent=2)
    nodes = Nodes(sitewise)
    parent = nodes.new("p")
    nodes.link(parent, nodes.new("c1"))
    nodes.link(parent, nodes.new("c2"))
    code, status, message = refused(
        backend, sitewise.associate_assets, assetId=parent, hierarchyId=nodes.hierarchy, childAssetId=nodes.new("c3")
    )
    assert (code, status) == ("LimitExceededException", 410)
    assert parent in message


def test_default_children_quota_is_one_hundred(backend: SiteWiseBackend) -> None:
    """The default resource quotas are the published ones."""
    quotas = backend.quotas
    assert (quotas.children_per_parent, quotas.hierarchy_depth, quotas.assets_per_model) == (100, 10, 10_000)
    assert quotas.root_assets_per_project == 1


def test_hierarchy_depth_quota(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """A tree deeper than the depth quota (3 levels here) is LimitExceeded, also when a subtree is attached."""
    backend.quotas = dataclasses.replace(backend.quotas, hierarchy_depth=3)
    nodes = Nodes(sitewise)
    top, _, bottom = nodes.chain(3)
    code, status, _ = refused(
        backend, sitewise.associate_assets, assetId=bottom, hierarchyId=nodes.hierarchy, childAssetId=nodes.new("x")
    )
    assert (code, status) == ("LimitExceededException", 410)
    pair_top, _ = nodes.chain(2)
    solo = nodes.new("solo")
    nodes.link(solo, pair_top)  # 3 levels: allowed
    code, status, _ = refused(
        backend, sitewise.associate_assets, assetId=top, hierarchyId=nodes.hierarchy, childAssetId=solo
    )
    assert (code, status) == ("LimitExceededException", 410)


def test_assets_per_model_quota(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """CreateAsset past the per-model quota (2 here) is LimitExceeded and creates nothing."""
    backend.quotas = dataclasses.replace(backend.quotas, assets_per_model=2)
    model = sitewise.create_asset_model(assetModelName="m")["assetModelId"]
    sitewise.create_asset(assetName="a", assetModelId=model)
    sitewise.create_asset(assetName="b", assetModelId=model)
    code, status, message = refused(backend, sitewise.create_asset, assetName="c", assetModelId=model)
    assert (code, status) == ("LimitExceededException", 410)
    assert model in message


def test_a_project_holds_one_hierarchy_root(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Assets of two different trees in one project are LimitExceeded; assets of one tree are fine."""
    nodes = Nodes(sitewise)
    root, child = nodes.chain(2)
    other_root = nodes.new("elsewhere")
    portal = sitewise.create_portal(portalName="p", portalContactEmail="p@example.com", roleArn=ROLE)["portalId"]
    project = sitewise.create_project(portalId=portal, projectName="x")["projectId"]
    assert sitewise.batch_associate_project_assets(projectId=project, assetIds=[root, child])["errors"] == []
    code, status, message = refused(
        backend, sitewise.batch_associate_project_assets, projectId=project, assetIds=[other_root]
    )
    assert (code, status) == ("LimitExceededException", 410)
    assert other_root in message and root in message
    assert sitewise.list_project_assets(projectId=project)["assetIds"] == [root, child]


def test_batch_project_association_reports_per_asset_failures(sitewise: IoTSiteWiseClient) -> None:
    """Unknown assets come back in errors[] with HTTP 200; the known ones are applied."""
    nodes = Nodes(sitewise)
    asset = nodes.new("a")
    missing = "99999999-9999-4999-8999-999999999999"
    portal = sitewise.create_portal(portalName="p", portalContactEmail="p@example.com", roleArn=ROLE)["portalId"]
    project = sitewise.create_project(portalId=portal, projectName="x")["projectId"]
    answer = sitewise.batch_associate_project_assets(projectId=project, assetIds=[asset, missing])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [e["assetId"] for e in answer["errors"]] == [missing]
    assert sitewise.list_project_assets(projectId=project)["assetIds"] == [asset]
    answer = sitewise.batch_disassociate_project_assets(projectId=project, assetIds=[asset, missing])
    assert [e["assetId"] for e in answer["errors"]] == [missing]
    assert sitewise.list_project_assets(projectId=project)["assetIds"] == []


def test_given_ids_and_external_ids_are_honoured(sitewise: IoTSiteWiseClient) -> None:
    """assetModelId/assetId/external ids given at create time are used, and externalId:X resolves."""
    model_id = "aaaaaaaa-0000-4000-8000-000000000001"
    asset_id = "bbbbbbbb-0000-4000-8000-000000000002"
    answer = sitewise.create_asset_model(assetModelName="m", assetModelId=model_id, assetModelExternalId="m-ext")
    assert answer["assetModelId"] == model_id
    assert answer["assetModelArn"] == f"arn:aws:iotsitewise:us-east-1:123456789012:asset-model/{model_id}"
    asset = sitewise.create_asset(
        assetName="a", assetModelId="externalId:m-ext", assetId=asset_id, assetExternalId="a1"
    )
    assert asset["assetArn"] == f"arn:aws:iotsitewise:us-east-1:123456789012:asset/{asset_id}"
    described = sitewise.describe_asset(assetId="externalId:a1")
    assert (described["assetId"], described["assetModelId"], described["assetExternalId"]) == (asset_id, model_id, "a1")


def test_duplicate_external_ids_and_ids_are_refused(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """Reusing an external id or an explicit id is ResourceAlreadyExists (409) naming the holder."""
    model = sitewise.create_asset_model(assetModelName="m", assetModelExternalId="dup")["assetModelId"]
    code, status, message = refused(
        backend, sitewise.create_asset_model, assetModelName="m2", assetModelExternalId="dup"
    )
    assert (code, status) == ("ResourceAlreadyExistsException", 409)
    assert model in message
    asset = sitewise.create_asset(assetName="a", assetModelId=model, assetExternalId="a-dup")["assetId"]
    code, status, message = refused(
        backend, sitewise.create_asset, assetName="b", assetModelId=model, assetExternalId="a-dup"
    )
    assert (code, status) == ("ResourceAlreadyExistsException", 409)
    assert asset in message
    code, status, _ = refused(backend, sitewise.create_asset, assetName="c", assetModelId=model, assetId=asset)
    assert (code, status) == ("ResourceAlreadyExistsException", 409)


def test_asset_summaries_carry_hierarchies_and_status(sitewise: IoTSiteWiseClient) -> None:
    """ListAssets summaries carry the model's hierarchy definitions (id, name, externalId) and the status."""
    nodes = Nodes(sitewise)
    nodes.new("a")
    summary = sitewise.list_assets(assetModelId=nodes.model)["assetSummaries"][0]
    assert summary["hierarchies"] == [{"id": nodes.hierarchy, "name": "sub", "externalId": "sub"}]
    assert summary["status"] == {"state": "ACTIVE"}


def test_traversals(sitewise: IoTSiteWiseClient) -> None:
    """CHILD and PARENT traversals and PATH_TO_ROOT follow the associations; externalId:X hierarchies work."""
    nodes = Nodes(sitewise)
    top, middle, bottom = nodes.chain(3)
    children = sitewise.list_associated_assets(assetId=top, hierarchyId="externalId:sub")["assetSummaries"]
    assert [a["id"] for a in children] == [middle]
    parents = sitewise.list_associated_assets(assetId=bottom, traversalDirection="PARENT")["assetSummaries"]
    assert [a["id"] for a in parents] == [middle]
    path = sitewise.list_asset_relationships(assetId=bottom, traversalType="PATH_TO_ROOT")["assetRelationshipSummaries"]
    assert [(r["hierarchyInfo"]["childAssetId"], r["hierarchyInfo"].get("parentAssetId")) for r in path] == [
        (bottom, middle),
        (middle, top),
        (top, None),
    ]
    top_level = sitewise.list_assets(filter="TOP_LEVEL")["assetSummaries"]
    assert [a["id"] for a in top_level] == [top]
