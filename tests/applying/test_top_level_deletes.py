"""Asset deletes confirmed by the account's top-level list (``TOP_LEVEL_GROUP``): one ListAssets(TOP_LEVEL)
shows every delete in flight whatever its model, so where the stale check read the whole account and found few
top-level assets the plan keeps, the run confirms the deletes of many models with one read instead of one each.
Elsewhere each model's list stays the read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from teardown.applying.effects import ObserveSettings, asset_gone
from teardown.applying.freshness import check_plan
from teardown.applying.observe import EffectObserver
from teardown.aws.calls import PAGE_SIZE, Calls
from teardown.emulator import is_mutating
from teardown.emulator.clock import ManualClock
from teardown.inventory.selectors import SelectionSpec
from tests.support.fakes import DeletingAssets
from tests.support.worlds import Env

MODELS = 5


@pytest.mark.parametrize("top_level", [True, False])
def test_the_top_level_list_confirms_the_deletes_of_every_model_with_one_read(clock: ManualClock,
                                                                               top_level: bool) -> None:
    """Ten deletes over five models: under the top-level group a read or two of the account confirm them all
    (fewer reads than models), where each model's list takes at least a read per model; a FAILED delete fails
    with its message either way."""
    assets = {f"a{i}": f"m{i % MODELS}" for i in range(10)}
    fake = DeletingAssets(clock, assets, gone_at=clock.now() + 2.0, failed={"a3": "disk on fire"})
    with EffectObserver(Calls(fake, clock), clock, ObserveSettings()) as observer:
        futures = [observer.expect(asset_gone(a, m, top_level=top_level), clock.now()) for a, m in assets.items()]
        verdicts = [f.result(timeout=30) for f in futures]
    assert [v.done for v in verdicts] == [a != "a3" for a in assets]
    assert "disk on fire" in (verdicts[3].error or "")
    assert "DescribeAsset" not in fake.calls
    if top_level:
        assert 0 < fake.calls["ListAssets"] < MODELS
    else:
        assert fake.calls["ListAssets"] >= MODELS


@contextmanager
def _run_lists(env: Env) -> Iterator[list[dict[str, Any]]]:
    """The parameters of every ListAssets sent after the first mutating call (the run's, not the check's)."""
    sent: list[dict[str, Any]] = []
    mutated = False

    def spy(params: dict[str, Any], model: Any, **_: Any) -> None:
        nonlocal mutated
        mutated = mutated or is_mutating(model.name)
        if mutated and model.name == "ListAssets":
            sent.append(dict(params))

    env.client.meta.events.register("provide-client-params.iotsitewise", spy)
    try:
        yield sent
    finally:
        env.client.meta.events.unregister("provide-client-params.iotsitewise", spy)


def test_an_all_plans_run_confirms_its_deletes_by_the_accounts_top_level_list(env: Env) -> None:
    """``--all``: the run's asset deletes are confirmed by ListAssets(TOP_LEVEL) of the account, and the world
    ends empty."""
    _, path = env.plan(SelectionSpec(all=True))
    with _run_lists(env) as sent:
        report = env.apply(path, archive=False)
    assert report.exit_code == 0
    assert any(params.get("filter") == "TOP_LEVEL" and "assetModelId" not in params for params in sent)
    assert env.client.list_assets(filter="TOP_LEVEL")["assetSummaries"] == []


def test_a_subtree_plans_run_reads_only_its_models_lists(env: Env) -> None:
    """A subtree plan's check does not read the account, so the top-level list could hold anything: the run
    lists each model's assets and never the account's top level."""
    _, path = env.plan(SelectionSpec(subtrees=(env.asset("site-1"),)))
    with _run_lists(env) as sent:
        report = env.apply(path, archive=False)
    assert report.exit_code == 0
    assert sent and all("assetModelId" in params for params in sent)


def test_the_check_counts_the_top_level_assets_the_plan_keeps_only_where_it_reads_the_account(env: Env) -> None:
    """``top_level_kept``: none under ``--all``; one under a name selector that leaves site 2 (and its turbine,
    which has a parent) alone; unknown (None) for a subtree."""
    assert check_plan(env.plan(SelectionSpec(all=True))[0], env.calls()).top_level_kept == 0
    named = SelectionSpec(names=("^Site 1", "^Spare$"))
    assert check_plan(env.plan(named, name="n.json")[0], env.calls()).top_level_kept == 1
    subtree = SelectionSpec(subtrees=(env.asset("site-1"),))
    assert check_plan(env.plan(subtree, name="s.json")[0], env.calls()).top_level_kept is None


def test_a_page_of_kept_top_level_assets_keeps_the_runs_reads_on_each_models_list(env: Env) -> None:
    """A page's worth of top-level assets the plan keeps would ride along in every top-level read: the run
    lists each model's assets instead."""
    for n in range(PAGE_SIZE):
        env.client.create_asset(assetName=f"kept {n}", assetModelId=env.world.models["spare"])
    _, path = env.plan(SelectionSpec(names=("^Site 1",)))
    with _run_lists(env) as sent:
        report = env.apply(path, archive=False)
    assert report.exit_code == 0
    assert sent and all("assetModelId" in params for params in sent)
