"""Scheduled resets from a TOML config: plan and apply in one run, behind the config's guards."""

from __future__ import annotations

from pathlib import Path

import pytest
from moto import mock_aws

from teardown.emulator.faults import is_mutating
from teardown.errors import BadInputError, PlanRefused
from teardown.workflows.reset import load_reset_config, run_reset
from tests.planning_env import ACCOUNT, Farm, farm

__all__ = ["farm"]


def _config(tmp_path: Path, *, account: str = ACCOUNT, select: str, extra: str = "") -> Path:
    path = tmp_path / "reset.toml"
    path.write_text(f"""
[guard]
account = "{account}"
region = "us-east-1"
max_deletes = 100

[select]
{select}

[apply]
plans_dir = "{tmp_path / 'plans'}"
{extra}
""")
    return path


def test_reset_plans_and_applies_from_config(farm: Farm, tmp_path: Path) -> None:
    """A reset deletes what the config selects, writes its plan for the record, and keeps the rest."""
    config = load_reset_config(_config(tmp_path, select=f'subtrees = ["{farm.asset("enterprise/site-2")}"]'))
    with mock_aws():
        result = run_reset(config, clock=farm.clock)
    assert result.report is not None and result.report.ok
    assert result.plan_path is not None and result.plan_path.parent == tmp_path / "plans"
    left = farm.client.list_assets(assetModelId=farm.world.models["site"])["assetSummaries"]
    assert {a["name"] for a in left} == {"Site 1", "Site 3"}


def test_reset_refuses_another_account_before_reading_anything(farm: Farm, tmp_path: Path) -> None:
    """The guard is checked against STS first: not one SiteWise call, mutating or not."""
    config = load_reset_config(_config(tmp_path, account="999999999999", select="all = true"))
    before = farm.backend.call_counts()
    with mock_aws(), pytest.raises(PlanRefused, match="account 999999999999"):
        run_reset(config, clock=farm.clock)
    assert farm.backend.call_counts() == before


def test_reset_over_max_deletes_changes_nothing(farm: Farm, tmp_path: Path) -> None:
    """max_deletes refuses the whole run; no mutating call is sent."""
    path = _config(tmp_path, select="all = true")
    path.write_text(path.read_text().replace("max_deletes = 100", "max_deletes = 5"))
    config = load_reset_config(path)
    with mock_aws(), pytest.raises(PlanRefused, match="max-deletes 5"):
        run_reset(config, clock=farm.clock)
    assert not any(is_mutating(op) and op not in _SEEDING for op in farm.backend.call_counts())


_SEEDING = {"CreateAssetModel", "CreateAsset", "AssociateAssets", "CreatePortal", "CreateProject",
            "BatchAssociateProjectAssets", "CreateDashboard", "CreateAccessPolicy", "CreateGateway",
            "AssociateTimeSeriesToAssetProperty", "CreateAssetModelCompositeModel",
            "PutAssetModelInterfaceRelationship", "TagResource"}


def test_reset_with_nothing_selected_is_a_clean_no_op(farm: Farm, tmp_path: Path) -> None:
    """A selector matching nothing: no plan file, no report, no error."""
    config = load_reset_config(_config(tmp_path, select='names = ["^no-such-asset$"]'))
    with mock_aws():
        result = run_reset(config, clock=farm.clock)
    assert result.report is None and result.plan_path is None
    assert not (tmp_path / "plans").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[guard]\naccount = "12"\nregion = "us-east-1"\n[select]\nall = true\n', "guard.account"),
        ('[guard]\naccount = "123456789012"\nregion = "us-east-1"\n[select]\nal = true\n', "Additional properties"),
        ('[guard]\naccount = "123456789012"\nregion = "us-east-1"\n[select]\n', "selects nothing"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_reset_config_is_bad_input(tmp_path: Path, body: str, message: str) -> None:
    """A malformed config names the key at fault and exits 2 before touching anything."""
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(BadInputError, match=message) as err:
        load_reset_config(path)
    assert err.value.exit_code == 2


def test_shipped_example_reset_config_is_valid() -> None:
    """examples/reset.toml, which users copy, loads and says what it selects."""
    config = load_reset_config(Path(__file__).resolve().parents[2] / "examples" / "reset.toml")
    assert config.account == "123456789012" and config.max_deletes == 2000
    assert config.spec.subtrees == ("externalId:ci-site",) and config.spec.tags == (("env", "ci"),)
    assert config.spec.protect == ("externalId:golden-site",)
