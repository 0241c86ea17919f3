"""Fixtures of the applying tests: fake clients for the observers (apply runs on ``env``, tests/conftest.py)."""

from __future__ import annotations

import pytest

from teardown.emulator.clock import ManualClock
from tests.support.fakes import DeletingAssets


@pytest.fixture
def ten_deletes(clock: ManualClock) -> DeletingAssets:
    """Ten assets of model m1, DELETING for three seconds of ``clock``, then gone."""
    ids = [f"a{i}" for i in range(10)]
    return DeletingAssets(clock, dict.fromkeys(ids, "m1"), gone_at=clock.now() + 3.0)
