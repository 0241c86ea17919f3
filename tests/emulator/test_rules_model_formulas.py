"""Property formulas (metric and transform variables) and the delete rule they bring: a parent model's
formula that reads a child model's property through a hierarchy blocks deleting the child model
(InvalidRequest naming the parent, a formula dependency); bad variables are refused at create and update."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from teardown.emulator import LatencyProfile
from teardown.emulator.backend import SiteWiseBackend
from teardown.emulator.clock import ManualClock

if TYPE_CHECKING:
    from mypy_boto3_iotsitewise import IoTSiteWiseClient

POWER: Any = {"name": "power", "dataType": "DOUBLE", "type": {"measurement": {}}, "externalId": "power"}
WINDOW: Any = {"tumbling": {"interval": "1h"}}


def metric(name: str, *variables: tuple[str, dict[str, str]]) -> Any:
    return {
        "name": name,
        "dataType": "DOUBLE",
        "type": {
            "metric": {
                "expression": " + ".join(f"sum({v})" for v, _ in variables),
                "variables": [{"name": v, "value": value} for v, value in variables],
                "window": WINDOW,
            }
        },
    }


def refused(backend: SiteWiseBackend, call: Any, **kwargs: Any) -> tuple[str, int, str]:
    """Run a call that must fail; check the state did not move; return (code, status, message)."""
    before = backend.snapshot()
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert backend.snapshot() == before, "a refused call changed the state"
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


def farm(sitewise: IoTSiteWiseClient, *, formula: bool = True) -> dict[str, str]:
    """A turbine model with a power measurement and a site model whose hierarchy holds turbines; with
    ``formula`` the site sums the turbines' power through that hierarchy (hierarchy and property named by
    name and external id, as the API allows)."""
    turbine = sitewise.create_asset_model(assetModelName="turbine", assetModelProperties=[POWER])["assetModelId"]
    power = sitewise.describe_asset_model(assetModelId=turbine)["assetModelProperties"][0]["id"]
    assert power is not None
    properties = [metric("total", ("p", {"hierarchyId": "turbines", "propertyId": "externalId:power"}))]
    site = sitewise.create_asset_model(
        assetModelName="site",
        assetModelHierarchies=[{"name": "turbines", "childAssetModelId": turbine}],
        assetModelProperties=properties if formula else [],
    )["assetModelId"]
    hierarchy = sitewise.describe_asset_model(assetModelId=site)["assetModelHierarchies"][0]["id"]
    assert hierarchy is not None
    return {"turbine": turbine, "power": power, "site": site, "hierarchy": hierarchy}


def test_a_parent_formula_through_a_hierarchy_blocks_deleting_the_child_model(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend
) -> None:
    """DeleteAssetModel of the child model is InvalidRequest (400) naming the parent model and saying it is a
    formula dependency; once the parent's formula is gone (the hierarchy stays), the child model deletes."""
    world = farm(sitewise)
    code, status, message = refused(backend, sitewise.delete_asset_model, assetModelId=world["turbine"])
    assert (code, status) == ("InvalidRequestException", 400)
    assert world["site"] in message and "formula dependency" in message
    sitewise.update_asset_model(
        assetModelId=world["site"],
        assetModelName="site",
        assetModelHierarchies=[{"id": world["hierarchy"], "name": "turbines", "childAssetModelId": world["turbine"]}],
        assetModelProperties=[],
    )
    assert sitewise.delete_asset_model(assetModelId=world["turbine"])["assetModelStatus"]["state"] == "DELETING"


def test_variables_are_stored_as_ids(sitewise: IoTSiteWiseClient) -> None:
    """A variable given by hierarchy name and property external id is described with both ids."""
    world = farm(sitewise)
    described = sitewise.describe_asset_model(assetModelId=world["site"])["assetModelProperties"][0]
    assert described["type"]["metric"]["variables"] == [
        {"name": "p", "value": {"hierarchyId": world["hierarchy"], "propertyId": world["power"]}}
    ]


def test_the_parent_deletes_first_and_frees_the_child(sitewise: IoTSiteWiseClient) -> None:
    """The dependency runs one way: the parent model deletes despite its formula, then the child does."""
    world = farm(sitewise)
    assert sitewise.delete_asset_model(assetModelId=world["site"])["assetModelStatus"]["state"] == "DELETING"
    assert sitewise.delete_asset_model(assetModelId=world["turbine"])["assetModelStatus"]["state"] == "DELETING"


def test_a_formula_added_by_update_blocks_too(sitewise: IoTSiteWiseClient, backend: SiteWiseBackend) -> None:
    """UpdateAssetModel accepts a metric through an existing hierarchy (by id); it blocks like one created so."""
    world = farm(sitewise, formula=False)
    sitewise.update_asset_model(
        assetModelId=world["site"],
        assetModelName="site",
        assetModelHierarchies=[{"id": world["hierarchy"], "name": "turbines", "childAssetModelId": world["turbine"]}],
        assetModelProperties=[
            metric("total", ("p", {"hierarchyId": world["hierarchy"], "propertyId": world["power"]}))
        ],
    )
    code, _, message = refused(backend, sitewise.delete_asset_model, assetModelId=world["turbine"])
    assert code == "InvalidRequestException" and world["site"] in message


def test_a_recursive_model_with_a_formula_on_itself_deletes(sitewise: IoTSiteWiseClient) -> None:
    """A model whose formula reads its own children (Area -> Area) depends only on itself: it deletes."""
    area = sitewise.create_asset_model(
        assetModelName="area",
        assetModelExternalId="area",
        assetModelHierarchies=[{"name": "sub", "childAssetModelId": "externalId:area"}],
        assetModelProperties=[POWER, metric("total", ("p", {"hierarchyId": "sub", "propertyId": "externalId:power"}))],
    )["assetModelId"]
    assert sitewise.delete_asset_model(assetModelId=area)["assetModelStatus"]["state"] == "DELETING"


def test_a_transform_of_the_models_own_property_does_not_block(sitewise: IoTSiteWiseClient) -> None:
    """A transform reading a property of its own model (by name) has no hierarchy: it blocks nothing."""
    turbine = sitewise.create_asset_model(assetModelName="turbine", assetModelProperties=[POWER])["assetModelId"]
    transform: Any = {
        "name": "kw",
        "dataType": "DOUBLE",
        "type": {
            "transform": {"expression": "p / 1000", "variables": [{"name": "p", "value": {"propertyId": "power"}}]}
        },
    }
    sitewise.create_asset_model(
        assetModelName="site",
        assetModelHierarchies=[{"name": "turbines", "childAssetModelId": turbine}],
        assetModelProperties=[POWER, transform],
    )
    assert sitewise.delete_asset_model(assetModelId=turbine)["assetModelStatus"]["state"] == "DELETING"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"hierarchyId": "no-such-hierarchy", "propertyId": "externalId:power"}, "no-such-hierarchy"),
        ({"hierarchyId": "turbines", "propertyId": "externalId:nothing"}, "externalId:nothing"),
        ({"hierarchyId": "turbines", "propertyId": "power"}, "power"),  # a child's property is not named by name
        ({"propertyId": "nothing"}, "nothing"),
    ],
)
def test_bad_variables_are_refused(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, value: dict[str, str], named: str
) -> None:
    """CreateAssetModel and UpdateAssetModel refuse a variable naming a hierarchy the model does not define or a
    property its model does not have: InvalidRequest (400) naming the reference, nothing created or changed."""
    world = farm(sitewise, formula=False)
    code, status, message = refused(
        backend,
        sitewise.create_asset_model,
        assetModelName="other",
        assetModelHierarchies=[{"name": "turbines", "childAssetModelId": world["turbine"]}],
        assetModelProperties=[metric("total", ("p", value))],
    )
    assert (code, status) == ("InvalidRequestException", 400) and named in message
    code, status, message = refused(
        backend,
        sitewise.update_asset_model,
        assetModelId=world["site"],
        assetModelName="site",
        assetModelHierarchies=[{"id": world["hierarchy"], "name": "turbines", "childAssetModelId": world["turbine"]}],
        assetModelProperties=[metric("total", ("p", value))],
    )
    assert (code, status) == ("InvalidRequestException", 400) and named in message


def test_the_active_formula_blocks_until_the_parents_update_is_active(
    sitewise: IoTSiteWiseClient, backend: SiteWiseBackend, clock: ManualClock
) -> None:
    """While the parent's update that drops the formula is still UPDATING or PROPAGATING, its ACTIVE version
    still reads the child model: the delete stays refused until the parent is ACTIVE again."""
    backend.latency = LatencyProfile(update=1.0, propagate=2.0)
    world = farm(sitewise)
    sitewise.update_asset_model(
        assetModelId=world["site"],
        assetModelName="site",
        assetModelHierarchies=[{"id": world["hierarchy"], "name": "turbines", "childAssetModelId": world["turbine"]}],
        assetModelProperties=[],
    )
    for _ in range(2):  # UPDATING, then PROPAGATING
        code, _, message = refused(backend, sitewise.delete_asset_model, assetModelId=world["turbine"])
        assert code == "InvalidRequestException" and "formula dependency" in message
        clock.advance(1)
    clock.advance(2)
    assert sitewise.delete_asset_model(assetModelId=world["turbine"])["assetModelStatus"]["state"] == "DELETING"
