"""A scheduled reset killed mid-run and run again, as cron does: the next run first finishes the plan the
killed one left (its journal knows the assets it had already disassociated), then plans afresh, so no
asset is left behind as an orphan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from teardown.applying.journal import Journal
from teardown.applying.paths import journal_path
from teardown.inventory.selectors import SelectionSpec
from teardown.kinds import ActionKind
from teardown.planning.make import make_plan
from teardown.planning.planfile import write_plan
from teardown.workflows.reset import load_reset_config, run_reset
from tests.support.worlds import Env


def test_a_killed_reset_is_finished_by_the_next_run(farm: Env, reset_file: Callable[..., Path],
                                                    tmp_path: Path) -> None:
    """The killed run had disassociated every turbine of one line (journaled done) and deleted nothing. The
    next reset finishes that plan first: the orphaned turbines go too, and the run exits 0."""
    site = farm.asset("enterprise/site-2")
    config = load_reset_config(reset_file(f'subtrees = ["{site}"]'))
    plan, _ = make_plan(farm.discover(SelectionSpec(subtrees=(site,))), config.spec)
    path = write_plan(plan, tmp_path / "plans" / "reset-killed.plan.json")
    links = [a for a in plan.actions if a.kind is ActionKind.DISASSOCIATE_ASSET
             and a.label.endswith("from 'Site 2 / Line 1'")]
    assert links
    with Journal.open(journal_path(path), plan.digest, now=farm.clock.now()) as journal:
        for link in links:  # what the killed run did and journaled
            journal.record(link.id, "started", at=farm.clock.now())
            farm.client.disassociate_assets(**link.params)
            farm.clock.advance(5.0)
            journal.record(link.id, "done", at=farm.clock.now())
    orphans = [str(link.params["childAssetId"]) for link in links]

    result = run_reset(config, clock=farm.clock)
    assert [p for p, _ in result.finished_first] == [path]
    assert all(report.ok for _, report in result.finished_first)
    for orphan in orphans:
        assert not farm.exists("describe_asset", assetId=orphan)
    assert not farm.exists("describe_asset", assetId=site)
    assert result.report is None  # the fresh plan found nothing left to do


def test_a_finished_reset_plan_is_not_applied_again(farm: Env, reset_file: Callable[..., Path]) -> None:
    """Two resets in a row: the second finds the first's plan finished and sends no mutation for it."""
    site = farm.asset("enterprise/site-2")
    config = load_reset_config(reset_file(f'subtrees = ["{site}"]'))
    first = run_reset(config, clock=farm.clock)
    assert first.report is not None and first.report.ok
    before = farm.mutating_calls()
    second = run_reset(config, clock=farm.clock)
    assert second.finished_first == ()
    assert second.report is None
    assert farm.mutating_calls() == before
