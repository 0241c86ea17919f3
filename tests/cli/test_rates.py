"""Rates that match the account: quotas are adjustable, so `plan --rate FAMILY=TPS`, `apply --rate` and a
reset file's `[apply] rates` pace a family at the account's own rate instead of the published default."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from teardown.aws.calls import Calls
from teardown.aws.discover import discover_target
from teardown.aws.pacing import DEFAULT_RATES, family_of
from teardown.cli import apply_cmd, plan_cmd
from teardown.errors import BadInputError
from teardown.inventory.selectors import SelectionSpec
from teardown.workflows import reset
from teardown.workflows.reset import load_reset_config
from tests.support.cli import Cli
from tests.support.worlds import ACCOUNT, REGION, TARGET, Env


def test_apply_rate_paces_the_family_at_the_given_rate(env: Env, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """--rate asset=60 --rate model=2.5 reaches apply as the rates it paces by; the apply still finishes."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))
    seen: dict[str, Any] = {}
    wrapped = getattr(apply_cmd, "apply")  # the cli fixture's apply, on the test's clock  # noqa: B009

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(apply_cmd, "apply", spy)
    result = cli("apply", str(path), "--auto-approve", "--rate", "asset=60", "--rate", "model=2.5")
    assert result.code == 0, result.err
    assert seen["rates"] == {"asset": 60.0, "model": 2.5}


@pytest.mark.parametrize("value", ["bogus=3", "asset", "asset=fast", "asset=0", "asset=-1", "asset=inf"])
def test_a_bad_rate_is_refused_before_anything_is_read(env: Env, cli: Cli, value: str) -> None:
    """An unknown family, a missing or non-positive or infinite rate: argparse refuses (exit 2), not one call."""
    _, path = env.plan(SelectionSpec(subtrees=(env.world.assets["site-2"],)))
    before = env.backend.call_counts()
    result = cli("apply", str(path), "--auto-approve", "--rate", value)
    assert result.code == 2
    assert any("--rate" in line for line in result.errors)
    assert env.backend.call_counts() == before


def test_plan_rate_paces_discovery_at_the_given_rate(env: Env, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """plan --rate: an account with raised quotas is read at its own rates, not only changed at them."""
    seen: dict[str, Any] = {}
    wrapped = discover_target

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(plan_cmd, "discover_target", spy)
    result = cli("plan", "--all", "--out", str(env.tmp / "p.json"), "--rate", "asset=60", "--rate", "monitor=4")
    assert result.code == 0, result.err
    assert seen["rates"] == {"asset": 60.0, "monitor": 4.0}


@pytest.mark.parametrize("value", ["bogus=3", "asset=0"])
def test_plan_refuses_a_bad_rate_before_anything_is_read(env: Env, cli: Cli, value: str) -> None:
    before = env.backend.call_counts()
    result = cli("plan", "--all", "--rate", value)
    assert result.code == 2
    assert any("--rate" in line for line in result.errors)
    assert env.backend.call_counts() == before


def test_discovery_reads_at_the_rates_it_is_given(env: Env) -> None:
    """On the test's clock: at an asset rate of 2 TPS, discovery takes at least (asset reads - 1) / 2 clock
    seconds; with every family at 1,000 TPS, not a tenth of a second (the published 10 TPS of Monitor and
    models alone would take longer)."""

    def timed(rates: dict[str, float] | None) -> tuple[float, int]:
        before = Counter(env.backend.call_counts())
        start = env.clock.now()
        discover_target(TARGET, SelectionSpec(all=True), client=env.client, identity=(ACCOUNT, REGION),
                        clock=env.clock, rates=rates)
        sent = Counter(env.backend.call_counts()) - before
        return env.clock.now() - start, sum(n for op, n in sent.items() if family_of(op) == "asset")

    slow, reads = timed({"asset": 2.0})
    fast, _ = timed(dict.fromkeys(DEFAULT_RATES, 1000.0))
    published, _ = timed(None)
    assert reads >= 4  # enough that the pace shows: 1.5 clock seconds at 2 TPS
    assert slow >= (reads - 1) / 2.0
    assert fast < 0.1 < published


def test_a_reset_discovers_at_its_files_rates(env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """[apply] rates pace the reset's discovery too, not only its apply."""
    seen: dict[str, float] = {}

    def stop_after_discovery(calls: Calls, *_args: Any, **_kwargs: Any) -> Any:
        seen.update(calls.limiter.rates())
        raise RuntimeError("enough: the test only looks at the pacing")

    monkeypatch.setattr(reset, "discover_present", stop_after_discovery)
    config = load_reset_config(_reset_file(tmp_path, "{ asset = 60, monitor = 4 }"))
    with pytest.raises(RuntimeError, match="enough"):
        reset.run_reset(replace(config, plans_dir=tmp_path / "plans"), target=TARGET, clock=env.clock)
    assert seen["asset"] == 60 and seen["monitor"] == 4 and seen["model"] == DEFAULT_RATES["model"]


def _reset_file(tmp_path: Path, rates: str) -> Path:
    path = tmp_path / "reset.toml"
    path.write_text(f'[guard]\naccount = "123456789012"\nregion = "us-east-1"\n[select]\nall = true\n'
                    f'[apply]\nrates = {rates}\n')
    return path


def test_a_reset_file_sets_the_rates(tmp_path: Path) -> None:
    """[apply] rates = {asset = 60, monitor = 4}: the reset paces by them."""
    config = load_reset_config(_reset_file(tmp_path, "{ asset = 60, monitor = 4 }"))
    assert config.rates == {"asset": 60, "monitor": 4}


@pytest.mark.parametrize("rates", ["{ bogus = 3 }", "{ asset = 0 }", '{ asset = "fast" }'])
def test_a_reset_file_with_a_bad_rate_is_bad_input(tmp_path: Path, rates: str) -> None:
    """An unknown family or a non-positive rate in the reset file: a clear error naming apply.rates."""
    with pytest.raises(BadInputError, match=r"apply\.rates"):
        load_reset_config(_reset_file(tmp_path, rates))
