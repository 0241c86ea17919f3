"""Fixtures of the command-line tests (the ``cli`` runner itself, the seeded worlds and ``plan_file`` are in
tests/conftest.py): a guard that fails any test whose command would build an AWS client, and a saved
hand-built inventory (no client, no emulator)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.support.inventories import windfarm


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any boto3 client built from here on fails the test: the refusal under test must come first."""

    def forbidden(self: boto3.Session, service_name: str, *args: object, **kwargs: object) -> object:
        raise AssertionError(f"a {service_name} client was built: the bad input was not refused before AWS")

    monkeypatch.setattr(boto3.session.Session, "client", forbidden)


@pytest.fixture
def inventory_file(tmp_path: Path) -> Path:
    """A saved inventory: the hand-built wind farm of tests/support/inventories.py, as `--save-inventory`
    writes it."""
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(windfarm().to_json()) + "\n", encoding="utf-8")
    return path
