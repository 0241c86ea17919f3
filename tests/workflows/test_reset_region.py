"""A scheduled reset guards the region it will act in: without a [target] region that is the region every
command resolves (--region, else AWS_REGION, AWS_DEFAULT_REGION or the profile), never the guard's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from teardown.aws.target import AwsTarget
from teardown.workflows.reset import load_reset_config
from tests.support.cli import Cli
from tests.support.worlds import ACCOUNT, Env


def test_without_a_target_the_reset_acts_in_the_resolved_region_so_the_guard_refuses(
    env: Env, cli: Cli, reset_file: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_REGION says eu-west-1 and the config guards us-east-1 with no [target]: the run would act in
    eu-west-1, so it is refused (exit 3) before a single SiteWise call, read or write."""
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    path = reset_file(f'subtrees = ["{env.asset("site-1")}"]')
    assert load_reset_config(path).target.region is None
    before = env.backend.call_counts()
    result = cli("reset", "--config", str(path))
    assert result.code == 3 and result.clean, result.err
    assert result.errors == [f"error: reset config is for account {ACCOUNT} in us-east-1, "
                             f"but the credentials act in account {ACCOUNT} in eu-west-1"]
    assert env.backend.call_counts() == before
    assert not (env.tmp / "plans").exists()


def test_the_region_flag_is_the_region_the_guard_checks(
    env: Env, cli: Cli, reset_file: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same environment with --region us-east-1: the run acts in us-east-1, the guard passes, and the
    reset deletes what it selects."""
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    path = reset_file(f'subtrees = ["{env.asset("spare")}"]')
    result = cli("reset", "--config", str(path), "--region", "us-east-1")
    assert result.code == 0, result.err
    assert not env.asset_exists("spare") and env.asset_exists("site-1")


def test_a_target_region_in_the_config_is_the_one_guarded(env: Env, cli: Cli,
                                                         reset_file: Callable[..., Path]) -> None:
    """[target] region = eu-west-1 under a us-east-1 guard is refused, whatever the environment says."""
    path = reset_file("all = true", target='[target]\nregion = "eu-west-1"\n')
    before = env.backend.call_counts()
    result = cli("reset", "--config", str(path))
    assert result.code == 3 and "in eu-west-1" in result.errors[0]
    assert env.backend.call_counts() == before


def test_aws_region_is_honoured_before_aws_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolution every command shares: --region, else AWS_REGION (which botocore alone ignores), else
    AWS_DEFAULT_REGION."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert AwsTarget().session().region_name == "eu-west-1"
    assert AwsTarget(region="ap-south-1").session().region_name == "ap-south-1"
    monkeypatch.delenv("AWS_REGION")
    assert AwsTarget().session().region_name == "us-east-1"
