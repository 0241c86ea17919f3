"""`plan` with --gateway, --time-series-alias, --keep-time-series and --allow-data-loss on the command line,
against the plant world (examples/worlds/plant.toml): what it prints, its exit codes, and a kept teardown
applied end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import Cli
from tests.support.worlds import Env


def test_keeping_series_without_alias_is_refused_per_property(plant: Env, cli: Cli, tmp_path: Path) -> None:
    """Line 1's fillers hold fill-rate series with no alias: refused (exit 3, as every refusal), one line per
    asset and property, and no plan written."""
    out = tmp_path / "p.plan.json"
    result = cli("plan", "--all", "--keep-time-series", "--out", str(out))
    assert result.code == 3 and result.clean
    for n in (1, 2, 3):
        filler = plant.asset(f"plant/line-1/filler-{n}")
        assert f"asset 'Line 1 / Filler {n}' ({filler}) property 'fill-rate'" in result.err
    assert result.err.count("its time series has no alias") == 3
    assert not out.exists()


def test_allow_data_loss_plans_lists_and_applies_a_kept_teardown(plant: Env, cli: Cli, tmp_path: Path) -> None:
    """--all --keep-time-series --allow-data-loss: the plan lists the six energy series kept, the three fill-rate
    series lost, the alias-only series and the gateway deleted; applied, the world holds only the kept streams."""
    out = tmp_path / "p.plan.json"
    planned = cli("plan", "--all", "--keep-time-series", "--allow-data-loss", "--out", str(out))
    assert planned.code == 0, planned.err
    assert "selection: --all --keep-time-series --allow-data-loss" in planned.out
    assert "Kept: 6 time series and their history" in planned.out
    assert "Line 1 / Filler 2: property 'fill-rate'" in planned.out
    assert "Deleted: 3 alias-only time series" in planned.out and "Plant edge gateway" in planned.out
    markdown = cli("show", str(out), "--format", "markdown")
    assert "### Kept: 6 time series and their history" in markdown.out
    applied = cli("apply", str(out), "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    left = plant.resources()
    assert sorted(r["alias"] for r in left.values()) == sorted(
        f"/northwind/plant/line-{line}/filler-{n}/energy" for line in (1, 2) for n in (1, 2, 3))
    assert all(r["asset_id"] is None for r in left.values())


def test_gateway_and_alias_prefix_plan_only_what_they_name(plant: Env, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "p.plan.json"
    result = cli("plan", "--gateway", plant.world.gateways["edge"], "--time-series-alias", "/northwind/legacy/",
                 "--out", str(out))
    assert result.code == 0, result.err
    counts = dict(re.findall(r"^  (\w[\w -]+?)\s+(\d+)$", result.out, flags=re.MULTILINE))
    assert counts == {"unlink assets from projects": "0", "disassociate child assets": "0", "delete assets": "0",
                      "delete asset models": "0", "delete alias-only time series": "3", "delete gateways": "1"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--all", "--allow-data-loss"), "--allow-data-loss only matters with --keep-time-series"),
        (("--time-series-alias", ""), "--time-series-alias needs a prefix"),
        (("--keep-time-series",), "nothing selected"),
        (("--gateway", "00000000-0000-4000-8000-000000000009"), "unknown gateway"),
    ],
)
def test_misused_flags_are_bad_input(plant: Env, cli: Cli, argv: tuple[str, ...], message: str) -> None:
    result = cli("plan", *argv)
    assert result.code == 2 and result.clean
    assert message in result.err
