"""The pytest plugin, run as another project would: a test file with no conftest of its own that uses the
``sitewise``, ``sitewise_backend`` and ``sitewise_server`` fixtures, in a pytest subprocess that loads the
plugin by name (entry-point autoloading off, so what is installed does not matter)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ANOTHER_PROJECT = '''
import subprocess, sys

def test_in_process(sitewise, sitewise_backend):
    model = sitewise.create_asset_model(assetModelName="pump")["assetModelId"]
    sitewise_backend.clock.advance(1)
    assert sitewise.describe_asset_model(assetModelId=model)["assetModelStatus"]["state"] == "ACTIVE"
    assert [m["id"] for m in sitewise_backend.snapshot()["assetModels"]] == [model]

def test_each_test_gets_a_fresh_emulator(sitewise):
    assert sitewise.list_asset_models()["assetModelSummaries"] == []

def test_over_http(sitewise_server):
    code = "import boto3; print(len(boto3.client('iotsitewise').list_asset_models()['assetModelSummaries']))"
    out = subprocess.run([sys.executable, "-c", code], env=sitewise_server.env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0" and sitewise_server.url.startswith("http://127.0.0.1:")
'''

# Runs after the others (pytest keeps file order): the dummy credentials were for those tests only.
ENVIRONMENT_RESTORED = '''
import os

def test_the_users_environment_is_back():
    assert os.environ["AWS_ACCESS_KEY_ID"] == "the-users-own"
    assert os.environ["AWS_PROFILE"] == "the-users-profile"
'''


@pytest.mark.http
def test_another_project_uses_the_fixtures(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The three fixtures work from a plain test file, each in-process test gets a fresh emulator, the
    server's ``env`` is enough for a subprocess, and the user's environment is restored after each test."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "the-users-own")
    monkeypatch.setenv("AWS_PROFILE", "the-users-profile")
    pytester.makepyfile(test_a_sitewise_project=ANOTHER_PROJECT, test_z_environment=ENVIRONMENT_RESTORED)
    result = pytester.runpytest_subprocess("-p", "teardown.emulator.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_the_plugin_is_registered_as_an_entry_point() -> None:
    """pyproject.toml declares the plugin under pytest11, so installing the package registers it."""
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pytest11"] == {"sitewise": "teardown.emulator.pytest_plugin"}
