"""Effects confirmed by the account's top-level list (``TOP_LEVEL_GROUP``): one ListAssets(TOP_LEVEL) shows
every asset delete in flight and every parent already unlinked, whatever its model. The run reads it where the
stale check read the whole account and that list, even at its fullest, costs at most half a read of each model's
list; elsewhere each model's list stays the read. Absence from it proves gone only for an asset it has shown."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import pytest

from teardown.applying.effects import TOP_LEVEL_GROUP, Effect, ObserveSettings, Verdict, asset_gone
from teardown.applying.execute import Executor
from teardown.applying.freshness import check_plan
from teardown.applying.observe import EffectObserver
from teardown.applying.schedule import asset_models
from teardown.aws.calls import PAGE_SIZE, Calls
from teardown.emulator import is_mutating
from teardown.emulator.clock import ManualClock
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
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


class _Recorder:
    """Stands in for the observer: records each effect the executor expects, and leaves it pending."""

    def __init__(self) -> None:
        self.effects: list[Effect] = []

    def expect(self, effect: Effect, sent_at: float, *, key: str | None = None,
               urgent: bool = True) -> Future[Verdict]:
        self.effects.append(effect)
        return Future()


class _Accepting:
    """A client that accepts every disassociation and delete."""

    def disassociate_assets(self, **_: Any) -> dict[str, Any]:
        return {}

    def delete_asset(self, **_: Any) -> dict[str, Any]:
        return {"assetStatus": {"state": "DELETING"}}


@pytest.mark.parametrize("top_level_reads", [True, False])
def test_a_parent_settles_in_the_top_level_list_once_the_run_has_unlinked_it(farm: Env,
                                                                             top_level_reads: bool) -> None:
    """Site 1 is still under the enterprise while its first line is unlinked: its settling shows in its model's
    list. The enterprise has no parent, and once site 1 is unlinked from it so has site 1: their settling shows
    in the account's top-level list, as every delete does. Without top-level reads, each model's list."""
    plan, _ = farm.plan(SelectionSpec(all=True))
    actions = {(a.kind, a.params.get("assetId"), a.params.get("childAssetId")): a for a in plan.actions}
    site, enterprise = farm.asset("enterprise/site-1"), farm.asset("enterprise")
    unlink = [actions[(ActionKind.DISASSOCIATE_ASSET, parent, child)] for parent, child in (
        (site, farm.asset("enterprise/site-1/line-1")), (enterprise, site),
        (site, farm.asset("enterprise/site-1/line-2")))]
    delete = actions[(ActionKind.DELETE_ASSET, farm.asset("enterprise/site-1/line-1"), None)]
    recorder = _Recorder()
    executor = Executor(Calls(_Accepting(), farm.clock), digest=plan.digest, clock=farm.clock,
                        observer=recorder,  # type: ignore[arg-type]  # records what an observer would watch
                        models=asset_models({a.id: a for a in plan.actions}), top_level_reads=top_level_reads,
                        deleted=plan.targets(ActionKind.DELETE_ASSET),
                        linked={str(a.params["childAssetId"]) for a in plan.actions
                                if a.kind is ActionKind.DISASSOCIATE_ASSET})
    for action in (*unlink, delete):
        executor.start(action)
    site_model = f"assets:{farm.world.models['site']}"
    top = TOP_LEVEL_GROUP if top_level_reads else None
    assert [e.group for e in recorder.effects] == [
        site_model, top or f"assets:{farm.world.models['enterprise']}", top or site_model,
        top or f"assets:{farm.world.models['line']}"]


def _note_done(done_at: dict[str, float], asset: str, clock: ManualClock, _: Future[Verdict]) -> None:
    done_at.setdefault(asset, clock.now())


def test_absence_from_the_top_level_list_counts_only_for_an_asset_it_has_shown(clock: ManualClock) -> None:
    """An index behind the unlinking leaves a1 out of the top-level list while it is still DELETING: that
    absence is no proof, so a1 is judged by its model's list and is done only once it is really gone; a0, which
    the top-level list showed DELETING first, is confirmed there."""
    start = clock.now()
    fake = DeletingAssets(clock, {"a0": "m0", "a1": "m1"}, gone_at=start + 2.0, gone_at_of={"a1": start + 6.0},
                          unindexed=frozenset({"a1"}))
    done_at: dict[str, float] = {}
    with EffectObserver(Calls(fake, clock), clock, ObserveSettings()) as observer:
        futures = {a: observer.expect(asset_gone(a, m, top_level=True), start) for a, m in fake.assets.items()}
        for asset, future in futures.items():
            future.add_done_callback(functools.partial(_note_done, done_at, asset, clock))
        verdicts = {a: f.result(timeout=30) for a, f in futures.items()}
    assert all(v.done for v in verdicts.values())
    assert done_at["a1"] >= start + 6.0
    assert fake.model_lists >= 1


def test_where_the_models_lists_are_as_cheap_the_run_reads_them(env: Env) -> None:
    """Deleting the spare alone: its model's list is one page, no dearer than the top-level list at its
    fullest, so the run reads the model's list (the top level pays only where it replaces many)."""
    _, path = env.plan(SelectionSpec(names=("^Spare$",)))
    with _run_lists(env) as sent:
        report = env.apply(path, archive=False)
    assert report.exit_code == 0
    assert sent and all("assetModelId" in params for params in sent)
