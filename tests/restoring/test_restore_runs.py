"""Restore as an engine run: guards before anything is created, resume after a crash or Ctrl-C, a second run,
kept time series bound back by alias, and the command line."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from teardown.applying.report import Outcome
from teardown.archive.document import EXTENSION, ArchiveError
from teardown.cli import restore_cmd
from teardown.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_REFUSED, PlanRefused
from teardown.inventory.selectors import SelectionSpec
from teardown.restoring.context import Restorer
from teardown.restoring.report import StepReport
from teardown.restoring.run import load_restore_plan, restore
from teardown.restoring.steps import StepKind
from tests.restoring.conftest import FAST_RESTORE, restore_on, tear_down
from tests.support.cli import Cli
from tests.support.world_view import world_view
from tests.support.worlds import FAST_RETRY, REGION, Env


class Crash(BaseException):
    """The process dies: nothing of the engine catches this, as nothing catches a kill."""


def _creates(env: Env) -> int:
    return sum(n for op, n in env.mutating_calls().items() if op.startswith("Create"))


def test_a_tampered_or_foreign_archive_changes_nothing(rich_farm: Env) -> None:
    """An archive edited after it was written is bad input (ArchiveError, exit 2); one taken in another account
    is refused (exit 3); neither sends a mutating call."""
    env = rich_farm
    archive = tear_down(env, SelectionSpec(subtrees=(env.asset("enterprise/site-1"),)))
    before = env.mutating_calls()
    with pytest.raises(PlanRefused, match="account 123456789012") as refused:
        restore_on(env, archive, identity=lambda: ("111111111111", REGION))
    assert refused.value.exit_code == EXIT_REFUSED
    data = json.loads(archive.read_text())
    data["assets"][0]["assetDescription"] = "edited"
    archive.write_text(json.dumps(data))
    with pytest.raises(ArchiveError, match="digest mismatch") as bad:
        restore_on(env, archive)
    assert bad.value.exit_code == EXIT_BAD_INPUT
    assert env.mutating_calls() == before


def test_a_crash_mid_restore_resumes_without_creating_anything_twice(rich_farm: Env,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies while an asset it just created is settling (CreateAsset sent, the step never journaled
    done). The next run finds that asset under the id the run chose, creates nothing twice, finishes the rest,
    and the world is as before the teardown."""
    env = rich_farm
    before = world_view(env.client)
    archive = tear_down(env, SelectionSpec(all=True))
    real_wait = Restorer.wait_active
    waits = {"n": 0}

    def crash_on_the_tenth_asset(self: Restorer, operation: str, *args: Any, **kwargs: Any) -> None:
        if operation == "DescribeAsset":
            waits["n"] += 1
            if waits["n"] == 10:
                raise Crash
        real_wait(self, operation, *args, **kwargs)

    monkeypatch.setattr(Restorer, "wait_active", crash_on_the_tenth_asset)
    creates_before = _creates(env)
    with pytest.raises(Crash):
        restore_on(env, archive, workers=1)
    monkeypatch.setattr(Restorer, "wait_active", real_wait)
    journal = [json.loads(line) for line in archive.with_name(archive.name + ".restore.journal.jsonl")
               .read_text().splitlines()]
    last = {e["action"]: e["event"] for e in journal if "action" in e}
    assert "started" in last.values()  # left in flight by the crash
    first_creates = _creates(env) - creates_before

    report = restore_on(env, archive)

    assert report.exit_code == 0, report.root_causes()
    assert world_view(env.client) == before
    restored = sum(1 for s in report.steps if s.kind not in (StepKind.ASSOCIATE, StepKind.LINK_PROJECT))
    composites = 1  # the turbine's generator, created apart from its model
    interfaces = 0  # PutAssetModelInterfaceRelationship is a Put, not a Create
    assert _creates(env) - creates_before == restored + composites + interfaces
    assert first_creates > 0
    assert any(s.earlier_run for s in report.steps)


def test_ctrl_c_stops_and_the_next_run_does_the_rest(rich_farm: Env) -> None:
    """The stop event after the first finished step: exit 130, in-flight steps settle, the next run does only
    what is left and the world comes back whole."""
    env = rich_farm
    before = world_view(env.client)
    archive = tear_down(env, SelectionSpec(subtrees=(env.asset("enterprise/site-1"),)))
    stop = threading.Event()

    def on_step(step: StepReport) -> None:
        stop.set()

    first = restore_on(env, archive, stop=stop, on_step=on_step, workers=2)
    assert first.exit_code == EXIT_INTERRUPTED
    assert any(s.outcome is Outcome.NOT_STARTED for s in first.steps)
    second = restore_on(env, archive)
    assert second.exit_code == 0, second.root_causes()
    assert world_view(env.client) == before


def test_restore_run_twice_is_a_no_op_and_afresh_it_reuses_everything(rich_farm: Env) -> None:
    """Run again after it finished: every step is an earlier run's, nothing is sent, the same id map is reported.
    With the journal moved away: every model, asset and Monitor resource is found and reused (external id, else
    name where it belongs), nothing is created, and the ids are the same."""
    env = rich_farm
    archive = tear_down(env, SelectionSpec(all=True))
    first = restore_on(env, archive)
    after = world_view(env.client)
    mutations = env.mutating_calls()

    again = restore_on(env, archive)
    assert again.exit_code == 0
    assert all(s.earlier_run for s in again.steps)
    assert env.mutating_calls() == mutations
    assert again.ids == first.ids

    journal = archive.with_name(archive.name + ".restore.journal.jsonl")
    journal.rename(journal.with_name("moved-away.jsonl"))
    afresh = restore_on(env, archive)
    assert afresh.exit_code == 0, afresh.root_causes()
    assert all(s.outcome is Outcome.ALREADY_DONE for s in afresh.steps)
    assert _creates(env) == sum(n for op, n in mutations.items() if op.startswith("Create"))
    assert afresh.ids == first.ids
    assert world_view(env.client) == after


def test_a_keep_time_series_teardown_comes_back_with_its_history(rich_farm: Env) -> None:
    """``--subtree site-1 --keep-time-series``: the teardown keeps the five turbines' power series (alias-only
    meanwhile); restore binds each back to its re-created property by alias, so the world is as before and
    the history written before the teardown reads through the new assets."""
    env = rich_farm
    aliases = [f"/windfarm/enterprise/site-1/line-1/turbine-{n}/power" for n in range(1, 6)]
    now = int(env.clock.now())
    env.client.batch_put_asset_property_value(entries=[
        {"entryId": f"p{i}", "propertyAlias": alias,
         "propertyValues": [{"value": {"doubleValue": 100.0 + i}, "timestamp": {"timeInSeconds": now}}]}
        for i, alias in enumerate(aliases)])
    before = world_view(env.client)
    # Turbine 3's serial number was written (enrich): a series without an alias, which cannot be kept; its
    # data may go, since the archive holds the attribute's value and restore writes it back.
    archive = tear_down(env, SelectionSpec(subtrees=(env.asset("enterprise/site-1"),), keep_time_series=True,
                                           allow_data_loss=True))
    kept = json.loads(archive.read_text())[EXTENSION]["keptTimeSeries"]
    assert sorted(k["alias"] for k in kept) == aliases
    assert all("assetId" not in env.client.describe_time_series(alias=a) for a in aliases)  # alias-only now
    dry = load_restore_plan(archive)
    assert dry.archive.section("keptTimeSeries") == kept

    report = restore_on(env, archive)

    assert report.exit_code == 0, report.root_causes()
    assert world_view(env.client) == before
    for i, alias in enumerate(aliases):
        turbine = report.ids["assets"][env.asset(f"enterprise/site-1/line-1/turbine-{i + 1}")]
        series = env.client.describe_time_series(alias=alias)
        assert series["assetId"] == turbine
        history = env.client.get_asset_property_value_history(assetId=turbine, propertyId=series["propertyId"])
        assert [p["value"]["doubleValue"] for p in history["assetPropertyValueHistory"]] == [100.0 + i]


@pytest.fixture
def restore_cli(cli: Cli, monkeypatch: pytest.MonkeyPatch, rich_farm: Env) -> Cli:
    """``cli`` with `restore` on the world's clock, fast polls and retries."""
    def on_clock(*args: Any, **kwargs: Any) -> Any:
        return restore(*args, **kwargs, clock=rich_farm.clock, settings=FAST_RESTORE, retry=FAST_RETRY)

    monkeypatch.setattr(restore_cmd, "restore", on_clock)
    return cli


def test_the_restore_command(rich_farm: Env, restore_cli: Cli, tmp_path: Path) -> None:
    """--dry-run shows the restore plan and sends nothing; without a terminal, --auto-approve is needed (exit
    3); with it, every step is listed as it ends, then the counts and the archived -> new id map; a corrupted
    archive is bad input (exit 2)."""
    env = rich_farm
    archive = tear_down(env, SelectionSpec(subtrees=(env.asset("enterprise/site-1"),)))
    before = env.mutating_calls()
    dry = restore_cli("restore", str(archive), "--dry-run")
    assert dry.code == 0, dry.err
    assert "27 steps:" in dry.out and "re-create assets                  13" in dry.out
    assert f"  Site 1 under Contoso Wind ({env.asset('enterprise')})" in dry.out
    assert "      1. asset 'Site 1'" in dry.out
    assert "Dry run: nothing was changed" in dry.out
    refused = restore_cli("restore", str(archive))
    assert refused.code == EXIT_REFUSED and "--auto-approve" in refused.err
    assert env.mutating_calls() == before

    done = restore_cli("restore", str(archive), "--auto-approve")
    assert done.code == 0, done.err
    site = env.client.describe_asset(assetId="externalId:site-1")["assetId"]
    assert any(line.startswith("  asset 'Site 1' ") and line.endswith(f"{env.asset('enterprise/site-1')} -> {site}")
               for line in done.out.splitlines())
    assert "  done     asset 'Site 1'" in done.out
    assert "Restored: everything the archive holds is back." in done.out
    assert json.loads(archive.with_name(archive.name + ".restore.report.json").read_text())["ok"] is True

    archive.write_text(archive.read_text()[:-20])
    broken = restore_cli("restore", str(archive), "--dry-run")
    assert broken.code == EXIT_BAD_INPUT and broken.errors and broken.clean
