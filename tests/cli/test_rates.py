"""Rates that match the account: quotas are adjustable, so `apply --rate FAMILY=TPS` and a reset file's
`[apply] rates` pace a family at the account's own rate instead of the published default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from teardown.cli import apply_cmd
from teardown.errors import BadInputError
from teardown.inventory.selectors import SelectionSpec
from teardown.workflows.reset import load_reset_config
from tests.support.cli import Cli
from tests.support.worlds import Env


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
