"""Listing: default page of 50, opaque tokens bound to their listing, bad tokens
refused, creation order, the filter ListAssets requires, and ListAssociatedAssets with or without a hierarchy."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from teardown.emulator.backend import SiteWiseBackend

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient


def make_models(sitewise: IoTSiteWiseClient, count: int) -> list[str]:
    return [sitewise.create_asset_model(assetModelName=f"m{i:03}")["assetModelId"] for i in range(count)]


def error_code(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


def test_tokens_walk_every_page_in_creation_order(sitewise: IoTSiteWiseClient) -> None:
    """Pages of 2 over 5 models: 3 pages, no repeats, creation order, no token on the last page."""
    ids = make_models(sitewise, 5)
    seen: list[str] = []
    page = sitewise.list_asset_models(maxResults=2)
    pages = 1
    while "nextToken" in page:
        seen += [m["id"] for m in page["assetModelSummaries"]]
        page = sitewise.list_asset_models(maxResults=2, nextToken=page["nextToken"])
        pages += 1
    seen += [m["id"] for m in page["assetModelSummaries"]]
    assert (seen, pages) == (ids, 3)


def test_default_page_size_is_fifty(sitewise: IoTSiteWiseClient) -> None:
    """Without maxResults a page holds 50 summaries; the boto3 paginator gets them all."""
    make_models(sitewise, 51)
    first = sitewise.list_asset_models()
    assert len(first["assetModelSummaries"]) == 50 and "nextToken" in first
    everything = [
        m for page in sitewise.get_paginator("list_asset_models").paginate() for m in page["assetModelSummaries"]
    ]
    assert len(everything) == 51


@pytest.mark.parametrize("token", ["garbage!", base64.b64encode(b"[1, 2]").decode(), "e30="])
def test_bad_token_is_refused(sitewise: IoTSiteWiseClient, token: str) -> None:
    """A token that is not one of ours is InvalidRequest (400)."""
    make_models(sitewise, 3)
    with pytest.raises(ClientError) as caught:
        sitewise.list_asset_models(maxResults=1, nextToken=token)
    assert error_code(caught) == ("InvalidRequestException", 400)


def test_token_of_another_listing_is_refused(sitewise: IoTSiteWiseClient) -> None:
    """A token from ListAssetModels does not page ListAssets, nor the same call with another filter."""
    model = make_models(sitewise, 3)[0]
    for i in range(3):
        sitewise.create_asset(assetName=f"a{i}", assetModelId=model)
    token = sitewise.list_asset_models(maxResults=1)["nextToken"]
    with pytest.raises(ClientError) as caught:
        sitewise.list_assets(assetModelId=model, maxResults=1, nextToken=token)
    assert error_code(caught) == ("InvalidRequestException", 400)
    with pytest.raises(ClientError) as caught:
        sitewise.list_asset_models(maxResults=1, nextToken=token, assetModelTypes=["COMPONENT_MODEL"])
    assert error_code(caught) == ("InvalidRequestException", 400)


def test_forged_token_with_a_wrong_listing_hash_is_refused(sitewise: IoTSiteWiseClient) -> None:
    """A made-up token (an old offset token, or a key with a made-up hash) is refused."""
    make_models(sitewise, 3)
    forged = base64.b64encode(json.dumps({"o": 1, "h": "0" * 16}).encode()).decode()
    with pytest.raises(ClientError) as caught:
        sitewise.list_asset_models(maxResults=1, nextToken=forged)
    assert error_code(caught) == ("InvalidRequestException", 400)
    forged = base64.b64encode(json.dumps({"k": [1], "h": "0" * 16, "c": "0" * 16}).encode()).decode()
    with pytest.raises(ClientError) as caught:
        sitewise.list_asset_models(maxResults=1, nextToken=forged)
    assert error_code(caught) == ("InvalidRequestException", 400)


def test_list_assets_all_needs_a_model(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """ListAssets with filter ALL (the default) and no assetModelId is InvalidRequest: no call lists all assets."""
    make_models(sitewise, 1)
    with pytest.raises(ClientError) as caught:
        sitewise.list_assets()
    assert error_code(caught) == ("InvalidRequestException", 400)
    with pytest.raises(ClientError) as caught:
        sitewise.list_assets(filter="ALL")
    assert error_code(caught) == ("InvalidRequestException", 400)
    assert sitewise.list_assets(filter="TOP_LEVEL")["assetSummaries"] == []


def test_list_assets_of_an_unknown_model_is_not_found(sitewise: IoTSiteWiseClient) -> None:
    """ListAssets for a model that does not exist is 404, not an empty page."""
    with pytest.raises(ClientError) as caught:
        sitewise.list_assets(assetModelId="99999999-9999-4999-8999-999999999999")
    assert error_code(caught) == ("ResourceNotFoundException", 404)


def test_child_traversal_without_a_hierarchy_lists_every_child(sitewise: IoTSiteWiseClient) -> None:
    """ListAssociatedAssets CHILD (the default direction) without hierarchyId lists the immediate children of
    every hierarchy of the parent's model, paginated like any other listing; with a hierarchyId, only that
    hierarchy's children; PARENT of a root is empty."""
    leaf = sitewise.create_asset_model(assetModelName="leaf")["assetModelId"]
    other = sitewise.create_asset_model(assetModelName="other")["assetModelId"]
    root = sitewise.create_asset_model(
        assetModelName="root",
        assetModelHierarchies=[
            {"name": "leaves", "childAssetModelId": leaf},
            {"name": "others", "childAssetModelId": other},
        ],
    )["assetModelId"]
    described = sitewise.describe_asset_model(assetModelId=root)
    hierarchies = {h["name"]: h["id"] for h in described["assetModelHierarchies"]}
    parent = sitewise.create_asset(assetName="p", assetModelId=root)["assetId"]
    kids = []
    for name, model, hierarchy in [("l1", leaf, "leaves"), ("o1", other, "others"), ("l2", leaf, "leaves")]:
        kid = sitewise.create_asset(assetName=name, assetModelId=model)["assetId"]
        sitewise.associate_assets(assetId=parent, hierarchyId=hierarchies[hierarchy], childAssetId=kid)
        kids.append(kid)
    every = sitewise.list_associated_assets(assetId=parent)["assetSummaries"]
    assert sorted(a["id"] for a in every) == sorted(kids)
    paged = [
        a["id"]
        for page in sitewise.get_paginator("list_associated_assets").paginate(
            assetId=parent, traversalDirection="CHILD", PaginationConfig={"PageSize": 1}
        )
        for a in page["assetSummaries"]
    ]
    assert sorted(paged) == sorted(kids) and len(paged) == 3
    leaves = sitewise.list_associated_assets(assetId=parent, hierarchyId=hierarchies["leaves"])["assetSummaries"]
    assert sorted(a["id"] for a in leaves) == sorted([kids[0], kids[2]])
    assert sitewise.list_associated_assets(assetId=parent, traversalDirection="PARENT")["assetSummaries"] == []


def test_model_type_filter(sitewise: IoTSiteWiseClient) -> None:
    """assetModelTypes narrows ListAssetModels; without it every type is listed."""
    sitewise.create_asset_model(assetModelName="a")
    sitewise.create_asset_model(assetModelName="c", assetModelType="COMPONENT_MODEL")
    sitewise.create_asset_model(assetModelName="i", assetModelType="INTERFACE")
    only = sitewise.list_asset_models(assetModelTypes=["COMPONENT_MODEL"])["assetModelSummaries"]
    assert [m["name"] for m in only] == ["c"]
    assert [m["name"] for m in sitewise.list_asset_models()["assetModelSummaries"]] == ["a", "c", "i"]
