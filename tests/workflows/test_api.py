"""The small Python API (teardown/__init__.py, teardown._api): teardown.plan and teardown.apply driven from
code against the emulator, and what the package exports."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tomllib
from pathlib import Path

import pytest

import teardown
from teardown import _api, _version
from tests.support.worlds import Env


def test_plan_then_apply_from_code(farm: Env, tmp_path: Path) -> None:
    """plan() returns a sealed Plan (and writes it when asked); apply() carries it out and reports."""
    site = farm.asset("enterprise/site-3")
    plan = teardown.plan(subtrees=[site], region="us-east-1", client=farm.client, out=tmp_path / "p.json")
    assert plan.summary["deletes"]["assets"] == 13
    assert teardown.load_plan(tmp_path / "p.json") == plan
    report = teardown.apply(tmp_path / "p.json", region="us-east-1", client=farm.client, auto_approve=True,
                            clock=farm.clock)
    assert report.ok
    assert report.exit_code == 0
    assert farm.children("enterprise", "enterprise/sites") == {farm.asset("enterprise/site-1"),
                                                               farm.asset("enterprise/site-2")}
    turbines = farm.client.list_assets(assetModelId=farm.world.models["turbine"])["assetSummaries"]
    assert len(turbines) == 20
    assert "delete assets" in teardown.render(plan, "text")


def test_api_refusals_are_the_cli_errors(farm: Env) -> None:
    """A refused selection raises SelectionRefused, the same error the CLI maps to exit code 3."""
    with pytest.raises(teardown.SelectionRefused, match="--subtree"):
        teardown.plan(asset_models=[farm.world.models["line"]], region="us-east-1", client=farm.client)


def test_no_exported_name_shadows_a_submodule() -> None:
    """Every name of teardown.__all__ is the object it names, never a module: no submodule of that name exists
    (so ``import teardown.plan`` fails, and importing every submodule leaves ``teardown.plan`` the function)."""
    submodules = {m.name for m in pkgutil.iter_modules(teardown.__path__)}
    assert submodules.isdisjoint(teardown.__all__)
    for name in submodules - {"__main__"}:  # __main__ would run the CLI
        importlib.import_module(f"teardown.{name}")
    for name in teardown.__all__:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"teardown.{name}")
        assert not inspect.ismodule(getattr(teardown, name)), name
    assert teardown.plan is _api.plan and teardown.apply is _api.apply
    assert len(set(teardown.__all__)) == len(teardown.__all__)


def test_version_comes_from_the_version_module_and_matches_the_project() -> None:
    """teardown.__version__ is teardown._version's, and packaging reads the version from there alone."""
    assert teardown.__version__ is _version.__version__
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "teardown._version.__version__"}
