"""Round trips: tear down, restore from the archive, and find the world as it was, up to the new ids."""

from __future__ import annotations

import pytest

from teardown.applying.report import Outcome
from teardown.inventory.selectors import SelectionSpec
from teardown.restoring.steps import StepKind
from tests.restoring.conftest import restore_on, tear_down
from tests.support.world_view import world_view
from tests.support.worlds import Env


def test_a_subtree_comes_back_under_its_kept_parent_with_its_details(rich_farm: Env) -> None:
    """Site 1 (13 assets, in a project, under the kept enterprise) torn down and restored: names, external ids,
    descriptions, the hierarchy including the link to the kept enterprise, aliases, units, notifications,
    attribute values and the project link are as before; the kept models are reused, not duplicated."""
    env = rich_farm
    before = world_view(env.client)
    archive = tear_down(env, SelectionSpec(subtrees=(env.asset("enterprise/site-1"),)))
    gone = world_view(env.client)
    assert "Site 1" not in gone["assets"] and gone != before

    report = restore_on(env, archive)

    assert report.exit_code == 0, report.root_causes()
    assert world_view(env.client) == before
    assert {s.kind for s in report.steps} == {StepKind.ASSET, StepKind.ASSOCIATE, StepKind.LINK_PROJECT}
    assets = report.ids["assets"]
    assert len(assets) == 13
    assert env.asset("enterprise/site-1") in assets
    assert all(old != new for old, new in assets.items())  # re-created, under new ids
    restored_site = env.client.describe_asset(assetId="externalId:site-1")
    assert restored_site["assetId"] == assets[env.asset("enterprise/site-1")]


@pytest.mark.parametrize("keep", [False, True], ids=["series-deleted", "series-kept"])
def test_everything_comes_back_after_all(rich_farm: Env, keep: bool) -> None:
    """``--all`` (with and without ``--keep-time-series``): models (with their component, interface, hierarchies
    and tags), every asset, the portal, its project, dashboard and access policies, and the gateway come back;
    only the new ids differ. Kept series are bound back by alias; the others are re-created by their alias."""
    env = rich_farm
    before = world_view(env.client)
    archive = tear_down(env, SelectionSpec(all=True, keep_time_series=keep, allow_data_loss=keep))
    assert world_view(env.client)["models"] == {}

    report = restore_on(env, archive)

    assert report.exit_code == 0, report.root_causes()
    assert world_view(env.client) == before
    assert len(report.ids["models"]) == 7
    assert len(report.ids["assets"]) == 41
    assert {"portals", "projects", "dashboards", "policies", "gateways"} <= set(report.ids)
    assert all(s.outcome is Outcome.DONE for s in report.steps)


def test_restore_waits_for_active_instead_of_leaning_on_retries(rich_farm: Env) -> None:
    """On realistic latencies (creates take seconds) restore waits for each model and asset to be ACTIVE before
    what depends on it: the service never had to refuse a request as conflicting, so nothing was retried."""
    env = rich_farm
    archive = tear_down(env, SelectionSpec(all=True))
    env.backend.latency = "realistic"
    report = restore_on(env, archive)
    assert report.exit_code == 0, report.root_causes()
    assert report.retries == 0
