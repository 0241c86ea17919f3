"""Scheduled resets from a TOML config: plan and apply in one run, behind the config's guards."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from teardown.errors import BadInputError, PlanRefused
from teardown.inventory.selectors import SELECTORS, SelectionSpec
from teardown.workflows.reset import config_schema, load_reset_config, run_reset
from tests.support.selections import every_selector
from tests.support.worlds import Env


def test_reset_plans_and_applies_from_config(farm: Env, reset_file: Callable[..., Path], tmp_path: Path) -> None:
    """A reset deletes what the config selects, writes its plan for the record, and keeps the rest."""
    config = load_reset_config(reset_file(f'subtrees = ["{farm.asset("enterprise/site-2")}"]'))
    result = run_reset(config, clock=farm.clock)
    assert result.report is not None and result.report.ok
    assert result.plan_path is not None and result.plan_path.parent == tmp_path / "plans"
    left = farm.client.list_assets(assetModelId=farm.world.models["site"])["assetSummaries"]
    assert {a["name"] for a in left} == {"Site 1", "Site 3"}


def test_a_reset_reads_the_world_once_before_it_applies(farm: Env, reset_file: Callable[..., Path]) -> None:
    """The plan is made from what was read just now, and that reading stands for the freshness check's: the
    children of each parent are listed once, by discovery (the run lists none)."""
    once = farm.discover(SelectionSpec(all=True)).calls["ListAssociatedAssets"]
    before = farm.backend.call_counts()
    result = run_reset(load_reset_config(reset_file("all = true")), clock=farm.clock)
    assert result.report is not None and result.report.ok
    sent = farm.backend.call_counts()
    assert sent["ListAssociatedAssets"] - before["ListAssociatedAssets"] == once


def test_a_reset_of_a_throwaway_environment_can_skip_the_archive(farm: Env, reset_file: Callable[..., Path],
                                                                 tmp_path: Path) -> None:
    """[apply] archive = false: the reset deletes as before and leaves no archive beside its plan."""
    path = reset_file(f'subtrees = ["{farm.asset("enterprise/site-2")}"]')
    path.write_text(path.read_text() + "archive = false\n")
    config = load_reset_config(path)
    assert config.archive is False
    result = run_reset(config, clock=farm.clock)
    assert result.report is not None and result.report.ok and result.plan_path is not None
    assert not list((tmp_path / "plans").glob("*.archive.json"))


def test_reset_refuses_another_account_before_reading_anything(farm: Env, reset_file: Callable[..., Path]) -> None:
    """The guard is checked against STS first: not one SiteWise call, mutating or not."""
    config = load_reset_config(reset_file("all = true", account="999999999999"))
    before = farm.backend.call_counts()
    with pytest.raises(PlanRefused, match="account 999999999999"):
        run_reset(config, clock=farm.clock)
    assert farm.backend.call_counts() == before


def test_reset_over_max_deletes_changes_nothing(farm: Env, reset_file: Callable[..., Path]) -> None:
    """max_deletes refuses the whole run; no mutating call is sent."""
    config = load_reset_config(reset_file("all = true", max_deletes=5))
    before = farm.mutating_calls()
    with pytest.raises(PlanRefused, match="max-deletes 5"):
        run_reset(config, clock=farm.clock)
    assert farm.mutating_calls() == before


def test_reset_with_nothing_selected_is_a_clean_no_op(farm: Env, reset_file: Callable[..., Path],
                                                      tmp_path: Path) -> None:
    """A selector matching nothing: no plan file, no report, no error."""
    config = load_reset_config(reset_file('names = ["^no-such-asset$"]'))
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
        ('[guard]\naccount = "123456789012"\nregion = "us-east-1"\n[select]\nall = true\n[apply]\narchive = "no"\n',
         "apply.archive"),
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


def test_config_schema_carries_every_selector() -> None:
    """config_schema() fills the select, protect and plan tables in from the selector table: each selector at
    its (table, key), and no other key."""
    schema = config_schema()
    keys = {(table, key) for table in ("select", "protect", "plan")
            for key in schema["properties"][table]["properties"]}
    assert keys == {(s.config_table, s.config_key) for s in SELECTORS}
    assert schema["properties"]["select"]["additionalProperties"] is False


def test_a_config_using_every_selector_loads_them_all(tmp_path: Path) -> None:
    """Written from the selector table, a reset file with every selector gives a spec with every field set."""
    flags = every_selector()
    tables: dict[str, list[str]] = {}
    for s in SELECTORS:
        value = "true" if s.value == "switch" else json.dumps(flags[s.field])
        tables.setdefault(s.config_table, []).append(f"{s.config_key} = {value}")
    body = "".join(f"[{table}]\n" + "\n".join(lines) + "\n" for table, lines in tables.items())
    path = tmp_path / "every.toml"
    path.write_text(f'[guard]\naccount = "123456789012"\nregion = "us-east-1"\n{body}')
    spec = load_reset_config(path).spec
    assert spec == SelectionSpec.from_flags(**flags)
    assert all(getattr(spec, s.field) for s in SELECTORS)
