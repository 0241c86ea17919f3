"""Fixtures of the aws tests: fake clients for the request path (discovery runs on ``farm``, tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.support.fakes import Throttling


@pytest.fixture
def throttled_twice() -> Throttling:
    """A fake client whose DeleteAsset is throttled twice, then answers."""
    return Throttling(2)
