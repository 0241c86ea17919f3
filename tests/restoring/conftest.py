"""Fixtures of the archive and restore tests: the packaged windfarm with the details a round trip must bring
back (``rich_farm``), a teardown that leaves its archive (``tear_down``), and restore on the test's world."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from teardown.applying.paths import archive_path
from teardown.inventory.selectors import SelectionSpec
from teardown.restoring.context import RestoreSettings
from teardown.restoring.report import RestoreReport
from teardown.restoring.run import restore
from tests.support.world_view import enrich
from tests.support.worlds import FAST_RETRY, Env

FAST_RESTORE = RestoreSettings(interval=0.5, deadline=600.0)
Restore = Callable[..., RestoreReport]


@pytest.fixture
def rich_farm(farm: Env) -> Env:
    """The windfarm, enriched (tests/support/world_view.py ``enrich``)."""
    enrich(farm)
    return farm


def tear_down(env: Env, spec: SelectionSpec, name: str = "plan.json") -> Path:
    """Plan ``spec`` and apply it; answers the archive the apply wrote beside the plan."""
    _, path = env.plan(spec, name=name)
    report = env.apply(path)
    assert report.exit_code == 0, report.root_causes()
    return archive_path(path)


def restore_on(env: Env, archive: Path, **options: Any) -> RestoreReport:
    """``restore`` of ``archive`` on this world as the tests run it: its client and clock, fast polls, approved."""
    defaults: dict[str, Any] = {"client": env.client, "clock": env.clock, "auto_approve": True,
                                "settings": FAST_RESTORE, "retry": FAST_RETRY}
    return restore(archive, **{**defaults, **options})
